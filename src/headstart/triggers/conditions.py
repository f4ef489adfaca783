"""Evaluate trigger conditions and checksums on a parsed file, with explanations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .binparse import parse
from .checksums import ALGORITHMS, WIDTHS
from .errors import TriggerError, TriggerNotMetError
from .expr import ExprError, Scope, compare, describe, evaluate
from .parsed import Field, ParsedFile, Struct, resolve, span
from .paths import Path
from .spec import ChecksumDef, Condition, Spec


@dataclass(frozen=True)
class ConditionResult:
    """One trigger condition on one field: whether it holds, and why in words."""

    condition: Condition
    path: str
    holds: bool
    explanation: str
    actual: Any = None
    expected: Any = None


@dataclass(frozen=True)
class ChecksumResult:
    """One checksum field: the value stored and the value computed."""

    checksum: ChecksumDef
    path: str
    holds: bool
    stored: int | None
    computed: int | None
    explanation: str


def fmt(value: Any, hexy: bool = False) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        if hexy:
            return f"-{-value:#x}" if value < 0 else f"{value:#x}"
        return str(value)
    if isinstance(value, bytes):
        if value and all(0x20 <= b < 0x7F for b in value) and len(value) <= 32:
            return repr(value.decode("ascii"))
        return value[:16].hex(" ") + (" ..." if len(value) > 16 else "")
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, hexy) for v in value) + "]"
    return describe(value)


def _root_scope(root: Struct) -> Scope:
    return Scope(root.attribute)


def evaluate_condition(cond: Condition, parsed: ParsedFile) -> list[ConditionResult]:
    """The condition on every field its path names (one result per field)."""
    matches = resolve(parsed.root, cond.path)
    if not matches:
        return [ConditionResult(cond, str(cond.path), False,
                                f"{cond.path}: no such field in this file, so the condition cannot hold")]
    scope = _root_scope(parsed.root)
    try:
        expected = [evaluate(v.expr.node, scope) for v in cond.values]
    except ExprError as exc:
        return [ConditionResult(cond, path, False, f"{path} {cond.op} {cond.value_text}: {exc}")
                for path, _node in matches]
    shown = _expected_text(cond, expected)
    results = []
    for path, node in matches:
        if not isinstance(node, Field):
            results.append(ConditionResult(cond, path, False, f"{path} is a structure, not a value"))
            continue
        actual = node.value
        try:
            holds = holds_for(cond.op, actual, expected)
        except ExprError as exc:
            results.append(ConditionResult(cond, path, False, f"{path} {cond.op} {cond.value_text}: {exc}", actual))
            continue
        text = f"{path} = {fmt(actual, cond.hexy)} {cond.op} {shown}: {'holds' if holds else 'fails'}"
        results.append(ConditionResult(cond, path, holds, text, actual,
                                       expected if cond.op in ("in", "not-in") else expected[0]))
    return results


def holds_for(op: str, actual: Any, expected: list[Any]) -> bool:
    if op == "in":
        return any(compare("==", actual, e) for e in expected)
    if op == "not-in":
        return not any(compare("==", actual, e) for e in expected)
    return compare(op, actual, expected[0])


def _expected_text(cond: Condition, expected: list[Any]) -> str:
    parts = []
    for v, e in zip(cond.values, expected, strict=True):
        if v.expr.is_constant:
            parts.append(v.source)
        else:
            parts.append(f"{v.source} = {fmt(e, cond.hexy)}")
    if cond.op in ("in", "not-in"):
        return "[" + ", ".join(parts) + "]"
    return parts[0]


def evaluate_all(spec: Spec, parsed: ParsedFile) -> list[ConditionResult]:
    """Every trigger condition of ``spec`` on ``parsed``, in the order written."""
    return [r for cond in spec.trigger for r in evaluate_condition(cond, parsed)]


@dataclass(frozen=True)
class ChecksumJob:
    """Where one checksum lives and the byte ranges it covers, in one file."""

    checksum: ChecksumDef
    target: Field
    ranges: tuple[tuple[int, int], ...]

    def compute(self, data: bytes | bytearray) -> int:
        covered = b"".join(bytes(data[a:b]) for a, b in self.ranges)
        return ALGORITHMS[self.checksum.algorithm](covered) & ((1 << WIDTHS[self.checksum.algorithm]) - 1)

    def write(self, buf: bytearray) -> None:
        t = self.target
        value = self.compute(buf) & ((1 << (8 * t.size)) - 1)
        if t.decl.signed and value >= 1 << (8 * t.size - 1):
            value -= 1 << (8 * t.size)
        buf[t.offset:t.end] = value.to_bytes(t.size, "little" if t.decl.endian == "le" else "big", signed=t.decl.signed)


def checksum_jobs(spec: Spec, parsed: ParsedFile) -> list[ChecksumJob]:
    """Every checksum in the file, ordered so that a checksum comes after those it covers."""
    jobs: list[ChecksumJob] = []
    for cs in spec.checksums:
        parent_path = Path(cs.path.segments[:-1])
        parents = resolve(parsed.root, parent_path) if parent_path.segments else [("", parsed.root)]
        for _, parent in parents:
            if not isinstance(parent, Struct):
                continue
            for _tpath, target in resolve(parent, Path((cs.path.last,))):
                if not isinstance(target, Field) or target.truncated:
                    continue
                ranges: list[tuple[int, int]] = []
                for over in cs.over:
                    for _, node in resolve(parent, over):
                        ranges.extend(span(node))
                jobs.append(ChecksumJob(cs, target, tuple(ranges)))
    return _order(jobs)


def _order(jobs: list[ChecksumJob]) -> list[ChecksumJob]:
    def covers(a: ChecksumJob, b: ChecksumJob) -> bool:
        return any(s < b.target.end and b.target.offset < e for s, e in a.ranges)

    ordered: list[ChecksumJob] = []
    pending = list(jobs)
    while pending:
        ready = [j for j in pending if not any(covers(j, k) for k in pending if k is not j)]
        if not ready:
            raise TriggerError("checksums cover each other in a cycle: "
                               + ", ".join(j.target.path for j in pending))
        ordered.extend(ready)
        pending = [j for j in pending if all(j is not r for r in ready)]
    return ordered


def verify_checksums(spec: Spec, parsed: ParsedFile) -> list[ChecksumResult]:
    results = []
    for job in checksum_jobs(spec, parsed):
        computed = job.compute(parsed.data)
        stored = job.target.value
        mask = (1 << (8 * job.target.size)) - 1
        holds = isinstance(stored, int) and (stored & mask) == (computed & mask)
        name = job.checksum.algorithm
        over = " + ".join(str(p) for p in job.checksum.over)
        text = (f"{job.target.path} = {fmt(stored, True)}, {name} of {over} = {fmt(computed, True)}: "
                f"{'correct' if holds else 'wrong'}")
        results.append(ChecksumResult(job.checksum, job.target.path, holds,
                                      stored if isinstance(stored, int) else None, computed, text))
    return results


def check(spec: Spec, data: bytes | ParsedFile) -> ParsedFile:
    """Parse (strictly) and require every trigger condition and checksum to hold.

    Returns the parsed file; raises ParseError if the data does not match the layout and
    TriggerNotMetError naming every failing condition and wrong checksum otherwise.
    """
    parsed = data if isinstance(data, ParsedFile) else parse(spec, data)
    failures: list[Any] = [r for r in evaluate_all(spec, parsed) if not r.holds]
    failures += [r for r in verify_checksums(spec, parsed) if not r.holds]
    if failures:
        raise TriggerNotMetError(failures)
    return parsed
