"""YARA rules generated from trigger specifications, run by a real engine (yara-x).

Each rule must match the PoC and every partner's marked copy of it (the copies differ in
every byte the marks vary), agree with the specification's own evaluator on files of the
format, and stay silent on benign files: near misses of the trigger, valid files built
from the specification, and the PNG files on this machine.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest
import yara_x

from headstart.carriers.binary import BinaryCarrier
from headstart.samples import SAMPLE_DIR
from headstart.triggers import build, evaluate, load_spec, parse
from headstart.triggers.corpus import near_misses
from headstart.triggers.yara_rules import RuleError, yara_rule

PNG_DIR = Path(__file__).parents[1] / "fixtures" / "png_trns"
TIM_SPEC = (SAMPLE_DIR / "tim.ksy.yaml").read_text()
TIM_POC = (SAMPLE_DIR / "poc.tim").read_bytes()
PNG_SPEC = (PNG_DIR / "png.ksy.yaml").read_text()
PNG_POC = (PNG_DIR / "poc.png").read_bytes()


def compiled(spec_text: str) -> yara_x.Rules:
    return yara_x.compile(yara_rule(load_spec(spec_text), name="trigger").text)


def matches(rules: yara_x.Rules, data: bytes) -> bool:
    return bool(rules.scan(data).matching_rules)


def triggers(spec_text: str, data: bytes) -> bool:
    return all(r.holds for r in evaluate(load_spec(spec_text), parse(load_spec(spec_text), data)))


def partner_copies(spec_text: str, poc: bytes, n: int, seed: int) -> list[bytes]:
    carrier = BinaryCarrier(spec_text, poc)
    rng = random.Random(seed)
    return [carrier.render([rng.randrange(len(s.alternatives)) for s in carrier.slots]) for _ in range(n)]


def machine_pngs(limit: int) -> list[Path]:
    found: list[Path] = []
    for root in (Path("/usr/share"), Path("/usr/lib")):
        found += sorted(p for p in root.rglob("*.png") if p.is_file() and p.stat().st_size < 2_000_000)
    return found[:limit]


# --- the sample advisory's TIM file -----------------------------------------------------


def test_the_tim_rule_matches_the_original_and_every_partners_copy():
    rules = compiled(TIM_SPEC)
    copies = partner_copies(TIM_SPEC, TIM_POC, 300, seed=1)
    assert len(set(copies)) == 300
    assert matches(rules, TIM_POC)
    assert [matches(rules, c) for c in copies] == [True] * 300


def test_the_tim_rule_keys_on_the_condition_not_on_the_pocs_values():
    text = yara_rule(load_spec(TIM_SPEC), name="trigger").text
    assert "uint32(4) > 0x3fff" in text and "uint16(0x22) >= uint32(8) * 2" in text
    width = int.from_bytes(TIM_POC[4:8], "little")
    assert f"{width:#x}" not in text and str(width) not in text


def random_tim(rng: random.Random) -> bytes:
    """A valid TIM file whose tested values fall on either side of each condition."""
    height = rng.choice([0, 1, 2, 0x3ff, 0x400, 0x401, rng.randrange(0, 0x800)])
    length = max(0, height * 2 + rng.choice([-1, 0, 1, -height, rng.randrange(-20, 20)]))
    length = min(length, 0xffff)
    chunks = [{"kind": rng.choice([0, 1, 2, 3, 0x10, 0x20]), "length": length, "body": bytes(length)}]
    chunks += [{"kind": 0x20, "length": 3, "body": b"abc"}] * rng.randrange(0, 3)
    return build(load_spec(TIM_SPEC), {
        "width": rng.choice([0x3ffe, 0x3fff, 0x4000, 0x4001, rng.randrange(0, 1 << 32)]), "height": height,
        "created": rng.randrange(1 << 32), "comment": "x" * 16, "chunks": chunks})


def test_the_tim_rule_matches_exactly_the_files_the_specification_says_trigger():
    rules = compiled(TIM_SPEC)
    rng = random.Random(5)
    files = [random_tim(rng) for _ in range(400)]
    verdicts = [(triggers(TIM_SPEC, f), matches(rules, f)) for f in files]
    assert [spec for spec, _ in verdicts] == [rule for _, rule in verdicts]
    assert 15 < sum(spec for spec, _ in verdicts) < 385  # both sides were tried


def test_the_tim_rule_is_silent_on_near_misses_of_the_trigger():
    spec = load_spec(TIM_SPEC)
    misses = near_misses(spec, TIM_POC, random.Random(3))
    assert len(misses) >= 10
    rules = compiled(TIM_SPEC)
    assert [matches(rules, m) for m in misses] == [False] * len(misses)


def test_the_tim_rule_is_silent_on_the_files_of_this_machine():
    rules = compiled(TIM_SPEC)
    files = machine_pngs(200) + sorted(Path("/usr/bin").iterdir())[:100]
    assert [p for p in files if p.is_file() and matches(rules, p.read_bytes())] == []


# --- the second format: PNG, a tRNS chunk longer than the palette ------------------------


def test_the_png_poc_is_a_png_that_meets_its_own_trigger_and_carries_marks():
    assert PNG_POC.startswith(b"\x89PNG\r\n\x1a\n")
    assert triggers(PNG_SPEC, PNG_POC)
    assert len(BinaryCarrier(PNG_SPEC, PNG_POC).slots) >= 64


def test_the_png_rule_matches_the_original_and_every_partners_copy():
    rules = compiled(PNG_SPEC)
    copies = partner_copies(PNG_SPEC, PNG_POC, 300, seed=2)
    assert len(set(copies)) == 300
    assert matches(rules, PNG_POC)
    assert [matches(rules, c) for c in copies] == [True] * 300


def test_the_png_rule_reads_the_trns_chunk_after_a_palette_of_any_length():
    text = yara_rule(load_spec(PNG_SPEC), name="trigger").text
    # chunks[1] starts after chunks[0]'s body, whose length the file gives at 0x21
    assert "uint32be(uint32be(0x21) + 0x2d) > uint32be(0x21) \\ 3" in text


def png(chunks: list[tuple[str, bytes]], color_type: int = 3) -> bytes:
    idat = zlib.compress(b"\x00\x00\x01")
    return build(load_spec(PNG_SPEC), {
        "ihdr": {"width": 2, "height": 1, "bit_depth": 8, "color_type": color_type, "compression_method": 0,
                 "filter_method": 0, "interlace_method": 0},
        "chunks": [{"length": len(body), "type": kind, "body": body}
                   for kind, body in [*chunks, ("IDAT", idat), ("IEND", b"")]]})


def random_png(rng: random.Random) -> bytes:
    entries = rng.choice([1, 2, 16, 255, 256])
    trns = max(0, entries + rng.choice([-1, 0, 1, 2, -entries, 100]))
    chunks = [("PLTE", bytes(3 * entries)), ("tRNS", bytes(trns))]
    if rng.random() < 0.2:
        chunks.insert(0, ("gAMA", b"\x00\x00\xb1\x8f"))
    if rng.random() < 0.2:
        chunks.reverse()
    return png(chunks, color_type=rng.choice([3, 3, 3, 2, 6]))


def test_the_png_rule_matches_exactly_the_files_the_specification_says_trigger():
    rules = compiled(PNG_SPEC)
    rng = random.Random(6)
    files = [random_png(rng) for _ in range(300)]
    verdicts = [(triggers(PNG_SPEC, f), matches(rules, f)) for f in files]
    assert [spec for spec, _ in verdicts] == [rule for _, rule in verdicts]
    assert 30 < sum(spec for spec, _ in verdicts) < 270


def test_the_png_rule_is_silent_on_a_valid_palette_image_and_near_misses():
    rules = compiled(PNG_SPEC)
    valid = [png([("PLTE", bytes(3 * n)), ("tRNS", bytes(t))]) for n, t in [(4, 4), (4, 1), (256, 256), (2, 0)]]
    misses = near_misses(load_spec(PNG_SPEC), PNG_POC, random.Random(4))
    assert len(misses) >= 3
    assert [matches(rules, f) for f in valid + misses] == [False] * (len(valid) + len(misses))


def test_the_png_rule_is_silent_on_the_png_files_of_this_machine():
    files = machine_pngs(300)
    if len(files) < 50:
        pytest.skip("fewer than 50 PNG files under /usr/share and /usr/lib")
    rules = compiled(PNG_SPEC)
    assert [p for p in files if matches(rules, p.read_bytes())] == []


# --- what the generator writes, and what it refuses ---------------------------------------

TABLE_SPEC = """\
meta: {id: table, endian: be}
seq:
  - {id: magic, contents: "TBL0"}
  - {id: count, type: u2}
  - {id: entries, type: entry, repeat: expr, repeat-expr: count}
  - {id: tail, size-eos: true}
