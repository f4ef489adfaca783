"""GET /api/v1/audit?partner=NAME: the same events about the partner as `headstart audit list --partner`."""

from __future__ import annotations

import pytest
from factories import ACTOR

from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db


def test_audit_route_partner_filter_finds_events_on_the_partner_and_its_users(make_partner, staff_user, api_client):
    partner, _, _ = make_partner("Example AV")
    make_partner("Other IPS")
    set_status(partner, "suspended", reason="late patch notes", actor=ACTOR)

    first = api_client(staff_user).get("/api/v1/audit", {"partner": "Example AV", "limit": 3})
    rest = api_client(staff_user).get("/api/v1/audit", {"partner": "Example AV", "after": first.json()["next_after"]})

    assert first.status_code == 200, first.content
    assert [e["action"] for e in first.json()["events"]] == ["partner.add", "user.add", "user.add"]
    # Suspension ends each of its users' sessions: events on its users.
    assert [e["action"] for e in rest.json()["events"]] == ["nda.accept", "partner.suspend", "user.sessions_end",
                                                            "user.sessions_end"]
    assert rest.json()["next_after"] is None


def test_audit_route_of_an_unknown_partner_is_a_json_404(make_partner, staff_user, api_client):
    make_partner("Example AV")

    response = api_client(staff_user).get("/api/v1/audit", {"partner": "Example"})

    assert response.status_code == 404
    assert response.json() == {"detail": "unknown partner 'Example'"}
