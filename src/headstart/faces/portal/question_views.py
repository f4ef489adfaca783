"""Questions to the PSIRT in the portal: a partner's thread about an advisory (its own partner's
only), and staff's list of the questions waiting for an answer, each answered on the advisory's
questions page. The same service (apps.questions.services) and so the same access rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from headstart.apps.questions import services
from headstart.errors import Forbidden, HeadstartError, Invalid, NotFound
from headstart.faces.portal.people import actor_of, refuse, user_of


def _partner_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise NotFound("no such partner's question") from None


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, ident: str) -> HttpResponse:
    """GET: the thread (a partner's) or threads (staff). POST: a partner asks; staff answer one
    partner's thread (the form's ``partner``)."""
    user, actor = user_of(request), actor_of(request)
    error, draft, draft_for = "", "", ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            if user.is_psirt:
                services.reply(user, ident, _partner_id(request.POST.get("partner", "")), body, actor=actor)
                messages.success(request, "Your answer is sent; the partner's users are told by e-mail.")
            else:
                services.ask(user, ident, body, actor=actor)
                messages.success(request, "Your question is sent; the PSIRT is told by e-mail.")
            return redirect(reverse("portal:questions", args=[ident]) + "#latest")
        except Invalid as exc:
            error, draft, draft_for = exc.message, body[: services.MAX_CHARS + 1000], request.POST.get("partner", "")
        except HeadstartError as exc:
            refuse(exc)
            raise
    try:
        advisory, threads = services.read_threads(user, ident, actor=actor)
    except HeadstartError as exc:
        refuse(exc)
        raise
    return render(request, "portal/questions/thread.html",
                  {"advisory": advisory, "threads": threads, "error": error, "draft": draft, "draft_for": draft_for,
                   "max_chars": services.MAX_CHARS}, status=400 if error else 200)


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Staff: every thread whose last message is a partner's, the longest waiting first. Anyone
    else gets the not-found page, like the other staff pages: the address says nothing."""
    try:
        threads = services.open_threads(user_of(request), actor=actor_of(request))
    except Forbidden:
        raise Http404("no such page") from None
    except HeadstartError as exc:
        refuse(exc)
        raise
    return render(request, "portal/questions/waiting.html", {"threads": threads})