types:
  entry:
    seq:
      - {id: tag, type: u1}
      - {id: size, type: u2}
      - {id: pad, type: u1}
x-headstart:
  trigger:
    - {field: "entries[*].size", op: "<=", value: 0x100, why: "each entry is copied into a 256-byte slot"}
    - {field: "entries[1:3].tag", op: "!=", value: 0, why: "a zero tag ends the table early"}
    - {field: "entries[-1].size", op: ">", value: "count * 2"}
  free:
    - {field: "entries[*].pad"}
"""


def random_table(rng: random.Random) -> bytes:
    count = rng.randrange(0, 5)
    entries = [{"tag": rng.choice([0, 1, 7]), "size": rng.choice([0, 3, 8, 0x100, 0x101, rng.randrange(1 << 16)]),
                "pad": 0} for _ in range(count)]
    return build(load_spec(TABLE_SPEC), {"count": count, "entries": entries, "tail": bytes(rng.randrange(3))})


def test_conditions_on_every_element_of_a_fixed_size_table_become_a_for_loop_that_agrees_with_the_spec():
    text = yara_rule(load_spec(TABLE_SPEC), name="trigger").text
    assert "for all i0 in (0..uint16be(4) - 1)" in text
    rules = yara_x.compile(text)
    rng = random.Random(8)
    files = [random_table(rng) for _ in range(400)]
    verdicts = [(triggers(TABLE_SPEC, f), matches(rules, f)) for f in files]
    assert [spec for spec, _ in verdicts] == [rule for _, rule in verdicts]
    assert 10 < sum(spec for spec, _ in verdicts) < 390


def test_a_64_bit_field_in_a_condition_is_refused_by_name():
    spec = load_spec("meta: {id: big, endian: le}\nseq:\n  - {id: n, type: u8}\n  - {id: rest, size-eos: true}\n"
                     "x-headstart:\n  trigger:\n    - {field: n, op: '>', value: 5}\n")
    with pytest.raises(RuleError, match="line 7: n > 5: n: YARA reads integers of at most 4 bytes, not u8"):
        yara_rule(spec, name="big")


def test_a_condition_on_every_element_of_varying_size_is_refused():
    text = TIM_SPEC.replace("field: chunks[0].length", "field: chunks[*].length")
    with pytest.raises(RuleError, match=r"chunks\[\*\]: a condition on every element needs elements of one fixed"):
        yara_rule(load_spec(text), name="tim")


def test_a_specification_without_a_trigger_has_no_rule():
    spec = load_spec("meta: {id: plain, endian: le}\nseq:\n  - {id: n, type: u4}\n")
    with pytest.raises(RuleError, match="no trigger conditions"):
        yara_rule(spec, name="plain")


def test_the_rule_carries_the_reasons_and_compiles_with_its_meta():
    text = yara_rule(load_spec(TIM_SPEC), name="HS_1", meta={"advisory": 'HS "1"'}).text
    assert "// width > 0x3fff: (uint16_t)(width * 4) wraps" in text
    assert 'advisory = "HS \\"1\\""' in text
    assert 'description = "TIM (Tiled Image Micro-format) - heap overflow in tim_decode_rows()"' in text
    yara_x.compile(text)


def test_the_rule_shown_in_the_trigger_spec_document_is_the_one_the_generator_writes():
    text = yara_rule(load_spec(TIM_SPEC), name="HS_2026_0001_poc_tim", meta={
        "advisory": "HS-2026-0001", "poc": "poc.tim", "trigger_specification": "tim.ksy.yaml",
        "cve": "CVE-2026-99001"}).text
    doc = (Path(__file__).parents[2] / "docs" / "trigger-spec.md").read_text()
    assert text.split("\n", 2)[2].strip() in doc  # the rule, without its two comment lines


SUBSTREAM_SPEC = """\
meta: {id: sub, endian: le}
seq:
  - {id: magic, contents: "SUB0"}
  - {id: header_size, type: u1}
  - {id: header, type: header, size: header_size}
  - {id: rest, size-eos: true}
