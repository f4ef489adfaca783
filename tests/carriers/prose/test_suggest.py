"""`advisory suggest`'s engine: {{either|or}} proposals where a write-up keeps no mark."""

from __future__ import annotations

from pathlib import Path

import lemminflect
import numpy as np
import pytest

from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.markdown_scan import scan_blocks
from headstart.carriers.prose.suggest import SYNONYMS, slot_positions, suggest
from headstart.leaks.text import markdown_html_text

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
PLAIN = "# Note\n\nThe error path frees the buffer twice.\n"


def test_suggest_proposes_alternatives_in_author_syntax():
    result = suggest(PLAIN, covered_keys=[])

    assert result.markdown == "# Note\n\nThe error path {{frees|releases}} the buffer twice.\n"
    [proposal] = result.proposals
    assert (proposal.line, proposal.original, proposal.alternatives) == (3, "frees", ("frees", "releases"))
    author_slots = [s for s in ProseCarrier(result.markdown).slots if s.key.startswith("author@")]
    assert [s.alternatives for s in author_slots] == [("frees", "releases")]


def test_rejecting_every_proposal_gives_the_original_back():
    text = (CORPUS / "CVE-2023-0461_mitigation" / "exploit.md").read_text()
    result = suggest(text)

    assert result.proposals
    assert all(p.alternatives[0] == p.original for p in result.proposals)
    assert _reject_all(result.markdown, result.proposals) == text


def _reject_all(markdown: str, proposals: list) -> str:
    out, pos = [], 0
    for p in proposals:  # in order: each markup is found after the previous one
        at = markdown.index(p.markup, pos)
        out += [markdown[pos:at], p.original]
        pos = at + len(p.markup)
    return "".join(out) + markdown[pos:]


def test_every_proposal_of_a_corpus_write_up_is_accepted_by_the_carrier():
    text = (CORPUS / "bleedingtooth" / "writeup.md").read_text()
    result = suggest(text)

    carrier = ProseCarrier(result.markdown)
    authored = {s.alternatives for s in carrier.slots if s.key.startswith("author@")}
    assert {p.alternatives for p in result.proposals} <= authored


def test_allows_for_is_not_proposed_as_enables_for():
    result = suggest("# Note\n\nThe layout allows for a second write.\n", covered_keys=[])

    assert result.proposals == []
    assert result.without_proposal == [3]


def test_after_that_is_not_offered_then_where_that_is_a_determiner():
    result = suggest("# Note\n\nThe slab is empty after that function returns.\n", covered_keys=[])

    assert result.proposals == []


@pytest.mark.parametrize("sentence", [
    "The object stays alive at this point in the exploit.",  # "now in the exploit"
    "There is no need to spray the heap.",  # "no have to"
    "The offset corresponding to the field is fixed.",  # "matching to"
    "This means of attack is old.",  # "this implies of"
])
def test_a_word_whose_neighbour_makes_it_another_word_is_not_offered(sentence):
    assert suggest(f"# Note\n\n{sentence}\n", covered_keys=[]).proposals == []


def test_nothing_is_proposed_in_code_inline_code_tables_or_quoted_identifiers():
    text = ("# Note\n\nRun `allows_write` first.\n\n```c\n/* this allows it */\n```\n\n"
            "| field | use |\n|---|---|\n| width | allows the overflow |\n")
    result = suggest(text, covered_keys=[])

    assert result.proposals == []
    assert result.markdown == text


def test_a_count_gets_a_thousands_separator_but_an_event_id_a_port_and_a_year_do_not():
    text = ("# Note\n\nThe spray sends 4096 packets. Event ID 4688 is logged in 2023 on port 8080, "
            "and its header has 10000 bytes.\n")
    result = suggest(text, covered_keys=[])

    assert [p.alternatives for p in result.proposals] == [("4096", "4,096")]


def test_a_short_sentence_gets_one_proposal_the_first_in_reading_order():
    result = suggest("# Note\n\nThe goal is a path that frees it.\n", covered_keys=[])

    assert [p.original for p in result.proposals] == ["goal"]


def test_a_long_sentence_gets_one_proposal_per_five_words():
    text = ("# Note\n\nThe goal of the spray is a slab that the error path frees twice, because the "
            "refcount drops to zero.\n")
    result = suggest(text, covered_keys=[])

    assert len(text.split()) - 2 == 20  # room for four
    assert [p.original for p in result.proposals] == ["goal", "frees", "because"]


def test_a_sentence_with_more_candidates_than_room_keeps_the_first_in_reading_order():
    result = suggest("# Note\n\nBecause the goal frees it, the path frees the slab.\n", covered_keys=[])

    assert [p.original for p in result.proposals] == ["Because", "goal"]


