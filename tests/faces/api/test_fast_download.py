"""The fast download path answers a ready download exactly as Django would, and nothing else.

These tests call the WSGI callables directly, with environs built by hand as a WSGI server
builds them: ``FastPackageDownloads.serve`` (the fast path alone: a response or None),
the wrapped application (what a partner gets), and Django's own handler (the reference).
A download the fast path serves must match Django's answer header for header, byte for
byte, with the same audit event and copy records; everything it does not serve must reach
Django with nothing written first.

The fast path commits its own transaction, so tests of served downloads run on a
committing database (``committing_db``), as the server does.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import io
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from factories import ACTOR, database_state
from ninja.throttling import AuthRateThrottle
from package_helpers import open_package

from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.accounts.tokens import digest
from headstart.apps.advisories.models import Advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify
from headstart.apps.delivery import services
from headstart.apps.delivery.models import Copy
from headstart.apps.delivery.services import prepare_all, prepare_package
from headstart.apps.partners.models import Partner
from headstart.apps.partners.services import set_status
from headstart.apps.program.models import Program
from headstart.faces.api import fast_download
from headstart.faces.api.app import THROTTLE_RATE, api
from headstart.faces.api.fast_download import ANSWERED_MIDDLEWARE, PACKAGE_PATH, FastPackageDownloads

pytestmark = pytest.mark.django_db

HOST = "testserver"  # in ALLOWED_HOSTS under test (Django's test environment adds it)
CLIENT_IP = "203.0.113.7"
AUDITED_FIELDS = ("actor", "partner", "ip", "action", "object_type", "object_id", "details")


# --- talking WSGI -----------------------------------------------------------------------------

def environ(token: str | None = None, ident: str = "HS-2026-0001", *, authorization: str | None = None,
            method: str = "GET", path: str | None = None, query: str = "", scheme: str = "http",
            host: str = HOST, **extra: Any) -> dict[str, Any]:
    """A request as a WSGI server hands it over (a fresh one per call: the input is a stream)."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path or f"/api/v1/advisories/{ident}/package",
        "QUERY_STRING": query, "SERVER_NAME": HOST, "SERVER_PORT": "443" if scheme == "https" else "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host, "REMOTE_ADDR": CLIENT_IP,
        "wsgi.version": (1, 0), "wsgi.url_scheme": scheme, "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if authorization is None and token is not None:
        authorization = f"Bearer {token}"
    if authorization is not None:
        env["HTTP_AUTHORIZATION"] = authorization
    env.update(extra)
    return env


@dataclass(frozen=True)
class Answer:
    status: str  # "200 OK"
    headers: dict[str, list[str]]  # lower-cased names: HTTP compares them case-insensitively
    body: bytes

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    def header(self, name: str) -> str:
        (value,) = self.headers[name.lower()]
        return value


def _answer(status: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
    by_name: dict[str, list[str]] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    return Answer(status, by_name, body)


def answer_of(app: Callable[..., Any], env: dict[str, Any]) -> Answer:
    """Run a WSGI application as a server does, closing the result (Django finishes the request there)."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    result = app(env, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    (status, headers), = started
    return _answer(status, headers, body)


def fast_answer(fast: FastPackageDownloads, env: dict[str, Any]) -> Answer | None:
    served = fast.serve(env)
    return None if served is None else _answer(*served)


def csp_directives(answer: Answer) -> set[str]:
    return {d.strip() for d in answer.header("Content-Security-Policy").split(";") if d.strip()}


@dataclass
class RecordingApp:
    """Django's handler, noting which requests reached it."""

    django: WSGIHandler
    reached: list[str]

    def __call__(self, env: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.reached.append(f"{env['REQUEST_METHOD']} {env['PATH_INFO']}")
        return self.django(env, start_response)


# --- the world ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request's start and end must not close the test's
    database connection (on PostgreSQL that would abort the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


_TRIGGERS = importlib.import_module("headstart.apps.audit.migrations.0002_append_only_triggers")


@pytest.fixture
def committing_db(transactional_db: None) -> Iterator[None]:
    """A database without a test transaction around it, emptied afterwards.

    Django empties it with DELETE on SQLite, which the audit log's append-only triggers
    refuse; the events are removed here first with the triggers lifted, then restored
    exactly as the migration creates them (PostgreSQL's TRUNCATE bypasses its trigger)."""
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in _TRIGGERS.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditEvent._meta.db_table)}")
        for statement in _TRIGGERS.SQLITE:
            cursor.execute(statement)


@pytest.fixture
def django_app() -> WSGIHandler:
    return WSGIHandler()


@pytest.fixture
def reached() -> list[str]:
    return []


@pytest.fixture
def fast(django_app: WSGIHandler, reached: list[str]) -> FastPackageDownloads:
    return FastPackageDownloads(RecordingApp(django_app, reached))


@dataclass
class Release:
    """A scheduled advisory whose packages were prepared, and a partner analyst's token."""

    advisory: Advisory
    keyed: Any  # delivery_factories.KeyedPartner
    token: str

    @property
    def ident(self) -> str:
        return self.advisory.ident


@pytest.fixture
def release(make_keyed_partner, sample_advisory, token_for) -> Release:  # type: ignore[no-untyped-def]
    keyed = make_keyed_partner("Ready Co")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=48))  # open to the advanced tier (72 h), not to entry (24 h)
    prepare_all(advisory, actor=ACTOR)
    return Release(advisory, keyed, token_for(keyed.analyst))


