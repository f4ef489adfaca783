"""YARA rules from a trigger specification: detection content that tests the trigger itself.

    rule = yara_rule(spec, name="HS_2026_0001_poc_tim", meta={"advisory": "HS-2026-0001"})
    rule.text                              # the rule's source, for yara and yara-x alike

The rule's condition is the specification's ``x-headstart.trigger`` written in YARA: the
fixed ``contents`` at the top of the file (the magic), then every trigger condition as a
comparison of integers read where the specification puts the field (``uint32(0x4) > 0x3fff``,
``uint16(0x22) >= uint32(0x8) * 2``). Offsets after a variable-length field are expressions
over the lengths that precede them; ``[*]`` and slices over elements of one fixed size
become a bounded ``for all`` loop. Nothing else in the file is tested, so the rule matches
every file that meets the trigger and never keys on the bytes partners' copies differ in:
those are free fields and the slack inside each condition, and every copy meets every
condition (the binary carrier checks each one).

What YARA cannot say raises RuleError naming the condition: 64-bit fields (YARA reads at
most 32 bits), a field placed after an optional (``if``) field or a ``repeat-until``, a
wildcard over elements of varying size, ordered comparisons of bytes, and expressions that
need a ternary. Pure: no Django, no engine (tests and the benchmark compile the text with
yara-x).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import TriggerError
from .expr import Attr, Binary, Bool, Expr, Index, ListLit, Name, Node, Num, Ternary, Text, Unary
from .paths import Path, Segment
from .spec import Condition, FieldDef, Spec, TypeDef

MAX_UNROLL = 16  # elements of varying size laid out one after another (each doubles the text)
MAX_CONDITION_CHARS = 50_000
_IDENT = re.compile(r"[^A-Za-z0-9_]+")
_ALTERNATIVES = re.compile(r"\{\{([^|{}]*)(?:\|[^{}]*)?\}\}")


class RuleError(TriggerError):
    """A trigger specification (or one of its conditions) that a YARA rule cannot express."""


@dataclass(frozen=True)
class YaraRule:
    """One generated rule: its identifier and full source text."""

    name: str
    text: str
    spec_id: str


# --- offsets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Lin:
    """An offset: a constant plus signed YARA terms (``uint16(0x22)``), kept folded."""

    const: int = 0
    terms: tuple[tuple[int, str], ...] = ()

    def plus(self, other: Lin | int) -> Lin:
        if isinstance(other, int):
            return Lin(self.const + other, self.terms)
        return Lin(self.const + other.const, _cancel(self.terms + other.terms))

    def minus(self, other: Lin) -> Lin:
        return Lin(self.const - other.const, _cancel(self.terms + tuple((-s, t) for s, t in other.terms)))

    @property
    def is_const(self) -> bool:
        return not self.terms

    def text(self) -> str:
        out = ""
        for sign, term in self.terms:
            if not out:
                out = term if sign > 0 else f"-{_atom(term)}"
            else:
                out += f" + {term}" if sign > 0 else f" - {_atom(term)}"
        if not out:
            return _hex(self.const)
        if self.const:
            out += f" + {_hex(self.const)}" if self.const > 0 else f" - {_hex(-self.const)}"
        return out


def _cancel(terms: tuple[tuple[int, str], ...]) -> tuple[tuple[int, str], ...]:
    """Terms with each +t -t pair taken out (the start of a structure, less itself)."""
    out = list(terms)
    for sign, term in terms:
        if (sign, term) in out and (-sign, term) in out:
            out.remove((sign, term))
            out.remove((-sign, term))
    return tuple(out)


def _hex(n: int) -> str:
    return str(n) if -10 < n < 10 else (f"-{-n:#x}" if n < 0 else f"{n:#x}")


def _atom(text: str) -> str:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == " ":
            return f"({text})"
    return text


def _bounded(text: str) -> str:
    """Offsets after varying-size structures repeat the lengths before them: refuse one that
    grows past what a rule may hold before it grows further (each element doubles it)."""
    if len(text) > MAX_CONDITION_CHARS:
        raise RuleError(f"a field's offset would take more than {MAX_CONDITION_CHARS} characters to write "
                        "(too many structures of varying size before it)")
    return text


def _term(text: str) -> Lin:
    _bounded(text)
    return Lin(0, ((1, text),))


def read_int(decl: FieldDef, offset: Lin) -> str:
    """The YARA function call that reads an integer field at an offset."""
    if decl.int_size > 4:
        raise RuleError(f"{decl.id}: YARA reads integers of at most 4 bytes, not {decl.type_text}")
    fn = ("int" if decl.signed else "uint") + str(8 * decl.int_size)
    if decl.int_size > 1 and decl.endian == "be":
        fn += "be"
    return _bounded(f"{fn}({offset.text()})")


def bytes_equal(offset: Lin, data: bytes) -> str:
    """Bytes at an offset, compared four at a time as big-endian integers (they read as the bytes)."""
    parts = []
    k = 0
    while k < len(data):
        n = 4 if len(data) - k >= 4 else (2 if len(data) - k >= 2 else 1)
        fn = {4: "uint32be", 2: "uint16be", 1: "uint8"}[n]
        parts.append(f"{fn}({offset.plus(k).text()}) == {int.from_bytes(data[k:k + n], 'big'):#0{2 + 2 * n}x}")
        k += n
    return " and ".join(parts) if parts else "true"


# --- values in YARA --------------------------------------------------------------------


@dataclass(frozen=True)
class _Int:
    text: str
    signed: bool = False  # may be negative: YARA's \ and % truncate where the spec rounds down


@dataclass(frozen=True)
class _Bool:
    text: str


@dataclass(frozen=True)
class _Bytes:
    offset: Lin
    size: Lin
    decl: FieldDef


@dataclass(frozen=True)
class _Literal:
    data: bytes


@dataclass(frozen=True)
class _List:
    items: tuple[object, ...]


@dataclass
class _Rep:
    """A repeated field at a position: its elements' places and how many there are."""

    inst: _Inst
    decl: FieldDef
    start: Lin

    def element_size(self) -> Lin | None:
        """The size of one element when every element has the same constant size."""
        inst = self.inst
        probe = _Inst(inst.spec, inst.typedef, inst.start, inst.end, inst.parent, [])  # its guards are dropped
        try:
            size = probe.one_size(self.decl, _term("__probe__"))
        except RuleError:
            return None
        return size if size.is_const else None

    def count(self) -> _Int:
        if self.decl.repeat == "expr":
            assert self.decl.repeat_expr is not None
            return self.inst.integer(self.decl.repeat_expr.node)
        es = self.element_size()
        if self.decl.repeat == "eos" and es is not None and es.const > 0:
            return _Int(f"({self.inst.end_text()} - ({self.start.text()})) \\ {es.const}")
        raise RuleError(f"{self.decl.id}: the number of elements of a repeat-{self.decl.repeat} of varying "
                        "size cannot be written in YARA")

    def element(self, i: int | str, guards: list[str]) -> tuple[Lin, object]:
        """Element i (a constant or a loop variable): its offset and its value, with its existence guards."""
        es = self.element_size()
        if isinstance(i, str):
            assert es is not None
            offset = self.start.plus(_term(f"{i} * {es.const}") if es.const != 1 else _term(i))
        elif i < 0:
            if es is None:
                raise RuleError(f"{self.decl.id}[{i}]: counting from the end needs elements of one fixed size")
            n = self.count()
            guards.append(f"{n.text} >= {-i}")
            offset = self.start.plus(_term(f"({n.text} - {-i}) * {es.const}"))
        else:
            if self.decl.repeat == "until" and i > 0:
                raise RuleError(f"{self.decl.id}[{i}]: elements after the first of a repeat-until cannot be "
                                "located in YARA")
            if es is not None:
                offset = self.start.plus(i * es.const)
            else:
                if i > MAX_UNROLL:
                    raise RuleError(f"{self.decl.id}[{i}]: more than {MAX_UNROLL} elements of varying size "
                                    "before it")
                offset = self.start
                for _ in range(i):
                    offset = offset.plus(self.inst.one_size(self.decl, offset))
            if self.decl.repeat == "expr":
                guards.append(f"{self.count().text} > {i}")
            elif self.decl.repeat == "eos":
                guards.append(f"{offset.text()} < {self.inst.end_text()}")
        return offset, self.inst.leaf(self.decl, offset)


