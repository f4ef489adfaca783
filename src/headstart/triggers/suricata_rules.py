"""Suricata rules from the trigger specification of a network PoC (a pcap of UDP datagrams).

    rule = suricata_rule(spec, advisory="HS-2026-0003", artifact="poc.pcap")
    rule.text                              # comment lines and one rule, for a .rules file
    rule.sid                               # stable: the same advisory and artifact, the same sid

The specification describes the capture (a classic pcap: global header, records, Ethernet,
IPv4, UDP). The type that holds a field of type ``udp`` is the packet; the field right
after that ``udp`` field is the application message (the UDP payload). The rule tests what
the trigger conditions say, and nothing else:

- a condition on ``udp.dst_port`` or ``udp.src_port`` (or fixed ``contents`` there) becomes
  the port in the rule's header (``7311``, ``[7311,7312]``, ``!7311``, ``1024:``);
- the message's fixed ``contents`` (its magic) become ``content`` at their offset;
- a condition on an integer of the message becomes ``byte_test`` at its offset; one that
  compares with another field of the message reads that field first (``byte_extract``,
  with a ``multiplier`` for ``* k``; ``byte_math`` for ``/ k`` and ``+ k``; ``- k`` is
  moved to the other side); a condition on text or bytes becomes ``content`` (or
  ``content:!`` with ``isdataat``) at the field's offset and depth.

Offsets are counted from the start of the UDP payload, so they must not depend on the
datagram: every field before a tested one has a fixed size. Every condition must name the
same datagram (``records[0]`` in all, or ``records[*]`` in all): Suricata tests packets one
at a time. The marks vary only free fields and the slack inside each condition, which the
rule never reads as a value, so every partner's copy meets it.

What a Suricata rule cannot say raises RuleError naming the condition: TCP (only UDP
datagrams are written), fields of the capture, Ethernet or IP headers, a field after one of
varying size, signed or 64-bit-plus integers, ``in`` over several message values, and
expressions other than a constant or one message field with ``* / + -`` a constant.

Sids: ``rule_sid`` derives one from the advisory and artifact, in the range
``SID_FIRST .. SID_FIRST + SID_COUNT - 1`` (3,110,000,000 to 3,119,999,999), kept for
Headstart's rules. Pure: no Django, no engine (headstart.triggers.suricata_engine runs one).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import TriggerError
from .expr import Attr, Binary, ExprError, Index, ListLit, Name, Node, Num, Scope, Text, Unary, evaluate, walk
from .paths import Path, Segment
from .spec import Condition, FieldDef, Spec, TypeDef

SID_FIRST = 3_110_000_000
SID_COUNT = 10_000_000
TRANSPORTS = ("udp", "tcp")
_ALTERNATIVES = re.compile(r"\{\{([^|{}]*)(?:\|[^{}]*)?\}\}")
_META_VALUE = re.compile(r"[^A-Za-z0-9_.:/-]+")
_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
MAX_MULTIPLIER = 65535  # byte_extract's multiplier


class RuleError(TriggerError):
    """A trigger specification (or one of its conditions) that a Suricata rule cannot express."""


@dataclass(frozen=True)
class SuricataRule:
    """One generated rule: its sid, its message and the text of a .rules file holding it."""

    sid: int
    msg: str
    text: str
    spec_id: str


def rule_sid(advisory: str, artifact: str) -> int:
    """A stable sid for an advisory's artifact, in Headstart's range."""
    digest = hashlib.sha256(f"headstart-suricata\0{advisory}\0{artifact}".encode()).digest()
    return SID_FIRST + int.from_bytes(digest[:8], "big") % SID_COUNT


# --- where things are --------------------------------------------------------------------


@dataclass(frozen=True)
class _Port:
    name: str  # "src_port" or "dst_port"


@dataclass(frozen=True)
class _Payload:
    """A field of the message at a fixed offset from the start of the UDP payload."""

    offset: int
    decl: FieldDef
    size: int


def fixed_size(spec: Spec, decl: FieldDef) -> int | None:
    """The field's size when no file can change it, else None."""
    if decl.if_expr is not None:
        return None
    if decl.repeat is not None:
        if decl.repeat != "expr" or decl.repeat_expr is None or not isinstance(decl.repeat_expr.node, Num):
            return None
        one = _one_size(spec, decl)
        return None if one is None else one * decl.repeat_expr.node.value
    return _one_size(spec, decl)


