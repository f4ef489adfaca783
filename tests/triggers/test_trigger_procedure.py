"""The procedure partners receive: parse steps, checksums, conditions; never the marks."""

from __future__ import annotations

import math
import re
from pathlib import Path

import markdown
import numpy as np
import pytest
from bs4 import BeautifulSoup

import headstart.samples
from headstart.carriers.prose import ProseCarrier
from headstart.leaks.text import TEXT_TRANSFORMS
from headstart.triggers import build, evaluate, load_spec, parse, parse_expr, render_procedure
from headstart.triggers.expr import Scope
from headstart.triggers.expr import evaluate as evaluate_expr
from headstart.triggers.procedure import condition_forms, plain_procedure


def test_procedure_lists_every_field_with_offset_type_and_size(example_spec):
    text = plain_procedure(example_spec)
    assert "| 2 | `0x04` | `width` | u4le | 4 |" in text
    assert "| 5 | `0x10` | `comment` | str (ASCII) | 16 |" in text
    assert "| 6 | `0x20` | `chunks` | `chunk`, repeated to the end |" in text
    assert "| 3 | `+0x04` | `body` | bytes | `length` |" in text
    assert "| 4 | `+0x04` + length | `crc` | u4le | 4 |" in text
    assert 'must be `54 49 4d 31` ("TIM1")' in text


def test_procedure_states_checksums_and_conditions_with_their_reasons(example_spec):
    text = plain_procedure(example_spec)
    assert "`chunks[*].crc` (u4le) is the CRC-32" in text and "`kind` then `body`" in text
    assert re.search(r"1\. `width > 0x7fff` \(for example `0x[0-9a-f]{8}`, but not `0x[0-9a-f]{8}`\): "
                     r"width \* 4 overflows the 32-bit row size", text)
    # The bound is an expression: each example says which height it assumes (decimal, as written).
    assert re.search(r"2\. `chunks\[0\]\.length >= height \* 2` \(for example `\d+` with "
                     r"`height = \d+`, but not `\d+` with `height = \d+`\)", text)


@pytest.mark.parametrize("marks", [True, False])
def test_procedure_never_reveals_the_free_block(example_spec, example_text, marks):
    text = render_procedure(example_spec, marks=marks).lower()
    for word in ("free", "mark", "slot", "1500000000", "1800000000", "printable", "watermark", "x-headstart"):
        assert word not in text
    # the author's own documentation is shown as written
    assert "creation time, ignored by decoders" in text


def test_procedure_renders_as_markdown_tables(example_spec):
    html = markdown.markdown(plain_procedure(example_spec), extensions=["tables"])
    soup = BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table")
    assert len(tables) == 2
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in tables[0].find_all("tr")[1:]]
    assert [r[2] for r in rows] == ["magic", "width", "height", "created", "comment", "chunks"]
    first_condition = soup.find_all("ol")[0].find("li")
    assert first_condition.get_text().strip().startswith("width > 0x7fff (for example 0x")


def test_in_lists_and_repeats_read_naturally():
    spec = load_spec("""
meta: {id: p, endian: be}
seq:
  - {id: n, type: u1, doc: "count | of items"}
  - {id: xs, type: u2, repeat: expr, repeat-expr: n}
  - {id: tail, type: u1}
x-headstart:
  trigger:
    - {field: "xs[*]", op: in, value: [1, 2], why: both are pixel kinds}
    - {field: tail, op: not-in, value: [0]}
""")
    text = plain_procedure(spec)
    assert "big-endian" in text
    assert "u2be, repeated `n` times" in text
    assert "| 3 | `0x01` + size of xs | `tail` |" in text
    assert "count \\| of items" in text
    assert re.search(r"`xs\[\*\] is one of \[1, 2\]` \(for example `1`, but not `\d+`\) "
                     r"\(for every element the path names\): both are pixel kinds", text)
    assert "`tail is none of [0]`" in text


# --- the procedure as a marked original -------------------------------------------------
#
# Delivery hands render_procedure(spec) to the prose carrier as the original: the
# sentences the generator writes offer {{a|b}} alternatives, so a leaked procedure alone
# can name its partner.

