"""A file parsed against a specification: a tree of structures and a flat list of fields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union

from .errors import TriggerError
from .expr import ExprError
from .paths import Path, parse_path, select
from .spec import FieldDef, TypeDef


@dataclass
class Field:
    """One leaf of the file: where it is, how long, what it holds."""

    path: str
    offset: int
    size: int
    value: int | bytes | str
    decl: FieldDef
    truncated: bool = False

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def type(self) -> str:
        return self.decl.type_text


class Io:
    """``_io`` in expressions: the (sub)stream a structure is read from."""

    def __init__(self, start: int, end: int, pos: int) -> None:
        self.start, self.end, self.pos = start, end, pos

    def attribute(self, name: str) -> Any:
        if name == "size":
            return self.end - self.start
        if name == "pos":
            return self.pos - self.start
        if name == "eof":
            return self.pos >= self.end
        raise ExprError(f"_io has no attribute {name!r} (it has size, pos and eof)")


Member = Union[Field, "Struct", list]


class Struct:
    """One instance of a type: its members in file order (a repeated member is a list)."""

    def __init__(self, typedef: TypeDef, path: str, offset: int, end: int,
                 parent: Struct | None, root: Struct | None) -> None:
        self.typedef = typedef
        self.path = path
        self.offset = offset
        self.size = 0
        self.members: dict[str, Member] = {}
        self.parent = parent
        self.root = root if root is not None else self
        self.io = Io(offset, end, offset)

    def __repr__(self) -> str:
        return f"Struct({self.path or '<root>'} at {self.offset:#x}, {len(self.members)} members)"

    def attribute(self, name: str) -> Any:
        if name in self.members:
            return member_value(self.members[name])
        if name == "_parent":
            if self.parent is None:
                raise ExprError("the file itself has no _parent")
            return self.parent
        if name == "_root":
            return self.root
        if name == "_io":
            return self.io
        declared = self.typedef.get(name)
        if declared is None:
            raise ExprError(f"{self.typedef.name if self.parent else 'the file'} has no field {name!r}")
        raise ExprError(f"{self.child_path(name)} is not in this file (absent or not read yet)")

    def child_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name


def member_value(member: Member) -> Any:
    if isinstance(member, Field):
        return member.value
    if isinstance(member, list):
        return [member_value(m) for m in member]
    return member


Node = Field | Struct


def resolve(start: Struct, path: Path | str) -> list[tuple[str, Node]]:
    """Every (concrete path, field or structure) a path names, starting from ``start``."""
    if isinstance(path, str):
        path = parse_path(path)
    current: list[tuple[str, Any]] = [(start.path, start)]
    for seg in path.segments:
        nxt: list[tuple[str, Any]] = []
        for prefix, node in current:
            if not isinstance(node, Struct) or seg.name not in node.members:
                continue
            member = node.members[seg.name]
            base = f"{prefix}.{seg.name}" if prefix else seg.name
            if isinstance(member, list):
                if seg.selector is None:
                    nxt.extend((f"{base}[{i}]", m) for i, m in enumerate(member))
                else:
                    nxt.extend((f"{base}[{i}]", m) for i, m in select(member, seg.selector))
            elif seg.selector is None:
                nxt.append((base, member))
        current = nxt
    return current


def span(node: Any) -> list[tuple[int, int]]:
    """The byte ranges a field, structure or list of them occupies."""
    if isinstance(node, Field):
        return [(node.offset, node.end)]
    if isinstance(node, Struct):
        return [(node.offset, node.offset + node.size)]
    if isinstance(node, list):
        return [r for item in node for r in span(item)]
    return []


class ParsedFile:
    """The result of parsing: ``fields`` (leaves in file order) and the ``root`` structure.

    A lenient parse (used to read leaks) keeps what it could read: ``error`` is the
    ParseError that stopped it (None if the whole file was read) and ``problems`` lists
    what it read past (a wrong magic, undecodable text).
    """

    def __init__(self, data: bytes, root: Struct, fields: list[Field],
                 error: TriggerError | None = None, problems: list[str] | None = None) -> None:
        self.data = data
        self.root = root
        self.fields = fields
        self.error = error
        self.problems = problems or []
        self._by_path: dict[str, Field] | None = None

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def end(self) -> int:
        return self.root.offset + self.root.size

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self.by_path

    def __getitem__(self, path: str) -> Field:
        return self.field(path)

    @property
    def by_path(self) -> dict[str, Field]:
        if self._by_path is None:
            self._by_path = {f.path: f for f in self.fields}
        return self._by_path

    def field(self, path: str) -> Field:
        try:
            return self.by_path[path]
        except KeyError:
            raise TriggerError(f"no field {path!r} in this file") from None

    def value(self, path: str) -> Any:
        return self.field(path).value

    def find(self, path: Path | str) -> list[tuple[str, Node]]:
        return resolve(self.root, path)

    def table(self) -> str:
        """A plain-text listing: offset, size, path, value (for people and error reports)."""
        rows = []
        for f in self.fields:
            v = f.value
            if isinstance(v, int):
                shown = f"{v} ({v:#x})"
            elif isinstance(v, bytes):
                shown = v[:16].hex(" ") + (" ..." if len(v) > 16 else "")
            else:
                shown = repr(v)
            rows.append(f"{f.offset:#08x} {f.size:6d}  {f.path:<24} {shown}")
        return "\n".join(rows)