def _one_size(spec: Spec, decl: FieldDef) -> int | None:
    if decl.kind == "int":
        return decl.int_size
    if decl.kind == "contents":
        assert decl.contents is not None
        return len(decl.contents)
    if decl.size is not None:
        return decl.size.node.value if isinstance(decl.size.node, Num) else None
    if decl.kind == "struct" and not decl.size_eos:
        total = 0
        for f in spec.type_named(decl.user_type or "").fields:
            size = fixed_size(spec, f)
            if size is None:
                return None
            total += size
        return total
    return None


class _Layout:
    """The packet type of a capture specification: its transport header and its message."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        found: list[tuple[TypeDef, int, str]] = []
        for typedef in [spec.root, *spec.types.values()]:
            for i, f in enumerate(typedef.fields):
                if f.kind == "struct" and f.user_type in TRANSPORTS:
                    found.append((typedef, i, f.user_type))
        if not found:
            raise RuleError(f"{spec.id}: no field of type udp, so no datagram to write a Suricata rule for "
                            "(the packet type holds a field of type udp, then the message)")
        if len(found) > 1:
            raise RuleError(f"{spec.id}: more than one field of type udp or tcp ({', '.join(t.name for t, _, _ in found)})")
        self.packet, index, transport = found[0]
        if transport != "udp":
            raise RuleError(f"{spec.id}: only UDP datagrams are written as Suricata rules, not {transport}")
        self.transport = self.packet.fields[index]
        if index + 1 >= len(self.packet.fields):
            raise RuleError(f"{spec.id}: nothing follows the udp header in {self.packet.name}: where is the message?")
        self.message = self.packet.fields[index + 1]
        self.udp = spec.type_named("udp")

    def locate(self, path: Path) -> tuple[str, _Port | _Payload]:
        """The datagram a path names (its path to the packet) and what in the datagram it names."""
        typedef = self.spec.root
        segments = path.segments
        for i, seg in enumerate(segments):
            decl = typedef.get(seg.name)
            if decl is None:
                raise RuleError(f"{path}: no field {seg.name} in {typedef.name}")
            if typedef is self.packet:
                prefix = str(Path(segments[:i])) if i else ""
                if decl is self.transport:
                    return prefix, self._port(path, segments[i + 1:])
                if decl is self.message:
                    return prefix, self._in_message(path, decl, segments[i + 1:], seg)
                raise RuleError(f"{path}: a Suricata rule tests the UDP ports and the message after the UDP "
                                f"header, not {seg.name}")
            if decl.kind != "struct":
                break
            typedef = self.spec.type_named(decl.user_type or "")
        raise RuleError(f"{path}: not inside the packet ({self.packet.name}): a Suricata rule tests the UDP "
                        "ports and the message, not the capture's own fields")

    def _port(self, path: Path, rest: tuple[Segment, ...]) -> _Port:
        if len(rest) != 1 or rest[0].name not in ("src_port", "dst_port"):
            raise RuleError(f"{path}: of the UDP header a Suricata rule tests src_port and dst_port only")
        return _Port(rest[0].name)

    def _in_message(self, path: Path, decl: FieldDef, rest: tuple[Segment, ...], seg: Segment) -> _Payload:
        if seg.selector is not None or decl.repeat is not None or decl.if_expr is not None:
            raise RuleError(f"{path}: the message must be one field, always present")
        offset = 0
        for s in rest:
            if decl.kind != "struct":
                raise RuleError(f"{path}: {decl.id} is not a structure")
            typedef = self.spec.type_named(decl.user_type or "")
            for f in typedef.fields:
                if f.id == s.name:
                    break
                size = fixed_size(self.spec, f)
                if size is None:
                    raise RuleError(f"{path}: its offset in the message depends on {f.id}, whose size varies "
                                    "(a Suricata rule here needs fixed offsets)")
                offset += size
            else:
                raise RuleError(f"{path}: no field {s.name} in {typedef.name}")
            if f.if_expr is not None:
                raise RuleError(f"{path}: {f.id} is optional (if: {f.if_expr.source})")
            decl = f
            if f.repeat is not None:
                one = _one_size(self.spec, f)
                if not isinstance(s.selector, int) or s.selector < 0 or one is None:
                    raise RuleError(f"{path}: {s} must name one element by a non-negative index, of a fixed size")
                offset += s.selector * one
            elif s.selector is not None:
                raise RuleError(f"{path}: {s.name} is not repeated")
        size = _one_size(self.spec, decl)
        if size is None:
            raise RuleError(f"{path}: its size varies (a Suricata rule here needs fixed sizes)")
        return _Payload(offset, decl, size)

    def fixed_ports(self) -> dict[str, int]:
        return {f.id: int.from_bytes(f.contents, "big") for f in self.udp.fields
                if f.id in ("src_port", "dst_port") and f.kind == "contents" and f.contents is not None}

    def magic(self) -> list[tuple[int, bytes]]:
        """The message's fixed contents at fixed offsets: (offset, bytes)."""
        if self.message.kind == "contents":
            assert self.message.contents is not None
            return [(0, self.message.contents)]
        if self.message.kind != "struct":
            return []
        out = []
        offset = 0
        for f in self.spec.type_named(self.message.user_type or "").fields:
            if f.kind == "contents" and f.if_expr is None and f.contents:
                out.append((offset, f.contents))
            size = fixed_size(self.spec, f)
            if size is None:
                break
            offset += size
        return out


