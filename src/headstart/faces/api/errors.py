"""Every API error is JSON: `{"detail": "..."}`, with no traceback and nothing of the internals.

Ninja answers what its views raise (exception handlers registered in app.py); this middleware
answers the rest under /api/: unknown paths (404), wrong methods (405), and any error response
Django makes before or after ninja (a failing middleware's 500, a 400 for a suspicious request).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"

logger = logging.getLogger("django.request")

# What a caller is told for each status when the response carries no JSON detail of its own.
DETAILS = {
    400: "bad request",
    401: "authentication required",
    403: "forbidden",
    404: "no such API path",
    405: "method not allowed",
    413: "request body too large",
    500: "internal error; the server logged it",
}


def detail_for(status: int) -> str:
    if status in DETAILS:
        return DETAILS[status]
    return "internal error; the server logged it" if status >= 500 else "request refused"


class ApiErrorsAsJson:
    """Turns a non-JSON error response under /api/ into `{"detail": ...}`, keeping its status and
    headers (Allow, the security headers), so callers parse one kind of error body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path_info.startswith(API_PREFIX)
                and not getattr(response, "streaming", False)
                and not response.get("Content-Type", "").startswith("application/json")):
            detail = detail_for(response.status_code)
            if response.status_code == 405 and response.has_header("Allow"):
                detail += f" (allowed: {response['Allow']})"
            response.content = json.dumps({"detail": detail}).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
        return response
