"""Questions to the PSIRT about an advisory: the same service as the portal's page
(apps.questions.services), so the same access rule, limits and audit events."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from headstart.apps.partners.services import get_partner
from headstart.apps.questions import services
from headstart.apps.questions.models import Message, Thread
from headstart.errors import Invalid
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["questions"])


class MessageIn(Schema):
    body: str
    partner: str | None = None  # staff: the partner whose question they answer


def _message(m: Message) -> dict[str, Any]:
    return {"id": m.pk, "author": m.author_name, "from_staff": m.from_staff, "at": m.at.isoformat(), "body": m.body}


def _thread(t: Thread) -> dict[str, Any]:
    return {"partner": t.partner.name, "awaiting_staff": t.awaiting_staff,
            "messages": [_message(m) for m in t.messages.all()]}


@router.get("/advisories/{ident}/questions", response={200: list[dict[str, Any]], 404: Error})
def threads(request: HttpRequest, ident: str) -> list[dict[str, Any]]:
    """The questions about an advisory the caller may read: a partner's user gets its own
    partner's thread (a list of one, or empty before anyone asked), staff every partner's. Each
    thread: `partner`, `awaiting_staff` (its last message is the partner's) and `messages`."""
    _, found = services.read_threads(api_user(request), ident, actor=actor_for(request))
    return [_thread(t) for t in found]


@router.post("/advisories/{ident}/questions", response={201: dict[str, Any], 400: Error, 403: Error, 404: Error})
def post(request: HttpRequest, ident: str, data: MessageIn) -> Status[dict[str, Any]]:
    """A partner's user asks (`body`, at most 10,000 characters); staff answer a partner's thread
    (`partner`: its name, and `body`). 201: the message stored. The other side is told by e-mail
    that a message is waiting, without its text."""
    user, actor = api_user(request), actor_for(request)
    if user.is_psirt:
        if not data.partner:
            raise Invalid("staff answer a partner's question: name the partner in `partner`")
        message = services.reply(user, ident, get_partner(data.partner).pk, data.body, actor=actor)
    else:
        message = services.ask(user, ident, data.body, actor=actor)
    return Status(201, _message(message))
