"""The expression language: literals, every operator, precedence, names, and safety."""

from __future__ import annotations

import pytest

from headstart.triggers.expr import ExprError, ExprSyntaxError, Scope, evaluate, parse_expr


def value(text: str, **names):
    def lookup(name):
        if name in names:
            return names[name]
        raise ExprError(f"no field {name!r}")

    return evaluate(parse_expr(text).node, Scope(lookup))


@pytest.mark.parametrize("text,expected", [
    ("42", 42), ("0x7fff", 0x7FFF), ("0XFF", 255), ("0b1010", 10), ("0o17", 15), ("1_000_000", 1_000_000),
    ("'TIM1'", "TIM1"), ('"a\\x41\\n"', "aA\n"), ("true", True), ("false", False), ("[1, 0x2, 3]", [1, 2, 3]),
])
def test_literals(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("7 + 5", 12), ("7 - 5", 2), ("7 * 5", 35), ("7 / 2", 3), ("-7 / 2", -4), ("7 % 5", 2),
    ("1 << 4", 16), ("256 >> 4", 16), ("0xf0 & 0x3c", 0x30), ("0xf0 | 0x0f", 0xFF), ("0xff ^ 0x0f", 0xF0),
    ("-5", -5), ("~0", -1), ("+3", 3),
    ("3 == 3", True), ("3 != 3", False), ("2 < 3", True), ("3 <= 3", True), ("4 > 3", True), ("3 >= 4", False),
    ("1 and 0", False), ("0 or 2", True), ("not 0", True), ("1 < 2 ? 10 : 20", 10), ("0 ? 1 : 0 ? 2 : 3", 3),
])
def test_every_operator(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("1 + 2 << 1", 6), ("1 | 2 & 3", 3), ("1 + 1 == 2", True),
    ("not 1 == 2", True), ("2 * 3 > 5 and 1 < 2", True), ("height * 2", 64), ("-height + 1", -31),
])
def test_precedence(text, expected):
    assert value(text, height=32) == expected


def test_names_attributes_and_indices():
    assert value("n.size", n=[1, 2, 3]) == 3
    assert value("n[1] + n.last + n.first", n=[5, 6, 7]) == 18
    assert value("n[-1]", n=[5, 6, 7]) == 7
    assert value("b.length", b=b"abcd") == 4
    assert value("b[0]", b=b"\x09") == 9
    assert value("b == 'TIM1'", b=b"TIM1") is True
    assert value("b == [0x54, 0x49]", b=b"TI") is True
    assert value("s.length", s="hello") == 5
    assert value("n.max - n.min", n=[3, 9, 4]) == 6


@pytest.mark.parametrize("text,problem", [
    ("1 / 0", "division by zero"), ("1 % 0", "division by zero"), ("1 << 99999", "out of range"),
    ("missing + 1", "no field"), ("n[7]", "out of range"), ("1 < 'a'", "cannot compare"), ("'a' * 2", "integer"),
])
def test_evaluation_errors(text, problem):
    with pytest.raises(ExprError, match=problem):
        value(text, n=[1])


@pytest.mark.parametrize("text", [
    "", "1 +", "(1 + 2", "1 2", "a..b", "a[1", "1 < 2 < 3", "'open", "$x", "a.1", "lambda: 0", "1 ? 2",
])
def test_syntax_errors(text):
    with pytest.raises(ExprSyntaxError):
        parse_expr(text)


def test_nothing_is_executed():
    # looks like Python, but __import__ is just an unknown name and calls are not syntax
    with pytest.raises(ExprSyntaxError):
        parse_expr("__import__('os').system('true')")
    with pytest.raises(ExprError, match="no field"):
        value("__import__")


def test_deep_nesting_is_refused_cleanly():
    with pytest.raises(ExprSyntaxError, match="deeply"):
        parse_expr("(" * 500 + "1" + ")" * 500)


def test_hex_literals_are_remembered_for_explanations():
    assert parse_expr("0x3fff").hexy and not parse_expr("16383").hexy
    assert parse_expr("height * 2").is_constant is False
    assert parse_expr("1 << 4").is_constant is True
