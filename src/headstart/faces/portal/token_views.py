"""My API tokens: create (named; the secret shown once), list, revoke.

The same services as `headstart token create | revoke` (accounts.services.create_token,
accounts.tokens.revoke, through accounts.own_tokens), with the same audit events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from headstart.apps.accounts import own_tokens
from headstart.errors import HeadstartError
from headstart.faces.portal.people import actor_of, refuse, user_of


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """GET lists the viewer's tokens; POST creates one and shows its secret, this once."""
    user = user_of(request)
    error, status, name = "", 200, ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            record, secret = own_tokens.create(user, name, actor=actor_of(request))
        except HeadstartError as exc:
            refuse(exc)
            error, status = exc.message, exc.status
        else:
            return render(request, "portal/tokens/created.html", {"token": record, "secret": secret})
    rows = [{"token": t, "state": own_tokens.state(t)} for t in own_tokens.of(user)]
    return render(request, "portal/tokens/tokens.html", {"rows": rows, "error": error, "name": name},
                  status=status)


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = own_tokens.revoke(user_of(request), token_id, actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token {token.name or token.prefix + '...'} is revoked; requests with it are refused.")
    return redirect("portal:tokens")