types:
  header:
    seq:
      - {id: a, type: u2}
      - {id: b, type: u2}
x-headstart:
  trigger:
    - {field: header.b, op: ">", value: 5}
"""


def test_a_field_past_the_end_of_its_sized_structure_does_not_match_as_the_parse_fails_there():
    rules = compiled(SUBSTREAM_SPEC)
    spec = load_spec(SUBSTREAM_SPEC)
    verdicts = []
    for size in range(7):
        data = b"SUB0" + bytes([size]) + b"\x01\x00\x09\x00" + b"\x00" * 4
        try:
            meets = all(r.holds for r in evaluate(spec, parse(spec, data)))
        except ValueError:  # the header's fields run past its size: a parse error
            meets = False
        verdicts.append((meets, matches(rules, data)))
    assert [m for m, _ in verdicts] == [r for _, r in verdicts]
    assert [m for m, _ in verdicts] == [False, False, False, False, True, True, True]


def test_a_field_after_too_many_structures_of_varying_size_is_refused_before_its_text_grows():
    deep = TIM_SPEC.replace("field: chunks[0].length", "field: chunks[14].length")
    with pytest.raises(RuleError, match=r"line \d+: chunks\[14\].length >= height \* 2: .* more than 50000 char"):
        yara_rule(load_spec(deep), name="deep")
    deeper = TIM_SPEC.replace("field: chunks[0].length", "field: chunks[17].length")
    with pytest.raises(RuleError, match=r"chunks\[17\]: more than 16 elements of varying size before it"):
        yara_rule(load_spec(deeper), name="deep")


def test_the_procedures_example_values_are_matched_and_missed_as_the_specification_says():
    from headstart.triggers import patch
    from headstart.triggers.examples import examples_for

    spec, rules = load_spec(TIM_SPEC), compiled(TIM_SPEC)
    tried = {True: 0, False: 0}
    for cond in spec.trigger:
        decl = spec.root.get(str(cond.path))
        examples = examples_for(spec, cond, decl)
        for meets, listed in ((True, examples.meets), (False, examples.fails)):
            for example in listed[:40]:
                data = patch(spec, TIM_POC, {str(cond.path): int(example.value, 0)})
                assert matches(rules, data) == triggers(TIM_SPEC, data), (str(cond.path), example.value)
                assert meets or not matches(rules, data)  # a value that fails its condition never matches
                tried[triggers(TIM_SPEC, data)] += 1
    assert tried[True] >= 40 and tried[False] >= 40


CONTAINER_SPEC = """\
meta: {id: box, endian: le}
seq:
  - {id: magic, contents: "BOX1"}
  - {id: box_size, type: u2}
  - {id: box, type: container, size: box_size}
  - {id: rest, size-eos: true}
types:
  container:
    seq:
      - {id: items, type: item, repeat: eos}
  item:
    seq:
      - {id: len, type: u1}
      - {id: data, size: len}
x-headstart:
  trigger:
    - {field: "box.items[1].len", op: ">", value: 3}
"""


def random_box(rng: random.Random) -> bytes:
    items = [{"len": n, "data": bytes(n)} for n in (rng.randrange(6) for _ in range(rng.randrange(4)))]
    body = b"".join(bytes([i["len"]]) + i["data"] for i in items)
    return b"BOX1" + len(body).to_bytes(2, "little") + body + bytes(rng.randrange(3))


def test_an_element_after_one_of_varying_size_inside_a_sized_structure_agrees_with_the_spec():
    text = yara_rule(load_spec(CONTAINER_SPEC), name="box").text
    assert "__probe__" not in text
    rules = yara_x.compile(text)
    rng = random.Random(9)
    files = [random_box(rng) for _ in range(300)]
    verdicts = [(bool(triggers(CONTAINER_SPEC, f)), matches(rules, f)) for f in files]
    assert [spec for spec, _ in verdicts] == [rule for _, rule in verdicts]
    assert 20 < sum(spec for spec, _ in verdicts) < 280
