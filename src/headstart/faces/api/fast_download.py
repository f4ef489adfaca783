"""Prepared package downloads answered without Django's request machinery.

At release time every partner downloads at once. Through Django's handler, its middleware
and django-ninja, a download of a prepared package cost about 0.4 ms more than its work,
half again on top of that work (bench/delivery_rush.py). This WSGI wrapper answers one
kind of request itself, and only with success:

    GET /api/v1/advisories/{id}/package   with a bearer token, no cookie, no query string

It runs what the API route runs: the same token lookup (``tokens.acting_token``), the same
checks and prepared-package lookup (``delivery.ready_download``), the same throttle
buckets, the same delivery and audit event (``delivery.deliver_ready``) and the same
response (``routes.delivery.package_response``), passed through the response side of the
same middleware that adds the security headers. Host validation, the HTTPS redirect and
the user-agent rules run as Django's own middleware runs them.

Everything else goes to Django untouched: a request of another shape, an unknown or
refused token, a refusal of any kind, a package that must be rendered first, a throttled
caller, an error. Nothing is written before the fast path knows it serves, so Django
answers (and audits) every refusal in one place. tests/faces/api/test_fast_download.py
holds its answers to Django's, header for header.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from csp.middleware import CSPMiddleware
from django.core import signals
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.cache import patch_vary_headers
from ninja.throttling import AuthRateThrottle

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.tokens import acting_token, note_use
from headstart.apps.advisories.services import IDENT
from headstart.apps.delivery.services import FetchedPackage, ReadyDownload, deliver_ready, ready_download
from headstart.errors import HeadstartError
from headstart.faces.api.app import THROTTLE_RATE
from headstart.faces.api.auth import actor_of, client_ip
from headstart.faces.api.routes.delivery import package_response

log = logging.getLogger(__name__)

PACKAGE_PATH = re.compile(r"/api/v1/advisories/([^/]+)/package")  # fullmatch: no newline slips past $
BEARER = "Bearer "

# The middleware whose response side a download passes through in Django (the others leave
# a cookie-less token request alone); test_fast_download checks this against MIDDLEWARE.
ANSWERED_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


class _Throttle(AuthRateThrottle):
    """The API's throttle, in the same buckets, counting a request only once it is served: a
    request the fast path hands to Django is counted there, once."""

    def throttle_success(self) -> bool:
        return True

    def count(self) -> None:
        super().throttle_success()


def _unused(request: Any) -> HttpResponse:  # middleware need a next step; the fast path has none
    raise AssertionError("the fast path calls middleware hooks directly")


class FastPackageDownloads:
    """WSGI: serve ready package downloads directly, hand every other request to ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        served = self.serve(environ)
        if served is None:
            return self.app(environ, start_response)
        status, headers, body = served
        start_response(status, headers)
        return [body]

    def serve(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The response to a ready download, or None for Django to answer."""
        ident = _download_ident(environ)
        if ident is None:
            return None
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            request = WSGIRequest(environ)
            ready = self._check(request, ident)
            if ready is None:
                return None
            record, found, throttle = ready
            note_use(record)  # as Django's token check does, before the view
            # The copies and the audit event are recorded together (one journal line, or one
            # transaction off the journal) or not at all, so after a failure here Django may
            # answer as if the fast path had not run.
            fetched = deliver_ready(found, actor=actor_of(record.user, client_ip(request)))
        except (HeadstartError, SuspiciousOperation, PermissionDenied):
            return None  # a refusal, a disallowed host or user agent: Django answers it (and audits, logs)
        except Exception:
            log.exception("the fast download path failed; Django answers the request instead")
            return None
        throttle.count()
        response = self._finish(request, package_response(fetched))
        signals.request_finished.send(sender=self.__class__)
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        return f"{response.status_code} {response.reason_phrase}", headers, response.content

    def _check(self, request: WSGIRequest, ident: str) -> tuple[ApiToken, ReadyDownload, _Throttle] | None:
        """Everything Django checks before the view, then the view's own checks; reads only."""
        # The HTTPS redirect, ALLOWED_HOSTS and DISALLOWED_USER_AGENTS, as Django applies them.
        security, common = _request_middleware()
        if security.process_request(request) is not None or common.process_request(request) is not None:
            return None
        record = acting_token(request.META["HTTP_AUTHORIZATION"][len(BEARER):])
        if record is None:
            return None
        found = ready_download(record.user, ident)
        if found is None:
            return None
        throttle = _Throttle(THROTTLE_RATE)
        if not throttle.allow_request(SimpleNamespace(auth=record.user, META=request.META)):  # type: ignore[arg-type]
            return None
        return record, found, throttle

    def _finish(self, request: WSGIRequest, response: HttpResponse) -> HttpResponse:
        """The headers Django's middleware adds to this response."""
        key = (request.is_secure(), request.path_info)
        added = _middleware_headers.get(key)
        if added is None:
            added = _middleware_headers[key] = _headers_added_by_middleware(request)
        for name, value in added:
            if name not in response:
                response[name] = value
        response["Content-Length"] = str(len(response.content))  # as CommonMiddleware sets it
        return response


# What the middleware adds to a package download depends on the settings, on whether the
# request came over HTTPS (HSTS) and on its path (CSP exclusions), never on the package:
# worked out once by the middleware themselves, and again whenever a setting changes.
_middleware_headers: dict[tuple[bool, str], list[tuple[str, str]]] = {}


@functools.cache
def _request_middleware() -> tuple[SecurityMiddleware, CommonMiddleware]:
    """The middleware whose request side the fast path runs: made once, as Django's handler
    makes its middleware once (they read their settings when made)."""
    return SecurityMiddleware(_unused), CommonMiddleware(_unused)


@receiver(setting_changed)
def _forget_middleware(**kwargs: Any) -> None:
    _middleware_headers.clear()
    _request_middleware.cache_clear()


def _headers_added_by_middleware(request: WSGIRequest) -> list[tuple[str, str]]:
    """Django's response side on a download-shaped response, innermost middleware first, as
    MIDDLEWARE orders it; the headers it added (Content-Length is the body's)."""
    response = package_response(FetchedPackage("-", b"", "", []))
    before = set(response.headers)
    response = XFrameOptionsMiddleware(_unused).process_response(request, response)
    response = CommonMiddleware(_unused).process_response(request, response)
    patch_vary_headers(response, ("Cookie",))  # as the session middleware: a cookie sends the request to Django
    response = CSPMiddleware(_unused).process_response(request, response)
    response = SecurityMiddleware(_unused).process_response(request, response)
    return [(name, value) for name, value in response.items()
            if name not in before and name.lower() != "content-length"]


def _download_ident(environ: dict) -> str | None:
    """The advisory id of a request the fast path may take, or None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
        return None
    if not environ.get("HTTP_AUTHORIZATION", "").startswith(BEARER):
        return None
    match = PACKAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or not IDENT.fullmatch(match.group(1)):
        return None
    return match.group(1)