def test_the_case_of_the_original_is_kept():
    result = suggest("# Note\n\nBecause the lock is dropped, the object is freed.\n", covered_keys=[])

    assert result.proposals[0].alternatives == ("Because", "Since", "As")


def test_a_surviving_slot_takes_the_place_of_a_proposal_in_its_sentence():
    text = "# Note\n\nThe bug doesn't check it, so the path frees it because it is 0.\n"
    keys = [s.key for s in ProseCarrier(text).slots]

    assert len(keys) == 1
    assert [p.original for p in suggest(text, keys).proposals] == ["frees"]
    assert [p.original for p in suggest(text, []).proposals] == ["frees", "because"]


def test_a_short_sentence_whose_slot_survives_gets_no_proposal():
    text = "# Note\n\nThe bug doesn't free the buffer.\n"
    keys = [s.key for s in ProseCarrier(text).slots]

    assert keys and suggest(text, keys).proposals == []


def test_every_prose_slot_of_a_corpus_write_up_has_a_position():
    text = (CORPUS / "CVE-2023-0461_mitigation" / "vulnerability.md").read_text()
    prose_lines = {line for b in scan_blocks(text) if b.prose
                   for line in range(b.line, b.line + text.count("\n", b.start, b.end) + 1)}
    positions = slot_positions(text)
    carrier = ProseCarrier(text)

    in_prose = [s.key for s in carrier.slots if int(s.where.split(":")[0].removeprefix("line ")) in prose_lines]
    assert in_prose
    assert [k for k in in_prose if k not in positions] == []


def _tags(word: str) -> set[str]:
    """Every Penn tag under which lemminflect knows ``word`` as a form."""
    return {tag for pos, lemmas in lemminflect.getAllLemmas(word).items() for lemma in lemmas
            for tag, forms in lemminflect.getAllInflections(lemma, upos=pos).items() if word in forms}


@pytest.mark.parametrize("group", SYNONYMS, ids=lambda g: "/".join(g))
def test_every_proposed_verb_or_noun_keeps_the_original_s_inflection(group):
    """"freed" is offered "released" (both past), never "releases"; "goal" a noun, "techniques" a plural."""
    head = group[0].split()[0]
    verb = {t for t in _tags(head) if t.startswith("VB")}
    noun = {t for t in _tags(head) if t in ("NN", "NNS")} if not verb else set()
    for alternative in group[1:]:
        theirs = _tags(alternative.split()[0])
        if verb:
            assert verb & theirs, f"{group[0]!r} is {sorted(verb)}, {alternative!r} is {sorted(theirs)}"
        if noun and theirs:
            assert noun & theirs, f"{group[0]!r} is {sorted(noun)}, {alternative!r} is {sorted(theirs)}"


def test_no_proposal_lands_in_a_heading_code_a_link_a_table_or_a_quoted_string():
    control = "The loop eventually frees the object on the error path of the function."
    text = ("# The loop eventually frees the object\n\n"
            f"{control}\n\n"
            "See [the loop eventually frees it](https://example.com/eventually-frees) and `eventually frees`.\n\n"
            "```c\n/* the loop eventually frees the object */\n```\n\n"
            "| what | how |\n|---|---|\n| the loop eventually | frees the object |\n\n"
            'It prints "the loop eventually frees the object" on use-after-frees.\n')
    result = suggest(text, covered_keys=[])

    assert [(p.line, p.original) for p in result.proposals] == [(3, "eventually"), (3, "frees")]


def test_the_write_up_with_every_proposal_accepted_reads_back_right_from_a_forum_copy():
    """Each proposal is an author slot with all its alternatives (three for "vulnerability"),
    and a partner's copy, rendered to HTML and copied as text, reads back to that partner."""
    text = (CORPUS / "CVE-2023-4623_lts_cos" / "vulnerability.md").read_text()
    accepted = suggest(text, covered_keys=[])
    carrier = ProseCarrier(accepted.markdown)
    slots = carrier.slots
    proposed = [i for i, s in enumerate(slots) if s.key.startswith("author@")]

    assert len(proposed) == len(accepted.proposals) and any(len(slots[i].alternatives) == 3 for i in proposed)
    rng = np.random.default_rng(4)
    for _ in range(3):
        codeword = [int(rng.integers(len(s.alternatives))) for s in slots]
        reading = carrier.read(markdown_html_text(carrier.render_text(codeword)))
        assert [int(reading.symbols[i]) for i in proposed] == [codeword[i] for i in proposed]
