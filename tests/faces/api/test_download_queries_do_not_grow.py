"""A package download through the API runs the same number of queries however many files the
advisory has and however many partners the program has: a rush of downloads at release time
costs each download the same, whatever the size of the program or the advisory."""

from __future__ import annotations

import datetime as dt

import pytest
from delivery_factories import sample_artifacts
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from factories import ACTOR

from headstart.apps.advisories.services import create_advisory
from headstart.apps.delivery.services import prepare_package, schedule
from headstart.apps.partners.models import Partner
from headstart.apps.program.checkpoints import write_checkpoint

pytestmark = pytest.mark.django_db

# The sample advisory's files, by kind: a write-up and its guidance, then the PoCs and the trigger
# specification with it (the binary PoC is checked against the specification).
FEW_FILES = ("writeup", "guidance")


def an_advisory(ident: str, kinds: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    """A scheduled advisory made of the sample's files (all of them, or those of these kinds)."""
    items = [a for a in sample_artifacts() if kinds is None or a.kind in kinds]
    advisory = create_advisory(ident, title=f"Advisory {ident}", patch_at=timezone.now() + dt.timedelta(hours=48),
                               artifacts=items, actor=ACTOR)
    schedule(advisory, actor=ACTOR)
    advisory.refresh_from_db()
    return advisory


def prepare(*advisories) -> None:  # type: ignore[no-untyped-def]
    """The package of every partner each advisory was committed to, prepared after one signed
    checkpoint (each `advisory prepare` signs a new one, with which the packages prepared before
    it are made again at their next download)."""
    write_checkpoint()
    for advisory in advisories:
        for partner in Partner.objects.filter(uid__in=advisory.commitments.get().partner_uids):
            prepare_package(advisory, partner, actor=ACTOR)


def download_queries(token: str, ident: str) -> list[str]:
    """The statements a download runs, transaction control left out (BEGIN/COMMIT, savepoints)."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"/api/v1/advisories/{ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]


def partners_with_tokens(make_keyed_partner, token_for, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Partners with an analyst's token each, its use already noted (a token's last use is
    written at most once a minute, so it is not part of the downloads compared here)."""
    tokens = [token_for(make_keyed_partner(name).analyst) for name in names]
    for token in tokens:
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    return tokens


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared ahead", "rendered on demand"])
def test_a_download_runs_as_many_queries_for_six_files_as_for_two(make_keyed_partner, token_for, prepared):
    first, second = partners_with_tokens(make_keyed_partner, token_for, ["Alpha AV", "Beta IPS"])
    few, many = an_advisory("HS-2026-0101", FEW_FILES), an_advisory("HS-2026-0102")
    assert few.artifacts.count() < many.artifacts.count()
    if prepared:
        prepare(few, many)
    download_queries(second, few.ident)  # each advisory's first download is behind it: the same for both
    download_queries(second, many.ident)
    with_few = download_queries(first, few.ident)
    with_many = download_queries(first, many.ident)
    assert len(with_many) == len(with_few), "\n".join(with_many)
    # Later downloads too: the copies are recorded, each route of them read once.
    assert len(download_queries(first, many.ident)) == len(download_queries(first, few.ident))


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared ahead", "rendered on demand"])
def test_a_download_runs_as_many_queries_among_eight_partners_as_among_two(make_keyed_partner, token_for,
                                                                           prepared):
    tokens = partners_with_tokens(make_keyed_partner, token_for, ["Alpha AV", "Beta IPS"])
    among_two = an_advisory("HS-2026-0201", FEW_FILES)
    tokens += partners_with_tokens(make_keyed_partner, token_for, [f"Partner {i}" for i in range(6)])
    among_eight = an_advisory("HS-2026-0202", FEW_FILES)
    assert among_eight.commitments.get().partner_uids != among_two.commitments.get().partner_uids
    if prepared:
        prepare(among_two, among_eight)
    download_queries(tokens[1], among_two.ident)
    download_queries(tokens[1], among_eight.ident)
    with_two = download_queries(tokens[0], among_two.ident)
    with_eight = download_queries(tokens[0], among_eight.ident)
    assert len(with_eight) == len(with_two), "\n".join(with_eight)
    # Every other partner downloading first changes nothing for the next one.
    for token in tokens[2:]:
        download_queries(token, among_eight.ident)
    assert len(download_queries(tokens[0], among_eight.ident)) == len(download_queries(tokens[0], among_two.ident))
