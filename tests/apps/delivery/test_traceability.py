"""Would a leaked copy name its leaker? check_advisory measures it; schedule holds the floor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from factories import ACTOR

from headstart.apps.advisories.models import AdvisoryStatus
from headstart.apps.advisories.services import ArtifactInput, allow_unmarked, create_advisory
from headstart.apps.delivery import copies, traceability
from headstart.apps.delivery.models import Commitment
from headstart.apps.delivery.services import _marking_key, check_advisory, schedule
from headstart.errors import Invalid
from headstart.leaks.text import markdown_html_text
from headstart.marking import Leak, attribute

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
# Two slots at most: no copy of this names anyone among two partners at 1e-6.
THIN = b"# Note\n\nThe parser doesn't check the width. The error path frees the buffer twice.\n"


def _draft(ident: str, writeup: bytes, name: str = "writeup.md"):  # type: ignore[no-untyped-def]
    return create_advisory(ident, title="Traceability", patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[ArtifactInput("writeup", name, writeup)], actor=ACTOR)


def test_schedule_refuses_below_the_floor_with_what_to_do(program, make_partner):
    make_partner("Example AV")
    advisory = _draft("HS-2026-0201", THIN)

    with pytest.raises(Invalid) as refused:
        schedule(advisory, actor=ACTOR)

    message = refused.value.message
    assert "cannot be scheduled" in message and "writeup.md" in message
    assert "headstart advisory suggest HS-2026-0201 --artifact writeup.md" in message
    assert "headstart artifact replace HS-2026-0201" in message
    assert "allow-unmarked" in message
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT
    assert not Commitment.objects.filter(advisory=advisory).exists()


def test_the_sample_still_schedules(make_partner, sample_advisory):
    make_partner("Example AV")

    advisory = sample_advisory()

    assert advisory.status == AdvisoryStatus.SCHEDULED


def test_the_floor_is_the_setting(program, make_partner, settings):
    make_partner("Example AV")
    text = (CORPUS / "CVE-2023-0461_mitigation" / "exploit.md").read_bytes()
    advisory = _draft("HS-2026-0202", text, "exploit.md")
    report = check_advisory(advisory, excerpts=False)
    [check] = report.artifacts
    assert check.trace is not None and check.trace.names_leaker

    settings.HEADSTART_MIN_ROBUST_BITS = int(check.trace.robust_bits) + 1
    with pytest.raises(Invalid, match="floor HEADSTART_MIN_ROBUST_BITS="):
        schedule(advisory, actor=ACTOR)

    settings.HEADSTART_MIN_ROBUST_BITS = int(check.trace.robust_bits)
    assert schedule(advisory, actor=ACTOR).version == 1


def test_an_artifact_staff_let_go_out_as_it_is_is_not_held_to_the_floor(program, make_partner):
    make_partner("Example AV")
    advisory = _draft("HS-2026-0203", THIN)
    allow_unmarked(advisory, "writeup.md", reason="a two-line note; nothing to trace", actor=ACTOR)

    report = check_advisory(advisory)

    assert report.ok
    assert schedule(advisory, actor=ACTOR).version == 1


def test_a_program_with_one_partner_is_measured_among_two(program, make_partner):
    partner, _, _ = make_partner("Example AV")

    assert traceability.check_partners([str(partner.uid)])[0] == str(partner.uid)
    assert len(traceability.check_partners([str(partner.uid)])) == 2
    assert check_advisory(_draft("HS-2026-0204", THIN)).partners == 2


def test_the_smallest_excerpt_names_its_leaker_when_an_investigator_cuts_it_elsewhere(program, make_partner):
    """The figure is honest: an excerpt of that many words, cut at a place the check did not
    try, from another partner's copy, still names exactly that partner."""
    for name in ("Example AV", "Contoso EDR", "Fabrikam IPS", "Northwind AV", "Tailspin EDR", "Woodgrove AV"):
        make_partner(name)
    text = (CORPUS / "CVE-2023-0461_mitigation" / "vulnerability.md").read_bytes() + b"\n\n" + \
        (CORPUS / "CVE-2023-0461_mitigation" / "exploit.md").read_bytes()
    advisory = _draft("HS-2026-0205", text)
    [d] = copies.deliverables(advisory)
    partners = traceability.check_partners(_partner_uids())
    result = traceability.analyse(d, _marking_key(), partners, 1e-6)
    assert result.smallest_excerpt is not None and result.smallest_excerpt <= result.size

    leaker = partners[-1]  # not one of the partners the check cut its excerpts from
    copy = copies.render(d, _marking_key(), leaker).decode()
    words = copy.split(" ")
    n = result.smallest_excerpt
    start = max(0, (len(words) - n) // 3)
    excerpt = " ".join(words[start:start + n + n // 2])  # a little longer: words split on spaces only
    reading = d.carrier.read(markdown_html_text(excerpt))  # type: ignore[union-attr]
    found = attribute(d.codebook(_marking_key(), partners), Leak(reading.symbols, reading.confidence),
                      threshold=1e-6)
    assert found.accused in ([leaker], [])  # never anyone else
    assert leaker == found.ranking[0].partner


def _partner_uids() -> list[str]:
    from headstart.apps.partners.models import Partner

    return [str(p.uid) for p in Partner.objects.all()]


def test_robust_bits_count_only_slots_read_back_correctly_from_the_forum_copy(program, make_partner):
    make_partner("Example AV")
    advisory = _draft("HS-2026-0206", (CORPUS / "CVE-2023-0461_mitigation" / "exploit.md").read_bytes(),
                      "exploit.md")
    [check] = check_advisory(advisory, excerpts=False).artifacts

    assert check.trace is not None
    assert 0 < check.trace.robust_bits <= check.capacity_bits
    assert check.trace.unit == "words" and check.trace.size > 500
    assert check.trace.smallest_excerpt is None  # not searched when excerpts=False