class _Inst:
    """One structure at a (symbolic) offset: where its fields lie and how big they are."""

    def __init__(self, spec: Spec, typedef: TypeDef, start: Lin, end: Lin | None,
                 parent: _Inst | None, guards: list[str]) -> None:
        self.spec = spec
        self.typedef = typedef
        self.start = start
        self.end = end  # None: the end of the file
        self.parent = parent
        self.guards = guards  # where existence conditions go (the condition being written)

    def end_text(self) -> str:
        return "filesize" if self.end is None else self.end.text()

    def root(self) -> _Inst:
        return self if self.parent is None else self.parent.root()

    def locate(self, field_id: str) -> tuple[FieldDef, Lin]:
        pos = self.start
        for f in self.typedef.fields:
            if f.id == field_id:
                if f.if_expr is not None:
                    self.guards.append(self.boolean(f.if_expr.node).text)
                return f, pos
            if f.if_expr is not None:
                raise RuleError(f"{field_id}: it follows the optional field {f.id} (if: {f.if_expr.source}), "
                                "whose size YARA cannot add conditionally")
            pos = pos.plus(self.field_size(f, pos))
        raise RuleError(f"no field {field_id!r} in {self.typedef.name}")

    def field_size(self, f: FieldDef, pos: Lin) -> Lin:
        if f.repeat is None:
            return self.one_size(f, pos)
        rep = _Rep(self, f, pos)
        if f.repeat == "eos":
            return _term(self.end_text()).minus(pos)
        es = rep.element_size()
        if f.repeat == "expr" and es is not None:
            return _term(f"{_atom(rep.count().text)} * {es.const}") if es.const != 1 else _term(rep.count().text)
        assert f.repeat_expr is not None or f.repeat == "until"
        if f.repeat == "expr" and f.repeat_expr is not None and isinstance(f.repeat_expr.node, Num) \
                and f.repeat_expr.node.value <= MAX_UNROLL:
            offset = pos
            for _ in range(f.repeat_expr.node.value):
                offset = offset.plus(self.one_size(f, offset))
            return offset.minus(pos)
        raise RuleError(f"{f.id}: the size of a repeat-{f.repeat} of elements of varying size cannot be "
                        "written in YARA")

    def one_size(self, f: FieldDef, pos: Lin) -> Lin:
        if f.kind == "int":
            return Lin(f.int_size)
        if f.kind == "contents":
            assert f.contents is not None
            return Lin(len(f.contents))
        if f.size is not None:
            return self.size_value(f.size)
        if f.size_eos or f.kind != "struct":
            return _term(self.end_text()).minus(pos)
        child = _Inst(self.spec, self.spec.type_named(f.user_type or ""), pos, self.end, self, self.guards)
        total = pos
        for g in child.typedef.fields:
            if g.if_expr is not None:
                raise RuleError(f"{f.id}: its field {g.id} is optional (if: {g.if_expr.source}), so its size "
                                "cannot be written in YARA")
            total = total.plus(child.field_size(g, total))
        return total.minus(pos)

    def size_value(self, expr: Expr) -> Lin:
        node = expr.node
        if isinstance(node, Num):
            return Lin(node.value)
        return _term(self.integer(node).text)

    def leaf(self, decl: FieldDef, offset: Lin) -> object:
        if self.end is not None and decl.kind in ("int", "contents"):
            # inside a structure of a given size, a field past its end is not there (the parse fails)
            self.guards.append(f"{offset.plus(self.one_size(decl, offset)).text()} <= {self.end.text()}")
        if decl.kind == "int":
            return _Int(read_int(decl, offset), decl.signed)
        if decl.kind == "struct":
            end = self.end if decl.size is None else offset.plus(self.size_value(decl.size))
            return _Inst(self.spec, self.spec.type_named(decl.user_type or ""), offset, end, self, self.guards)
        return _Bytes(offset, self.one_size(decl, offset), decl)

    def member(self, name: str) -> object:
        if name == "_root":
            return self.root()
        if name == "_parent":
            if self.parent is None:
                raise RuleError("the file itself has no _parent")
            return self.parent
        if name == "_io":
            return _Io(self)
        decl, offset = self.locate(name)
        if decl.repeat is not None:
            return _Rep(self, decl, offset)
        return self.leaf(decl, offset)

    # -- expressions --------------------------------------------------------------------

    def value(self, node: Node) -> object:
        if isinstance(node, Num):
            return _Int(f"{node.value:#x}" if node.hexy else str(node.value), node.value < 0)
        if isinstance(node, Bool):
            return _Bool("true" if node.value else "false")
        if isinstance(node, Text):
            return _Literal(node.value.encode("latin-1", "replace"))
        if isinstance(node, ListLit):
            return _List(tuple(self.value(item) for item in node.items))
        if isinstance(node, Name):
            return self.member(node.name)
        if isinstance(node, Attr):
            return _attribute(self.value(node.obj), node.name, self.guards)
        if isinstance(node, Index):
            obj = self.value(node.obj)
            if not isinstance(node.index, Num):
                raise RuleError("an index must be a number for YARA")
            i = node.index.value
            if isinstance(obj, _Rep):
                return obj.element(i, self.guards)[1]
            if isinstance(obj, _Bytes) and i >= 0:
                self.guards.append(f"{obj.size.text()} > {i}")
                return _Int(f"uint8({obj.offset.plus(i).text()})")
            raise RuleError("only repeated fields and bytes can be indexed in YARA")
        if isinstance(node, Unary):
            if node.op == "not":
                return _Bool(f"not ({self.boolean(node.operand).text})")
            inner = self.integer(node.operand)
            return _Int(f"{node.op}{_atom(inner.text)}", True)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Ternary):
            raise RuleError("YARA has no conditional (a ? b : c) expression")
        raise RuleError(f"cannot write {node!r} in YARA")

    def binary(self, node: Binary) -> object:
        if node.op in ("and", "or"):
            return _Bool(f"({self.boolean(node.left).text}) {node.op} ({self.boolean(node.right).text})")
        if node.op in ("==", "!=", "<", "<=", ">", ">="):
            return _Bool(compare(node.op, self.value(node.left), self.value(node.right)))
        left, right = self.integer(node.left), self.integer(node.right)
        op = node.op
        if op in ("/", "%"):
            if left.signed or right.signed:
                raise RuleError(f"{op} of a value that may be negative: YARA truncates where the "
                                "specification rounds down")
            op = "\\" if op == "/" else "%"
        signed = left.signed or right.signed or op == "-"
        return _Int(_bounded(f"{_atom(left.text)} {op} {_atom(right.text)}"), signed)

    def integer(self, node: Node) -> _Int:
        v = self.value(node)
        if not isinstance(v, _Int):
            raise RuleError(f"expected an integer in YARA, got {type(v).__name__.strip('_').lower()}")
        return v

    def boolean(self, node: Node) -> _Bool:
        v = self.value(node)
        if isinstance(v, _Bool):
            return v
        if isinstance(v, _Int):
            return _Bool(f"{_atom(v.text)} != 0")
        raise RuleError("expected a condition in YARA")


