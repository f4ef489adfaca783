"""Every API error answers application/json with {"detail": ...}, never HTML or a traceback."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_json_detail(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}
    text = json.dumps(body)
    assert "Traceback" not in text and "<html" not in text.lower()
    return body["detail"]


@pytest.fixture
def staff_api(staff_user, api_client):  # type: ignore[no-untyped-def]
    return api_client(staff_user)


def test_an_unforeseen_error_is_a_json_500_without_internals(make_partner, api_client, monkeypatch, caplog):
    _, _, analyst = make_partner("Example AV")

    def broken(partner):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals at /srv/headstart")

    monkeypatch.setattr("headstart.faces.api.routes.me.has_accepted_current_nda", broken)
    detail = assert_json_detail(api_client(analyst).get("/api/v1/me"), 500)
    assert "secret internals" not in detail
    # The operators still see what happened.
    assert "secret internals" in caplog.text


def test_an_unknown_api_path_is_a_json_404(staff_api):
    assert assert_json_detail(staff_api.get("/api/v1/no/such/path"), 404) == "no such API path"


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(staff_api):
    response = staff_api.delete("/api/v1/me")
    assert "GET" in assert_json_detail(response, 405)
    assert "GET" in response["Allow"]


def test_a_malformed_json_body_is_a_json_400(staff_api):
    assert_json_detail(staff_api.post("/api/v1/partners", data='{"name": ', content_type="application/json"), 400)


def test_an_oversize_body_is_a_json_413(staff_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "tier": "entry"})
    detail = assert_json_detail(staff_api.post("/api/v1/partners", data=body, content_type="application/json"), 413)
    assert detail == "request body too large"


def test_a_session_caller_without_the_csrf_token_gets_a_json_403(staff_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    response = browser.post("/api/v1/partners", data="{}", content_type="application/json")
    assert "CSRF" in assert_json_detail(response, 403)


def test_a_validation_error_is_a_json_422_with_the_fields(staff_api):
    response = staff_api.post("/api/v1/partners", data=json.dumps({"name": 3}), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    fields = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert ("body", "data", "name") in fields


def test_an_error_outside_the_api_stays_html(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_static_files_carry_the_security_headers_of_every_page(settings):
    call_command("collectstatic", interactive=False, verbosity=0)
    static = Client().get("/static/portal/site.css")
    page = Client().get("/login/")
    assert static.status_code == 200 and page.status_code == 200
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                   "Cross-Origin-Opener-Policy"):
        assert static[header] == page[header], header


def test_the_openapi_document_declares_the_errors_every_operation_may_answer(program):
    document = Client().get("/api/v1/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            declared = set(operation["responses"])
            assert {"401", "429", "503"} <= declared, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert {"400", "413", "422"} <= declared, (method, path)
    assert document["components"]["schemas"]["ValidationError"]["properties"]["detail"]["type"] == "array"
