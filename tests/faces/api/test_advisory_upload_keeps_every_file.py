"""POST /api/v1/advisories stores every uploaded file, PoCs and trigger specs included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from headstart.apps.accounts.tokens import issue
from headstart.apps.advisories.models import Advisory
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLE_DIR / name).read_bytes())


def test_staff_upload_stores_the_writeup_guidance_pocs_and_trigger_spec(staff_user):
    _, token = issue(staff_user)
    response = Client().post("/api/v1/advisories", HTTP_AUTHORIZATION=f"Bearer {token}", data={
        "id": "HS-2026-0042", "title": "Uploaded", "patch_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        "writeup": upload("writeup.md"), "guidance": upload("guidance.md"),
        "poc": [upload("poc_tim_overflow.py"), upload("poc.tim")], "trigger_spec": [upload("tim.ksy.yaml")]})
    assert response.status_code == 201, response.content
    kinds = {a.name: a.kind for a in Advisory.objects.get(ident="HS-2026-0042").artifacts.all()}
    assert kinds == {"writeup.md": "writeup", "guidance.md": "guidance", "poc_tim_overflow.py": "poc-source",
                     "poc.tim": "poc-binary", "tim.ksy.yaml": "trigger-spec"}