# --- keywords ----------------------------------------------------------------------------


def content(data: bytes) -> str:
    """Bytes as a Suricata content string: printable ASCII as is, the rest as |hex|."""
    out: list[str] = []
    hexrun: list[str] = []
    for b in data:
        if 0x20 <= b < 0x7F and chr(b) not in '";\\|:':
            if hexrun:
                out.append("|" + " ".join(hexrun) + "|")
                hexrun = []
            out.append(chr(b))
        else:
            hexrun.append(f"{b:02X}")
    if hexrun:
        out.append("|" + " ".join(hexrun) + "|")
    return '"' + "".join(out) + '"'


def _endian(decl: FieldDef) -> str:
    return "little" if decl.endian == "le" and decl.int_size > 1 else "big"


def _int_field(where: _Payload, path: str, most: int = 8) -> _Payload:
    d = where.decl
    if d.kind != "int":
        raise RuleError(f"{path}: {d.type_text} is not an integer")
    if d.signed:
        raise RuleError(f"{path}: Suricata reads unsigned integers, not {d.type_text}")
    if d.int_size > most:
        raise RuleError(f"{path}: Suricata reads integers of at most {most} bytes here, not {d.type_text}")
    return where


class _Writer:
    def __init__(self, spec: Spec, layout: _Layout) -> None:
        self.spec = spec
        self.layout = layout
        self.datagram: str | None = None
        self.ports: dict[str, str] = {}
        self.options: list[str] = []
        self.variables = 0

    def place(self, path: Path) -> _Port | _Payload:
        prefix, where = self.layout.locate(path)
        if self.datagram is None:
            self.datagram = prefix
        elif prefix != self.datagram:
            raise RuleError(f"{path}: the conditions name more than one datagram ({self.datagram or 'the file'} "
                            f"and {prefix or 'the file'}); Suricata tests one packet at a time")
        return where

    def condition(self, cond: Condition) -> None:
        where = self.place(cond.path)
        path = str(cond.path)
        if isinstance(where, _Port):
            self.port(where, cond, path)
        elif where.decl.kind == "int":
            self.integer(_int_field(where, path), cond, path)
        elif where.decl.kind in ("str", "bytes", "contents"):
            self.data(where, cond, path)
        else:
            raise RuleError(f"{path}: a condition on a whole structure cannot be tested")

    # -- ports ---------------------------------------------------------------------------

    def port(self, where: _Port, cond: Condition, path: str) -> None:
        if where.name in self.ports:
            raise RuleError(f"{path}: a second condition on {where.name} (write one, e.g. with in)")
        values = [self.constant(v.expr.node, path) for v in cond.values]
        if any(not 0 <= v <= 0xFFFF for v in values):
            raise RuleError(f"{path}: a port is 0..65535")
        v = values[0]
        text = {"==": str(v), "!=": f"!{v}", ">": f"{v + 1}:", ">=": f"{v}:", "<": f":{v - 1}", "<=": f":{v}",
                "in": "[" + ",".join(map(str, values)) + "]",
                "not-in": "![" + ",".join(map(str, values)) + "]"}[cond.op]
        if (cond.op == ">" and v == 0xFFFF) or (cond.op == "<" and v == 0):
            raise RuleError(f"{path} {cond.op} {v}: no port meets it")
        self.ports[where.name] = text

    # -- integers of the message -----------------------------------------------------------

    def integer(self, where: _Payload, cond: Condition, path: str) -> None:
        d = where.decl
        test = f"byte_test:{where.size},{{op}},{{value}},{where.offset},{_endian(d)};"
        if cond.op in ("in", "not-in"):
            values = [self.constant(v.expr.node, path) for v in cond.values]
            if cond.op == "in" and len(values) != 1:
                raise RuleError(f"{path}: one rule cannot test one of several values of a message field "
                                "(write one condition with ==, or one specification per value)")
            op = "=" if cond.op == "in" else "!="
            self.options += [test.format(op=op, value=self.fits(v, d, path)) for v in values]
            return
        value = cond.values[0].expr.node
        if not any(isinstance(n, Name) for n in walk(value)):
            self.options.append(test.format(op=_OPS[cond.op], value=self.fits(self.constant(value, path), d, path)))
            return
        if isinstance(value, Binary) and value.op == "-":
            # x op f - k  <=>  f flip(op) x + k: read x + k, test f
            other, k = self.field_and_constant(value, path)
            var = self.math(where, "+", k, path)
            self.options.append(f"byte_test:{other.size},{_OPS[_FLIP[cond.op]]},{var},{other.offset},"
                                f"{_endian(other.decl)};")
            return
        var = self.read(value, path)
        self.options.append(test.format(op=_OPS[cond.op], value=var))

    def read(self, node: Node, path: str) -> str:
        """A variable holding an expression over one field of the message."""
        if isinstance(node, Binary) and node.op in ("*", "/", "+"):
            field, k = self.field_and_constant(node, path)
            if node.op == "*":
                if not 1 <= k <= MAX_MULTIPLIER:
                    raise RuleError(f"{path}: byte_extract multiplies by 1..{MAX_MULTIPLIER}, not {k}")
                return self.extract(field, f",multiplier {k}")
            return self.math(field, node.op, k, path)
        field = self.message_int(node, path)
        return self.extract(field, "")

    def field_and_constant(self, node: Binary, path: str) -> tuple[_Payload, int]:
        left_const = not any(isinstance(n, Name) for n in walk(node.left))
        if left_const and node.op in ("*", "+"):
            return self.message_int(node.right, path), self.constant(node.left, path)
        if not left_const and not any(isinstance(n, Name) for n in walk(node.right)):
            return self.message_int(node.left, path), self.constant(node.right, path)
        raise RuleError(f"{path}: Suricata compares with one field of the message and a constant "
                        f"(field {node.op} k), not this expression")

    def message_int(self, node: Node, path: str) -> _Payload:
        where = self.place(_node_path(node, path))
        if not isinstance(where, _Payload):
            raise RuleError(f"{path}: the value must be read from the message, not the UDP header")
        return _int_field(where, path, most=4)

    def extract(self, field: _Payload, extra: str) -> str:
        var = self.variable()
        self.options.append(f"byte_extract:{field.size},{field.offset},{var},{_endian(field.decl)}{extra};")
        return var

    def math(self, field: _Payload, op: str, k: int, path: str) -> str:
        _int_field(field, path, most=4)
        if not 0 <= k <= 0xFFFFFFFF or (op == "/" and k == 0):
            raise RuleError(f"{path}: byte_math needs a constant 0..2^32-1 (and not 0 for /), not {k}")
        var = self.variable()
        self.options.append(f"byte_math:bytes {field.size}, offset {field.offset}, oper {op}, rvalue {k}, "
                            f"result {var}, endian {_endian(field.decl)};")
        return var

    def variable(self) -> str:
        self.variables += 1
        return f"hs_v{self.variables}"

    def constant(self, node: Node, path: str) -> int:
        if any(isinstance(n, Name) for n in walk(node)):
            raise RuleError(f"{path}: the value must be a constant here")
        try:
            value = evaluate(node, Scope(_no_names))
        except ExprError as exc:
            raise RuleError(f"{path}: {exc}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(f"{path}: the value must be an integer here")
        return value

    @staticmethod
    def fits(value: int, decl: FieldDef, path: str) -> int:
        if value < 0:
            raise RuleError(f"{path}: byte_test compares with values of 0 or more, not {value}")
        return value

    # -- text and bytes --------------------------------------------------------------------

    def data(self, where: _Payload, cond: Condition, path: str) -> None:
        if cond.op not in ("==", "!=", "in", "not-in"):
            raise RuleError(f"{path}: Suricata cannot order bytes with {cond.op}")
        values = [_literal(v.expr.node, where.decl, path) for v in cond.values]
        if cond.op == "in" and len(values) != 1:
            raise RuleError(f"{path}: one rule cannot test one of several values of a message field")
        equal = cond.op in ("==", "in")
        for data in values:
            if len(data) != where.size:
                if equal:
                    raise RuleError(f"{path}: the field has {where.size} bytes, the value {len(data)}: never equal")
                continue
            at = f"offset:{where.offset}; depth:{where.size};"
            if equal:
                self.options.append(f"content:{content(data)}; {at}")
            else:  # not there, and the field is there (the datagram is long enough)
                self.options.append(f"isdataat:{where.offset + where.size - 1}; content:!{content(data)}; {at}")


def _no_names(name: str) -> object:
    raise ExprError(f"{name} is not a constant")


def _literal(node: Node, decl: FieldDef, path: str) -> bytes:
    if isinstance(node, Text):
        try:
            return node.value.encode(decl.encoding or "latin-1")
        except UnicodeEncodeError:
            raise RuleError(f"{path}: the text is not encodable in {decl.encoding}") from None
    if isinstance(node, ListLit) and all(isinstance(i, Num) and 0 <= i.value <= 255 for i in node.items):
        return bytes(i.value for i in node.items)
    raise RuleError(f"{path}: bytes compare only with text or a list of bytes")


def _node_path(node: Node, path: str) -> Path:
    segments: list[Segment] = []
    while True:
        if isinstance(node, Name):
            segments.insert(0, Segment(node.name))
            return Path(tuple(segments))
        if isinstance(node, Attr):
            segments.insert(0, Segment(node.name))
            node = node.obj
        elif isinstance(node, Index) and isinstance(node.index, Num) and isinstance(node.obj, (Name, Attr)):
            inner = _node_path(node.obj, path)
            last = inner.segments[-1]
            return Path((*inner.segments[:-1], Segment(last.name, node.index.value), *segments))
        elif isinstance(node, Unary):
            raise RuleError(f"{path}: the value must be a field of the message or a field {node.op} a constant")
        else:
            raise RuleError(f"{path}: the value must be a field of the message (a path from the file's root)")


# --- the rule ------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """The first wording of each {{a|b}}, on one line, printable ASCII."""
    text = " ".join(_ALTERNATIVES.sub(lambda m: m.group(1), text).split())
    return "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)


def _msg(text: str) -> str:
    return _plain(text).replace("\\", "\\\\").replace('"', '\\"').replace(";", "\\;")


def suricata_rule(spec: Spec, *, advisory: str, artifact: str = "", meta: Mapping[str, str] | None = None,
                  sid: int | None = None) -> SuricataRule:
    """The Suricata rule that alerts on a datagram meeting every trigger condition of ``spec``.

    ``advisory`` names the advisory in the rule's msg and, with ``artifact`` (the PoC's file
    name), gives the sid unless one is passed. RuleError when the specification has no
    trigger or a condition a Suricata rule cannot express.
    """
    if not spec.trigger:
        raise RuleError(f"{spec.id}: the specification has no trigger conditions to detect")
    if not advisory.strip():
        raise RuleError("a rule names its advisory")
    sid = rule_sid(advisory, artifact or spec.id) if sid is None else sid
    if not 1 <= sid <= 0xFFFFFFFF:
        raise RuleError(f"sid {sid} is not 1..4294967295")
    layout = _Layout(spec)
    writer = _Writer(spec, layout)
    for offset, data in layout.magic():
        writer.options.append(f"content:{content(data)}; offset:{offset}; depth:{len(data)};")
    for cond in spec.trigger:
        try:
            writer.condition(cond)
        except RuleError as exc:
            raise RuleError(f"line {cond.line}: {cond.path} {cond.op} {cond.value_text}: {exc}") from None
    for name, port in layout.fixed_ports().items():
        writer.ports.setdefault(name, str(port))
    msg = f"HEADSTART {_plain(advisory)} {spec.title or spec.id}"
    fields = {"headstart_advisory": advisory, "headstart_specification": spec.id,
              **({"headstart_artifact": artifact} if artifact else {}), **(meta or {})}
    metadata = ", ".join(f"{_META_VALUE.sub('_', k)} {_META_VALUE.sub('_', v) or '-'}" for k, v in fields.items())
    body = " ".join([f'msg:"{_msg(msg)}";', *writer.options, f"metadata:{metadata};", f"sid:{sid};", "rev:1;"])
    header = f"alert udp any {writer.ports.get('src_port', 'any')} -> any {writer.ports.get('dst_port', 'any')}"
    comments = [
        f"# Generated by Headstart from the trigger specification {_plain(spec.id)}: it tests the",
        "# trigger condition itself, never the bytes partners' copies differ in.",
        *(f"# {_plain(f'{c.path} {c.op} {c.value_text}' + (f': {c.why}' if c.why else ''))}" for c in spec.trigger),
    ]
    return SuricataRule(sid, _plain(msg), "\n".join([*comments, f"{header} ({body})"]) + "\n", spec.id)


__all__ = ["SID_COUNT", "SID_FIRST", "RuleError", "SuricataRule", "content", "fixed_size", "rule_sid",
           "suricata_rule"]