@dataclass(frozen=True)
class _Io:
    inst: _Inst


def _attribute(obj: object, name: str, guards: list[str]) -> object:
    if isinstance(obj, _Inst):
        return obj.member(name)
    if isinstance(obj, _Io) and name == "size":
        return _Int(obj.inst.end_text() if obj.inst.start.const == 0 and obj.inst.start.is_const
                    else f"{obj.inst.end_text()} - ({obj.inst.start.text()})")
    if isinstance(obj, _Rep):
        if name in ("size", "length"):
            return obj.count()
        if name == "first":
            return obj.element(0, guards)[1]
        if name == "last":
            return obj.element(-1, guards)[1]
    if isinstance(obj, _Bytes):
        if name == "size" or (name == "length" and obj.decl.kind == "bytes"):
            return _Int(obj.size.text())
        if name == "length" and (obj.decl.encoding or "ascii").lower().replace("-", "") in (
                "ascii", "latin1", "iso88591", "cp1252"):
            return _Int(obj.size.text())
    raise RuleError(f"the property .{name} cannot be written in YARA here")


def _as_bytes(value: object, decl: FieldDef) -> bytes | None:
    if isinstance(value, _Literal):
        if decl.kind == "str":
            try:
                return value.data.decode("latin-1").encode(decl.encoding or "ascii")
            except UnicodeEncodeError:
                raise RuleError(f"{decl.id}: the text is not encodable in {decl.encoding}") from None
        return value.data
    if isinstance(value, _List) and all(isinstance(i, _Int) for i in value.items):
        try:
            return bytes(int(i.text, 0) & 0xFF for i in value.items)  # type: ignore[attr-defined]
        except ValueError:
            raise RuleError("a list of bytes must hold numbers") from None
    return None


