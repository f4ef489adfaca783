"""A small, safe expression language for sizes, counts and trigger values.

Nothing is ever passed to ``eval``: text is tokenised and parsed (Pratt style) into a
tree of the node classes below, then walked. The grammar, from loosest to tightest:

    cond ? a : b      or      and      not x      == != < <= > >=
    |      ^      &      << >>      + -      * / %      unary - ~      x.name  x[i]  (..)

Literals: integers (``42``, ``0x7fff``, ``0b1010``, ``0o17``, ``1_000``), strings in
single or double quotes, ``true``/``false`` and lists ``[1, 2]``. Names are fields of
the current structure; ``_root``, ``_parent``, ``_io`` (``.size``, ``.pos``, ``.eof``),
``_`` (the last element, in ``repeat-until``) and ``_index`` are special. Division is
integer division rounding down, as in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import TriggerError

MAX_EXPR_CHARS = 2000
MAX_DEPTH = 100
MAX_SHIFT = 4096


class ExprSyntaxError(TriggerError):
    """An expression that does not parse; ``column`` is 0-based within the expression."""

    def __init__(self, message: str, source: str, column: int) -> None:
        self.problem = message
        self.source = source
        self.column = column
        super().__init__(f"{message} in expression {source!r} at column {column + 1}")


class ExprError(TriggerError):
    """An expression that parses but cannot be evaluated on this data."""


# --- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: int
    hexy: bool = False


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class ListLit:
    items: tuple


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Attr:
    obj: Any
    name: str


@dataclass(frozen=True)
class Index:
    obj: Any
    index: Any


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True)
class Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Ternary:
    test: Any
    then: Any
    other: Any


Node = Num | Text | Bool | ListLit | Name | Attr | Index | Unary | Binary | Ternary


@dataclass(frozen=True)
class Expr:
    """A parsed expression with the text it came from."""

    source: str
    node: Node

    @property
    def is_constant(self) -> bool:
        return not any(isinstance(n, Name) for n in walk(self.node))

    @property
    def hexy(self) -> bool:
        """Whether the author wrote a hex literal (explanations then show hex)."""
        return any(isinstance(n, Num) and n.hexy for n in walk(self.node))

    def __str__(self) -> str:
        return self.source


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, ListLit):
            stack.extend(n.items)
        elif isinstance(n, Attr):
            stack.append(n.obj)
        elif isinstance(n, Index):
            stack.extend((n.obj, n.index))
        elif isinstance(n, Unary):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            stack.extend((n.left, n.right))
        elif isinstance(n, Ternary):
            stack.extend((n.test, n.then, n.other))


# --- tokens ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op><<|>>|<=|>=|==|!=|[-+*/%&|^~<>()\[\].,?:])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "true", "false"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, name, str, op, kw, end
    text: str
    pos: int


def _unescape(body: str, source: str, pos: int) -> str:
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2 : i + 4]):
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        else:
            raise ExprSyntaxError(f"unknown escape \\{nxt}", source, pos + i)
    return "".join(out)


def _tokenize(source: str) -> list[_Tok]:
    toks, pos = [], 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise ExprSyntaxError(f"unexpected character {source[pos]!r}", source, pos)
        kind = m.lastgroup
        assert kind is not None  # every alternative of the pattern is a named group
        text = m.group()
        if kind == "name" and text in _KEYWORDS:
            kind = "kw"
        if kind != "ws":
            toks.append(_Tok(kind, text, pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(source)))
    return toks


# --- parsing --------------------------------------------------------------------------

_BINARY = {  # operator: (left binding power, right binding power)
    "or": (20, 21), "and": (30, 31),
    "==": (50, 51), "!=": (50, 51), "<": (50, 51), "<=": (50, 51), ">": (50, 51), ">=": (50, 51),
    "|": (60, 61), "^": (70, 71), "&": (80, 81), "<<": (90, 91), ">>": (90, 91),
    "+": (100, 101), "-": (100, 101), "*": (110, 111), "/": (110, 111), "%": (110, 111),
}
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_TERNARY_BP = 10
_NOT_BP = 40
_UNARY_BP = 120
_POSTFIX_BP = 130


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.toks = _tokenize(source)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: _Tok | None = None) -> ExprSyntaxError:
        tok = tok or self.peek()
        return ExprSyntaxError(message, self.source, tok.pos)

    def expect(self, text: str) -> _Tok:
        tok = self.peek()
        if tok.text != text or tok.kind not in ("op", "kw"):
            found = "the end" if tok.kind == "end" else repr(tok.text)
            raise self.fail(f"expected {text!r}, found {found}")
        return self.take()

    def expression(self, min_bp: int = 0) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("expression nested too deeply")
        left = self.prefix()
        while True:
            tok = self.peek()
            op = tok.text if tok.kind in ("op", "kw") else None
            if op in (".", "[") and min_bp <= _POSTFIX_BP:
                left = self.postfix(left)
                continue
            if op == "?" and min_bp <= _TERNARY_BP:
                self.take()
                then = self.expression(0)
                self.expect(":")
                other = self.expression(_TERNARY_BP)
                left = Ternary(left, then, other)
                continue
            if op in _BINARY:
                lbp, rbp = _BINARY[op]
                if lbp < min_bp:
                    break
                self.take()
                right = self.expression(rbp)
                left = Binary(op, left, right)
                if op in _COMPARISONS and self.peek().text in _COMPARISONS:
                    raise self.fail("comparisons do not chain: use 'and'")
                continue
            break
        self.depth -= 1
        return left

    def postfix(self, left: Node) -> Node:
        tok = self.take()
        if tok.text == ".":
            name = self.take()
            if name.kind != "name":
                raise self.fail("expected a name after '.'", name)
            return Attr(left, name.text)
        index = self.expression(0)
        self.expect("]")
        return Index(left, index)

    def prefix(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            digits = tok.text.replace("_", "")
            try:
                value = int(digits, 0)
            except ValueError:
                raise self.fail(f"malformed number {tok.text!r}", tok) from None
            return Num(value, hexy=digits[:2].lower() == "0x")
        if tok.kind == "str":
            return Text(_unescape(tok.text[1:-1], self.source, tok.pos + 1))
        if tok.kind == "name":
            return Name(tok.text)
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return Bool(tok.text == "true")
        if tok.kind == "kw" and tok.text == "not":
            return Unary("not", self.expression(_NOT_BP))
        if tok.kind == "op" and tok.text in ("-", "~", "+"):
            return Unary(tok.text, self.expression(_UNARY_BP))
        if tok.kind == "op" and tok.text == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if tok.kind == "op" and tok.text == "[":
            items = []
            if self.peek().text != "]":
                items.append(self.expression(0))
                while self.peek().text == ",":
                    self.take()
                    items.append(self.expression(0))
            self.expect("]")
            return ListLit(tuple(items))
        found = "the end of the expression" if tok.kind == "end" else repr(tok.text)
        raise self.fail(f"unexpected {found}", tok)


def parse_expr(source: str | int | bool) -> Expr:
    """Parse an expression (a YAML integer is accepted as a literal)."""
    if isinstance(source, bool):
        return Expr(str(source).lower(), Bool(source))
    if isinstance(source, int):
        return Expr(str(source), Num(source))
    if not isinstance(source, str):
        raise ExprSyntaxError(f"an expression must be text or an integer, not {type(source).__name__}", str(source), 0)
    if len(source) > MAX_EXPR_CHARS:
        raise ExprSyntaxError(f"expression longer than {MAX_EXPR_CHARS} characters", source[:40] + "...", 0)
    if not source.strip():
        raise ExprSyntaxError("empty expression", source, 0)
    parser = _Parser(source)
    node = parser.expression(0)
    if parser.peek().kind != "end":
        raise parser.fail(f"unexpected {parser.peek().text!r}")
    return Expr(source.strip(), node)


# --- evaluation -----------------------------------------------------------------------


class Scope:
    """What names mean during evaluation: ``lookup`` returns a value or raises ExprError."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup


