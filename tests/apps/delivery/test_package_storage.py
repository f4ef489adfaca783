"""Packages and artifacts go through Django's storage API: a local directory by default, any
storage backend when the settings name one. Django's own InMemoryStorage stands for a backend
that has no file paths (an object store)."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.test import Client
from factories import ACTOR
from package_helpers import open_package

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery.models import PackageFile
from headstart.apps.delivery.services import prepare_package, store_package
from headstart.apps.program.models import Program

pytestmark = pytest.mark.django_db

IN_MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}


def download(analyst, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(analyst)
    return Client().get(f"/api/v1/advisories/{ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_package_is_stored_under_its_digest_readable_by_the_owner_only(settings):
    name = store_package("HS-2026-0901", "0d4c6e2a-partner", b"encrypted bytes")
    path = Path(storages["packages"].path(name))

    assert name == f"HS-2026-0901/0d4c6e2a-partner-{hashlib.sha256(b'encrypted bytes').hexdigest()[:32]}.pgp"
    assert path.parent.parent == Path(settings.HEADSTART_PACKAGES_DIR)
    assert path.read_bytes() == b"encrypted bytes"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left beside it
    storages["packages"].delete(name)


def test_storing_the_same_package_again_keeps_its_name_and_bytes_and_other_bytes_get_another_name():
    first = store_package("HS-2026-0001", "partner", b"one")
    again = store_package("HS-2026-0001", "partner", b"one")
    other = store_package("HS-2026-0001", "partner", b"two")

    assert again == first and other != first
    assert storages["packages"].open(first).read() == b"one" and storages["packages"].open(other).read() == b"two"


def test_on_a_storage_without_paths_a_package_is_stored_once_under_its_digest(settings):
    settings.STORAGES = {**settings.STORAGES, "packages": IN_MEMORY}
    first = store_package("HS-2026-0001", "bucket-partner", b"one")
    again = store_package("HS-2026-0001", "bucket-partner", b"one")

    assert again == first and first.endswith(f"-{hashlib.sha256(b'one').hexdigest()[:32]}.pgp")
    assert storages["packages"].listdir("HS-2026-0001")[1] == [first.split("/")[1]]
    assert not Path(settings.HEADSTART_PACKAGES_DIR, first).exists()


def test_packages_and_artifacts_on_another_storage_backend_are_prepared_and_downloaded_from_it(
        settings, make_keyed_partner, sample_advisory):
    settings.STORAGES = {**settings.STORAGES, "default": IN_MEMORY, "packages": IN_MEMORY}
    keyed = make_keyed_partner("Bucket AV")
    advisory = sample_advisory()
    assert not isinstance(storages["default"], FileSystemStorage)
    assert all(storages["default"].exists(a.file.name) for a in advisory.artifacts.all())
    _, stored = prepare_package(advisory, keyed.partner, actor=ACTOR)

    response = download(keyed.analyst, advisory.ident)
    body = response.getvalue()

    assert response.status_code == 200
    assert body == storages["packages"].open(stored.path).read()
    assert hashlib.sha256(body).hexdigest() == stored.encrypted_sha256
    event = AuditEvent.objects.filter(action="package.download").latest("seq")
    assert event.details["encrypted_sha256"] == stored.encrypted_sha256
    files, signed = open_package(body, keyed.secret, Program.get().signing_certificate)
    assert signed and "writeup.md" in files
    assert not Path(settings.HEADSTART_PACKAGES_DIR, stored.path).exists()


def test_behind_nginx_a_package_on_another_storage_backend_is_named_by_its_storage_name(
        settings, make_keyed_partner, sample_advisory):
    settings.STORAGES = {**settings.STORAGES, "packages": IN_MEMORY}
    settings.HEADSTART_SENDFILE = "nginx"
    keyed = make_keyed_partner("Proxy AV")
    advisory = sample_advisory()

    response = download(keyed.analyst, advisory.ident)

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_headstart/packages/" + keyed.partner.packages.get().path


def test_a_prepared_package_whose_file_is_gone_from_storage_is_prepared_again(make_keyed_partner, sample_advisory):
    keyed = make_keyed_partner("Gone AV")
    advisory = sample_advisory()
    _, stored = prepare_package(advisory, keyed.partner, actor=ACTOR)
    storages["packages"].delete(stored.path)

    response = download(keyed.analyst, advisory.ident)

    assert response.status_code == 200
    again = PackageFile.objects.get(partner=keyed.partner)
    assert storages["packages"].exists(again.path)
    assert hashlib.sha256(response.getvalue()).hexdigest() == again.encrypted_sha256
