"""The uniqueness check's search reports what ``find`` reports, place by place."""

from __future__ import annotations

import random

from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.match import PlaceSearch, Stream, find
from headstart.carriers.prose.normalize import tokens_and_breaks


def _streams(carrier: ProseCarrier) -> list[Stream]:
    rng = random.Random(17)
    copies = [carrier.render_text([rng.randrange(s.q) for s in carrier.slots]) for _ in range(3)]
    copies.append(copies[0].lower())  # a leak that lost case: the folded search differs
    copies.append(copies[1][len(copies[1]) // 3 :])  # an excerpt: places near the stream's ends
    return [Stream(*tokens_and_breaks(c)) for c in copies]


def test_a_place_search_finds_the_places_and_alternatives_find_finds(writeup: ProseCarrier):
    streams = _streams(writeup)
    alts = writeup._alts
    patterns = {
        p
        for readers in writeup._readers
        for r in readers
        for p in (r.core, r.wide, *r.one_sided)
        if p is not None
    }
    assert len(patterns) > 1000  # the sample's readers, one or more patterns for each slot
    compared = 0
    for pattern in sorted(patterns, key=repr):
        search = PlaceSearch(pattern, alts)  # one search over every stream, as unique() uses it
        for stream in streams:
            for fold_target in (False, True):
                want = [
                    frozenset(alt for alt, _s, _e in hits)
                    for hits in find(pattern, stream, alts, fold_target=fold_target).values()
                ]
                assert search.places(stream, fold_target, stop=len(stream) + 1) == want, pattern
                compared += len(want)
    assert compared > len(patterns)  # most patterns were found, so places were compared
