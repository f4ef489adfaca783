"""The API describes itself at /api/v1/openapi.json."""

from __future__ import annotations

import pytest
from django.test import Client

from headstart.faces.api.app import api

pytestmark = pytest.mark.django_db


def test_the_openapi_document_lists_every_endpoint(program):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Headstart API"
    listed = {(method.upper(), path.removeprefix("/api/v1")) for path, item in document["paths"].items()
              for method in item}
    routes = {(method.upper(), path) for path, item in api.get_openapi_schema(path_prefix="")["paths"].items()
              for method in item}
    assert listed == routes
    for expected in [("GET", "/advisories"), ("GET", "/advisories/{ident}"), ("GET", "/advisories/{ident}/artifacts"),
                     ("POST", "/advisories"), ("GET", "/partners"), ("POST", "/partners"), ("GET", "/tiers"),
                     ("GET", "/audit"), ("GET", "/audit/verify"), ("POST", "/nda/accept"), ("GET", "/me")]:
        assert expected in listed


def test_the_document_declares_both_ways_to_authenticate(program):
    schemes = Client().get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme") or s.get("in")) for s in schemes.values()}
    assert ("http", "bearer") in kinds and ("apiKey", "cookie") in kinds