def compare(op: str, left: object, right: object) -> str:
    """A comparison in YARA: integers directly, bytes and text byte by byte (== and != only)."""
    if isinstance(left, _Int) and isinstance(right, _Int):
        return f"{left.text} {op} {right.text}"
    if isinstance(left, (_Literal, _List)) and isinstance(right, _Bytes):
        left, right = right, left
    if isinstance(left, _Bytes):
        data = _as_bytes(right, left.decl)
        if data is None:
            raise RuleError(f"{left.decl.id}: bytes compare only with text or a list of bytes")
        if op not in ("==", "!="):
            raise RuleError(f"{left.decl.id}: YARA cannot order bytes with {op}")
        equal = bytes_equal(left.offset, data)
        if not left.size.is_const:
            equal = f"{left.size.text()} == {len(data)} and {equal}"
        elif left.size.const != len(data):
            equal = "false"
        return f"({equal})" if op == "==" else f"not ({equal})"
    raise RuleError("YARA compares integers, or bytes with text")


# --- conditions ------------------------------------------------------------------------


@dataclass
class _Written:
    """One condition in YARA: the checks before its loops, the loops, the comparison."""

    # ("guard", test): test and ...; ("unless", test): test or (...); ("loop", "for all i in (a..b) :")
    items: list[tuple[str, str]] = field(default_factory=list)

    def text(self, leaf: str) -> str:
        out = leaf
        for kind, text in reversed(self.items):
            if kind == "guard":
                out = f"{text} and {out}"
            elif kind == "unless":
                out = f"({text} or ({out}))"
            else:
                out = f"{text} ({out})"
        return out