def throttle_bucket(env: dict[str, Any]) -> Any:
    """The request history of the token's user (if the token exists) in the API's throttle bucket."""
    token = ApiToken.objects.select_related("user").filter(
        digest=digest(env.get("HTTP_AUTHORIZATION", "").split(" ", 1)[-1])).first()
    if token is None:
        return None
    throttle = AuthRateThrottle(THROTTLE_RATE)
    return throttle.cache.get(throttle.get_cache_key(SimpleNamespace(auth=token.user)))  # type: ignore[arg-type]


def everything_written(env: dict[str, Any]) -> dict[str, Any]:
    """Every row of every table, when each token was last used, and the caller's throttle bucket."""
    state = database_state()
    state["token use"] = list(ApiToken.objects.order_by("pk").values_list("pk", "last_used_at"))
    state["throttle bucket"] = throttle_bucket(env)
    return state


def assert_declined_without_writing(fast: FastPackageDownloads, env: dict[str, Any]) -> None:
    """serve() leaves the request to Django (None), having written nothing anywhere."""
    before = everything_written(env)
    assert fast.serve(env) is None
    assert everything_written(env) == before


def audited(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in AUDITED_FIELDS}


def copies_of(partner: Partner) -> list[tuple[Any, ...]]:
    return list(Copy.objects.filter(partner=partner).order_by("artifact_id", "file_name").values_list(
        "partner_id", "artifact_id", "file_name", "sha256", "size", "commitment_id"))


# --- where the fast path sits -----------------------------------------------------------------------

def test_the_wsgi_entry_point_wraps_djangos_handler_in_the_fast_path():
    from headstart.config.wsgi import application

    assert isinstance(application, FastPackageDownloads)
    assert isinstance(application.app, WSGIHandler)


def test_the_fast_paths_pattern_matches_djangos_url_for_the_package_route():
    path = reverse("api-v1:package", kwargs={"ident": "HS-2026-0001"})
    assert resolve(path).view_name == "api-v1:package"
    match = PACKAGE_PATH.fullmatch(path)
    assert match is not None and match.group(1) == "HS-2026-0001"
    advisory = path.removesuffix("/package")
    for other in (advisory, advisory + "/artifacts", path + "/"):
        assert PACKAGE_PATH.fullmatch(other) is None, other


