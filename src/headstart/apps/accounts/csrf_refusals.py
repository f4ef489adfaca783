"""A refused CSRF check as a security event in the audit log (security.csrf_refused).

A form or session API call posted without its token is either a stale tab or a forged request
from another site; the log says which page, which method, whose session (if any), from which
address, and Django's reason. Never the body or the cookies: they may hold the very secrets the
forgery was after. At most one event per IP address per minute (in the shared cache, so every
app server counts together): a page spraying forged posts cannot flood the audit log.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest

from headstart.apps.audit.services import Actor, record

WINDOW_SECONDS = 60
# Path and reason are attacker input (the reason can quote the Origin header): kept, but cut.
MAX_TEXT = 300


def refusal_key(ip: str) -> str:
    """The shared-cache key that holds back a second event from the same address this minute."""
    return f"headstart:csrf-refused:{ip}"


def csrf_refused(request: HttpRequest, reason: str) -> bool:
    """Audit a refused CSRF check in its own transaction; False when one from this address was
    already recorded within the minute (nothing written)."""
    # The same address as every other event (faces.requests.client_ip): the WSGI server's REMOTE_ADDR.
    ip = request.META.get("REMOTE_ADDR") or None
    # cache.add sets the key only when it is absent: the first refusal of the minute wins.
    if not caches["shared"].add(refusal_key(ip or "unknown"), 1, timeout=WINDOW_SECONDS):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        actor = Actor(name=user.email, partner=user.partner.name if user.partner_id and user.partner else "",
                      ip=ip, user_id=user.pk)
    else:
        actor = Actor(name="anonymous", ip=ip)
    path = request.path[:MAX_TEXT]
    with transaction.atomic():
        record(actor, "security.csrf_refused", object_type="request", object_id=path, path=path,
               method=str(request.method or "")[:16], reason=str(reason or "")[:MAX_TEXT])
    return True
