"""Reading by survivors: numbers, identifiers and code a translation keeps, and nothing else."""

from __future__ import annotations

import numpy as np

from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.survivors import is_survivor

A = "Values X_1 and X_2 come first in the list.\n\n"
B = "Then 0x20 goes to Y_1 in the first step.\n\n"
C = "Values Z_1 and Z_2 come last in the list.\n\n"
D = "Elsewhere 0x20 goes to Y_1 as well, later on.\n\n"


def test_tokens_a_translator_keeps_are_survivors_and_words_are_not():
    assert all(map(is_survivor, ["0x20", "4096", "cl_parent", "ROP", "simpleXattr", "key1"]))
    assert not any(map(is_survivor, ["Offset", "the", "Schlüssel", "Wert", "A"]))


def test_a_paragraph_holding_the_same_number_moved_next_to_a_slots_context_is_not_read_for_it():
    c = ProseCarrier(A + B + C + D)
    b, d = (
        next(
            i
            for i, s in enumerate(c.slots)
            if s.alternatives == ("0x20", "32") and s.where.startswith(f"line {n}:")
        )
        for n in (3, 7)
    )
    cw = np.zeros(len(c.slots), dtype=int)
    cw[d] = 1  # D's copy says 32, B's says 0x20
    copy = c.render_text(cw)
    paragraphs = copy.split("\n\n")
    # German-like leak: the English is gone, the survivors stay; B is left out and D moved into its place.
    leak = "\n\n".join(
        [
            "Werte X_1 und X_2 zuerst.",
            paragraphs[3].replace("Elsewhere", "Anderswo"),
            "Werte Z_1 und Z_2 zuletzt.",
        ]
    )
    reading = c.read(leak)
    assert reading.symbols[b] == -1
    assert reading.symbols[d] in (-1, 1)


def test_a_number_in_a_translated_paragraph_is_read_by_its_survivors():
    text = (
        "The object at `OBJ_A` is 0x20 bytes, and `OBJ_B` follows it at offset 0x48 in `slab_c`.\n\n" + A + C
    )
    c = ProseCarrier(text)
    slots = [i for i, s in enumerate(c.slots) if s.key.startswith("hex-decimal")]
    assert len(slots) == 2
    for symbol in (0, 1):
        cw = np.zeros(len(c.slots), dtype=int)
        cw[slots] = symbol
        copy = c.render_text(cw).split("\n\n")[0]
        number, other = c.slots[slots[0]].alternatives[symbol], c.slots[slots[1]].alternatives[symbol]
        german = (
            f"Das Objekt bei `OBJ_A` ist {number} Bytes groß, und `OBJ_B` folgt bei Offset {other} in `slab_c`.\n\n"
            "Werte X_1 und X_2 kommen zuerst.\n\nWerte Z_1 und Z_2 kommen zuletzt.\n"
        )
        assert number in copy and other in copy
        assert c.read(german).symbols[slots].tolist() == [symbol, symbol]


def test_digit_grouping_is_not_read_from_a_translation():
    # A German translator writes 65,536 as 65.536 or 65 536: never read as a partner's choice.
    c = ProseCarrier("The table of `OBJ_A` holds 65536 entries for `OBJ_B` in `slab_c` today.\n\n" + A)
    grouping = [i for i, s in enumerate(c.slots) if s.key.startswith("digit-grouping")]
    assert grouping
    for german in (
        "Die Tabelle von `OBJ_A` hat 65 536 Einträge für `OBJ_B` in `slab_c`.",
        "Die Tabelle von `OBJ_A` hat 65,536 Einträge für `OBJ_B` in `slab_c`.",
    ):
        assert (c.read(german).symbols[grouping] == -1).all()
