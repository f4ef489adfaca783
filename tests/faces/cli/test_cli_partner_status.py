"""`headstart partner suspend|reinstate` say what happens to the partner's sessions and tokens."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_suspend_says_sessions_and_tokens_are_revoked_for_good(make_partner, run_cli):
    make_partner("Example AV")

    result = run_cli("partner", "suspend", "Example AV", "--reason", "unpaid fees")

    assert result.code == 0, result.err
    assert "is now suspended; its sessions and API tokens are revoked for good" in result.out


def test_reinstate_says_old_sessions_and_tokens_stay_revoked(make_partner, run_cli):
    make_partner("Example AV")
    run_cli("partner", "suspend", "Example AV", "--reason", "unpaid fees")

    result = run_cli("partner", "reinstate", "Example AV", "--reason", "fees paid")

    assert result.code == 0, result.err
    assert "stop working" not in result.out
    assert "is active again; the sessions and API tokens it had before stay revoked" in result.out
    assert "sign in again and get new tokens" in result.out