def test_settings_hold_exactly_the_middleware_the_fast_path_accounts_for():
    # A new middleware must first be reviewed against faces/api/fast_download.py (does it act
    # on a cookie-less bearer-token download? then the fast path must do the same, or leave
    # such requests to Django) before it is added to this list.
    leave_a_token_download_alone = [
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",  # its Vary: Cookie is added by the fast path
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "headstart.apps.accounts.middleware.PartnerStatusMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    assert sorted(settings.MIDDLEWARE) == sorted([*ANSWERED_MIDDLEWARE, *leave_a_token_download_alone])
    assert len(set(settings.MIDDLEWARE)) == len(settings.MIDDLEWARE)


# --- a ready download -----------------------------------------------------------------------------------

def test_a_ready_download_is_served_by_the_fast_path_itself(committing_db, release, fast, reached):
    answer = answer_of(fast, environ(release.token, release.ident))
    assert answer.code == 200
    assert reached == []  # Django never saw it
    assert AuditEvent.objects.filter(action="package.download").count() == 1


def test_a_ready_download_gets_the_status_headers_and_body_django_gives(committing_db, release, fast, django_app):
    served = fast_answer(fast, environ(release.token, release.ident))
    assert served is not None
    by_django = answer_of(django_app, environ(release.token, release.ident))
    assert by_django.code == 200
    assert served.status == by_django.status
    assert csp_directives(served) == csp_directives(by_django)
    assert {**served.headers, "content-security-policy": []} == {**by_django.headers, "content-security-policy": []}
    assert served.body == by_django.body


def test_a_package_served_by_the_fast_path_decrypts_with_the_partners_key_and_is_signed(committing_db, release, fast):
    served = fast_answer(fast, environ(release.token, release.ident))
    assert served is not None
    files, signed = open_package(served.body, release.keyed.secret, Program.get().signing_certificate)
    assert signed
    assert {"writeup.md", "guidance.md", "poc.tim", "manifest.json"} <= set(files)
    assert served.header("Content-Disposition") == f'attachment; filename="{release.ident}.tar.pgp"'


def test_the_fast_paths_audit_event_says_what_djangos_says(committing_db, release, fast, django_app):
    assert fast.serve(environ(release.token, release.ident)) is not None
    by_fast_path = AuditEvent.objects.filter(action="package.download").latest("seq")
    assert answer_of(django_app, environ(release.token, release.ident)).code == 200
    by_django = AuditEvent.objects.filter(action="package.download").latest("seq")
    assert by_django.seq == by_fast_path.seq + 1
    assert audited(by_fast_path) == audited(by_django)
    assert by_fast_path.actor == release.keyed.analyst.email and by_fast_path.ip == CLIENT_IP
    assert by_fast_path.partner == "Ready Co" and by_fast_path.object_id == release.ident


def test_the_audit_chain_verifies_after_downloads_through_the_fast_path(committing_db, release, fast, token_for):
    for user in (release.keyed.analyst, release.keyed.admin, release.keyed.analyst):
        assert fast.serve(environ(token_for(user), release.ident)) is not None
    result = verify()
    assert result.ok, result
    assert AuditEvent.objects.filter(action="package.download").count() == 3


def test_a_first_download_through_the_fast_path_records_the_copies_django_records(committing_db, release, fast,
                                                                                    django_app):
    partner = release.keyed.partner
    assert copies_of(partner) == []
    with transaction.atomic():  # Django's first download, seen and then undone
        assert answer_of(django_app, environ(release.token, release.ident)).code == 200
        recorded_by_django = copies_of(partner)
        transaction.set_rollback(True)
    assert copies_of(partner) == []
    assert fast.serve(environ(release.token, release.ident)) is not None
    assert recorded_by_django  # the package holds marked files
    assert copies_of(partner) == recorded_by_django


def test_the_fast_path_notes_when_the_token_was_used(committing_db, release, fast):
    token = ApiToken.objects.get(digest=digest(release.token))
    assert token.last_used_at is None
    before = timezone.now()
    assert fast.serve(environ(release.token, release.ident)) is not None
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


def test_a_package_not_prepared_yet_is_left_to_django_which_renders_and_serves_it(
        committing_db, make_keyed_partner, sample_advisory, token_for, fast, reached):
    keyed = make_keyed_partner("Late Co")
    advisory = sample_advisory()
    token = token_for(keyed.analyst)
    assert_declined_without_writing(fast, environ(token, advisory.ident))
    answer = answer_of(fast, environ(token, advisory.ident))
    assert answer.code == 200 and reached == [f"GET /api/v1/advisories/{advisory.ident}/package"]
    files, signed = open_package(answer.body, keyed.secret, Program.get().signing_certificate)
    assert signed and "manifest.json" in files


def test_a_package_django_rendered_is_then_served_by_the_fast_path(
        committing_db, make_keyed_partner, sample_advisory, token_for, fast, reached):
    keyed = make_keyed_partner("Late Co")
    advisory = sample_advisory()
    token = token_for(keyed.analyst)
    first = answer_of(fast, environ(token, advisory.ident))
    assert first.code == 200 and len(reached) == 1
    second = answer_of(fast, environ(token, advisory.ident))
    assert second.code == 200 and len(reached) == 1  # the fast path answered
    assert second.body == first.body


def test_a_certificate_past_its_recorded_expiry_is_left_to_django_which_checks_it_in_full(release, fast, reached):
    Partner.objects.filter(pk=release.keyed.partner.pk).update(pgp_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert_declined_without_writing(fast, environ(release.token, release.ident))
    answer = answer_of(fast, environ(release.token, release.ident))
    assert len(reached) == 1
    assert answer.code == 200  # the certificate itself (no expiry of its own) is still usable


# --- refusals: Django answers (and audits) them ------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """A download Django refuses: how to make it, and Django's status."""

    name: str
    status: int
    make: Callable[[Release, Callable[[str], Any]], dict[str, Any]]  # -> environ() arguments

    def __str__(self) -> str:
        return self.name


def _revoke(release: Release, fixture: Callable[[str], Any]) -> dict[str, Any]:
    ApiToken.objects.filter(digest=digest(release.token)).update(revoked_at=timezone.now())  # as staff revoke it
    return {"token": release.token}


def _with_status(status: str) -> Callable[[Release, Callable[[str], Any]], dict[str, Any]]:
    def make(release: Release, fixture: Callable[[str], Any]) -> dict[str, Any]:
        set_status(release.keyed.partner, status, reason="fast path test", actor=ACTOR)  # the token was issued before
        return {"token": release.token}

    return make


def _deactivate(release: Release, fixture: Callable[[str], Any]) -> dict[str, Any]:
    User.objects.filter(pk=release.keyed.analyst.pk).update(is_active=False)
    return {"token": release.token}


def _prepared_partner(release: Release, fixture: Callable[[str], Any], name: str, tier: str,
                      **options: Any) -> dict[str, Any]:
    """A partner whose package is prepared and on disk: only the rules stand between them."""
    keyed = fixture("make_keyed_partner")(name, tier, **options)
    prepare_package(release.advisory, keyed.partner, actor=ACTOR)
    return {"token": fixture("token_for")(keyed.analyst)}


def _draft(release: Release, fixture: Callable[[str], Any]) -> dict[str, Any]:
    draft = fixture("make_advisory")("HS-2026-0002", schedule=False)
    return {"token": release.token, "ident": draft.ident}


REFUSALS = [
    Refusal("no Authorization header", 401, lambda release, fixture: {}),
    Refusal("a Basic scheme", 401, lambda release, fixture: {
        "authorization": "Basic " + base64.b64encode(release.token.encode()).decode()}),
    Refusal("an unknown token", 401, lambda release, fixture: {"token": "hs_" + secrets.token_urlsafe(32)}),
    Refusal("a revoked token", 401, _revoke),
    Refusal("a suspended partner's token", 401, _with_status("suspended")),
    Refusal("an expelled partner's token", 401, _with_status("expelled")),
    Refusal("an inactive user's token", 401, _deactivate),
    Refusal("a partner without the current NDA", 404,
            lambda release, fixture: _prepared_partner(release, fixture, "Unsigned Co", "advanced", accept=False)),
    Refusal("a staff token", 403, lambda release, fixture: {"token": fixture("token_for")(fixture("staff_user"))}),
    Refusal("an advisory before the partner's window", 404,
            lambda release, fixture: _prepared_partner(release, fixture, "Entry Co", "entry")),
    Refusal("a draft", 404, _draft),
    Refusal("an unknown advisory", 404, lambda release, fixture: {"token": release.token, "ident": "HS-2026-0999"}),
    Refusal("an id outside the ident pattern", 404,
            lambda release, fixture: {"token": release.token, "ident": release.ident.lower()}),
]


@pytest.fixture(params=REFUSALS, ids=str)
def refused(request, release) -> tuple[Refusal, Callable[[], dict[str, Any]]]:  # type: ignore[no-untyped-def]
    case: Refusal = request.param
    arguments = {"token": None, "ident": release.ident, **case.make(release, request.getfixturevalue)}
    return case, lambda: environ(**arguments)


def test_a_refused_download_is_left_to_django_and_the_fast_path_writes_nothing(refused, release, fast):
    _case, request = refused
    assert_declined_without_writing(fast, request())


def test_a_refused_download_gets_djangos_own_answer_through_the_full_app(refused, fast, django_app, reached):
    case, request = refused
    full = answer_of(fast, request())
    assert len(reached) == 1
    alone = answer_of(django_app, request())
    assert (full.code, full.body) == (alone.code, alone.body)
    assert full.code == case.status


def test_a_refusal_is_audited_once_by_django(release, fast, make_keyed_partner, token_for):
    keyed = make_keyed_partner("Unsigned Co", accept=False)
    prepare_package(release.advisory, keyed.partner, actor=ACTOR)
    assert answer_of(fast, environ(token_for(keyed.analyst), release.ident)).code == 404
    assert AuditEvent.objects.filter(action="package.download.refused", partner="Unsigned Co").count() == 1


# --- requests of another shape -------------------------------------------------------------------------

# Each shape, and what Django answers it.
OTHER_SHAPES: dict[str, tuple[dict[str, Any], int]] = {
    "a Cookie header": ({"HTTP_COOKIE": "sessionid=abc"}, 200),
    "a query string": ({"query": "format=tar"}, 200),
    "POST": ({"method": "POST", "CONTENT_LENGTH": "0"}, 405),
    "HEAD": ({"method": "HEAD"}, 405),
    "a trailing slash": ({"path": "/api/v1/advisories/{ident}/package/"}, 404),
    "a lower-case bearer scheme": ({"authorization": "bearer {token}"}, 200),
    "a newline after the path": ({"path": "/api/v1/advisories/{ident}/package\n"}, 404),
    "a newline after the id": ({"path": "/api/v1/advisories/{ident}\n/package"}, 404),
}


@pytest.mark.parametrize("shape", OTHER_SHAPES)
def test_a_request_of_another_shape_is_left_to_django_and_the_fast_path_writes_nothing(shape, release, fast):
    assert_declined_without_writing(fast, shaped(release, shape))


@pytest.mark.parametrize("shape", OTHER_SHAPES)
def test_a_request_of_another_shape_gets_djangos_own_answer_through_the_full_app(shape, release, fast, django_app,
                                                                                  reached):
    full = answer_of(fast, shaped(release, shape))
    assert len(reached) == 1
    alone = answer_of(django_app, shaped(release, shape))
    assert full.code == alone.code == OTHER_SHAPES[shape][1]


def shaped(release: Release, shape: str) -> dict[str, Any]:
    options = {name: value.format(ident=release.ident, token=release.token) if isinstance(value, str) else value
               for name, value in OTHER_SHAPES[shape][0].items()}
    return environ(release.token, release.ident, **options)


def test_a_disallowed_host_is_left_to_django_which_answers_400(release, fast, reached):
    assert_declined_without_writing(fast, environ(release.token, release.ident, host="evil.example"))
    assert answer_of(fast, environ(release.token, release.ident, host="evil.example")).code == 400
    assert len(reached) == 1


def test_a_disallowed_host_is_logged_by_django_alone_not_as_a_fast_path_failure(release, fast, caplog):
    assert fast.serve(environ(release.token, release.ident, host="evil.example")) is None
    assert "fast download path failed" not in caplog.text


@override_settings(DISALLOWED_USER_AGENTS=[re.compile(r"^BadBot")])
def test_a_disallowed_user_agent_is_left_to_django_which_refuses_it(release, fast, reached):
    def request() -> dict[str, Any]:
        return environ(release.token, release.ident, HTTP_USER_AGENT="BadBot/1.0")

    assert_declined_without_writing(fast, request())
    assert answer_of(fast, request()).code == 403
    assert len(reached) == 1


def test_with_the_ssl_redirect_a_plain_http_download_is_left_to_django_which_redirects(release, reached):
    with override_settings(SECURE_SSL_REDIRECT=True):
        fast = FastPackageDownloads(RecordingApp(WSGIHandler(), reached))  # middleware read settings when built
        assert_declined_without_writing(fast, environ(release.token, release.ident))
        answer = answer_of(fast, environ(release.token, release.ident))
    assert answer.code == 301
    assert answer.header("Location") == f"https://{HOST}/api/v1/advisories/{release.ident}/package"
    assert len(reached) == 1


def test_a_setting_changed_after_the_fast_path_served_applies_to_its_next_request(committing_db, release, reached):
    fast = FastPackageDownloads(RecordingApp(WSGIHandler(), reached))
    assert fast_answer(fast, environ(release.token, release.ident)) is not None  # its middleware are made
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert fast.serve(environ(release.token, release.ident)) is None  # made again: the redirect is Django's
    assert fast_answer(fast, environ(release.token, release.ident)) is not None


def test_with_the_ssl_redirect_an_https_download_is_served_with_djangos_headers_including_hsts(
        committing_db, release):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        django_app = WSGIHandler()
        served = fast_answer(FastPackageDownloads(django_app), environ(release.token, release.ident, scheme="https"))
        by_django = answer_of(django_app, environ(release.token, release.ident, scheme="https"))
    assert served is not None and by_django.code == 200
    assert served.header("Strict-Transport-Security") == "max-age=3600; includeSubDomains"
    assert {**served.headers, "content-security-policy": []} == {**by_django.headers, "content-security-policy": []}
    assert csp_directives(served) == csp_directives(by_django)


# --- the throttle ------------------------------------------------------------------------------------

def test_a_caller_over_the_rate_is_not_served_by_the_fast_path(committing_db, release, fast, monkeypatch):
    monkeypatch.setattr(fast_download, "THROTTLE_RATE", "1/m")
    assert fast.serve(environ(release.token, release.ident)) is not None
    assert_declined_without_writing(fast, environ(release.token, release.ident))


def test_downloads_through_django_count_in_the_fast_paths_bucket(committing_db, release, fast, django_app,
                                                                  monkeypatch):
    assert answer_of(django_app, environ(release.token, release.ident)).code == 200
    monkeypatch.setattr(fast_download, "THROTTLE_RATE", "1/m")
    assert fast.serve(environ(release.token, release.ident)) is None


def test_downloads_through_the_fast_path_count_in_djangos_bucket(committing_db, release, fast, django_app,
                                                                monkeypatch):
    assert fast.serve(environ(release.token, release.ident)) is not None
    throttle, = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 1)  # the API's own rate, "1/m"
    assert answer_of(django_app, environ(release.token, release.ident)).code == 429


def test_a_caller_over_the_apis_rate_is_refused_by_django_after_the_fast_path_declines(
        committing_db, release, fast, monkeypatch):
    throttle, = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 1)  # the API's own rate, "1/m"
    monkeypatch.setattr(fast_download, "THROTTLE_RATE", "1/m")
    assert answer_of(fast, environ(release.token, release.ident)).code == 200
    assert answer_of(fast, environ(release.token, release.ident)).code == 429


