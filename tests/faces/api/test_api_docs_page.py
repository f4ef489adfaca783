"""The API's docs page loads only the project's own files, and its document parses everywhere."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_its_scripts_and_styles_from_the_project(program):
    response = Client().get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    # Scripts are files; the one inline element is the settings, a JSON data block no browser runs.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline == [' type="application/json" id="swagger-settings"']


def test_the_openapi_document_names_each_status_once(program):
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicated keys: {sorted({k for k in keys if keys.count(k) > 1})}"
        return dict(pairs)

    document = json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
    package = document["paths"]["/api/v1/advisories/{ident}/package"]["get"]["responses"]["200"]
    assert "application/octet-stream" in package["content"] or "OpenPGP" in package["description"]
