"""POST /api/v1/advisories refuses a binary write-up with a JSON 400 naming the file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from headstart.apps.advisories.models import Advisory

pytestmark = pytest.mark.django_db


def test_a_binary_write_up_upload_is_a_json_400_naming_the_file(staff_user, api_client):
    response = api_client(staff_user).post("/api/v1/advisories", {
        "id": "HS-2026-0002", "title": "New overflow", "patch_at": "2099-01-01T00:00:00Z",
        "writeup": SimpleUploadedFile("writeup.md", b"\x7fELF\x02\x01\x01\x00\x00\x00"),
    })

    assert response.status_code == 400
    assert response.json() == {"detail": "write-up writeup.md is not text: it holds a NUL byte at offset 7"}
    assert not Advisory.objects.exists()
