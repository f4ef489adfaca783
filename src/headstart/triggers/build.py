"""Write files from a specification: build one from values, patch one, fix its checksums."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .binparse import parse
from .conditions import checksum_jobs
from .errors import TriggerError
from .expr import ExprError, Name, Scope, evaluate, truth
from .spec import ROOT, FieldDef, Spec, TypeDef


def encode_int(value: int, decl: FieldDef, path: str = "") -> bytes:
    lo, hi = decl.int_range
    if isinstance(value, bool) or not isinstance(value, int):
        raise TriggerError(f"{path or decl.id}: {decl.type_text} needs an integer, not {value!r}")
    if not lo <= value <= hi:
        raise TriggerError(f"{path or decl.id}: {value} does not fit {decl.type_text} ({lo}..{hi})")
    return value.to_bytes(decl.int_size, "little" if decl.endian == "le" else "big", signed=decl.signed)


def encode_value(value: Any, decl: FieldDef, path: str = "") -> bytes:
    """The bytes of one leaf value as the specification lays it out."""
    if decl.kind == "int":
        return encode_int(value, decl, path)
    if decl.kind == "str":
        if not isinstance(value, str):
            raise TriggerError(f"{path or decl.id}: a str needs text, not {type(value).__name__}")
        try:
            return value.encode(decl.encoding or "ascii")
        except UnicodeEncodeError:
            raise TriggerError(f"{path or decl.id}: {value!r} is not encodable in {decl.encoding}") from None
    if decl.kind == "contents":
        assert decl.contents is not None
        return decl.contents
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise TriggerError(f"{path or decl.id}: raw bytes need bytes, not {type(value).__name__}")


def recompute_checksums(spec: Spec, data: bytes | bytearray) -> bytes:
    """``data`` with every checksum the specification names recomputed."""
    parsed = parse(spec, bytes(data))
    buf = bytearray(data)
    for job in checksum_jobs(spec, parsed):
        job.write(buf)
    return bytes(buf)


def patch(spec: Spec, data: bytes, changes: Mapping[str, Any]) -> bytes:
    """Set fields (by concrete path) to new values of the same size, then fix checksums.

    Raises TriggerError if a path is not in the file, a value does not fit, or a change
    would move other fields (use ``build`` to change sizes).
    """
    parsed = parse(spec, data)
    buf = bytearray(data)
    for path, value in changes.items():
        target = parsed.field(path)
        raw = encode_value(value, target.decl, path)
        if len(raw) != target.size:
            raise TriggerError(f"{path}: the new value takes {len(raw)} bytes, the field has {target.size}")
        buf[target.offset:target.end] = raw
    before = [(f.path, f.offset, f.size) for f in parsed.fields]
    after = parse(spec, bytes(buf), lenient=True)
    if after.error is not None or [(f.path, f.offset, f.size) for f in after.fields] != before:
        raise TriggerError(f"patching {', '.join(changes)} changes the layout of the file")
    return recompute_checksums(spec, bytes(buf))


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.out = bytearray()
        self.sum_fields = {id(c.decl) for c in spec.checksums}

    def struct(self, typedef: TypeDef, values: Mapping[str, Any], path: str, parent: dict | None) -> dict:
        if not isinstance(values, Mapping):
            raise TriggerError(f"{path or 'the file'}: a structure needs a mapping of field values")
        unknown = set(values) - {f.id for f in typedef.fields}
        if unknown:
            raise TriggerError(f"{path or 'the file'}: no field named {', '.join(sorted(unknown))}")
        known: dict[str, Any] = {}
        start = len(self.out)
        scope = Scope(lambda name: self.lookup(name, known, parent, start))
        for i, f in enumerate(typedef.fields):
            fpath = f"{path}.{f.id}" if path else f.id
            if f.if_expr is not None and not truth(self.eval(f.if_expr.node, scope, fpath)):
                continue
            value = values[f.id] if f.id in values else self.infer(typedef, i, f, values, fpath)
            if f.repeat is not None:
                if not isinstance(value, (list, tuple)):
                    raise TriggerError(f"{fpath}: a repeated field needs a list")
                known[f.id] = [self.one(f, v, f"{fpath}[{j}]", scope, known) for j, v in enumerate(value)]
                if f.repeat_expr is not None:
                    want = self.eval(f.repeat_expr.node, scope, fpath)
                    if want != len(value):
                        raise TriggerError(f"{fpath}: repeat-expr {f.repeat_expr.source} = {want}, "
                                           f"but {len(value)} elements were given")
            else:
                known[f.id] = self.one(f, value, fpath, scope, known)
        known["_size"] = len(self.out) - start
        return known

    def one(self, f: FieldDef, value: Any, path: str, scope: Scope, known: dict) -> Any:
        if f.kind == "struct":
            sub = self.spec.type_named(f.user_type or ROOT)
            start = len(self.out)
            built = _Record(self.struct(sub, value, path, known))
            self.check_size(f, len(self.out) - start, scope, path)
            return built
        raw = encode_value(value, f, path)
        self.check_size(f, len(raw), scope, path)
        self.out += raw
        return f.contents if f.kind == "contents" else value

    def check_size(self, f: FieldDef, size: int, scope: Scope, path: str) -> None:
        if f.size is not None:
            want = self.eval(f.size.node, scope, path)
            if want != size:
                raise TriggerError(f"{path}: size {f.size.source} = {want}, but the value takes {size} bytes")

    def infer(self, typedef: TypeDef, i: int, f: FieldDef, values: Mapping[str, Any], path: str) -> Any:
        if f.kind == "contents":
            return f.contents
        if id(f) in self.sum_fields:
            return 0  # recomputed once the whole file is written
        for later in typedef.fields[i + 1:]:
            if later.size is not None and later.size.node == Name(f.id) and later.id in values:
                v = values[later.id]
                if later.kind == "str" and isinstance(v, str):
                    return len(v.encode(later.encoding or "ascii"))
                if isinstance(v, (bytes, bytearray)):
                    return len(v)
            if later.repeat_expr is not None and later.repeat_expr.node == Name(f.id) and later.id in values:
                return len(values[later.id])
        raise TriggerError(f"{path}: no value given (and it cannot be worked out from later fields)")

    def eval(self, node: Any, scope: Scope, path: str) -> Any:
        try:
            return evaluate(node, scope)
        except ExprError as exc:
            raise TriggerError(f"{path}: {exc}") from None

    def lookup(self, name: str, known: dict, parent: dict | None, start: int) -> Any:
        if name in known and name != "_size":
            return known[name]
        if name == "_parent" and parent is not None:
            return _Record(parent)
        if name == "_io":
            return _IoSoFar(len(self.out) - start)
        raise ExprError(f"{name} is not known at this point of the file")


class _Record:
    def __init__(self, values: dict) -> None:
        self.values = values

    def attribute(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        raise ExprError(f"no field {name!r}")


class _IoSoFar:
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def attribute(self, name: str) -> Any:
        if name == "pos":
            return self.pos
        raise ExprError(f"_io.{name} is not known while building")


def build(spec: Spec, values: Mapping[str, Any]) -> bytes:
    """A file laid out from nested values (mappings for structures, lists for repeats).

    ``contents`` and checksums may be left out (they are filled in), and so may a length
    field that a later field's ``size`` names directly. The result is parsed back to be sure.
    """
    builder = _Builder(spec)
    builder.struct(spec.root, values, "", None)
    data = bytes(builder.out)
    parsed = parse(spec, data)
    buf = bytearray(data)
    for job in checksum_jobs(spec, parsed):
        job.write(buf)
    return bytes(buf)


__all__ = ["build", "encode_value", "patch", "recompute_checksums"]
