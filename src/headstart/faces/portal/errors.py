"""The portal's page for a refused CSRF check (settings.CSRF_FAILURE_VIEW).

Django's own is a developer's page; this one says in the portal's words that nothing changed
and what to do. Under /api/ the API's middleware turns the 403 into its JSON error. Every
refusal is a security event: audited (at most once a minute per address) before the answer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader

from headstart.apps.accounts.csrf_refusals import csrf_refused


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason names Django's check ("CSRF cookie not set."): for the audit log, not for the page.
    csrf_refused(request, reason)
    return HttpResponse(loader.render_to_string("403_csrf.html", request=request), status=403)
