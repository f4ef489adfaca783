"""The binary PoC carrier on the sample advisory's poc.tim and its trigger specification."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers.base import CarrierError, NoSlotsError, UnreadableLeakError
from headstart.carriers.binary import BinaryCarrier
from headstart.triggers import (
    ParseError,
    SpecError,
    TriggerNotMetError,
    check,
    evaluate,
    load_spec,
    parse,
    patch,
    verify_checksums,
)

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow"
SPEC_TEXT = (SAMPLE / "tim.ksy.yaml").read_text()
ORIGINAL = (SAMPLE / "poc.tim").read_bytes()
SPEC = load_spec(SPEC_TEXT)
CARRIER = BinaryCarrier(SPEC_TEXT, ORIGINAL)
HEADER = [i for i, m in enumerate(CARRIER.marks) if not m.path.endswith(".body")]  # every field but the bodies


@pytest.fixture(scope="module")
def carrier() -> BinaryCarrier:
    return CARRIER


def test_sample_poc_is_a_generous_file_that_meets_its_trigger():
    assert 4096 <= len(ORIGINAL) < 16 * 1024
    parsed = check(SPEC, ORIGINAL)
    assert parsed["width"].value > 0x3FFF
    assert parsed["chunks[0].length"].value >= 2 * parsed["height"].value
    assert [r.explanation.split(":")[-1].strip() for r in evaluate(SPEC, parsed)] == ["holds"] * 5


def bits_by_field(carrier: BinaryCarrier) -> dict[str, float]:
    out: dict[str, float] = {}
    for mark in carrier.marks:
        out[mark.path] = out.get(mark.path, 0.0) + float(np.log2(mark.q))
    return out


def test_sample_has_enough_slots_to_name_one_of_a_hundred_partners(carrier):
    assert carrier.kind == "poc-binary"
    assert len(carrier.slots) >= 64
    bits = sum(np.log2(q) for q in carrier.alphabet_sizes)
    assert bits >= 64
    keys = [s.key for s in carrier.slots]
    assert len(set(keys)) == len(keys)
    assert {"created#bit0", "comment[0]", "chunks[0].kind", "width#bit0", "height#bit0",
            "chunks[0].body[0]"} <= set(keys)


def test_the_header_carries_the_full_slack_its_specification_allows(carrier):
    bits = bits_by_field(carrier)
    assert bits["width"] == 30  # above 0x3fff and below the sign bit the original leaves clear
    assert bits["created"] == 28  # floor(log2(1800000000 - 1500000000 + 1))
    assert bits["height"] == 10  # 1..0x400, and chunks[0].length (4096) >= height * 2 for all of them
    assert bits["comment"] == pytest.approx(16 * np.log2(86))  # any printable character but a scrub value
    assert bits["chunks[0].kind"] == bits["chunks[1].kind"] == bits["chunks[2].kind"] == 1


def test_fields_outside_raw_bytes_carry_at_least_120_bits(carrier):
    raw = {f.path for f in parse(SPEC, ORIGINAL).fields if f.decl.kind == "bytes"}
    assert sum(b for path, b in bits_by_field(carrier).items() if path not in raw) >= 120


def test_slot_discovery_is_deterministic(carrier):
    again = BinaryCarrier(SPEC_TEXT, ORIGINAL)
    assert again.slots == carrier.slots


def meets_trigger_and_checksums(copy: bytes) -> bool:
    parsed = parse(SPEC, copy)  # an independent check, not the carrier's own
    return (all(r.holds for r in evaluate(SPEC, parsed)) and all(r.holds for r in verify_checksums(SPEC, parsed))
            and len(copy) == len(ORIGINAL))


@settings(max_examples=60, deadline=None)
@given(st.tuples(*(st.integers(0, CARRIER.marks[i].q - 1) for i in HEADER)), st.integers(0, 2**32 - 1))
def test_every_codeword_gives_a_copy_that_meets_every_trigger_condition_and_checksum(header, seed):
    # hypothesis picks the symbols of every field the conditions look at (and shrinks to the
    # ends of the windows); the bodies' symbols are random
    cw = random_codeword(CARRIER, seed)
    cw[HEADER] = header
    assert meets_trigger_and_checksums(CARRIER.render(cw))


@pytest.mark.parametrize("end", ["lowest", "highest"])
def test_the_copies_at_the_ends_of_every_window_meet_the_trigger(carrier, end):
    cw = [0 if end == "lowest" else q - 1 for q in carrier.alphabet_sizes]
    parsed = parse(SPEC, carrier.render(cw))
    assert meets_trigger_and_checksums(parsed.data)
    if end == "lowest":
        assert parsed["width"].value == 0x4000_0000 and parsed["height"].value == 1
    else:
        assert parsed["width"].value == 0x7FFF_FFFF and parsed["height"].value == 0x400


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_reading_a_copy_gives_back_its_codeword(carrier, seed):
    cw = random_codeword(carrier, seed)
    reading = carrier.read(carrier.render(cw))
    assert (reading.symbols == cw).all()
    assert (reading.confidence == 1.0).all()


def test_copies_differ_only_where_the_parser_does_not_care(carrier):
    a = parse(SPEC, carrier.render(random_codeword(carrier, 1)))
    b = parse(SPEC, carrier.render(random_codeword(carrier, 2)))
    fixed = ["magic", "chunks[0].length", "chunks[1].length", "chunks[2].length"]
    assert [a[p].value for p in fixed] == [b[p].value for p in fixed]
    assert a["width"].value != b["width"].value and min(a["width"].value, b["width"].value) > 0x3FFF
    assert all(1 <= c["height"].value <= 0x400 and c["chunks[0].length"].value >= 2 * c["height"].value
               for c in (a, b))
    assert a["chunks[0].kind"].value in (1, 2) and b["chunks[0].kind"].value in (1, 2)
    assert a["chunks[0].body"].value != b["chunks[0].body"].value
    assert a["comment"].value.isprintable() and b["comment"].value.isprintable()
    assert 1_500_000_000 <= a["created"].value <= 1_800_000_000


def test_rendering_is_a_pure_function_of_the_codeword(carrier):
    cw = random_codeword(carrier, 3)
    assert carrier.render(cw) == carrier.render(list(cw))


def test_a_codeword_of_the_wrong_shape_is_refused(carrier):
    with pytest.raises(CarrierError):
        carrier.render([0] * (len(carrier.slots) - 1))
    with pytest.raises(CarrierError):
        carrier.render([5] * len(carrier.slots))


def test_a_poc_that_misses_its_own_trigger_is_rejected():
    too_narrow = patch(SPEC, ORIGINAL, {"width": 0x100})
    with pytest.raises(TriggerNotMetError) as err:
        BinaryCarrier(SPEC_TEXT, too_narrow)
    assert "width = 0x100 > 0x3fff: fails" in str(err.value)


def test_construction_errors_are_carrier_errors_too():
    with pytest.raises(CarrierError):
        BinaryCarrier(SPEC_TEXT, patch(SPEC, ORIGINAL, {"height": 0}))
    with pytest.raises(CarrierError):
        BinaryCarrier("meta: {id: t\n", ORIGINAL)
    with pytest.raises(CarrierError):
        BinaryCarrier(SPEC_TEXT, ORIGINAL[:100])


def test_a_poc_with_a_wrong_checksum_is_rejected():
    broken = bytearray(ORIGINAL)
    broken[100] ^= 1
    with pytest.raises(TriggerNotMetError, match=r"chunks\[0\]\.crc"):
        BinaryCarrier(SPEC_TEXT, bytes(broken))


def test_a_file_of_another_format_or_a_bad_spec_is_rejected():
    with pytest.raises(ParseError):
        BinaryCarrier(SPEC_TEXT, b"\x89PNG\r\n\x1a\n" + ORIGINAL[8:])
    with pytest.raises(SpecError) as err:
        BinaryCarrier(SPEC_TEXT.replace("op: in", "op: among"), ORIGINAL)
    assert err.value.line > 0
    with pytest.raises(CarrierError):
        BinaryCarrier(SPEC_TEXT, "not bytes")  # type: ignore[arg-type]


def test_a_spec_that_leaves_nothing_free_has_no_slots():
    text = ("meta: {id: fixed, endian: le}\nseq:\n  - {id: magic, contents: FX}\n  - {id: v, type: u2}\n"
            "x-headstart:\n  trigger:\n    - {field: v, op: '==', value: 7}\n")
    with pytest.raises(NoSlotsError):
        BinaryCarrier(text, b"FX\x07\x00")


def test_a_leak_that_is_not_the_format_is_unreadable(carrier):
    with pytest.raises(UnreadableLeakError):
        carrier.read(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(UnreadableLeakError):
        carrier.read("just a forum post, no file in it")
    with pytest.raises(UnreadableLeakError, match="TIM1"):
        carrier.read(b"TIM2" + bytes(len(ORIGINAL) - 4))  # a near magic, but not this file's lengths
    with pytest.raises(UnreadableLeakError):
        carrier.read(b"TIM: a forum post about the TIM1 magic, quoting 'TIM1' twice")


@pytest.mark.parametrize("at", range(4))
def test_a_copy_with_a_corrupted_magic_byte_is_read(carrier, at):
    cw = random_codeword(carrier, 10 + at)
    copy = bytearray(carrier.render(cw))
    copy[at] ^= 0x5A
    assert carrier.is_this_format(bytes(copy))
    reading = carrier.read(bytes(copy))
    assert (reading.symbols == cw).all() and (reading.confidence == 1.0).all()
    assert (carrier.read(bytes(copy).hex(" ")).symbols == cw).all()  # and posted as hex


def test_a_magic_with_two_of_four_bytes_wrong_is_refused(carrier):
    copy = bytearray(carrier.render(random_codeword(carrier, 14)))
    copy[1:3] = b"ZZ"
    with pytest.raises(UnreadableLeakError):
        carrier.read(bytes(copy))


def test_a_damaged_length_is_read_at_the_original_offsets_without_a_wrong_symbol(carrier):
    cw = random_codeword(carrier, 15)
    copy = bytearray(carrier.render(cw))
    copy[0x22] ^= 0x40  # chunks[0].length: the lenient parse misplaces every later field
    reading = carrier.read(bytes(copy))
    read = reading.symbols != -1
    assert (reading.symbols[read] == cw[read]).all() and read.mean() > 0.99
    assert (reading.confidence[read] == 0.5).all()  # the file is damaged: nothing is read with full confidence


def test_bytes_deleted_before_a_field_never_give_it_a_confident_wrong_symbol(carrier):
    cw = random_codeword(carrier, 16)
    copy = carrier.render(cw)
    for at in (0x18, 0x40, 0x1100, 0x1340):  # in the comment, the first body, the second, the last
        reading = carrier.read(copy[:at] + copy[at + 3:])
        sure = reading.confidence == 1.0
        assert (reading.symbols[sure] == cw[sure]).all(), hex(at)


def test_a_truncated_leak_reads_what_is_there(carrier):
    cw = random_codeword(carrier, 4)
    reading = carrier.read(carrier.render(cw)[:2000])
    read = reading.symbols != -1
    assert (reading.symbols[read] == cw[read]).all()
    assert 1500 < reading.read < 2100
    cut = [s.key for s, ok in zip(carrier.slots, read, strict=True) if not ok]
    assert all(k.startswith(("chunks[0].body", "chunks[1]", "chunks[2]")) for k in cut)


def test_trailing_bytes_and_bad_checksums_are_tolerated(carrier):
    cw = random_codeword(carrier, 5)
    copy = bytearray(carrier.render(cw))
    copy[0x1024:0x1028] = b"\0\0\0\0"  # break chunks[0].crc
    reading = carrier.read(bytes(copy) + b"\x01\x00\xff")
    assert (reading.symbols == cw).all()
    body0 = [i for i, s in enumerate(carrier.slots) if s.key.startswith("chunks[0].")]
    assert (reading.confidence[body0] < 1).all()
    assert reading.confidence[0] == 1.0


def test_a_leak_inside_other_bytes_or_as_a_dump_is_read(carrier):
    cw = random_codeword(carrier, 6)
    copy = carrier.render(cw)
    assert (carrier.read(b"--boundary\r\n\r\n" + copy).symbols == cw).all()
    assert (carrier.read(copy.hex(" ")).symbols == cw).all()
