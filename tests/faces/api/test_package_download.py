"""A package download through the API and the portal: one path, recorded before any byte goes out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from factories import ACTOR

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify
from headstart.apps.delivery import services
from headstart.apps.delivery.models import Copy
from headstart.apps.delivery.preparing import prepare_all

pytestmark = pytest.mark.django_db

# A ready download (the package prepared ahead): the refused-token count of the caller's address,
# kept in the shared cache table so every server sees it (1); the token with its user, partner and tier (1);
# its last use noted (1); the advisory under the embargo (1); its artifacts (1); the covering
# commitment (1); the NDA named in the content key (1); for the standard-format documents whose
# digests are in the key, the program (1) and the advisory's newest artifact time (1), the STIX
# objects' `modified`; the prepared package (1); then, in the
# transaction, the audit event: lock the head, insert the event, move the head (3), and the copies
# delivered before, each with whether this route and user took it already (1). A first delivery
# also inserts its copies and reads them back (2), and records the route each left by (1): that
# insert is what lets an investigation show every way a copy left the program.
# Transaction control (BEGIN/COMMIT, or savepoints inside a test's transaction) is not counted.
READY_DOWNLOAD_QUERIES = 14
FIRST_DELIVERY_QUERIES = READY_DOWNLOAD_QUERIES + 3


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]


@pytest.fixture
def ready(make_keyed_partner, sample_advisory):  # type: ignore[no-untyped-def]
    """A partner whose package was prepared ahead, as `headstart advisory prepare` does."""
    keyed = make_keyed_partner("Ready AV")
    advisory = sample_advisory()
    prepare_all(advisory, actor=ACTOR)
    _, token = issue(keyed.analyst)
    return keyed, advisory, token


def api_download(token: str, ident: str, **headers: str):  # type: ignore[no-untyped-def]
    return Client().get(f"/api/v1/advisories/{ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_a_first_ready_download_takes_a_fixed_number_of_queries(ready):
    _, advisory, token = ready
    with CaptureQueriesContext(connection) as queries:
        response = api_download(token, advisory.ident)
    assert response.status_code == 200
    assert len(statements(queries)) == FIRST_DELIVERY_QUERIES, "\n".join(statements(queries))


def test_a_later_ready_download_takes_a_fixed_number_of_queries(ready):
    keyed, advisory, token = ready
    api_download(token, advisory.ident)
    ApiToken.objects.filter(user=keyed.analyst).update(last_used_at=None)  # its use is noted again, as after a minute
    with CaptureQueriesContext(connection) as queries:
        assert api_download(token, advisory.ident).status_code == 200
    assert len(statements(queries)) == READY_DOWNLOAD_QUERIES, "\n".join(statements(queries))


def test_a_ready_download_never_renders_or_reads_the_package_into_python(ready, monkeypatch):
    _, advisory, token = ready

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a ready download must not render or read the package")

    monkeypatch.setattr(services, "render_package", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    response = api_download(token, advisory.ident)
    assert response.status_code == 200 and response.streaming


def test_the_bytes_sent_are_the_ones_the_audit_event_names(ready):
    _, advisory, token = ready
    response = api_download(token, advisory.ident)
    event = AuditEvent.objects.filter(action="package.download").latest("seq")
    body = response.getvalue()
    assert event.details["encrypted_sha256"] == hashlib.sha256(body).hexdigest()
    assert response["Content-Length"] == str(len(body))
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="{advisory.ident}.tar.pgp"'


def test_the_portal_sends_the_same_package_response_as_the_api(ready):
    keyed, advisory, token = ready
    from_api = api_download(token, advisory.ident)
    browser = Client()
    browser.force_login(keyed.analyst)
    from_portal = browser.get(f"/advisories/{advisory.ident}/package")
    assert from_portal.status_code == 200
    assert from_portal.getvalue() == from_api.getvalue()
    for header in ("Content-Type", "Content-Disposition", "X-Headstart-Package-SHA256", "Cache-Control"):
        assert from_portal[header] == from_api[header]


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(ready, settings):
    keyed, advisory, token = ready
    settings.HEADSTART_SENDFILE = "nginx"
    response = api_download(token, advisory.ident)
    stored = keyed.partner.packages.get()
    relative = Path(storages["packages"].path(stored.path)).relative_to(settings.HEADSTART_PACKAGES_DIR).as_posix()
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_headstart/packages/{relative}"
    assert response["X-Headstart-Package-SHA256"] == stored.plaintext_sha256
    assert AuditEvent.objects.filter(action="package.download").count() == 1  # recorded all the same


def test_behind_apache_the_file_is_handed_over_with_x_sendfile(ready, settings):
    keyed, advisory, token = ready
    settings.HEADSTART_SENDFILE = "apache"
    response = api_download(token, advisory.ident)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == storages["packages"].path(keyed.partner.packages.get().path)


def test_a_download_whose_audit_event_fails_sends_nothing_and_records_no_copy(ready, monkeypatch):
    keyed, advisory, token = ready
    real_record = services.record

    def failing_record(actor, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        if action == "package.download":
            raise RuntimeError("the database went away")
        return real_record(actor, action, *args, **kwargs)

    monkeypatch.setattr(services, "record", failing_record)
    response = api_download(token, advisory.ident)
    assert response.status_code == 500 and not response.streaming
    assert response.json() == {"detail": "internal error; the server logged it"}
    assert not Copy.objects.filter(partner=keyed.partner).exists()
    assert not AuditEvent.objects.filter(action="package.download").exists()
    monkeypatch.undo()
    assert api_download(token, advisory.ident).status_code == 200
    assert Copy.objects.filter(partner=keyed.partner).exists() and verify().ok