SAMPLE_SPEC = (Path(headstart.samples.__file__).parent / "tim_overflow" / "tim.ksy.yaml").read_text()
ALTERNATIVES = re.compile(r"\{\{(.*?)\}\}")
HEX = re.compile(r"0x[0-9a-fA-F]+")
SPARSE_SPEC = """
meta: {id: sparse, title: Sparse records}
doc: A made-up format {{for|to show}} a procedure without a byte order, checksums or structures.
seq:
  - {id: flags, type: u1be}
  - {id: n, type: u2be, doc: "the {{number of entries|entry count}} | at most 64"}
  - {id: xs, type: u2le, repeat: expr, repeat-expr: n}
  - {id: extra, type: u4be, if: "flags & 1 == 1"}
  - {id: tail, size-eos: true}
x-headstart:
  trigger:
    - {field: "xs[*]", op: "<", value: 300, why: the table index stays inside the lookup table}
    - {field: flags, op: not-in, value: [0, 2]}
    - {field: n, op: "==", value: 0x10, why: sixteen entries select the fast path}
"""


def words(text: str) -> int:
    return sum(1 for tok in text.split() if any(ch.isalnum() for ch in tok))


def bits(carrier: ProseCarrier) -> float:
    return float(sum(math.log2(s.q) for s in carrier.slots))


@pytest.fixture(scope="module", params=[SAMPLE_SPEC, SPARSE_SPEC], ids=["sample", "sparse"])
def procedure(request, procedure_of):
    return procedure_of(request.param)


@pytest.fixture(scope="module")
def sample_spec():
    return load_spec(SAMPLE_SPEC)


@pytest.fixture(scope="module")
def sample_carrier(procedure_of) -> ProseCarrier:
    return procedure_of(SAMPLE_SPEC).carrier


def codewords(carrier: ProseCarrier, random: int) -> list[list[int]]:
    """Every first, every second, ... alternative, then random codewords."""
    qs = [s.q for s in carrier.slots]
    rng = np.random.default_rng(7)
    return [[min(j, q - 1) for q in qs] for j in range(max(qs))] + [
        [int(rng.integers(q)) for q in qs] for _ in range(random)]


NUMBER = re.compile(r"\b(?:0x[0-9a-fA-F]+|[0-9]+)\b")
FEW = 8  # the most alternatives a slot of words offers; example values offer up to 256


def battery_codewords(carrier: ProseCarrier, random: int) -> list[list[int]]:
    """Copies that take every alternative of every slot through the text battery. A slot of
    example values is the exception: its up to 256 numbers share one phrase and differ in
    their digits only, which every transformation treats alike, so one number of each length
    (line filling depends on lengths) stands for the rest. Then random codewords, with random
    example values. (Every example value is read back from its own copy above.)"""
    picks = []
    for slot in carrier.slots:
        if slot.q <= FEW:
            picks.append(list(range(slot.q)))
            continue
        assert len({NUMBER.sub("N", a) for a in slot.alternatives}) == 1, slot.where
        by_length = {len(a): i for i, a in reversed(list(enumerate(slot.alternatives)))}
        picks.append(sorted(by_length.values()))
    rng = np.random.default_rng(7)
    return [[p[min(j, len(p) - 1)] for p in picks] for j in range(max(map(len, picks)))] + [
        [int(rng.integers(s.q)) for s in carrier.slots] for _ in range(random)]


def test_sample_procedure_alone_carries_at_least_50_bits_at_over_012_bits_per_word(sample_carrier):
    copy = sample_carrier.render_text([0] * len(sample_carrier.slots))
    assert bits(sample_carrier) >= 50
    assert bits(sample_carrier) / words(copy) >= 0.12


def test_every_generated_line_offers_alternatives_and_the_carrier_keeps_every_one(procedure):
    spec, marked = procedure.spec, procedure.marked
    authors = {line.strip() for doc in [spec.doc] + [t.doc for t in spec.types.values()] for line in doc.splitlines()}
    # Table rows are left out: each column writes its numbers in one notation, without alternatives.
    generated = [line for line in marked.splitlines()
                 if line.strip() and line.strip() not in authors and not line.startswith("|")]
    assert generated and all("{{" in line for line in generated), [ln for ln in generated if "{{" not in ln]
    kept = [s for s in procedure.carrier.slots if ": author " in s.where]
    assert len(kept) == marked.count("{{")


def test_plain_rendering_has_no_braces_and_is_the_copy_of_every_first_alternative(procedure):
    plain = plain_procedure(procedure.spec)
    assert "{{" not in plain and "}}" not in plain
    assert plain == procedure.carrier.render_text([0] * len(procedure.carrier.slots))


def test_copies_for_two_codewords_differ_and_every_slot_shows(sample_carrier):
    base = [0] * len(sample_carrier.slots)
    first = sample_carrier.render_text(base)
    one, two = codewords(sample_carrier, random=2)[-2:]
    assert sample_carrier.render_text(one) != sample_carrier.render_text(two)
    for i, slot in enumerate(sample_carrier.slots):
        changed = base.copy()
        changed[i] = slot.q - 1
        assert sample_carrier.render_text(changed) != first, slot.where


