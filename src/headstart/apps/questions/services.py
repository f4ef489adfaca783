"""Questions to the PSIRT: a partner asks about an advisory it can see; staff answer.

The one access rule applies first (access.get_visible_advisory: the window, the NDA, the
partner's status); a partner's user reads and writes only its own partner's thread, staff
read every thread and answer. Every read and every message is written to the audit log in
the transaction of the change (the message's digest and length, never its text: the audit
log is read more widely than the threads). The other side is told by e-mail that a message
is waiting, without its text (mail is not encrypted), after the transaction commits.

Audited: question.view, question.ask, question.reply, question.list, and their .refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from headstart.apps.accounts.models import Role, User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.program.models import Program
from headstart.apps.questions.models import Message, Thread
from headstart.errors import Forbidden, HeadstartError, Invalid, NotFound

logger = logging.getLogger(__name__)

MAX_CHARS = 10_000  # one message; a longer text belongs in a file the PSIRT asks for


def clean_body(body: str) -> str:
    """The message as stored, or Invalid saying what is wrong with it."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise Invalid("the message is empty: write your question first")
    if len(body) > MAX_CHARS:
        raise Invalid(f"a message is at most {MAX_CHARS} characters; this one has {len(body)}")
    if "\x00" in body:
        raise Invalid("the message contains a NUL character")
    return body


def read_threads(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> tuple[Advisory, list[Thread]]:
    """The threads about an advisory this user may read, each with its messages: a partner's
    user its own partner's (none until someone asks), staff every partner's."""
    try:
        advisory = access.get_visible_advisory(user, ident, now)
    except HeadstartError as exc:
        refused(actor, "question.view", ident, exc)
        raise
    threads = (Thread.objects.filter(advisory=advisory).select_related("partner")
               .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("at", "pk"))))
    if not user.is_psirt:
        threads = threads.filter(partner=user.partner)
    found = list(threads.order_by("partner__name"))
    for thread in found:
        thread.advisory = advisory  # audit_id names it: no query per thread
    with transaction.atomic():
        record(actor, "question.view", advisory, threads=[t.audit_id for t in found])
    return advisory, found


def _message_facts(message: Message) -> dict[str, Any]:
    return {"message": message.pk, "chars": len(message.body),
            "sha256": hashlib.sha256(message.body.encode()).hexdigest()}


def ask(user: User, ident: str, body: str, *, actor: Actor, now: dt.datetime | None = None) -> Message:
    """A partner's user asks (or adds to its partner's thread). Staff answer with reply()."""
    try:
        if user.is_psirt:
            raise Forbidden("staff answer a partner's question; they do not ask one")
        body = clean_body(body)
        advisory = access.get_visible_advisory(user, ident, now)
    except HeadstartError as exc:
        refused(actor, "question.ask", ident, exc)
        raise
    partner = user.partner
    assert partner is not None
    at = timezone.now()
    with transaction.atomic():
        thread, _ = Thread.objects.select_for_update().get_or_create(
            advisory=advisory, partner=partner, defaults={"created_at": at, "last_message_at": at})
        message = Message.objects.create(thread=thread, author=user, author_name=user.email, body=body, at=at)
        Thread.objects.filter(pk=thread.pk).update(awaiting_staff=True, last_message_at=at)
        thread.advisory, thread.partner = advisory, partner
        record(actor, "question.ask", thread, advisory=advisory.ident, **_message_facts(message))
        staff = list(User.objects.filter(role=Role.STAFF, is_active=True).values_list("email", flat=True))
        transaction.on_commit(lambda: _mail(staff, f"A question from {partner.name} about {advisory.ident}",
                                            f"{partner.name} asked the PSIRT a question about advisory "
                                            f"{advisory.ident}.", advisory.ident))
    return message


def reply(user: User, ident: str, partner_id: int, body: str, *, actor: Actor,
          now: dt.datetime | None = None) -> Message:
    """Staff answer the thread of one partner about an advisory (the partner asked first)."""
    try:
        access.require_staff(user)
        body = clean_body(body)
        advisory = access.get_visible_advisory(user, ident, now)
        thread = Thread.objects.select_related("partner").filter(advisory=advisory, partner_id=partner_id).first()
        if thread is None:
            raise NotFound(f"no question of that partner about {ident}")
    except HeadstartError as exc:
        refused(actor, "question.reply", ident, exc)
        raise
    at = timezone.now()
    with transaction.atomic():
        Thread.objects.select_for_update().filter(pk=thread.pk).update(awaiting_staff=False, last_message_at=at)
        message = Message.objects.create(thread=thread, author=user, author_name=user.email, body=body,
                                         from_staff=True, at=at)
        thread.advisory = advisory
        record(actor, "question.reply", thread, advisory=advisory.ident, partner_name=thread.partner.name,
               **_message_facts(message))
        team = list(thread.partner.users.filter(is_active=True).values_list("email", flat=True))
        transaction.on_commit(lambda: _mail(team, f"The PSIRT answered about {advisory.ident}",
                                            f"The PSIRT answered your organisation's question about advisory "
                                            f"{advisory.ident}.", advisory.ident))
    return message


def open_threads(user: User, *, actor: Actor) -> list[Thread]:
    """Staff: the threads waiting for an answer, the longest waiting first."""
    try:
        access.require_staff(user)
    except HeadstartError as exc:
        refused(actor, "question.list", "*", exc)
        raise
    threads = list(Thread.objects.filter(awaiting_staff=True).select_related("advisory", "partner")
                   .order_by("last_message_at", "pk"))
    with transaction.atomic():
        record(actor, "question.list", object_type="question", object_id="*", threads=[t.audit_id for t in threads])
    return threads


def _mail(recipients: list[str], subject: str, text: str, ident: str) -> None:
    """Tell the other side a message is waiting. Never its text; a failure is logged, not raised:
    the message is stored and shown in the portal either way."""
    if not recipients:
        return
    program = Program.objects.filter(pk=1).first()
    name = program.name if program else "Headstart"
    url = urljoin(settings.HEADSTART_PORTAL_URL, f"advisories/{ident}/questions/")
    body = f"{text}\n\nRead it in the portal (sign in first):\n\n{url}\n"
    try:
        EmailMessage(f"[{name}] {subject}", body, settings.DEFAULT_FROM_EMAIL, bcc=recipients).send()
    except Exception as exc:  # noqa: BLE001 - any backend's failure: SMTP, socket, file
        logger.warning("question mail about %s to %d recipients not sent: %s", ident, len(recipients), exc)