def _path_leaf(spec: Spec, path: Path, written: _Written, loops: list[int]) -> object:
    guards: list[str] = []
    inst = _Inst(spec, spec.root, Lin(), None, None, guards)
    value: object = inst
    for seg in path.segments:
        if not isinstance(value, _Inst):
            raise RuleError(f"{path}: {seg.name} is not inside a structure")
        inst = value
        inst.guards = guards
        member = inst.member(seg.name)
        value = _select(member, seg, written, guards, loops) if isinstance(member, _Rep) else member
    written.items.extend(("guard", g) for g in guards)
    guards.clear()
    return value


def _select(rep: _Rep, seg: Segment, written: _Written, guards: list[str], loops: list[int]) -> object:
    sel = seg.selector
    if sel is None:
        raise RuleError(f"{seg.name} is repeated: the path must index it")
    if isinstance(sel, int):
        return rep.element(sel, guards)[1]
    if rep.element_size() is None:
        raise RuleError(f"{seg}: a condition on every element needs elements of one fixed size in YARA "
                        "(these vary); name the element by its index")
    lo, hi = (0, None) if not isinstance(sel, tuple) else sel  # "*" or a slice
    if (lo is not None and lo < 0) or (hi is not None and hi < 0):
        raise RuleError(f"{seg}: slices counting from the end cannot be written in YARA")
    lo = lo or 0
    n = rep.count().text
    var = f"i{len(loops)}"
    loops.append(1)
    guards.append(f"{_atom(n)} > {lo}")  # a path that names no element fails, as in the specification
    written.items.extend(("guard", g) for g in guards)
    guards.clear()
    if hi is None:
        written.items.append(("loop", f"for all {var} in ({lo}..{_atom(n)} - 1) :"))
    else:  # a slice past the last element names only the elements there are
        written.items.append(("loop", f"for all {var} in ({lo}..{hi - 1}) :"))
        written.items.append(("unless", f"{var} >= {_atom(n)}"))
    return rep.element(var, guards)[1]


