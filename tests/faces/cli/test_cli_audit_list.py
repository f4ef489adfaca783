"""`headstart audit list --partner NAME`: every event about the partner, whichever way it names it."""

from __future__ import annotations

import json

import pytest
from factories import ACTOR

from headstart.apps.accounts.services import create_token
from headstart.apps.advisories.reads import list_advisories
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.preparing import prepare_all
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    """Example AV: added, its users added, NDA accepted, a token made, its analyst lists the
    advisories, skipped by `prepare` (no certificate), then suspended. Other IPS: added alongside."""
    partner, admin, analyst = make_partner("Example AV")
    make_partner("Other IPS")
    advisory = make_advisory()
    create_token(admin, actor=ACTOR)
    list_advisories(analyst, actor=Actor(name=analyst.email, partner=partner.name))
    prepare_all(advisory, actor=ACTOR)
    set_status(partner, "suspended", reason="late patch notes", actor=ACTOR)
    return partner


def test_audit_list_partner_shows_every_event_about_that_partner(history, run_cli):
    result = run_cli("audit", "list", "--partner", "Example AV", "--json")

    assert result.code == 0, result.err
    actions = [e["action"] for e in json.loads(result.out)]
    assert actions == ["partner.add", "user.add", "user.add", "nda.accept", "token.create", "advisory.list",
                       "package.prepare", "partner.suspend", "token.revoke", "user.sessions_end", "user.sessions_end"]


def test_audit_list_partner_leaves_out_other_partners_events(history, run_cli):
    result = run_cli("audit", "list", "--partner", "Other IPS", "--json")

    events = json.loads(result.out)
    assert [e["action"] for e in events] == ["partner.add", "user.add", "user.add", "nda.accept", "package.prepare"]
    assert "Example AV" not in json.dumps([e for e in events if e["action"] != "package.prepare"])


def test_audit_list_partner_keeps_to_the_limit_and_the_action(history, run_cli):
    latest = run_cli("audit", "list", "--partner", "Example AV", "--limit", "2", "--json")
    added = run_cli("audit", "list", "--partner", "Example AV", "--action", "user.add")

    assert [e["action"] for e in json.loads(latest.out)][-1] != "partner.add"
    assert len(json.loads(latest.out)) == 2
    assert added.code == 0 and added.out.count("user.add") == 2


def test_audit_list_of_an_unknown_partner_is_a_one_line_error(history, run_cli):
    result = run_cli("audit", "list", "--partner", "Example")

    assert result.code != 0 and result.out == ""
    assert result.err.strip().splitlines() == ["headstart: error: unknown partner 'Example'"]


def test_audit_list_partner_finds_a_name_beyond_ascii_inside_a_list_of_details(make_partner, make_advisory, run_cli):
    make_partner("Sécurité Œuvre AV")  # no certificate: `prepare` skips it and lists it in its event
    prepare_all(make_advisory(), actor=ACTOR)

    result = run_cli("audit", "list", "--partner", "Sécurité Œuvre AV", "--action", "package.prepare", "--json")

    [event] = json.loads(result.out)
    assert [s["partner"] for s in event["details"]["skipped"]] == ["Sécurité Œuvre AV"]


def test_audit_list_partner_finds_the_import_that_added_it(program, run_cli):
    from headstart.apps.partners.services import import_partners

    import_partners("name,tier\nImported AV,entry\nAnother AV,entry\n", actor=ACTOR)

    result = run_cli("audit", "list", "--partner", "Imported AV", "--json")

    assert [e["action"] for e in json.loads(result.out)] == ["partner.import"]
