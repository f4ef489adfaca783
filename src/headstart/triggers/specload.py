"""Load a specification: YAML text in, a checked ``Spec`` out.

Everything a specification can get wrong is found here, before any data is parsed, and
reported as a SpecError naming the line and the problem: unknown keys, types, encodings
and operators; sizes and counts that refer to fields not yet read; trigger, free and
checksum paths that do not exist; free fields the parser (or the trigger) does use.
"""

from __future__ import annotations

import codecs
from typing import Any

from .checksums import ALGORITHMS, WIDTHS
from .errors import SpecError
from .expr import Attr, Expr, ExprSyntaxError, Index, Name, names, parse_expr
from .paths import Path, PathError, Selector, parse_path
from .spec import (
    CHARSETS,
    COND_KEYS,
    FIELD_KEYS,
    FREE_KEYS,
    ID_PATTERN,
    INT_TYPE,
    META_KEYS,
    OPERATORS,
    ROOT,
    SPECIAL_NAMES,
    SUM_KEYS,
    TOP_KEYS,
    TYPE_KEYS,
    X_KEYS,
    ChecksumDef,
    Condition,
    FieldDef,
    FreeField,
    Spec,
    TypeDef,
    Value,
)
from .yamlsource import LineList, LineMap, load_yaml

# --- helpers -------------------------------------------------------------------------


def _line(container: Any, key: Any, default: int = 0) -> int:
    if isinstance(container, (LineMap, LineList)):
        return container.line_of(key)
    return default


def _own_line(value: Any, default: int) -> int:
    return getattr(value, "line", default) or default


def _check_keys(mapping: Any, allowed: set[str], what: str, line: int) -> LineMap:
    if not isinstance(mapping, LineMap):  # the loader makes every mapping a LineMap
        raise SpecError(f"{what} must be a mapping, not {_kind(mapping)}", line)
    for key in mapping:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise SpecError(f"unknown key {key!r} in {what} (known: {hint})", _line(mapping, key, line))
    return mapping


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _text(mapping: LineMap, key: str, what: str) -> str:
    value = mapping.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SpecError(f"{what} must be text, not {_kind(value)}", _line(mapping, key))
    return str(value)


def _expr(value: Any, line: int, what: str) -> Expr:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{what} must be a number or an expression, not {_kind(value)}", line)
    try:
        return parse_expr(value)
    except ExprSyntaxError as exc:
        raise SpecError(f"{what}: {exc}", line) from None


def _path(value: Any, line: int, what: str) -> Path:
    try:
        return parse_path(value)
    except PathError as exc:
        raise SpecError(f"{what}: {exc}", line) from None


def _int(value: Any, line: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str):
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                pass
        raise SpecError(f"{what} must be an integer, not {_kind(value)}", line)
    return value


# --- the loader ----------------------------------------------------------------------


