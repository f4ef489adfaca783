"""Error pages in the portal's layout, with a plain message and a way home; JSON under /api/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import SuspiciousOperation
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.views import defaults

from headstart.faces.busy import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_portals_not_found_page(program):
    response = Client().get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "<h1 id=\"error-title\">Not found</h1>" in page and 'href="/">Back to the advisories' in page
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_an_unknown_api_path_is_still_json(program):
    response = Client().get("/api/v1/no/such/path")
    assert response.status_code == 404 and response.json() == {"detail": "no such API path"}


def test_a_form_without_its_csrf_token_gets_the_form_expired_page(make_partner):
    _, admin, _ = make_partner("Example AV", accept=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/nda/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Form expired" in page and "Nothing was changed" in page and "CSRF cookie" not in page
    assert admin.partner.nda_acceptances.count() == 0


def test_the_server_error_and_bad_request_pages_need_nothing_but_templates():
    request = RequestFactory().get("/anything/")
    try:
        raise RuntimeError("a fault")
    except RuntimeError:
        failed = server_error(request)
    bad = defaults.bad_request(request, SuspiciousOperation("odd header"))
    assert failed.status_code == 500 and "Something went wrong" in failed.content.decode()
    assert bad.status_code == 400 and "Bad request" in bad.content.decode()
    for response in (failed, bad):
        assert 'href="/">Back to the advisories' in response.content.decode()


def test_a_forbidden_page_says_so_in_the_portals_words():
    response = defaults.permission_denied(RequestFactory().get("/team/"), PermissionError("no"))
    assert response.status_code == 403 and "Not allowed" in response.content.decode()


def test_times_are_written_in_utc_inside_a_time_element_that_names_its_instant():
    template = Template("{% load portal_time %}{{ when|moment }}|{{ nothing|moment }}")
    paris = dt.timezone(dt.timedelta(hours=1))
    rendered = template.render(Context({"when": dt.datetime(2027, 1, 15, 13, 0, tzinfo=paris), "nothing": None}))
    assert rendered == '<time datetime="2027-01-15T12:00:00Z">2027-01-15 12:00 UTC</time>|-'


def test_a_time_without_its_zone_is_refused():
    with pytest.raises(ValueError, match="aware"):
        Template("{% load portal_time %}{{ when|moment }}").render(Context({"when": dt.datetime(2027, 1, 15)}))  # noqa: DTZ001