# --- failures -------------------------------------------------------------------------------------------

class DatabaseHiccup(RuntimeError):
    pass


@pytest.fixture
def audit_fails_once(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The audit append fails the first time (after the copies were inserted), then works."""
    failures: list[str] = []
    real_append = services.append

    def append(event: AuditEvent) -> AuditEvent:
        if not failures:
            failures.append(event.action)
            raise DatabaseHiccup("the database went away for a moment")
        return real_append(event)

    monkeypatch.setattr(services, "append", append)
    return failures


def test_a_failure_while_delivering_leaves_no_copy_and_no_audit_event(committing_db, release, fast, audit_fails_once,
                                                                      caplog):
    before = database_state()
    assert fast.serve(environ(release.token, release.ident)) is None
    assert audit_fails_once == ["package.download"]  # it failed after recording the copies
    assert copies_of(release.keyed.partner) == []
    assert database_state() == before  # (the token's use may be noted, as Django notes it before its view)
    assert "Django answers the request instead" in caplog.text


def test_after_a_failure_in_the_fast_path_django_serves_the_download(committing_db, release, fast, reached,
                                                                      audit_fails_once):
    answer = answer_of(fast, environ(release.token, release.ident))
    assert audit_fails_once == ["package.download"]
    assert answer.code == 200 and len(reached) == 1
    assert AuditEvent.objects.filter(action="package.download").count() == 1
    assert copies_of(release.keyed.partner) != []
    files, _ = open_package(answer.body, release.keyed.secret, Program.get().signing_certificate)
    assert "manifest.json" in files


def test_a_failed_fast_path_attempt_does_not_count_against_the_callers_rate(committing_db, release, fast, monkeypatch,
                                                                            audit_fails_once):
    throttle, = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 1)  # the API allows one download a minute
    monkeypatch.setattr(fast_download, "THROTTLE_RATE", "1/m")
    assert answer_of(fast, environ(release.token, release.ident)).code == 200  # the caller's first request