def write_condition(spec: Spec, cond: Condition) -> str:
    """One trigger condition as a YARA boolean expression; RuleError names its line."""
    try:
        text = _write_condition(spec, cond)
    except RuleError as exc:
        raise RuleError(f"line {cond.line}: {cond.path} {cond.op} {cond.value_text}: {exc}") from None
    if len(text) > MAX_CONDITION_CHARS:
        raise RuleError(f"line {cond.line}: {cond.path}: its YARA condition would run to {len(text)} characters")
    return text


def _write_condition(spec: Spec, cond: Condition) -> str:
    written = _Written()
    leaf = _path_leaf(spec, cond.path, written, [])
    guards: list[str] = []
    root = _Inst(spec, spec.root, Lin(), None, None, guards)
    values = [_Int(f"{v.expr.node.value:#x}") if isinstance(v.expr.node, Num) and v.hexy and v.expr.node.value >= 0
              else root.value(v.expr.node) for v in cond.values]
    if cond.op in ("in", "not-in"):
        parts = [compare("==", leaf, v) for v in values]
        test = "(" + " or ".join(parts) + ")" if cond.op == "in" else "not (" + " or ".join(parts) + ")"
    else:
        test = compare(cond.op, leaf, values[0])
    return written.text(" and ".join([*guards, test]))


def magic_checks(spec: Spec) -> list[tuple[str, str]]:
    """The fixed contents of the file's own fields (name, YARA test), up to the first whose place
    YARA cannot write."""
    checks = []
    guards: list[str] = []
    root = _Inst(spec, spec.root, Lin(), None, None, guards)
    pos = Lin()
    for f in spec.root.fields:
        if f.if_expr is not None or f.repeat is not None:
            break
        if f.kind == "contents":
            assert f.contents is not None
            shown = repr(f.contents.decode("latin-1")) if f.contents.isascii() and f.contents.decode().isprintable() \
                else f.contents.hex(" ")
            checks.append((f"{f.id} == {shown} (fixed contents)", bytes_equal(pos, f.contents)))
        try:
            pos = pos.plus(root.field_size(f, pos))
        except RuleError:
            break
    return checks


def _plain(text: str) -> str:
    """Text for a comment or a meta string: the first wording of each {{a|b}}, one line, ASCII."""
    text = _ALTERNATIVES.sub(lambda m: m.group(1), text)
    text = " ".join(text.split())
    return "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)


def _meta_string(text: str) -> str:
    return '"' + _plain(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def rule_name(*parts: str) -> str:
    """A YARA identifier made of the parts (letters, digits and _; at most 128 characters)."""
    name = "_".join(p for p in (_IDENT.sub("_", part).strip("_") for part in parts) if p)
    if not name or name[0].isdigit():
        name = "r_" + name
    return name[:128]


def yara_rule(spec: Spec, *, name: str, meta: Mapping[str, str] | None = None) -> YaraRule:
    """The YARA rule that matches a file meeting every trigger condition of ``spec``.

    RuleError when the specification has no trigger or a condition YARA cannot express.
    """
    if not spec.trigger:
        raise RuleError(f"{spec.id}: the specification has no trigger conditions to detect")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", name):
        raise RuleError(f"{name!r} is not a YARA rule identifier")
    clauses: list[tuple[str, str]] = []
    clauses += magic_checks(spec)
    for cond in spec.trigger:
        why = f": {cond.why}" if cond.why else ""
        clauses.append((f"{cond.path} {cond.op} {cond.value_text}{why}", write_condition(spec, cond)))
    fields = {"specification": spec.id, "description": spec.title or spec.id, **(meta or {})}
    lines = [
        f"// Generated by Headstart from the trigger specification {_plain(spec.id)}: it tests the",
        "// trigger condition itself, never the bytes partners' copies differ in.",
        f"rule {name} : headstart",
        "{",
        "    meta:",
        *(f"        {_IDENT.sub('_', k)} = {_meta_string(v)}" for k, v in fields.items()),
        "    condition:",
    ]
    for k, (comment, text) in enumerate(clauses):
        lines.append(f"        // {_plain(comment)}")
        lines.append(f"        ({text}){' and' if k < len(clauses) - 1 else ''}")
    lines.append("}")
    return YaraRule(name, "\n".join(lines) + "\n", spec.id)


__all__ = ["MAX_UNROLL", "RuleError", "YaraRule", "bytes_equal", "magic_checks", "read_int", "rule_name",
           "write_condition", "yara_rule"]
