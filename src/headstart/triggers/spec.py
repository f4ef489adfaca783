"""The specification model: what a loaded trigger specification holds.

``load_spec`` (in ``specload``) builds it from YAML text and checks everything a
specification can get wrong before any data is parsed.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from .expr import Expr
from .paths import Path

ID_PATTERN = re.compile(r"[a-z_][a-z0-9_]*$")
INT_TYPE = re.compile(r"([us])([1248])(le|be)?$")
SPECIAL_NAMES = {"_root", "_parent", "_io", "_", "_index"}
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not-in")
ROOT = "<root>"

TOP_KEYS = {"meta", "seq", "types", "doc", "doc-ref", "x-headstart"}
META_KEYS = {"id", "title", "application", "file-extension", "xref", "license", "ks-version",
              "ks-debug", "ks-opaque-types", "encoding", "endian"}
FIELD_KEYS = {"id", "type", "size", "size-eos", "contents", "encoding", "repeat", "repeat-expr",
               "repeat-until", "if", "doc", "doc-ref"}
TYPE_KEYS = {"seq", "doc", "doc-ref", "meta"}
X_KEYS = {"trigger", "free", "checksums", "doc"}
COND_KEYS = {"field", "op", "value", "why"}
FREE_KEYS = {"field", "min", "max", "charset", "values", "doc"}
SUM_KEYS = {"field", "algorithm", "over", "doc"}

CHARSETS: dict[str, frozenset[int]] = {
    "printable": frozenset(range(0x20, 0x7F)),
    "alnum": frozenset((string.ascii_letters + string.digits).encode()),
    "alpha": frozenset(string.ascii_letters.encode()),
    "digits": frozenset(string.digits.encode()),
    "hex": frozenset(string.hexdigits.encode()),
    "lower": frozenset(string.ascii_lowercase.encode()),
    "upper": frozenset(string.ascii_uppercase.encode()),
}


@dataclass
class FieldDef:
    """One entry of a ``seq``."""

    id: str
    line: int
    kind: str  # "int", "str", "bytes", "contents", "struct"
    type_text: str  # as shown in the procedure: u4le, str, bytes, chunk
    int_size: int = 0
    signed: bool = False
    endian: str = "le"
    user_type: str | None = None
    contents: bytes | None = None
    size: Expr | None = None
    size_eos: bool = False
    encoding: str | None = None
    repeat: str | None = None  # "eos", "expr", "until"
    repeat_expr: Expr | None = None
    repeat_until: Expr | None = None
    if_expr: Expr | None = None
    doc: str = ""
    owner: str = ROOT

    @property
    def int_range(self) -> tuple[int, int]:
        bits = 8 * self.int_size
        return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed else (0, (1 << bits) - 1)


@dataclass
class TypeDef:
    name: str
    line: int
    fields: list[FieldDef]
    doc: str = ""

    def get(self, field_id: str) -> FieldDef | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None


@dataclass
class Value:
    """A trigger value: an expression with the text it was written as."""

    expr: Expr
    source: str

    @property
    def hexy(self) -> bool:
        return self.source.strip().lower().startswith("0x") or self.expr.hexy


@dataclass
class Condition:
    path: Path
    op: str
    values: list[Value]  # one for comparisons, the listed ones for in / not-in
    why: str
    line: int

    @property
    def value_text(self) -> str:
        if self.op in ("in", "not-in"):
            return "[" + ", ".join(v.source for v in self.values) + "]"
        return self.values[0].source

    @property
    def hexy(self) -> bool:
        return any(v.hexy for v in self.values)


@dataclass
class FreeField:
    path: Path
    line: int
    minimum: int | None = None
    maximum: int | None = None
    charset: frozenset[int] | None = None
    values: list[int] | None = None
    decl: FieldDef | None = None


@dataclass
class ChecksumDef:
    path: Path
    algorithm: str
    over: list[Path]
    line: int
    decl: FieldDef | None = None
    owner: str = ROOT


@dataclass
class Spec:
    id: str
    title: str
    endian: str | None
    encoding: str | None
    doc: str
    root: TypeDef
    types: dict[str, TypeDef]
    trigger: list[Condition] = field(default_factory=list)
    free: list[FreeField] = field(default_factory=list)
    checksums: list[ChecksumDef] = field(default_factory=list)
    # (type name, field id) pairs some expression reads: the parser depends on them
    used: dict[tuple[str, str], str] = field(default_factory=dict)
    text: str = ""

    def type_named(self, name: str) -> TypeDef:
        return self.root if name == ROOT else self.types[name]
