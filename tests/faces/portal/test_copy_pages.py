"""A partner reads its marked copy in the browser: the package's bytes, recorded like a download."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tarfile

import pysequoia
import pytest
from delivery_factories import sample_artifacts
from django.test import Client
from django.utils import timezone
from factories import ACTOR

from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery.models import Copy, Delivery, Route
from headstart.apps.delivery.services import schedule

pytestmark = pytest.mark.django_db

READABLE = ("writeup", "guidance", "poc-source")


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def advisory(program):  # type: ignore[no-untyped-def]
    """The sample's write-up, guidance and Python PoC, plus a write-up smuggling HTML."""
    items = [a for a in sample_artifacts() if a.kind in READABLE and not a.name.endswith(".c")]
    advisory = create_advisory("HS-2026-0001", title="Heap overflow in the tile decoder", actor=ACTOR,
                               patch_at=timezone.now() + dt.timedelta(hours=12), artifacts=items,
                               cve="CVE-2026-99002", cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
    schedule(advisory, actor=ACTOR)
    advisory.refresh_from_db()
    return advisory


def _package_files(client: Client, ident: str, secret) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    response = client.get(f"/advisories/{ident}/package")
    assert response.status_code == 200
    plain = pysequoia.decrypt(b"".join(response.streaming_content), decryptor=secret.decryptor()).bytes
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def test_the_advisory_page_links_each_readable_file_of_the_tier(make_partner, advisory):
    _, _, analyst = make_partner("Example AV", "advanced")
    page = signed_in(analyst).get(f"/advisories/{advisory.ident}/").content.decode()
    for name in ("writeup.md", "guidance.md", "poc_tim_overflow.py"):
        assert f'href="/advisories/{advisory.ident}/copies/{name}"' in page


def test_the_copy_page_shows_the_bytes_of_the_packages_file(make_keyed_partner, advisory):
    keyed = make_keyed_partner("Example AV")
    client = signed_in(keyed.analyst)
    packaged = _package_files(client, advisory.ident, keyed.secret)
    for name in ("writeup.md", "guidance.md", "poc_tim_overflow.py"):
        response = client.get(f"/advisories/{advisory.ident}/copies/{name}?plain=1")
        assert response.status_code == 200
        assert response.context["text"].encode() == packaged[name]
        assert response.context["sha256"] == hashlib.sha256(packaged[name]).hexdigest()
        assert "no-store" in response["Cache-Control"]


def test_a_read_writes_one_delivery_row_and_one_audit_event(make_partner, advisory):
    _, _, analyst = make_partner("Example AV")
    client = signed_in(analyst)
    before = AuditEvent.objects.filter(action="copy.read").count()
    assert client.get(f"/advisories/{advisory.ident}/copies/writeup.md").status_code == 200
    events = AuditEvent.objects.filter(action="copy.read")
    assert events.count() == before + 1
    event = events.latest("seq")
    copy = Copy.objects.get(partner=analyst.partner, file_name="writeup.md")
    assert event.details["sha256"] == copy.sha256 and event.object_id == advisory.ident
    deliveries = Delivery.objects.filter(copy=copy)
    assert [(d.route, d.by, d.audit_seq) for d in deliveries] == [(Route.READ, analyst.email, event.seq)]
    client.get(f"/advisories/{advisory.ident}/copies/writeup.md")  # read again: audited, one route still
    assert Delivery.objects.filter(copy=copy).count() == 1
    assert AuditEvent.objects.filter(action="copy.read").count() == before + 2


def test_two_partners_read_different_copies(make_partner, advisory):
    _, _, first = make_partner("First AV")
    _, _, second = make_partner("Second AV")
    texts = [signed_in(u).get(f"/advisories/{advisory.ident}/copies/writeup.md?plain=1").context["text"]
             for u in (first, second)]
    assert texts[0] != texts[1]


def test_a_file_the_tier_is_not_entitled_to_is_not_found_and_nothing_is_recorded(make_partner, advisory):
    _, _, analyst = make_partner("Contoso EDR", "entry")  # write-up and guidance only
    client = signed_in(analyst)
    assert client.get(f"/advisories/{advisory.ident}/copies/poc_tim_overflow.py").status_code == 404
    assert client.get(f"/advisories/{advisory.ident}/copies/nonexistent.md").status_code == 404
    assert not Copy.objects.filter(partner=analyst.partner).exists()
    assert AuditEvent.objects.filter(action="copy.read.refused").count() == 2


def test_outside_the_window_the_copy_is_not_found(make_partner, program):
    _, _, analyst = make_partner("Example AV", "advanced")
    items = [a for a in sample_artifacts() if a.kind == "writeup"]
    later = create_advisory("HS-2026-0002", title="Later", actor=ACTOR, artifacts=items,
                            patch_at=timezone.now() + dt.timedelta(days=30))
    schedule(later, actor=ACTOR)
    assert signed_in(analyst).get("/advisories/HS-2026-0002/copies/writeup.md").status_code == 404
    assert not Copy.objects.exists()


def test_staff_have_no_copy_to_read(staff_user, advisory):
    assert signed_in(staff_user).get(f"/advisories/{advisory.ident}/copies/writeup.md").status_code == 403


def test_html_in_the_document_never_reaches_the_page(make_partner, program):
    _, _, analyst = make_partner("Example AV", "advanced")
    writeup = next(a for a in sample_artifacts() if a.kind == "writeup")
    hostile = writeup.content + b"\n\n<script>alert(1)</script> [x](javascript:alert(1)) ![p](https://evil.example/p.png)\n"
    advisory = create_advisory("HS-2026-0003", title="Hostile", actor=ACTOR, patch_at=timezone.now() + dt.timedelta(hours=12),
                               artifacts=[ArtifactInput("writeup", "writeup.md", hostile)])
    schedule(advisory, actor=ACTOR)
    page = signed_in(analyst).get("/advisories/HS-2026-0003/copies/writeup.md").content.decode()
    article = page[page.index('<article class="copy">'):]
    assert "<script>alert" not in article and "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert 'href="javascript:' not in article and "<img" not in article
    assert "<h2>" in article and "<h1>" not in article  # formatted, under the page's own title


def test_the_trigger_procedure_is_read_as_the_package_holds_it(make_keyed_partner, program):
    keyed = make_keyed_partner("Example AV", "advanced")
    items = [a for a in sample_artifacts() if a.kind in ("writeup", "trigger-spec")]
    advisory = create_advisory("HS-2026-0004", title="Procedure", actor=ACTOR, artifacts=items,
                               patch_at=timezone.now() + dt.timedelta(hours=12))
    schedule_advisory(advisory, actor=ACTOR)  # the commitment is made at the first delivery
    client = signed_in(keyed.analyst)
    page = client.get(f"/advisories/{advisory.ident}/").content.decode()
    assert f'href="/advisories/{advisory.ident}/copies/tim-procedure.md"' in page
    assert "tim.ksy.yaml</a>" not in page  # the specification itself never goes out
    response = client.get(f"/advisories/{advisory.ident}/copies/tim-procedure.md?plain=1")
    assert response.status_code == 200 and response.context["kind"] == "trigger procedure"
    assert response.context["text"].encode() == _package_files(client, advisory.ident, keyed.secret)["tim-procedure.md"]
    assert client.get(f"/advisories/{advisory.ident}/copies/tim.ksy.yaml").status_code == 404
