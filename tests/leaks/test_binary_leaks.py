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


def test_zeroed_bodies_read_as_erasures(carrier, copies):
    (cw, *_), (copy, *_) = copies
    leak = scrub_untested(SPEC, copy)
    reading = carrier.read(leak)
    bodies = [i for i, s in enumerate(carrier.marks) if s.path.endswith(".body")]
    assert (reading.symbols[bodies] == -1).all()
    read = reading.symbols != -1
    assert (reading.symbols[read] == cw[read]).all() and read.sum() >= 30


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
    assert corrupted[:0x40] == copy[:0x40] and sum(a != b for a, b in zip(corrupted, copy)) <= 10
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


def test_every_battery_transform_reads_without_a_wrong_symbol_except_corruption(carrier, copies):
    (cw, *_), (copy, *_) = copies
    for name, transform in battery(SPEC, seed=5).items():
        reading = carrier.read(transform(copy))
        read = reading.symbols != -1
        wrong = (reading.symbols[read] != cw[read]).sum()
        if name.startswith("corrupt"):
            assert wrong <= len(copy) // 100, name
        else:
            assert wrong == 0, name
        assert read.any(), name


def test_mixing_nothing_is_refused():
    with pytest.raises(ValueError):
        mix_bytes([])
