"""Readiness in the portal: a partner uploads its rules on the advisory's page, a worker tests them,
the page shows the result; a partner using its own engine confirms it is ready; staff see every
partner's latest test and the coverage page, whose queries do not grow with the partners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from readiness_worker import worker  # noqa: F401 - the fixture

from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery import copies
from headstart.apps.delivery.services import _marking_key
from headstart.apps.readiness.models import ReadinessTest
from headstart.apps.readiness.services import MARK_WARNING

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf(client: Client, page: str) -> str:
    client.get(page)
    return client.cookies["csrftoken"].value


def upload(client: Client, ident: str, rules: str, name: str = "mine.yar", **form):  # type: ignore[no-untyped-def]
    token = csrf(client, f"/advisories/{ident}/")
    return client.post(f"/advisories/{ident}/readiness/",
                       {"csrfmiddlewaretoken": token, "rules": SimpleUploadedFile(name, rules.encode()), **form})


def page(client: Client, ident: str) -> str:
    response = client.get(f"/advisories/{ident}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_uploads_rules_sees_them_queued_then_the_result_after_the_worker_ran(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    client = signed_in(analyst)
    before = page(client, advisory.ident)
    assert 'enctype="multipart/form-data"' in before and "You have not tested your detection" in before
    response = upload(client, advisory.ident, "rule anything { condition: true }", note="engine 9", ready="on")
    assert (response.status_code, response["Location"]) == (302, f"/advisories/{advisory.ident}/#readiness")
    queued = page(client, advisory.ident)
    assert "is <strong>queued</strong>" in queued and "Reload this page" in queued
    assert "<script>" not in queued  # no inline script: the page is plain HTML
    worker()
    done = page(client, advisory.ident)
    assert "<dt>Detected</dt><dd>poc.tim</dd>" in done
    assert "marked ready" in done and "engine 9" in done
    assert ReadinessTest.objects.get().ready is True


def test_a_rule_keyed_on_the_partners_own_copy_shows_the_mark_warning(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    poc = next(d for d in copies.deliverables(advisory) if d.file_name == "poc.tim")
    own = copies.render(poc, _marking_key(), str(partner.uid))
    client = signed_in(analyst)
    upload(client, advisory.ident, "rule mine { strings: $a = { " + own.hex(" ") + " } condition: $a }")
    worker()
    assert f"Warning: poc.tim: your rules match your copy but not every other copy: {MARK_WARNING}" \
        in page(client, advisory.ident).replace("&#x27;", "'")


def test_a_rule_that_fails_in_the_job_is_shown_plainly_with_its_reason(
        make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    client = signed_in(analyst)
    upload(client, advisory.ident, 'import "pe"\nrule a { condition: pe.is_pe }')
    worker()
    assert "failed: modules are not allowed" in page(client, advisory.ident).replace("&#x27;", "'")


def test_an_oversized_upload_is_refused_with_a_message_and_nothing_is_queued(
        make_partner, sample_advisory, settings):  # type: ignore[no-untyped-def]
    settings.HEADSTART_READINESS_MAX_RULES_BYTES = 100
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    client = signed_in(analyst)
    upload(client, advisory.ident, "rule a { condition: true }" + "/" * 200)
    assert "Your rules were not queued: the rules file is too large: at most 100 bytes are accepted" \
        in page(client, advisory.ident)
    assert not ReadinessTest.objects.exists()


def test_a_partner_sees_only_its_own_result(make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, alpha = make_partner("Alpha AV")
    _, _, beta = make_partner("Beta AV")
    advisory = sample_advisory()
    upload(signed_in(alpha), advisory.ident, "rule alpha { condition: true }", name="alpha-secret.yar",
           note="alpha's own note")
    worker()
    beta_page = page(signed_in(beta), advisory.ident)
    assert "alpha-secret.yar" not in beta_page and "alpha&#x27;s own note" not in beta_page
    assert "You have not tested your detection" in beta_page
    assert "alpha-secret.yar" in page(signed_in(alpha), advisory.ident)


def test_an_advisory_not_open_to_the_partner_is_404_for_its_page_and_its_forms(
        make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    _, _, entry = make_partner("Entry AV", "entry")  # the entry tier's window opens 24 h before the patch
    advisory = sample_advisory(patch_in=dt.timedelta(hours=100))
    client = signed_in(entry)
    token = csrf(client, "/")
    assert client.get(f"/advisories/{advisory.ident}/").status_code == 404
    rules = SimpleUploadedFile("a.yar", b"rule a { condition: true }")
    assert client.post(f"/advisories/{advisory.ident}/readiness/",
                       {"csrfmiddlewaretoken": token, "rules": rules}).status_code == 404
    assert client.post(f"/advisories/{advisory.ident}/readiness/ready",
                       {"csrfmiddlewaretoken": token, "note": "x"}).status_code == 404
    assert not ReadinessTest.objects.exists()


def test_a_tier_without_the_binary_poc_sees_no_readiness_section(make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    _, _, entry = make_partner("Entry AV", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=12))
    text = page(signed_in(entry), advisory.ident)
    assert 'id="readiness"' not in text
    assert not AuditEvent.objects.filter(action__startswith="readiness.").exists()


def test_a_partner_with_its_own_engine_confirms_ready_with_a_note(make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    client = signed_in(analyst)
    token = csrf(client, f"/advisories/{advisory.ident}/")
    response = client.post(f"/advisories/{advisory.ident}/readiness/ready",
                           {"csrfmiddlewaretoken": token, "note": "signature 4711 in our engine"})
    assert response.status_code == 302
    assert "<strong>Marked ready</strong> without a test: signature 4711 in our engine" in page(client, advisory.ident)
    assert AuditEvent.objects.filter(action="readiness.ready", partner="Alpha AV").exists()


def test_the_forms_need_the_csrf_token(make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    client = signed_in(analyst)
    assert client.post(f"/advisories/{advisory.ident}/readiness/ready", {"note": "x"}).status_code == 403
    assert not ReadinessTest.objects.exists()


def test_staff_see_every_partners_latest_test_on_the_advisory_page(
        make_partner, staff_user, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, alpha = make_partner("Alpha AV")
    _, _, beta = make_partner("Beta AV")
    advisory = sample_advisory()
    upload(signed_in(alpha), advisory.ident, "rule a { condition: true }", name="alpha.yar")
    upload(signed_in(beta), advisory.ident, "rule b { condition: false }", name="beta.yar")
    worker()
    text = page(signed_in(staff_user), advisory.ident)
    assert "alpha.yar" in text and "beta.yar" in text
    assert 'name="rules"' not in text  # staff have no copies to test


def coverage_world(make_partner, sample_advisory, worker, partners: int):  # type: ignore[no-untyped-def]  # noqa: F811
    """An advisory, `partners` advanced partners each with a finished test (the first marked ready),
    and one entry-tier partner."""
    advisory = sample_advisory()
    make_partner("Entry AV", "entry")
    for i in range(partners):
        _, _, analyst = make_partner(f"Partner {i} AV")
        upload(signed_in(analyst), advisory.ident, "rule a { condition: true }", ready="on" if i == 0 else "",
               note=f"note of partner {i}")
    worker()
    return advisory


def test_staff_see_coverage_per_tier_and_per_partner(
        make_partner, staff_user, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    coverage_world(make_partner, sample_advisory, worker, 2)
    response = signed_in(staff_user).get("/staff/coverage/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ready: 1 of 2 partners entitled to the binary PoC." in text
    assert '<th scope="row">advanced</th><td>2</td><td>0</td><td>1</td>' in text
    assert '<th scope="row">entry</th><td>1</td><td>0</td><td><span class="muted">no binary PoC</span>' in text
    assert "note of partner 0" in text and "note of partner 1" in text
    assert "detected 1, missed 0" in text
    assert AuditEvent.objects.filter(action="readiness.coverage", actor=staff_user.email).exists()


def test_the_coverage_page_makes_the_same_queries_for_one_partner_or_five(
        make_partner, staff_user, sample_advisory, worker, django_assert_num_queries,  # noqa: F811
        django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    coverage_world(make_partner, sample_advisory, worker, 1)
    client = signed_in(staff_user)
    client.get("/staff/coverage/")  # the session and the like, loaded once
    with django_assert_max_num_queries(60) as one:
        first = client.get("/staff/coverage/")
    queries = len(one.captured_queries)  # now: the connection keeps only the latest 9,000 queries
    assert first.status_code == 200 and queries > 0
    for i in range(1, 5):
        _, _, analyst = make_partner(f"Later {i} AV")
        upload(signed_in(analyst), "HS-2026-0001", "rule a { condition: true }")
    worker()
    with django_assert_num_queries(queries):
        response = client.get("/staff/coverage/")
    assert response.content.decode().count("detected 1, missed 0") == 5


def test_partners_may_not_see_the_coverage_page(make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    _, admin, _ = make_partner("Alpha AV")
    sample_advisory()
    assert signed_in(admin).get("/staff/coverage/").status_code == 403
    assert AuditEvent.objects.filter(action="readiness.coverage.refused", partner="Alpha AV").exists()


def test_coverage_counts_the_partners_who_downloaded_their_package(
        make_keyed_partner, make_partner, staff_user, sample_advisory):  # type: ignore[no-untyped-def]
    keyed = make_keyed_partner("Fetcher AV")
    make_partner("Idle AV")
    advisory = sample_advisory()
    assert signed_in(keyed.analyst).get(f"/advisories/{advisory.ident}/package").status_code == 200
    text = signed_in(staff_user).get("/staff/coverage/").content.decode()
    assert '<th scope="row">advanced</th><td>2</td><td>1</td><td>0</td>' in text
    assert '<th scope="row">Fetcher AV</th><td>advanced</td><td>yes</td>' in text
    assert '<th scope="row">Idle AV</th><td>advanced</td><td>no</td>' in text
