"""Example values in the procedure: right on each side of their condition, and marks."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import headstart.samples
from headstart.leaks.text import paragraphs
from headstart.triggers import load_spec, render_procedure
from headstart.triggers.examples import MAX_EXAMPLES, examples_for
from headstart.triggers.expr import Scope
from headstart.triggers.expr import evaluate as evaluate_expr
from headstart.triggers.procedure import _field_of, plain_procedure

SAMPLE_SPEC = (Path(headstart.samples.__file__).parent / "tim_overflow" / "tim.ksy.yaml").read_text()
MIXED_SPEC = """
meta: {id: mixed, endian: be}
seq:
  - {id: version, type: u1}
  - {id: count, type: u2}
  - {id: delta, type: s2}
  - {id: name, type: str, size: 4, encoding: ASCII}
  - {id: items, type: u4, repeat: expr, repeat-expr: count}
x-headstart:
  trigger:
    - {field: version, op: in, value: [3, 4, 7]}
    - {field: version, op: "!=", value: 4}
    - {field: count, op: "<", value: 0x20}
    - {field: delta, op: "<", value: -100}
    - {field: name, op: "==", value: '"ABCD"'}
    - {field: "items[*]", op: ">", value: "count * 3 + version"}
    - {field: count, op: "==", value: 9}
"""


def _number(text: str) -> int:
    return int(text.strip("`"), 0)


def _holds(cond, value: int, given: dict[str, int]) -> bool:
    """The condition on ``value``, its bound evaluated by the real expression evaluator."""
    bounds = [evaluate_expr(v.expr.node, Scope(lambda name: given[name])) for v in cond.values]
    return {
        "<": lambda: value < bounds[0], "<=": lambda: value <= bounds[0], ">": lambda: value > bounds[0],
        ">=": lambda: value >= bounds[0], "==": lambda: value == bounds[0], "!=": lambda: value != bounds[0],
        "in": lambda: value in bounds, "not-in": lambda: value not in bounds,
    }[cond.op]()


@pytest.mark.parametrize("spec_text", [SAMPLE_SPEC, MIXED_SPEC], ids=["sample", "mixed"])
def test_every_example_meets_or_fails_its_condition_as_it_says(spec_text):
    spec = load_spec(spec_text)
    checked = 0
    for cond in spec.trigger:
        decl = _field_of(spec, cond)
        found = examples_for(spec, cond, decl)
        same_field = [c for c in spec.trigger if str(c.path) == str(cond.path) and c.values and not any(
            n for v in c.values for n in re.findall(r"[a-z_]\w*", v.source))]
        for meets, examples in ((True, found.meets), (False, found.fails)):
            assert len(examples) <= MAX_EXAMPLES
            assert len({(e.value, e.given) for e in examples}) == len(examples)
            for e in examples:
                given = {name: _number(v) for name, v in e.given}
                value = _number(e.value)
                lo, hi = decl.int_range
                assert lo <= value <= hi and all(
                    spec.root.get(n).int_range[0] <= v <= spec.root.get(n).int_range[1] for n, v in given.items())
                assert _holds(cond, value, given) is meets, (str(cond.path), cond.op, e)
                if meets:  # and every other literal bound on the same field
                    assert all(_holds(c, value, given) for c in same_field), (str(cond.path), e)
                checked += 1
    assert checked > 500


def test_examples_exist_only_where_there_is_a_choice():
    spec = load_spec(MIXED_SPEC)
    by_text = {f"{c.path} {c.op} {c.value_text}": examples_for(spec, c, _field_of(spec, c)) for c in spec.trigger}
    assert [e.value for e in by_text["version in [3, 4, 7]"].meets] == ["3", "7"]  # 4 is excluded by !=
    assert by_text["version != 4"].fails == []  # only 4 fails it: no choice
    assert by_text["name == \"ABCD\""].meets == [] and by_text["name == \"ABCD\""].fails == []  # a string
    assert by_text["count == 9"].meets == []  # one value only
    assert len(by_text["count == 9"].fails) == MAX_EXAMPLES
    assert by_text["count < 0x20"].meets == []  # count == 9 leaves no choice under 0x20
    assert all(_number(e.value) < -100 for e in by_text["delta < -100"].meets)
    assert all(dict(e.given).keys() == {"count", "version"} for e in by_text["items[*] > count * 3 + version"].meets)


def test_examples_are_the_same_for_the_same_specification():
    first, second = load_spec(SAMPLE_SPEC), load_spec(SAMPLE_SPEC)
    assert render_procedure(first) == render_procedure(second)
    assert plain_procedure(first) == plain_procedure(second)


def test_the_procedure_explains_its_examples_and_never_names_free_fields():
    text = plain_procedure(load_spec(SAMPLE_SPEC))
    assert "The values in brackets are examples for each condition alone" in text
    assert re.search(r"`height >= 1` \(for example `0x[0-9a-f]{8}`\):", text)  # 0 alone fails: no choice
    assert "created" not in text.split("## Step 3")[1]


def test_every_paragraph_of_the_sample_procedure_carries_at_least_10_bits(procedure_of):
    """An excerpt keeps whole paragraphs: a paragraph without marks is a leak that names nobody.
    Tables are the exception: each column writes its numbers in one notation, so a layout table
    carries only what its notes offer (the file's layout, not the trigger)."""
    carrier = procedure_of(SAMPLE_SPEC).carrier
    codeword = [0] * len(carrier.slots)
    copy = carrier.render_text(codeword)
    spans = carrier.slot_spans(codeword)
    total = sum(math.log2(s.q) for s in carrier.slots)
    assert total >= 200
    pos = 0
    for para in paragraphs(copy):
        start = copy.index(para, pos)
        end = pos = start + len(para)
        bits = sum(math.log2(carrier.slots[i].q) for i, s, _ in spans if start <= s < end)
        if not para.startswith("|"):
            assert bits >= 10, (para[:60], bits)
