"""Structural choices in Python that survive renaming, reformatting and comment stripping:
the order of independent top-level statements.

A run is a maximal stretch of adjacent module-level statements of one kind, each on a
line of its own, each of which can run before or after the others without any difference:

* ``import``: ``import m`` / ``from m import n`` of standard-library modules (never
  ``__future__``), each binding names no other statement of the run binds. Importing a
  standard module runs no code of the program, and every name stays bound to the same
  module object whatever the order.
* ``constants``: ``NAME = <constant expression>`` (literals combined by operators, tuples
  of them): nothing is read, so nothing can depend on the order; the names are distinct.

Runs end at a blank line (the author's grouping is kept). Comment lines directly above a
statement move with it. Function definitions could move as well, but copies must keep one
line layout: colluders who mix their copies line by line must still post a program (see
``headstart.leaks.mixing``), and a mix of two orders of multi-line functions is none.

A leak is read by fingerprint: each top-level statement's AST with every identifier
blanked, docstrings and ``pass`` fillers dropped, literal values kept. Retyping (new
names, black, no comments or docstrings) changes none of that. See ``_line_orders`` for
the encoding.
"""

from __future__ import annotations

import ast
import copy
import difflib
import itertools
import re
import sys
from collections.abc import Sequence

from headstart.carriers._line_orders import Run, split_lines

_STDLIB = frozenset(sys.stdlib_module_names)


def find_runs(tree: ast.Module, source: str) -> list[Run]:
    if re.search(r"\r(?!\n)", source):
        return []  # a line ending in a lone CR: ast's line numbers are not the lines split here
    lines = split_lines(source)
    body = tree.body
    kinds = [_kind(s) for s in body]
    prints = [fingerprint(s) for s in body]
    runs: list[Run] = []
    run_of: dict[int, int] = {}  # statement index -> its run
    k = 0
    while k < len(body):
        kind = kinds[k]
        if kind is None:
            k += 1
            continue
        group = [k]
        j = k + 1
        while j < len(body) and kinds[j] == kind and not _blank_between(lines, body[j - 1], body[j]):
            group.append(j)
            j += 1
        group = _independent(group, body)
        if len(group) >= 2 and len({prints[g] for g in group}) == len(group):
            blocks = tuple(_block(lines, body, g) for g in group)
            if all(a[1] <= b[0] for a, b in itertools.pairwise(blocks)) and _only_gaps(lines, blocks):
                earlier = [i for i in range(group[0]) if not _bare_string(body[i])]
                before = prints[earlier[-1]] if earlier else None
                before_run = run_of.get(earlier[-1]) if earlier else None
                run_of.update((g, len(runs)) for g in group)
                runs.append(Run(kind, blocks, tuple(prints[g] for g in group), before, before_run))
        k = max(j, k + 1)
    return runs


