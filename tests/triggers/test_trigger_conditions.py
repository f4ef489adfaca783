"""Trigger conditions: every operator, explanations, lists, wildcards, and check()."""

from __future__ import annotations

import pytest

from headstart.triggers import TriggerNotMetError, check, evaluate, load_spec, parse, patch

SPEC = """\
meta: {id: ops, endian: le}
seq:
  - {id: v, type: u2}
  - {id: n, type: u1}
  - {id: items, type: item, repeat: expr, repeat-expr: n}
  - {id: tag, type: str, size: 2, encoding: ASCII}
types:
  item:
    seq:
      - {id: k, type: u1}
x-headstart:
  trigger:
    - {field: v, op: "OP", value: VALUE}
"""


def evaluate_one(op: str, value: str, v: int):
    spec = load_spec(SPEC.replace("OP", op).replace("VALUE", value))
    data = v.to_bytes(2, "little") + b"\x02\x05\x06OK"
    [result] = evaluate(spec, parse(spec, data))
    return result


@pytest.mark.parametrize("op,value,v,holds", [
    ("==", "10", 10, True), ("==", "10", 11, False),
    ("!=", "10", 11, True), ("!=", "10", 10, False),
    ("<", "10", 9, True), ("<", "10", 10, False),
    ("<=", "10", 10, True), ("<=", "10", 11, False),
    (">", "10", 11, True), (">", "10", 10, False),
    (">=", "10", 10, True), (">=", "10", 9, False),
    ("in", "[1, 2, 3]", 2, True), ("in", "[1, 2, 3]", 4, False),
    ("not-in", "[1, 2, 3]", 4, True), ("not-in", "[1, 2, 3]", 3, False),
])
def test_every_operator_holds_or_fails(op, value, v, holds):
    result = evaluate_one(op, value, v)
    assert result.holds is holds
    assert result.explanation == f"v = {v} {op} {value}: {'holds' if holds else 'fails'}"


def test_hex_written_values_are_explained_in_hex():
    result = evaluate_one(">", "0x3fff", 0x4000)
    assert result.explanation == "v = 0x4000 > 0x3fff: holds"


def test_expression_values_show_what_they_evaluate_to():
    result = evaluate_one(">=", '"n * 100 + items[1].k"', 206)
    assert result.explanation == "v = 206 >= n * 100 + items[1].k = 206: holds"


def test_list_values_may_be_expressions():
    result = evaluate_one("in", '[1, "n + 1"]', 3)
    assert result.holds and result.explanation == "v = 3 in [1, n + 1 = 3]: holds"


def test_wildcard_conditions_are_checked_on_every_element():
    spec = load_spec(SPEC.replace('{field: v, op: "OP", value: VALUE}',
                                  '{field: "items[*].k", op: ">", value: 5, why: every item}'))
    results = evaluate(spec, parse(spec, b"\x00\x00\x02\x05\x06OK"))
    assert [(r.path, r.holds) for r in results] == [("items[0].k", False), ("items[1].k", True)]


def test_a_missing_element_fails_with_a_reason():
    spec = load_spec(SPEC.replace('{field: v, op: "OP", value: VALUE}',
                                  '{field: "items[5].k", op: ">", value: 5}'))
    [result] = evaluate(spec, parse(spec, b"\x00\x00\x02\x05\x06OK"))
    assert not result.holds and "no such field" in result.explanation


def test_string_fields_compare_with_string_literals():
    spec = load_spec(SPEC.replace('{field: v, op: "OP", value: VALUE}', "{field: tag, op: '==', value: \"'OK'\"}"))
    [result] = evaluate(spec, parse(spec, b"\x00\x00\x00OK"))
    assert result.holds and result.explanation == "tag = 'OK' == 'OK': holds"


def test_check_names_every_failing_condition(example_spec, make_example):
    data = make_example(width=0x7000, height=30)
    with pytest.raises(TriggerNotMetError) as err:
        check(example_spec, data)
    text = str(err.value)
    assert "width = 0x7000 > 0x7fff: fails" in text
    assert "chunks[0].length = 40 >= height * 2 = 60: fails" in text
    assert len(err.value.failures) == 2


def test_check_names_a_bad_checksum(example_spec, example_data):
    broken = bytearray(example_data)
    broken[40] ^= 0xFF  # a byte of chunks[0].body
    with pytest.raises(TriggerNotMetError) as err:
        check(example_spec, bytes(broken))
    [failure] = err.value.failures
    assert failure.path == "chunks[0].crc"
    assert "crc32 of kind + body" in failure.explanation and "wrong" in failure.explanation
    fixed = patch(example_spec, bytes(broken), {})
    check(example_spec, fixed)


def test_check_passes_a_file_that_triggers(example_spec, example_data):
    parsed = check(example_spec, example_data)
    assert parsed["width"].value == 0x8000
