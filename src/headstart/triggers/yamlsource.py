"""YAML as data only, with the line of every key and item kept for error messages.

The loader is PyYAML's SafeLoader (no tags that construct objects); mappings become
``LineMap`` and sequences ``LineList``, which remember where each entry was written and
the source text of scalars (so ``0x7fff`` can be shown as written). Anchors and aliases
are refused: a specification has no use for them and they make documents explode.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import SpecError

MAX_SPEC_CHARS = 1_000_000
# Composing and constructing nodes recurses once per level: bound it well below Python's
# recursion limit. Integers are bounded by their written length, as Python's own int()
# refuses over 4300 digits with a ValueError; no field needs more than 64 bits.
MAX_DEPTH = 64
MAX_INT_CHARS = 40


class LineMap(dict):
    """A mapping that knows its own line, each key's line and each scalar's source text."""

    line = 0
    key_lines: dict[Any, int]  # set by the loader, as is sources
    sources: dict[Any, str | None]

    def line_of(self, key: Any) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)

    def source_of(self, key: Any) -> str | None:
        return getattr(self, "sources", {}).get(key)


class LineList(list):
    """A sequence that knows its own line, each item's line and each scalar's source text."""

    line = 0
    item_lines: list[int]  # set by the loader, as is sources
    sources: list[str | None]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


class _Loader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SpecError("anchors and aliases are not allowed in a specification", event.start_mark.line + 1)
        if self._depth >= MAX_DEPTH:
            raise SpecError(f"the specification is nested more than {MAX_DEPTH} levels deep",
                            self.peek_event().start_mark.line + 1)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _scalar_source(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    out = LineMap()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.sources = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise SpecError("a mapping key must be a plain value", line) from None
        if key in out:
            raise SpecError(f"duplicate key {key!r}", line)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
        out.sources[key] = _scalar_source(value_node)
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    out.sources = [_scalar_source(child) for child in node.value]
    return out


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    if len(node.value) > MAX_INT_CHARS:
        raise SpecError(f"a number of {len(node.value)} characters is too long (at most {MAX_INT_CHARS})",
                        node.start_mark.line + 1)
    return int(loader.construct_yaml_int(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load_yaml(text: str) -> Any:
    """Load one YAML document as plain data with line information, or raise SpecError."""
    if not isinstance(text, str):
        raise SpecError(f"a specification is text, not {type(text).__name__}")
    if len(text) > MAX_SPEC_CHARS:
        raise SpecError(f"the specification is longer than {MAX_SPEC_CHARS} characters")
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise SpecError(f"not valid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}") from None