class _Loader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.doc = load_yaml(text)
        self.endian: str | None = None
        self.encoding: str | None = None
        self.type_maps: dict[str, LineMap] = {}
        self.used: dict[tuple[str, str], str] = {}

    def load(self) -> Spec:
        doc = self.doc
        if doc is None:
            raise SpecError("the specification is empty", 1)
        _check_keys(doc, TOP_KEYS, "the specification", 1)
        meta = _check_keys(doc.get("meta", LineMap()), META_KEYS, "meta", _line(doc, "meta", 1))
        if "meta" not in doc:
            raise SpecError("the specification needs a meta block with an id", 1)
        spec_id = meta.get("id")
        if not isinstance(spec_id, str) or not ID_PATTERN.match(spec_id):
            raise SpecError("meta.id must be a lower-case identifier like tim or my_format", _line(meta, "id", meta.line))
        endian = meta.get("endian")
        if endian is not None and endian not in ("le", "be"):
            raise SpecError(f"meta.endian must be le or be, not {endian!r}", _line(meta, "endian"))
        self.endian = endian
        if "encoding" in meta:
            self.encoding = self._encoding(meta.get("encoding"), _line(meta, "encoding"))

        raw_types = doc.get("types", LineMap())
        if not isinstance(raw_types, dict):
            raise SpecError("types must be a mapping of type names to types", _line(doc, "types"))
        for name, body in raw_types.items():
            line = _line(raw_types, name)
            if not isinstance(name, str) or not ID_PATTERN.match(name):
                raise SpecError(f"type name {name!r} must be a lower-case identifier", line)
            if INT_TYPE.match(name) or name in ("str", "strz", "bytes"):
                raise SpecError(f"type name {name!r} is a built-in type", line)
            self.type_maps[name] = _check_keys(body, TYPE_KEYS, f"type {name}", line)

        if "seq" not in doc:
            raise SpecError("the specification needs a seq of fields", 1)
        root = self._type(ROOT, doc, _line(doc, "seq", 1))
        types = {name: self._type(name, body, _own_line(body, 1)) for name, body in self.type_maps.items()}
        spec = Spec(
            id=spec_id,
            title=_text(meta, "title", "meta.title") or spec_id,
            endian=self.endian,
            encoding=self.encoding,
            doc=_text(doc, "doc", "doc"),
            root=root,
            types=types,
            text=self.text,
        )
        for typedef in [root, *types.values()]:
            self._check_field_exprs(spec, typedef)
        x = doc.get("x-headstart")
        if x is not None:
            x = _check_keys(x, X_KEYS, "x-headstart", _line(doc, "x-headstart"))
            spec.trigger = [self._condition(spec, c, _line(self._list(x, "trigger"), i))
                            for i, c in enumerate(self._list(x, "trigger"))]
            spec.checksums = [self._checksum(spec, c, _line(self._list(x, "checksums"), i))
                              for i, c in enumerate(self._list(x, "checksums"))]
            spec.free = [self._free(spec, c, _line(self._list(x, "free"), i))
                         for i, c in enumerate(self._list(x, "free"))]
        spec.used = self.used
        self._check_free_is_free(spec)
        return spec

    def _list(self, x: LineMap, key: str) -> list:
        value = x.get(key)
        if value is None:
            return LineList()
        if not isinstance(value, list):
            raise SpecError(f"x-headstart.{key} must be a list", _line(x, key))
        return value

    def _encoding(self, value: Any, line: int) -> str:
        if not isinstance(value, str):
            raise SpecError(f"encoding must be text, not {_kind(value)}", line)
        try:
            codecs.lookup(value)
        except LookupError:
            raise SpecError(f"unknown encoding {value!r}", line) from None
        return value

    # -- seq ------------------------------------------------------------------------

    def _type(self, name: str, body: LineMap, line: int) -> TypeDef:
        seq = body.get("seq")
        seq_line = _line(body, "seq", line)
        if not isinstance(seq, list):
            raise SpecError(f"seq of {self._type_label(name)} must be a list of fields", seq_line)
        fields: list[FieldDef] = []
        seen: set[str] = set()
        for i, entry in enumerate(seq):
            f = self._field(name, entry, _line(seq, i, seq_line))
            if f.id in seen:
                raise SpecError(f"field id {f.id!r} is used twice in {self._type_label(name)}", f.line)
            seen.add(f.id)
            fields.append(f)
        if not fields:
            raise SpecError(f"seq of {self._type_label(name)} is empty", seq_line)
        return TypeDef(name, line, fields, doc=_text(body, "doc", "doc"))

    @staticmethod
    def _type_label(name: str) -> str:
        return "the file" if name == ROOT else f"type {name}"

    def _field(self, owner: str, entry: Any, line: int) -> FieldDef:
        entry = _check_keys(entry, FIELD_KEYS, "a field", line)
        line = entry.line
        fid = entry.get("id")
        if not isinstance(fid, str) or not ID_PATTERN.match(fid):
            raise SpecError(f"every field needs an id that is a lower-case identifier, not {fid!r}", _line(entry, "id", line))
        if fid in SPECIAL_NAMES:
            raise SpecError(f"field id {fid!r} is reserved", _line(entry, "id", line))
        type_name = entry.get("type")
        f = FieldDef(id=fid, line=line, kind="bytes", type_text="bytes", doc=_text(entry, "doc", "doc"), owner=owner)

        if "contents" in entry:
            for key in ("type", "size", "size-eos", "encoding"):
                if key in entry:
                    raise SpecError(f"{fid}: contents fixes the bytes, so {key} is not allowed", _line(entry, key, line))
            f.kind, f.type_text = "contents", "contents"
            f.contents = self._contents(entry["contents"], _line(entry, "contents", line), fid)
        elif type_name is None:
            pass  # raw bytes; size checked below
        elif not isinstance(type_name, str):
            raise SpecError(f"{fid}: type must be a name, not {_kind(type_name)}", _line(entry, "type", line))
        elif (m := INT_TYPE.match(type_name)) is not None:
            f.kind = "int"
            f.signed = m.group(1) == "s"
            f.int_size = int(m.group(2))
            endian = m.group(3) or self.endian
            if f.int_size > 1 and endian is None:
                raise SpecError(f"{fid}: type {type_name} needs a byte order: set meta.endian or write "
                                f"{type_name}le / {type_name}be", _line(entry, "type", line))
            f.endian = endian or "le"
            f.type_text = f"{m.group(1)}{f.int_size}" + (f.endian if f.int_size > 1 else "")
            for key in ("size", "size-eos", "encoding"):
                if key in entry:
                    raise SpecError(f"{fid}: an integer type has a fixed size, so {key} is not allowed",
                                    _line(entry, key, line))
        elif type_name == "str":
            f.kind, f.type_text = "str", "str"
            if "encoding" in entry:
                f.encoding = self._encoding(entry["encoding"], _line(entry, "encoding", line))
            elif self.encoding:
                f.encoding = self.encoding
            else:
                raise SpecError(f"{fid}: a str needs an encoding (or meta.encoding)", _line(entry, "type", line))
        elif type_name in self.type_maps:
            f.kind, f.type_text, f.user_type = "struct", type_name, type_name
            if "encoding" in entry:
                raise SpecError(f"{fid}: encoding applies only to str", _line(entry, "encoding", line))
        else:
            known = ", ".join(["u1..u8, s1..s8 (le/be)", "str", *sorted(self.type_maps)])
            raise SpecError(f"{fid}: unknown type {type_name!r} (known: {known})", _line(entry, "type", line))

        if f.kind != "str" and f.kind != "contents" and "encoding" in entry:
            raise SpecError(f"{fid}: encoding applies only to str", _line(entry, "encoding", line))
        if "size" in entry:
            f.size = _expr(entry["size"], _line(entry, "size", line), f"{fid}: size")
        if "size-eos" in entry:
            if entry["size-eos"] is not True:
                raise SpecError(f"{fid}: size-eos must be true", _line(entry, "size-eos", line))
            if f.size is not None:
                raise SpecError(f"{fid}: give size or size-eos, not both", _line(entry, "size-eos", line))
            f.size_eos = True
        if f.kind in ("bytes", "str") and f.size is None and not f.size_eos:
            raise SpecError(f"{fid}: {'a str' if f.kind == 'str' else 'raw bytes'} need a size "
                            "(a number or an expression) or size-eos: true", line)

        repeat = entry.get("repeat")
        if repeat is not None:
            if repeat not in ("eos", "expr", "until"):
                raise SpecError(f"{fid}: repeat must be eos, expr or until, not {repeat!r}", _line(entry, "repeat", line))
            f.repeat = repeat
        if repeat == "expr":
            if "repeat-expr" not in entry:
                raise SpecError(f"{fid}: repeat: expr needs repeat-expr (how many)", _line(entry, "repeat", line))
            f.repeat_expr = _expr(entry["repeat-expr"], _line(entry, "repeat-expr", line), f"{fid}: repeat-expr")
        elif "repeat-expr" in entry:
            raise SpecError(f"{fid}: repeat-expr needs repeat: expr", _line(entry, "repeat-expr", line))
        if repeat == "until":
            if "repeat-until" not in entry:
                raise SpecError(f"{fid}: repeat: until needs repeat-until (a condition on _)", _line(entry, "repeat", line))
            f.repeat_until = _expr(entry["repeat-until"], _line(entry, "repeat-until", line), f"{fid}: repeat-until")
        elif "repeat-until" in entry:
            raise SpecError(f"{fid}: repeat-until needs repeat: until", _line(entry, "repeat-until", line))
        if "if" in entry:
            f.if_expr = _expr(entry["if"], _line(entry, "if", line), f"{fid}: if")
        f.line = line
        return f

    def _contents(self, value: Any, line: int, fid: str) -> bytes:
        parts = value if isinstance(value, list) else [value]
        out = bytearray()
        for part in parts:
            if isinstance(part, str):
                try:
                    out += part.encode("utf-8")
                except UnicodeEncodeError:
                    raise SpecError(f"{fid}: contents text is not encodable", line) from None
            elif isinstance(part, int) and not isinstance(part, bool) and 0 <= part <= 255:
                out.append(part)
            else:
                raise SpecError(f"{fid}: contents must be text or a list of bytes (0..255), found {part!r}", line)
        if not out:
            raise SpecError(f"{fid}: contents is empty", line)
        return bytes(out)

    # -- expressions inside seq --------------------------------------------------------

    def _check_field_exprs(self, spec: Spec, typedef: TypeDef) -> None:
        for i, f in enumerate(typedef.fields):
            earlier = {g.id for g in typedef.fields[:i]}
            for what, expr in (("size", f.size), ("repeat-expr", f.repeat_expr), ("if", f.if_expr)):
                if expr is not None:
                    self._refs(spec, expr, typedef.name, earlier, f.line, f"{f.id}: {what}",
                               f"the {what} of {f.id} (line {f.line})")
            if f.repeat_until is not None:
                self._refs(spec, f.repeat_until, typedef.name, earlier | {f.id}, f.line, f"{f.id}: repeat-until",
                           f"the repeat-until of {f.id} (line {f.line})", element=f)

    def _refs(self, spec: Spec, expr: Expr, scope: str, available: set[str] | None, line: int,
              what: str, user: str, element: FieldDef | None = None) -> None:
        """Check every name an expression reads and record the fields it depends on."""
        for chain in names(expr.node):
            steps: list[Attr | Index] = []
            node = chain
            while isinstance(node, (Attr, Index)):
                steps.append(node)
                node = node.obj
            steps.reverse()
            assert isinstance(node, Name)
            self._walk_chain(spec, node.name, steps, scope, available, line, what, user, element)

    def _walk_chain(self, spec: Spec, head: str, steps: list[Attr | Index], scope: str,
                    available: set[str] | None, line: int, what: str, user: str,
                    element: FieldDef | None) -> None:
        # current: ("type", name) a structure; ("list", FieldDef) a repeated field;
        # ("value", None) anything else (checks stop)
        if head == "_root":
            current: tuple[str, Any] = ("type", ROOT)
        elif head == "_parent":
            current = ("parent", None)
        elif head == "_io":
            for step in steps[:1]:
                if not isinstance(step, Attr) or step.name not in ("size", "pos", "eof"):
                    raise SpecError(f"{what}: _io has only size, pos and eof", line)
            return
        elif head == "_":
            if element is None:
                raise SpecError(f"{what}: _ is the last element and exists only in repeat-until", line)
            self.used.setdefault((scope, element.id), user)
            current = ("type", element.user_type) if element.kind == "struct" else ("value", None)
        elif head == "_index":
            return
        else:
            typedef = spec.type_named(scope)
            decl = typedef.get(head)
            if decl is None:
                raise SpecError(f"{what}: {self._type_label(scope)} has no field {head!r}", line)
            if available is not None and head not in available:
                raise SpecError(f"{what}: {head} is read after this field, so it is not known yet", line)
            self.used.setdefault((scope, head), user)
            current = self._after_field(decl)
        for step in steps:
            kind, ref = current
            if kind == "parent":
                if isinstance(step, Attr):
                    # the parent's type is not known statically: depend on every field so named
                    for tname in [ROOT, *spec.types]:
                        if spec.type_named(tname).get(step.name) is not None:
                            self.used.setdefault((tname, step.name), user)
                current = ("value", None)
                continue
            if kind == "list":
                if isinstance(step, Index) or step.name in ("first", "last"):
                    current = self._element(ref)
                else:
                    current = ("value", None)
                continue
            if kind == "type" and isinstance(step, Attr):
                if step.name in ("_parent", "_root", "_io"):
                    current = ("value", None)
                    continue
                decl = spec.type_named(ref).get(step.name)
                if decl is None:
                    raise SpecError(f"{what}: {self._type_label(ref)} has no field {step.name!r}", line)
                self.used.setdefault((ref, step.name), user)
                current = self._after_field(decl)
                continue
            if kind == "type" and isinstance(step, Index):
                raise SpecError(f"{what}: a structure cannot be indexed", line)
            current = ("value", None)

    @staticmethod
    def _after_field(decl: FieldDef) -> tuple[str, Any]:
        if decl.repeat is not None:
            return ("list", decl)
        if decl.kind == "struct":
            return ("type", decl.user_type)
        return ("value", None)

    @staticmethod
    def _element(decl: FieldDef) -> tuple[str, Any]:
        return ("type", decl.user_type) if decl.kind == "struct" else ("value", None)

    # -- paths --------------------------------------------------------------------------

    def _resolve(self, spec: Spec, path: Path, start: str, line: int, what: str,
                 leaf: bool = True) -> tuple[FieldDef, str]:
        """The declaration a path ends at, and the type that holds it."""
        owner = start
        decl: FieldDef | None = None
        for i, seg in enumerate(path.segments):
            if decl is not None:
                if decl.kind != "struct" or decl.user_type is None:
                    raise SpecError(f"{what}: {path.segments[i - 1].name} is not a structure, so it has no "
                                    f"field {seg.name!r}", line)
                owner = decl.user_type
            decl = spec.type_named(owner).get(seg.name)
            if decl is None:
                raise SpecError(f"{what}: {self._type_label(owner)} has no field {seg.name!r}", line)
            if decl.repeat is None and seg.selector is not None:
                raise SpecError(f"{what}: {seg.name} is not repeated, so it cannot be indexed", line)
            if decl.repeat is not None and seg.selector is None and (leaf or i < len(path.segments) - 1):
                raise SpecError(f"{what}: {seg.name} is repeated: pick elements with {seg.name}[0], "
                                f"{seg.name}[*] or {seg.name}[1:]", line)
        assert decl is not None
        if leaf and decl.kind == "struct":
            raise SpecError(f"{what}: {path} is a structure; name one of its fields", line)
        return decl, owner

    # -- x-headstart ------------------------------------------------------------------

    def _condition(self, spec: Spec, entry: Any, line: int) -> Condition:
        entry = _check_keys(entry, COND_KEYS, "a trigger condition", line)
        line = entry.line
        for key in ("field", "op", "value"):
            if key not in entry:
                raise SpecError(f"a trigger condition needs {key}", line)
        path = _path(entry["field"], _line(entry, "field", line), "trigger field")
        self._resolve(spec, path, ROOT, _line(entry, "field", line), f"trigger field {path}")
        op = entry["op"]
        if op not in OPERATORS:
            raise SpecError(f"unknown operator {op!r} (known: {', '.join(OPERATORS)})", _line(entry, "op", line))
        raw = entry["value"]
        vline = _line(entry, "value", line)
        if op in ("in", "not-in"):
            if not isinstance(raw, list) or not raw:
                raise SpecError(f"op {op} needs a non-empty list of values, like [1, 2]", vline)
            values = [self._value(spec, v, raw.sources[i] if isinstance(raw, LineList) else None,
                                  _line(raw, i, vline), path) for i, v in enumerate(raw)]
        else:
            if isinstance(raw, list):
                raise SpecError(f"op {op} compares with one value; a list needs op in or not-in", vline)
            values = [self._value(spec, raw, entry.source_of("value"), vline, path)]
        why = _text(entry, "why", "why")
        return Condition(path, op, values, why, line)

    def _value(self, spec: Spec, raw: Any, source: str | None, line: int, path: Path) -> Value:
        expr = _expr(raw, line, f"trigger value for {path}")
        self._refs(spec, expr, ROOT, None, line, f"trigger value for {path}", f"the trigger condition on line {line}")
        text = source if isinstance(raw, int) and source else expr.source
        return Value(expr, str(text))

    def _free(self, spec: Spec, entry: Any, line: int) -> FreeField:
        entry = _check_keys(entry, FREE_KEYS, "a free field", line)
        line = entry.line
        if "field" not in entry:
            raise SpecError("a free field needs field", line)
        path = _path(entry["field"], _line(entry, "field", line), "free field")
        decl, _owner = self._resolve(spec, path, ROOT, _line(entry, "field", line), f"free field {path}")
        free = FreeField(path, line, decl=decl)
        if decl.kind == "contents":
            raise SpecError(f"free field {path} has fixed contents", line)
        if "min" in entry or "max" in entry:
            if decl.kind != "int":
                raise SpecError(f"free field {path}: min and max apply to integers, and {path} is {decl.type_text}", line)
            lo, hi = decl.int_range
            free.minimum = _int(entry.get("min", lo), _line(entry, "min", line), "min")
            free.maximum = _int(entry.get("max", hi), _line(entry, "max", line), "max")
            if not lo <= free.minimum <= free.maximum <= hi:
                raise SpecError(f"free field {path}: need {lo} <= min <= max <= {hi} for {decl.type_text}, "
                                f"got min {free.minimum}, max {free.maximum}", line)
        if "values" in entry:
            if decl.kind != "int":
                raise SpecError(f"free field {path}: values apply to integers", _line(entry, "values", line))
            vals = entry["values"]
            if not isinstance(vals, list) or len(vals) < 2:
                raise SpecError(f"free field {path}: values must list at least two numbers", _line(entry, "values", line))
            lo, hi = decl.int_range
            free.values = []
            for i, v in enumerate(vals):
                n = _int(v, _line(vals, i, line), "a value")
                if not lo <= n <= hi:
                    raise SpecError(f"free field {path}: value {n} does not fit {decl.type_text}", _line(vals, i, line))
                if n not in free.values:
                    free.values.append(n)
            if free.minimum is not None:
                raise SpecError(f"free field {path}: give values or min/max, not both", _line(entry, "values", line))
        if "charset" in entry:
            if decl.kind not in ("str", "bytes"):
                raise SpecError(f"free field {path}: charset applies to str and bytes", _line(entry, "charset", line))
            free.charset = self._charset(entry["charset"], _line(entry, "charset", line))
            if decl.kind == "str" and not _single_byte(decl.encoding or "ascii"):
                raise SpecError(f"free field {path}: charset needs a single-byte encoding such as ASCII, "
                                f"not {decl.encoding}", _line(entry, "charset", line))
        if decl.kind == "str" and free.charset is None:
            free.charset = CHARSETS["printable"]
        return free

    @staticmethod
    def _charset(value: Any, line: int) -> frozenset[int]:
        if isinstance(value, str) and value in CHARSETS:
            return CHARSETS[value]
        if isinstance(value, dict) and set(value) == {"chars"} and isinstance(value["chars"], str):
            chars = value["chars"]
            if not chars.isascii() or len(set(chars)) < 2:
                raise SpecError("charset chars must list at least two ASCII characters", line)
            return frozenset(chars.encode("ascii"))
        names_ = ", ".join(sorted(CHARSETS))
        raise SpecError(f"charset must be one of {names_} or {{chars: \"...\"}}, not {value!r}", line)

    def _checksum(self, spec: Spec, entry: Any, line: int) -> ChecksumDef:
        entry = _check_keys(entry, SUM_KEYS, "a checksum", line)
        line = entry.line
        for key in ("field", "algorithm", "over"):
            if key not in entry:
                raise SpecError(f"a checksum needs {key}", line)
        path = _path(entry["field"], _line(entry, "field", line), "checksum field")
        decl, owner = self._resolve(spec, path, ROOT, _line(entry, "field", line), f"checksum field {path}")
        if decl.kind != "int":
            raise SpecError(f"checksum field {path} must be an integer, not {decl.type_text}", line)
        algorithm = entry["algorithm"]
        if algorithm not in ALGORITHMS:
            raise SpecError(f"unknown checksum algorithm {algorithm!r} (known: {', '.join(ALGORITHMS)})",
                            _line(entry, "algorithm", line))
        if WIDTHS[algorithm] > 8 * decl.int_size:
            raise SpecError(f"checksum field {path} has {8 * decl.int_size} bits but {algorithm} needs "
                            f"{WIDTHS[algorithm]}", _line(entry, "algorithm", line))
        over_raw = entry["over"]
        oline = _line(entry, "over", line)
        if not isinstance(over_raw, list) or not over_raw:
            raise SpecError("over must list the fields the checksum covers, like [kind, body]", oline)
        over = []
        for i, item in enumerate(over_raw):
            p = _path(item, _line(over_raw, i, oline), "checksum over")
            sub, _ = self._resolve(spec, p, owner, _line(over_raw, i, oline),
                                   f"checksum over {p} (relative to {self._type_label(owner)})", leaf=False)
            if sub is decl:
                raise SpecError(f"checksum {path} cannot cover itself", _line(over_raw, i, oline))
            over.append(p)
        return ChecksumDef(path, algorithm, over, line, decl=decl, owner=owner)

    def _check_free_is_free(self, spec: Spec) -> None:
        sums = {id(c.decl): c for c in spec.checksums}
        seen: dict[str, int] = {}
        for free in spec.free:
            decl = free.decl
            assert decl is not None
            key = (decl.owner, decl.id)
            if key in self.used:
                raise SpecError(f"free field {free.path} is read by {self.used[key]}: "
                                "a field the parser uses is not free", free.line)
            if id(decl) in sums:
                raise SpecError(f"free field {free.path} is the checksum on line {sums[id(decl)].line}", free.line)
            for cond in spec.trigger:
                if may_overlap(free.path, cond.path):
                    raise SpecError(f"free field {free.path} is tested by the trigger condition on line "
                                    f"{cond.line}", free.line)
            if str(free.path) in seen:
                raise SpecError(f"free field {free.path} is already listed on line {seen[str(free.path)]}", free.line)
            seen[str(free.path)] = free.line
        for cond in spec.trigger:
            decl = self._resolve(spec, cond.path, ROOT, cond.line, "")[0]
            if id(decl) in sums:
                raise SpecError(f"trigger field {cond.path} is a checksum, which is recomputed on every copy", cond.line)


