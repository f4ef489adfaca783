"""The partner portal: the same rules as the API (access.py and reads.py), as pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from headstart.apps.accounts.models import User
from headstart.apps.advisories import reads
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.models import Route
from headstart.apps.delivery.services import fetch_package
from headstart.apps.partners.services import accept_nda, current_nda, has_accepted_current_nda
from headstart.errors import HeadstartError, NotFound
from headstart.faces.portal import readiness_views
from headstart.faces.requests import package_response, request_actor


def _user(request: HttpRequest) -> User:
    """The signed-in user: every view here is login_required, so never anonymous."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request, _user(request))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    needs_nda = user.partner is not None and not has_accepted_current_nda(user.partner)
    advisories = reads.list_advisories(user, actor=_actor(request))
    return render(request, "portal/home.html", {"advisories": advisories, "needs_nda": needs_nda})


@login_required
@require_http_methods(["GET", "POST"])
def nda(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current = current_nda()
    error = ""
    if request.method == "POST":
        try:
            if user.partner is None:
                raise NotFound("staff do not accept the NDA")
            accept_nda(user.partner, user, actor=_actor(request), ip=request.META.get("REMOTE_ADDR"))
            return redirect("portal:home")
        except HeadstartError as exc:
            error = exc.message
    return render(request, "portal/nda.html", {"nda": current, "error": error})


@login_required
def package(request: HttpRequest, ident: str) -> HttpResponseBase:
    """The same package as the API's, for people who download from the browser."""
    try:
        fetched = fetch_package(_user(request), ident, actor=_actor(request), route=Route.PORTAL)
    except NotFound:
        raise Http404("no such advisory") from None
    except HeadstartError as exc:
        return render(request, "portal/error.html", {"message": exc.message}, status=exc.status)
    return package_response(fetched)


@login_required
def advisory(request: HttpRequest, ident: str) -> HttpResponse:
    try:
        adv, artifacts = reads.view_advisory(_user(request), ident, actor=_actor(request))
    except NotFound:
        raise Http404("no such advisory") from None
    return render(request, "portal/advisory.html",
                  {"advisory": adv, "artifacts": artifacts, **readiness_views.advisory_context(request, adv, artifacts)})
