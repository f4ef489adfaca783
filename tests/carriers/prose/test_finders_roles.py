"""Rules that delete or change a word decide by the word's grammatical role: each is shown
where it fires and where it must not."""

from __future__ import annotations

import pytest

from headstart.carriers.base import NoSlotsError
from headstart.carriers.prose import ProseCarrier

TAIL = " in the decoder of the viewer today.\n"


def alternatives(md: str) -> list[tuple[str, ...]]:
    try:
        return [s.alternatives for s in ProseCarrier(md).slots]
    except NoSlotsError:
        return []


@pytest.mark.parametrize(
    "md",
    [
        "The kernel kills processes that all share ports with the socket" + TAIL,
        "It frees the objects that each hold a reference to the chain" + TAIL,
        "We looked at the states that both point to the same table" + TAIL,
        "The rules that some of the chains use are freed early" + TAIL,
    ],
)
def test_that_which_is_the_subject_of_its_relative_clause_is_never_dropped(md):
    assert ("that ", "") not in alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "Report any false positives that you observe in traffic" + TAIL,
        "We kill the processes that the socket shares with others" + TAIL,
        "We believe that the flaw is exploitable by anyone" + TAIL,
    ],
)
def test_that_which_introduces_a_clause_with_its_own_subject_may_be_dropped(md):
    assert ("that ", "") in alternatives(md)