def may_overlap(a: Path, b: Path) -> bool:
    """Whether two paths from the root can name the same field in some file."""
    if [s.name for s in a.segments] != [s.name for s in b.segments]:
        return False
    return all(_selectors_overlap(x.selector, y.selector) for x, y in zip(a.segments, b.segments, strict=True))


def _selectors_overlap(x: Selector, y: Selector) -> bool:
    if x is None or y is None or isinstance(x, str) or isinstance(y, str):  # the only text selector is "*"
        return True
    if isinstance(x, int):
        return x == y or (x < 0) != (y < 0) if isinstance(y, int) else _slice_may_hold(y, x)
    if isinstance(y, int):
        return _slice_may_hold(x, y)
    (a1, b1), (a2, b2) = x, y
    if any(v is not None and v < 0 for v in (a1, b1, a2, b2)):
        return True
    lo, hi = max(a1 or 0, a2 or 0), min(b1 if b1 is not None else 1 << 62, b2 if b2 is not None else 1 << 62)
    return lo < hi


def _slice_may_hold(s: tuple[int | None, int | None], index: int) -> bool:
    a, b = s
    if index < 0 or (a is not None and a < 0) or (b is not None and b < 0):
        return True
    return (a is None or a <= index) and (b is None or index < b)


def _single_byte(encoding: str) -> bool:
    try:
        return len("A".encode(encoding)) == 1
    except (LookupError, UnicodeError):
        return False


def decode_spec(data: bytes) -> str:
    """A stored specification's text: strict UTF-8 (a leading byte order mark is left to YAML)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"the specification is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})") from None


def load_spec(text: str) -> Spec:
    """Load and check a trigger specification; raise SpecError naming the line and problem."""
    try:
        return _Loader(text).load()
    except RecursionError:  # YAML depth is bounded; this also covers nested expressions and paths
        raise SpecError("the specification is nested too deeply") from None