def _num(value: Any, what: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    raise ExprError(f"{what} needs an integer, got {describe(value)}")


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, (int, bool)) and isinstance(b, (int, bool)):
        return int(a), int(b)
    if isinstance(a, (bytes, bytearray)) and isinstance(b, str):
        return bytes(a), b.encode("latin-1", "replace")
    if isinstance(a, str) and isinstance(b, (bytes, bytearray)):
        return a.encode("latin-1", "replace"), bytes(b)
    if isinstance(a, (bytes, bytearray)) and isinstance(b, list):
        return bytes(a), bytes(_num(x, "a byte") & 0xFF for x in b)
    if isinstance(a, list) and isinstance(b, (bytes, bytearray)):
        return bytes(_num(x, "a byte") & 0xFF for x in a), bytes(b)
    if type(a) is type(b) and isinstance(a, (bytes, str, list)):
        return a, b
    raise ExprError(f"cannot compare {describe(a)} with {describe(b)}")


def compare(op: str, a: Any, b: Any) -> bool:
    a, b = _comparable(a, b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if isinstance(a, list):
        raise ExprError(f"lists cannot be ordered with {op}")
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise ExprError(f"unknown comparison {op}")


def _arith(op: str, a: Any, b: Any) -> Any:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if op == "+" and isinstance(a, (bytes, bytearray)) and isinstance(b, (bytes, bytearray)):
        return bytes(a) + bytes(b)
    x, y = _num(a, f"'{op}'"), _num(b, f"'{op}'")
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op in ("/", "%"):
        if y == 0:
            raise ExprError("division by zero")
        return x // y if op == "/" else x % y
    if op in ("<<", ">>"):
        if y < 0 or y > MAX_SHIFT:
            raise ExprError(f"shift by {y} is out of range")
        return x << y if op == "<<" else x >> y
    if op == "&":
        return x & y
    if op == "|":
        return x | y
    if op == "^":
        return x ^ y
    raise ExprError(f"unknown operator {op}")


def attribute(value: Any, name: str) -> Any:
    """``value.name``: a structure's field, or a property of lists, bytes, strings and _io."""
    getter = getattr(value, "attribute", None)
    if getter is not None:
        return getter(name)
    if isinstance(value, list):
        if name in ("size", "length"):
            return len(value)
        if not value and name in ("first", "last", "min", "max"):
            raise ExprError(f"{name} of an empty list")
        if name == "first":
            return value[0]
        if name == "last":
            return value[-1]
        if name == "min":
            return min(_num(v, "min") for v in value)
        if name == "max":
            return max(_num(v, "max") for v in value)
    if isinstance(value, (bytes, bytearray)):
        if name in ("size", "length"):
            return len(value)
        if name in ("first", "last") and value:
            return value[0] if name == "first" else value[-1]
    if isinstance(value, str) and name in ("length", "size"):
        return len(value)
    raise ExprError(f"{describe(value)} has no attribute {name!r}")


def index(value: Any, i: Any) -> Any:
    n = _num(i, "an index")
    if isinstance(value, (list, bytes, bytearray)):
        if not -len(value) <= n < len(value):
            raise ExprError(f"index {n} is out of range (there are {len(value)})")
        return value[n]
    raise ExprError(f"{describe(value)} cannot be indexed")


def evaluate(node: Node, scope: Scope) -> Any:
    """The value of an expression tree; names resolve through ``scope``."""
    if isinstance(node, (Num, Text, Bool)):
        return node.value
    if isinstance(node, Name):
        return scope.lookup(node.name)
    if isinstance(node, ListLit):
        return [evaluate(item, scope) for item in node.items]
    if isinstance(node, Attr):
        return attribute(evaluate(node.obj, scope), node.name)
    if isinstance(node, Index):
        return index(evaluate(node.obj, scope), evaluate(node.index, scope))
    if isinstance(node, Unary):
        value = evaluate(node.operand, scope)
        if node.op == "not":
            return not truth(value)
        n = _num(value, f"unary {node.op}")
        return -n if node.op == "-" else (~n if node.op == "~" else n)
    if isinstance(node, Ternary):
        return evaluate(node.then if truth(evaluate(node.test, scope)) else node.other, scope)
    if isinstance(node, Binary):
        if node.op == "and":
            return truth(evaluate(node.left, scope)) and truth(evaluate(node.right, scope))
        if node.op == "or":
            return truth(evaluate(node.left, scope)) or truth(evaluate(node.right, scope))
        left, right = evaluate(node.left, scope), evaluate(node.right, scope)
        if node.op in _COMPARISONS:
            return compare(node.op, left, right)
        return _arith(node.op, left, right)
    raise ExprError(f"cannot evaluate {node!r}")


def truth(value: Any) -> bool:
    if isinstance(value, (bool, int)):
        return bool(value)
    raise ExprError(f"a condition needs a boolean or integer, got {describe(value)}")


def names(node: Node) -> Sequence[Node]:
    """The name-rooted chains of a tree (``a``, ``a.b``, ``a[0].b``), outermost first."""
    found: list[Node] = []

    def visit(n: Node, top: bool) -> None:
        if isinstance(n, (Attr, Index)):
            if top and _rooted(n):
                found.append(n)
            visit(n.obj, False)
            if isinstance(n, Index):
                visit(n.index, True)
        elif isinstance(n, Name):
            if top:
                found.append(n)
        elif isinstance(n, ListLit):
            for item in n.items:
                visit(item, True)
        elif isinstance(n, Unary):
            visit(n.operand, True)
        elif isinstance(n, Binary):
            visit(n.left, True)
            visit(n.right, True)
        elif isinstance(n, Ternary):
            visit(n.test, True)
            visit(n.then, True)
            visit(n.other, True)

    visit(node, True)
    return found


def _rooted(n: Node) -> bool:
    while isinstance(n, (Attr, Index)):
        n = n.obj
    return isinstance(n, Name)