def _bare_string(stmt: ast.stmt) -> bool:
    """A docstring or any other lone string: retyping drops the module's."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _kind(stmt: ast.stmt) -> str | None:
    if (stmt.end_lineno or stmt.lineno) != stmt.lineno:
        return None  # one line each, so a line-by-line mix of two copies still parses
    if isinstance(stmt, ast.Import):
        return "import" if all(a.name.split(".")[0] in _STDLIB for a in stmt.names) else None
    if isinstance(stmt, ast.ImportFrom):
        module = stmt.module or ""
        ok = stmt.level == 0 and module != "__future__" and module.split(".")[0] in _STDLIB
        return "import" if ok and all(a.name != "*" for a in stmt.names) else None
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and _constant(stmt.value):
            return "constants"
        return None
    return None


def _constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _constant(node.left) and _constant(node.right)
    if isinstance(node, ast.Tuple):
        return all(_constant(e) for e in node.elts)
    return False


def _bound(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {stmt.name}
    return set()


def _independent(group: list[int], body: list[ast.stmt]) -> list[int]:
    """The longest prefix of the group whose statements bind distinct names (imports and
    constants read no name, so that is all they can share)."""
    bound: set[str] = set()
    out: list[int] = []
    for g in group:
        names = _bound(body[g])
        if names & bound:
            break
        bound |= names
        out.append(g)
    return out


def _blank_between(lines: list[str], a: ast.stmt, b: ast.stmt) -> bool:
    end = a.end_lineno or a.lineno
    return any(not lines[i].strip() for i in range(end, b.lineno - 1))


def _block(lines: list[str], body: list[ast.stmt], g: int) -> tuple[int, int]:
    stmt = body[g]
    first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))]) - 1
    floor = (body[g - 1].end_lineno or body[g - 1].lineno) if g > 0 else 0
    while first - 1 >= floor and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first, stmt.end_lineno or stmt.lineno


def _only_gaps(lines: list[str], blocks: tuple[tuple[int, int], ...]) -> bool:
    """Between two blocks of a run there are only blank lines, and no statement shares a
    line with a block (``a = 1; b = 2``)."""
    for (_, end), (start, _) in itertools.pairwise(blocks):
        if any(lines[i].strip() for i in range(end, start)):
            return False
    return True


# -- fingerprints --------------------------------------------------------------------


class _Blank(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(id="_", ctx=node.ctx)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.generic_visit(node)
        node.arg = "_"
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.AST:
        self.generic_visit(node)
        if node.arg is not None:
            node.arg = "_"
        return node

    def visit_alias(self, node: ast.alias) -> ast.AST:
        if node.asname:
            node.asname = "_"
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        self.generic_visit(node)
        if node.name:
            node.name = "_"
        return node

    def _scope(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.name = "_"
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scope

    def visit_Global(self, node: ast.Global) -> ast.AST:
        return ast.Global(names=["_"] * len(node.names))

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.AST:
        return ast.Nonlocal(names=["_"] * len(node.names))

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                setattr(
                    node, field, _without_fillers(stmts, docstring=field == "body" and _has_docstring(node))
                )
        return node


def _has_docstring(node: ast.AST) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))


def _without_fillers(stmts: list[ast.stmt], docstring: bool) -> list[ast.stmt]:
    first = stmts[0]
    if docstring and _bare_string(first):
        stmts = stmts[1:]
    if len(stmts) > 1:
        stmts = [s for s in stmts if not isinstance(s, ast.Pass)]
    return stmts or [ast.Pass()]


def fingerprint(stmt: ast.stmt) -> str:
    """The statement with every identifier blanked and docstrings and ``pass`` fillers
    gone: what a retyped, reformatted copy keeps of it."""
    node = _Blank().visit(copy.deepcopy(stmt))
    return ast.dump(node, annotate_fields=False, include_attributes=False)


# -- reading ---------------------------------------------------------------------------


def leak_statements(text: str) -> list[str] | None:
    """Fingerprints of the leak's top-level statements, in order; a leak cut inside a
    statement loses that statement (cut back to the last line that starts one)."""
    lines = split_lines(text)
    end = len(lines)
    for _ in range(40):
        try:
            tree = ast.parse("".join(lines[:end]))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            end = _last_statement_start(lines, end)
            if end <= 0:
                return None
            continue
        return [fingerprint(s) for s in tree.body if not _bare_string(s)]
    return None


def _last_statement_start(lines: list[str], end: int) -> int:
    for i in range(end - 1, -1, -1):
        line = lines[i]
        if line.strip() and not line[0].isspace() and not line.startswith(("#", ")", "]", "}")):
            return i
    return 0


def token_orders(
    leak_keys: Sequence[str], item_keys: list[list[list[str]]], runs: list[Run]
) -> list[list[int] | None]:
    """For aligning a leak that does not parse (lost indentation, an excerpt, a mix of
    copies): each run's statements in the order the leak shows them, found by their token
    keys (an item found once, whole or mostly), the others after them in original order.
    Used only to arrange the original for alignment, never read as digits: a wrong
    arrangement only leaves slots unread, since every slot is still read by alignment."""
    out: list[list[int] | None] = []
    for run, items in zip(runs, item_keys, strict=True):
        found: list[tuple[int, int]] = []
        for k, keys in enumerate(items):
            at = _place(leak_keys, keys)
            if at is not None:
                found.append((at, k))
        if not found:
            out.append(None)
            continue
        seen = [k for _, k in sorted(found)]
        out.append(seen + [k for k in range(len(run.blocks)) if k not in seen])
    return out


def _place(leak_keys: Sequence[str], keys: list[str]) -> int | None:
    """Where the item's keys stand in the leak: the one exact place of a short item, or the
    start of the longest match covering most of a long one."""
    if not keys:
        return None
    if len(keys) <= 12:
        n = len(keys)
        places = [i for i in range(len(leak_keys) - n + 1) if list(leak_keys[i : i + n]) == keys]
        return places[0] if len(places) == 1 else None
    matcher = difflib.SequenceMatcher(None, leak_keys, keys, autojunk=False)
    match = matcher.find_longest_match(0, len(leak_keys), 0, len(keys))
    if match.size < max(8, len(keys) // 3):
        return None
    return match.a - match.b
