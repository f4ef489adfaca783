"""The binary part of the leak battery, read back through the binary carrier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import headstart.samples
from headstart.carriers.binary import BinaryCarrier
from headstart.leaks.binary import (
    append_junk,
    base64_text,
    battery,
    break_checksums,
    corrupt_bytes,
    hex_dump,
    ignored_fields,
    mix_bytes,
    mix_fields,
    scrub_fields,
    scrub_ignored,
    scrub_untested,
    truncate,
)
from headstart.triggers import check, load_spec, parse, verify_checksums

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"
SPEC_TEXT = (SAMPLE / "tim.ksy.yaml").read_text()
SPEC = load_spec(SPEC_TEXT)


@pytest.fixture(scope="module")
def carrier() -> BinaryCarrier:
    return BinaryCarrier(SPEC_TEXT, (SAMPLE / "poc.tim").read_bytes())


def robust_bits(carrier: BinaryCarrier, reading, codeword) -> float:
    """Bits of the codeword read back correctly (sum of log2 q over those slots)."""
    right = reading.symbols == codeword
    return float(np.log2(np.array(carrier.alphabet_sizes))[right].sum())


@pytest.fixture(scope="module")
def copies(carrier):
    rng = np.random.default_rng(11)
    cws = [rng.integers(0, carrier.alphabet_sizes) for _ in range(3)]
    return cws, [carrier.render(cw) for cw in cws]


def test_the_documented_ignored_fields_are_found(copies):
    assert ignored_fields(SPEC, copies[1][0]) == ["created", "comment"]


@pytest.mark.parametrize("fill", ["zero", "blank"])
def test_scrubbed_free_fields_read_as_erasures_not_wrong_symbols(carrier, copies, fill):
    (cw, *_), (copy, *_) = copies
    leak = scrub_ignored(SPEC, copy, fill=fill, fix_checksums=True)
    parsed = check(SPEC, leak)  # the scrubbed file still triggers
    assert parsed["created"].value == 0
    reading = carrier.read(leak)
    scrubbed = [i for i, s in enumerate(carrier.marks) if s.path in ("created", "comment")]
    assert (reading.symbols[scrubbed] == -1).all()
    rest = np.setdiff1d(np.arange(len(cw)), scrubbed)
    assert (reading.symbols[rest] == cw[rest]).all()


def test_zeroed_bodies_read_as_erasures_and_the_header_keeps_120_bits(carrier, copies):
    (cw, *_), (copy, *_) = copies
    leak = scrub_untested(SPEC, copy)
    check(SPEC, leak)  # still a crasher
    reading = carrier.read(leak)
    bodies = [i for i, s in enumerate(carrier.marks) if s.path.endswith(".body")]
    assert (reading.symbols[bodies] == -1).all()
    read = reading.symbols != -1
    assert (reading.symbols[read] == cw[read]).all()
    assert robust_bits(carrier, reading, cw) >= 120


def test_scrubbing_ignored_fields_and_untested_bytes_together_still_leaves_the_trigger_slack(carrier, copies):
    (cw, *_), (copy, *_) = copies
    reading = carrier.read(scrub_untested(SPEC, scrub_ignored(SPEC, copy)))
    read = reading.symbols != -1
    assert (reading.symbols[read] == cw[read]).all()
    assert {carrier.marks[i].path for i in np.flatnonzero(read)} == {
        "width", "height", "chunks[0].kind", "chunks[1].kind", "chunks[2].kind"}
    assert robust_bits(carrier, reading, cw) == 30 + 10 + 3


def test_scrub_untested_spares_every_field_a_trigger_condition_names_through_a_wildcard():
    spec = load_spec("""
meta: {id: w}
seq:
  - {id: items, type: item, repeat: expr, repeat-expr: 2}
types:
  item:
    seq:
      - {id: tag, size: 2}
      - {id: pad, size: 2}
x-headstart:
  trigger:
    - {field: "items[*].tag", op: "==", value: "'ok'"}
  free:
    - {field: "items[*].pad"}
