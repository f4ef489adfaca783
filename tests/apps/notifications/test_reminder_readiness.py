"""The embargo-end reminder tells a partner entitled to the binary PoC that it is not marked ready."""

from __future__ import annotations

import datetime as dt

import pytest

from headstart.apps.audit.services import Actor
from headstart.apps.readiness.services import submit

pytestmark = pytest.mark.django_db


def test_the_reminder_says_so_to_partners_not_ready_and_not_to_the_ready_one(
        make_partner, sample_advisory, run_worker, let_time_pass, mailbox):  # type: ignore[no-untyped-def]
    ready, _, ready_analyst = make_partner("Alpha AV")
    late, _, _ = make_partner("Beta AV")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=48))
    submit(ready_analyst, advisory.ident, b"rule a { condition: true }", ready=True,
           actor=Actor(name=ready_analyst.email, partner="Alpha AV"))
    run_worker()
    let_time_pass(dt.timedelta(hours=47))
    run_worker()
    reminders = [m for m in mailbox.messages if "embargo ends" in m.subject]
    to_late = [m for m in reminders if m.to[0] in {late.email, *(u.email for u in late.users.all())}]
    to_ready = [m for m in reminders if m.to[0] in {ready.email, *(u.email for u in ready.users.all())}]
    assert to_late and to_ready
    for message in to_late:
        assert "are not marked ready yet" in message.body
        assert f"/api/v1/advisories/{advisory.ident}/readiness" in message.body
        assert f"/advisories/{advisory.ident}/#readiness" in message.body
    for message in to_ready:
        assert "not marked ready" not in message.body
