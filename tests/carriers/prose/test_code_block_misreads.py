"""A leak made by deleting whole lines of a copy never reads a wrong symbol in code.

A line excerpt joins lines that were not neighbours. Where a code block holds look-alike
lines (the same call three lines apart, two ``pahole`` dumps), a slot's context that runs
over a line end must not find the look-alike's text with the lines between deleted."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.base import ERASED
from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.line_gaps import faked
from headstart.carriers.prose.match import TARGET, AltTable, Pattern, Stream
from headstart.leaks.text import excerpt_lines, markdown_html_text

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"

LOOKALIKE_CALLS = """# Triggering the bug

The two elements are added with the same call; only the key differs.

```c
    new_set_for_timeout(socket, table, set, NFT_OBJECT_CT_EXPECT, 0x40);
    *key1 = 0x90;
    msg_list[0] = new_elem_msg(table, set, NULL, 0, obj_for_exp, key1, 0x40, NULL, 0, 0, timeout_long);
    *key1 = 0x80;
    msg_list[1] = new_elem_msg(table, set, NULL, 0, obj_for_exp, key1, 0x40, NULL, 0, 0, timeout_long);
    *key1 = 0x88;
    msg_list[2] = new_end_msg(table, set, key1, 0x40);
```

The third message closes the interval.
"""

TWO_DUMPS = """# Layouts

The first structure:

```c
struct first_thing {
	struct bpf_prog *          prog;                 /*  0x18   0x8 */

	/* size: 32, cachelines: 1, members: 3 */
	/* sum members: 28, holes: 1, sum holes: 4 */
	/* last cacheline: 32 bytes */
} __attribute__((__aligned__(8)));
```

The second one is longer:

```c
struct second_thing {
	struct l2cap_conn *        l2cap_conn;           /*  0x10   0x8 */

	/* size: 112, cachelines: 2, members: 12 */
	/* sum members: 100, holes: 4, sum holes: 8 */
	/* paddings: 1, sum paddings: 4 */
	/* forced alignments: 1, forced holes: 1, sum forced holes: 4 */
	/* last cacheline: 56 bytes */
} __attribute__((__aligned__(8)));
```

Both are allocated from the same cache.
"""


def _without_lines(text: str, start: int, count: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[:start] + lines[start + count :])


def _wrong(carrier: ProseCarrier, codeword: list[int], leak: str) -> list[str]:
    got = carrier.read(leak).symbols
    return [carrier.slots[i].key for i in np.flatnonzero((got != ERASED) & (got != np.asarray(codeword)))]


@pytest.mark.parametrize("text", [LOOKALIKE_CALLS, TWO_DUMPS], ids=["lookalike-calls", "two-dumps"])
def test_a_copy_with_any_run_of_lines_deleted_reads_no_wrong_symbol(text):
    carrier = ProseCarrier(text)
    assert any(s.key.startswith(("code-literal", "comment-")) for s in carrier.slots)
    rng = random.Random(5)
    codewords = [[k % s.q for s in carrier.slots] for k in range(2)]
    codewords += [[rng.randrange(s.q) for s in carrier.slots] for _ in range(6)]
    for codeword in codewords:
        copy = carrier.render_text(codeword)
        n = len(copy.splitlines())
        for start, count in itertools.product(range(n), (1, 2, 3)):
            leak = _without_lines(copy, start, count)
            assert _wrong(carrier, codeword, leak) == [], (start, count)


def test_lookalike_lines_keep_most_of_their_literals_readable_from_the_whole_copy():
    # The fix must not give up on the block: only a literal whose context cannot tell its
    # line from the look-alike one (without reaching "msg_list[1]") goes unread.
    carrier = ProseCarrier(LOOKALIKE_CALLS)
    codeword = [1 % s.q for s in carrier.slots]
    got = carrier.read(carrier.render_text(codeword)).symbols
    literal = [i for i, s in enumerate(carrier.slots) if s.key.startswith("code-literal")]
    assert len(literal) == 7
    assert sum(got[i] == codeword[i] for i in literal) >= 6
    assert all(got[i] in (ERASED, codeword[i]) for i in literal)


def test_a_pattern_found_again_with_whole_lines_skipped_is_faked():
    # Lines: "a , X , b ;" / "key 1 ;" / "a , X , b ;" / "key 2 ;".
    toks = ["a", ",", "0x40", ",", "b", ";", "key", "1", ";", "a", ",", "0x40", ",", "b", ";", "key", "2", ";"]
    starts = frozenset({0, 6, 9, 15})
    alts = AltTable([[("0x40",), ("64",)]])
    stream = Stream(toks)
    second = Pattern(0, ("a", ",", TARGET, ",", "b", ";", "key", "2"))
    assert faked(second, stream, alts, starts)  # lines 2-3 deleted: the first X, then "key 2"
    across = Pattern(0, (",", "b", ";", "key", "1", ";", "a", ",", TARGET))
    assert not faked(across, stream, alts, starts)  # only the second X follows "key 1"
    assert not faked(second, stream, alts, frozenset())  # no line ends inside: nothing to delete


CORPUS_CASES = [
    ("CVE-2023-52433_mitigation/exploit.md", "code-literal@81:98"),
    ("bleedingtooth/writeup.md", "comment-case@906:5"),
]


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is missing")
@pytest.mark.parametrize(("name", "key"), CORPUS_CASES, ids=[k for _n, k in CORPUS_CASES])
def test_the_corpus_slots_misread_from_a_line_excerpt_read_right_or_not_at_all(name, key):
    carrier = ProseCarrier((CORPUS / name).read_text())
    rng = random.Random(7)
    for _trial in range(6):
        codeword = [rng.randrange(s.q) for s in carrier.slots]
        forum = markdown_html_text(carrier.render_text(codeword))
        for seed in range(4):
            wrong = _wrong(carrier, codeword, excerpt_lines(forum, seed))
            assert key not in wrong and wrong == [], (seed, wrong)