def test_every_alternative_of_every_slot_reads_back_from_its_copy(procedure):
    carrier = procedure.carrier
    for codeword in codewords(carrier, random=0):
        assert np.array_equal(carrier.read(carrier.render_text(codeword)).symbols, codeword)


def test_copies_read_back_exactly_through_every_transformation_of_the_text_battery(procedure):
    carrier = procedure.carrier
    for codeword in battery_codewords(carrier, random=3):
        copy = carrier.render_text(codeword)
        for name, transform in TEXT_TRANSFORMS.items():
            reading = carrier.read(transform(copy, seed=1))
            read = reading.symbols != -1
            assert not (read & (reading.symbols != np.asarray(codeword))).any(), name  # erase, never misread
            if not name.startswith("excerpt"):
                assert read.all(), (name, [s.where for s, r in zip(carrier.slots, read, strict=True) if not r])
            else:
                assert read.any(), name


def test_every_alternative_of_a_size_in_hex_denotes_the_same_number(sample_spec):
    sizes = [alts.split("|") for alts in ALTERNATIVES.findall(render_procedure(sample_spec))
             if all(HEX.fullmatch(a) for a in alts.split("|"))]
    assert len(sizes) == 1  # the size of a chunk; table offsets offer no alternatives (one notation a column)
    for alts in sizes:
        assert len({int(a, 16) for a in alts}) == 1, alts


def notation(cell: str) -> set[tuple[str, int]]:
    """How the numbers of a cell are written: ("hex", digits) or ("hex-upper", digits), or ("dec", 0)."""
    found = set()
    for number in NUMBER.findall(cell):
        if number.startswith("0x"):
            digits = number[2:]
            found.add(("hex-upper" if digits != digits.lower() else "hex", len(digits)))
        else:
            found.add(("dec", 0))
    return found


def test_every_partners_procedure_writes_each_table_column_in_one_notation(sample_carrier):
    """Every alternative of every slot, and random codewords as partners get: in each rendered
    table, a column writes all its numbers in one base and one width."""
    for codeword in codewords(sample_carrier, random=40):
        soup = BeautifulSoup(markdown.markdown(sample_carrier.render_text(codeword), extensions=["tables"]),
                             "html.parser")
        tables = soup.find_all("table")
        assert len(tables) == 2
        for table in tables:
            rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
            for column in (1, 4):  # offset, size: the columns with numbers the generator writes
                notations = set().union(*(notation(row[column].split(" + ")[0]) for row in rows))
                assert len(notations) == 1, (column, notations)


@pytest.mark.parametrize("width", [0x3FFE, 0x3FFF, 0x4000, 0x4001])
@pytest.mark.parametrize("height", [0, 1, 2, 0x400, 0x401])
def test_every_written_form_of_a_condition_holds_exactly_when_the_condition_does(sample_spec, width, height):
    for body in (2 * height - 1, 2 * height):
        data = build(sample_spec, {"width": width, "height": height, "created": 1_700_000_000,
                                   "comment": "x" * 16, "chunks": [{"kind": 1, "body": b"\x00" * max(body, 0)}]})
        parsed = parse(sample_spec, data)
        truth = {str(r.condition.path) + r.condition.op + r.condition.value_text: r.holds
                 for r in evaluate(sample_spec, parsed)}
        scope = Scope(parsed.root.attribute)
        for cond in sample_spec.trigger:
            forms = condition_forms(sample_spec, cond)
            expected = truth[str(cond.path) + cond.op + cond.value_text]
            if cond.op in ("in", "not-in"):
                assert len({f[f.rindex(" ["):] for f in forms}) == 1, forms  # only the verb changes
                continue
            assert len(forms) >= 2, cond
            for form in forms:
                assert evaluate_expr(parse_expr(form).node, scope) == expected, (form, width, height, body)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
@pytest.mark.parametrize("value", ["0", "1", "9", "10", "0x0", "0xff", "0x3FFF", "65535"])
def test_every_written_form_of_an_integer_bound_selects_the_same_integers(op, value):
    spec = load_spec(f"""
meta: {{id: one}}
seq:
  - {{id: v, type: u2le}}
x-headstart:
  trigger:
    - {{field: v, op: "{op}", value: {value}}}
""")
    forms = condition_forms(spec, spec.trigger[0])
    assert len(set(forms)) == len(forms) and forms[0] == f"v {op} {value}"
    n = int(value, 0)
    for x in range(max(0, n - 3), n + 4):
        scope = Scope(lambda name, x=x: x)
        assert len({evaluate_expr(parse_expr(form).node, scope) for form in forms}) == 1, (forms, x)