""")
    assert scrub_untested(spec, b"okABokCD") == b"ok\0\0ok\0\0"


def test_scrub_fields_overwrites_named_fields_only(copies):
    copy = copies[1][0]
    leak = scrub_fields(SPEC, copy, ["comment"], fill="blank")
    assert parse(SPEC, leak)["comment"].value == " " * 16
    assert leak[:16] == copy[:16] and leak[32:] == copy[32:]


def test_broken_checksums_are_all_wrong_and_still_read(carrier, copies):
    (cw, *_), (copy, *_) = copies
    leak = break_checksums(SPEC, copy)
    assert not any(r.holds for r in verify_checksums(SPEC, parse(SPEC, leak)))
    assert (carrier.read(leak).symbols == cw).all()


def test_truncation_junk_and_corruption(carrier, copies):
    (cw, *_), (copy, *_) = copies
    assert truncate(copy, 0.5) == copy[: len(copy) // 2]
    junk = append_junk(copy, 50, seed=1)
    assert junk.startswith(copy) and len(junk) == len(copy) + 50
    assert (carrier.read(junk).symbols == cw).all()
    corrupted = corrupt_bytes(copy, 10, seed=2, start=0x40)
    assert corrupted[:0x40] == copy[:0x40] and sum(a != b for a, b in zip(corrupted, copy, strict=True)) <= 10
    reading = carrier.read(corrupted)
    assert ((reading.symbols == cw) | (reading.symbols == -1)).mean() > 0.99
    with pytest.raises(ValueError):
        truncate(copy, 0)


@pytest.mark.parametrize("tool", ["xxd", "hexdump", "od", "plain"])
def test_hex_dumps_from_real_tools_are_read_back(carrier, copies, tool):
    (cw, *_), (copy, *_) = copies
    text = hex_dump(copy, tool)
    assert isinstance(text, str)
    assert (carrier.read(text).symbols == cw).all()
    assert (carrier.read(text.encode()).symbols == cw).all()


def test_base64_is_read_back(carrier, copies):
    (cw, *_), (copy, *_) = copies
    assert (carrier.read(base64_text(copy)).symbols == cw).all()


def test_byte_mixing_shows_only_the_colluders_symbols(carrier, copies):
    cws, docs = copies
    mixed = mix_bytes(docs[:2], seed=3)
    reading = carrier.read(mixed)
    read = reading.symbols != -1
    assert read.mean() > 0.95
    from_one = (reading.symbols == cws[0]) | (reading.symbols == cws[1])
    assert from_one[read].all()
    differ = cws[0] != cws[1]
    assert 0.3 < (reading.symbols[differ] == cws[0][differ]).mean() < 0.7


def test_field_mixing_keeps_a_valid_file(carrier, copies):
    cws, docs = copies
    mixed = mix_fields(SPEC, docs, seed=4)
    check(SPEC, mixed)
    reading = carrier.read(mixed)
    assert ((reading.symbols == cws[0]) | (reading.symbols == cws[1]) | (reading.symbols == cws[2])).all()


@pytest.mark.parametrize("seed", [5, 6])
def test_every_battery_transform_leaves_60_bits_and_no_wrong_symbol_except_corruption(carrier, copies, seed):
    (cw, *_), (copy, *_) = copies
    for name, transform in battery(SPEC, seed=seed).items():
        reading = carrier.read(transform(copy))
        read = reading.symbols != -1
        wrong = (reading.symbols[read] != cw[read]).sum()
        if name.startswith("corrupt"):
            assert wrong <= len(copy) // 100, name
        else:
            assert wrong == 0, name
        assert robust_bits(carrier, reading, cw) >= 60, name


def test_corruption_that_hits_the_magic_is_read_not_refused(carrier, copies):
    (cw, *_), (copy, *_) = copies
    magic = next(m for seed in range(50) if (m := corrupt_bytes(copy[:4], 1, seed=seed)) != b"TIM1")
    reading = carrier.read(magic + copy[4:])
    assert (reading.symbols == cw).all() and (reading.confidence == 1.0).all()


def test_mixing_nothing_is_refused():
    with pytest.raises(ValueError):
        mix_bytes([])
