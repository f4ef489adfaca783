"""A changed artifact becomes a new version; copies of every version stay attributable."""

from __future__ import annotations

import pytest
from factories import ACTOR

from headstart.apps.advisories.services import replace_artifact
from headstart.apps.delivery import copies
from headstart.apps.delivery.models import Commitment, Copy
from headstart.apps.delivery.services import _marking_key, fetch_package
from headstart.errors import Conflict
from headstart.marking import Codebook, Leak, attribute, design_for
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_copies_of_an_old_version_are_still_attributed_after_the_artifact_changes(make_keyed_partner, sample_advisory):
    partners = [make_keyed_partner(f"Partner {i}") for i in range(4)]
    advisory = sample_advisory()
    for p in partners:
        fetch_package(p.analyst, advisory.ident, actor=ACTOR)
    v1 = advisory.artifacts.get(name="writeup.md", version=1)
    leaked_v1 = copies.render(next(d for d in copies.deliverables(advisory) if d.file_name == "writeup.md"),
                              _marking_key(), str(partners[2].partner.uid))

    changed = (SAMPLE_DIR / "writeup.md").read_text() + "\n## Update\n\nThe fix also covers the thumbnailer.\n"
    v2 = replace_artifact(advisory, "writeup.md", changed.encode(), actor=ACTOR)
    assert v2.version == 2
    for p in partners:
        fetch_package(p.analyst, advisory.ident, actor=ACTOR)
    assert Copy.objects.filter(artifact=v1).count() == 4 and Copy.objects.filter(artifact=v2).count() == 4
    assert Commitment.objects.filter(advisory=advisory).count() == 2  # a new commitment before v2 went out

    carrier = copies.carrier_for("writeup", "writeup.md", copies.original_bytes(v1))
    receivers = [str(c.partner.uid) for c in Copy.objects.filter(artifact=v1)]
    book = Codebook(key=_marking_key(), scope=f"{advisory.ident}/writeup.md/v1",
                    alphabet_sizes=carrier.alphabet_sizes, partners=receivers,
                    design_coalition=design_for(carrier.alphabet_sizes))
    result = attribute(book, Leak(carrier.read(leaked_v1).symbols), threshold=1e-6)
    assert result.accused == [str(partners[2].partner.uid)]


def test_replacing_with_identical_content_is_refused(sample_advisory):
    advisory = sample_advisory()
    with pytest.raises(Conflict):
        replace_artifact(advisory, "writeup.md", (SAMPLE_DIR / "writeup.md").read_bytes(), actor=ACTOR)
