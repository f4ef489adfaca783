"""headstart advisory show: staff see how many partners are ready, per tier entitled to the binary PoC."""

from __future__ import annotations

import json

import pytest
from readiness_worker import worker  # noqa: F401 - the fixture

from headstart.apps.audit.services import Actor
from headstart.apps.readiness.services import submit

pytestmark = pytest.mark.django_db


def test_show_counts_ready_partners_per_tier_and_json_holds_the_same(
        run_cli, make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, alpha = make_partner("Alpha AV")
    make_partner("Beta AV")
    make_partner("Gamma AV", "entry")  # its tier does not get the binary PoC: not counted
    advisory = sample_advisory()
    submit(alpha, advisory.ident, b"rule a { condition: true }", ready=True,
           actor=Actor(name=alpha.email, partner="Alpha AV"))
    worker()
    result = run_cli("advisory", "show", advisory.ident)
    assert result.code == 0
    assert "protections ready: 1 of 2 partners entitled to the binary PoC" in result.out
    assert "    advanced: 1 of 2" in result.out
    data = json.loads(run_cli("advisory", "show", advisory.ident, "--json").out)
    assert data["readiness"] == {"ready": 1, "partners": 2, "tiers": {"advanced": {"ready": 1, "partners": 2}}}


def test_a_later_test_without_the_ready_mark_takes_it_back(
        run_cli, make_partner, sample_advisory, worker):  # type: ignore[no-untyped-def]  # noqa: F811
    _, _, alpha = make_partner("Alpha AV")
    advisory = sample_advisory()
    actor = Actor(name=alpha.email, partner="Alpha AV")
    submit(alpha, advisory.ident, b"rule a { condition: true }", ready=True, actor=actor)
    worker()
    submit(alpha, advisory.ident, b"rule a { condition: false }", actor=actor)
    assert json.loads(run_cli("advisory", "show", advisory.ident, "--json").out)["readiness"]["ready"] == 1
    worker()  # only a finished test replaces the ready mark
    data = json.loads(run_cli("advisory", "show", advisory.ident, "--json").out)
    assert data["readiness"]["ready"] == 0
