"""A database busy with someone else's write is a 503 with Retry-After, never a 500.

A request waits for a lock held by another transaction up to HEADSTART_DB_LOCK_WAIT_MS (the
SQLite busy timeout; PostgreSQL's lock_timeout). When the wait ends first, the database
raises an OperationalError; the request wrote nothing (its transaction rolled back), and
the caller is told to come back: `{"detail": ...}` under /api/, a plain page elsewhere.
The API's exception handler (app.py) and Django's handler500 (config/urls.py) both answer
through `busy_response`.
"""

from __future__ import annotations

import json
import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.views import defaults

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5
DETAIL = "the database is busy with another write; retry in a few seconds"
# SQLite: SQLITE_BUSY and SQLITE_LOCKED. PostgreSQL: lock_not_available (lock_timeout) and
# query_canceled (statement_timeout).
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_SQLSTATES = {"55P03", "57014"}


def is_database_busy(exc: BaseException | None) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _POSTGRES_SQLSTATES:
        return True
    return any(message in str(exc).lower() for message in _SQLITE_MESSAGES)


def busy_response(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        response = HttpResponse(json.dumps({"detail": DETAIL}), status=503,
                                content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(f"Service busy: {DETAIL}.\n", status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled: a busy database is a
    503; anything else Django's own 500."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request)
