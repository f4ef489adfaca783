"""The portal's page for a refused CSRF check (settings.CSRF_FAILURE_VIEW).

Django's own is a developer's page; this one says in the portal's words that nothing changed
and what to do. Under /api/ the API's middleware turns the 403 into its JSON error.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason names Django's check ("CSRF cookie not set."): for the log, not for the page.
    return HttpResponse(loader.render_to_string("403_csrf.html", request=request), status=403)
