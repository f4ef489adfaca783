"""Which names of a Python PoC may be renamed, and to what; which literals may be respelled.

libcst's scope analysis binds every name to its variable; a variable is refused (kept as
it is) whenever something outside the analysis could see its name: callers passing it by
keyword, locals()/eval(), global statements, strings naming it, f-string ``=``
specifiers, star imports. The carrier (python_source) proves every copy equivalent on top
of this, so a blind spot here drops a slot instead of shipping a different program.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
import libcst.metadata as md
from libcst.metadata.scope_provider import LocalScope

from headstart.carriers._names import PYTHON_RESERVED, candidate_names
from headstart.carriers.literal_forms import bytes_alternatives, int_alternatives
from headstart.carriers.source_common import MAX_ALTERNATIVES, looks_like_identifier

_DYNAMIC_CALLS = frozenset({"locals", "vars", "eval", "exec", "globals"})


@dataclass
class Variable:
    """One variable: a name bound in one scope, with every node that spells it."""

    scope: md.Scope
    name: str
    nodes: list[cst.Name] = field(default_factory=list)
    accesses: list[cst.Name] = field(default_factory=list)
    defs: list[cst.CSTNode] = field(default_factory=list)
    is_param: bool = False
    unsafe: str = ""

    def refuse(self, why: str) -> None:
        if not self.unsafe:
            self.unsafe = why


LiteralNode = cst.Integer | cst.SimpleString


@dataclass(frozen=True)
class SlotInfo:
    kind: str  # name | int | bytes
    first: tuple[int, int]
    alternatives: tuple[str, ...]
    where: str
    key: str
    original: str = ""


class ScopeAnalysis:
    """Which names may be renamed and to what; which literals may be respelled."""

    def __init__(self, wrapper: md.MetadataWrapper) -> None:
        self.wrapper = wrapper
        self.module = wrapper.module
        self.scopes = wrapper.resolve(md.ScopeProvider)
        self.parents = wrapper.resolve(md.ParentNodeProvider)
        self.positions = wrapper.resolve(md.PositionProvider)
        self.vars: dict[tuple[int, str], Variable] = {}
        self.global_names: set[str] = set()
        self.all_names: set[str] = set()
        self.family_names: dict[int, set[str]] = defaultdict(set)
        self.family_of_scope: dict[int, md.Scope | None] = {}
        self.debug_nodes: set[int] = set()
        self._collect()

    # scope structure

    def scope_of(self, node: cst.CSTNode) -> md.Scope | None:
        cur: cst.CSTNode | None = node
        while cur is not None:
            scope = self.scopes.get(cur)
            if scope is not None:
                return scope
            cur = self.parents.get(cur)
        return None

    def family(self, scope: md.Scope | None) -> LocalScope | None:
        """The outermost function or comprehension scope around ``scope`` (None: module
        level). A class body inside a function belongs to that function's family: it can
        read the function's variables, so its names must not be offered to them."""
        outermost: LocalScope | None = None
        cur = scope
        while cur is not None and not isinstance(cur, md.GlobalScope):
            if isinstance(cur, LocalScope) and not isinstance(cur, md.ClassScope):
                outermost = cur
            cur = cur.parent
        return outermost

    def var(self, scope: md.Scope, name: str) -> Variable:
        key = (id(scope), name)
        if key not in self.vars:
            self.vars[key] = Variable(scope, name)
        return self.vars[key]

    def _collect(self) -> None:
        scopes = {id(s): s for s in self.scopes.values() if s is not None}.values()
        access_of: dict[int, md.Access] = {}
        for scope in scopes:
            for assignment in scope.assignments:
                if isinstance(scope, md.GlobalScope):
                    self.global_names.add(assignment.name)
                if isinstance(scope, md.ClassScope):
                    continue
                var = self.var(scope, assignment.name)
                if not isinstance(assignment, md.Assignment):
                    var.refuse("imported")
                    continue
                node = assignment.node
                if isinstance(node, cst.Name):
                    var.nodes.append(node)
                elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    var.nodes.append(node.name)
                    var.defs.append(node)
                elif isinstance(node, cst.Param):
                    var.nodes.append(node.name)
                    var.is_param = True
                else:
                    var.refuse(f"bound by a {type(node).__name__}")
            for access in scope.accesses:
                access_of[id(access.node)] = access
                referents = list(access.referents)
                if not referents or any(
                    not isinstance(r, md.Assignment) or isinstance(r.scope, (md.GlobalScope, md.BuiltinScope))
                    for r in referents
                ):
                    if isinstance(access.node, cst.Name):
                        self.global_names.add(access.node.value)
                    self.global_names.update(r.name for r in referents)
                owners = {
                    (id(r.scope), r.name)
                    for r in referents
                    if isinstance(r, md.Assignment) and not isinstance(r.scope, md.ClassScope)
                }
                for owner in owners:
                    known = self.vars.get(owner)
                    var = known if known is not None else self.var(
                        next(r.scope for r in referents if (id(r.scope), r.name) == owner), owner[1]
                    )
                    if len(owners) > 1:
                        var.refuse("used where several bindings may apply")
                    if isinstance(access.node, cst.Name) and access.node.value == var.name:
                        var.nodes.append(access.node)
                        var.accesses.append(access.node)
                    else:
                        var.refuse("referred to by a string or attribute")
        self._collect_names()
        visitor = _Facts()
        self.module.visit(visitor)
        self._apply_facts(visitor, access_of)

    def _collect_names(self) -> None:
        collector = _NameCollector()
        self.module.visit(collector)
        for node in collector.names:
            self.all_names.add(node.value)
            fam = self.family(self.scope_of(node))
            if fam is not None:
                self.family_names[id(fam)].add(node.value)

    def _apply_facts(self, facts: _Facts, access_of: dict[int, md.Access]) -> None:
        lambda_keywords: set[str] = set()
        for call in facts.keyword_calls:
            callee = access_of.get(id(call.func)) if isinstance(call.func, cst.Name) else None
            referents = list(callee.referents) if callee is not None else []
            defs = [
                r.node
                for r in referents
                if isinstance(r, md.Assignment) and isinstance(r.node, cst.FunctionDef)
            ]
            for arg in call.args:
                if arg.keyword is None:
                    continue
                kw = arg.keyword.value
                if len(referents) == 1 and len(defs) == 1:
                    var = self.vars.get((id(self.scopes[defs[0].body]), kw))
                    if var is not None and var.is_param:
                        var.nodes.append(arg.keyword)
                    continue
                for d in defs:
                    var = self.vars.get((id(self.scopes[d.body]), kw))
                    if var is not None:
                        var.refuse("passed by keyword through an ambiguous callee")
                lambda_keywords.add(kw)
        for func in facts.functions:
            body_scope = self.scopes[func.body]
            open_params = self._keyword_params_renamable(func, access_of)
            for param in list(func.params.params) + list(func.params.kwonly_params):
                var = self.vars.get((id(body_scope), param.name.value))
                if var is not None and not open_params:
                    var.refuse("parameter callers may pass by keyword")
        for lam in facts.lambdas:
            body_scope = self.scopes[lam.body]
            for param in list(lam.params.params) + list(lam.params.kwonly_params):
                var = self.vars.get((id(body_scope), param.name.value))
                if var is not None and param.name.value in lambda_keywords:
                    var.refuse("a call passes this name by keyword")
        dynamic: set[int] = set()
        for call in facts.dynamic_calls:
            # locals()/vars() expose the calling function's names (and the enclosing
            # functions' it closes over); eval/exec/globals() reach module names too.
            # visit_Call keeps only calls of a plain name
            reaches_module = isinstance(call.func, cst.Name) and call.func.value in ("eval", "exec", "globals")
            scope = self.scope_of(call)
            while scope is not None and not isinstance(scope, md.BuiltinScope):
                if isinstance(scope, md.GlobalScope):
                    if reaches_module:
                        dynamic.add(id(scope))
                    break
                dynamic.add(id(scope))
                scope = scope.parent
        for node in facts.debug_names:
            self.debug_nodes.add(id(node))
        for var in self.vars.values():
            if id(var.scope) in dynamic:
                var.refuse("its scope uses locals(), vars(), eval(), exec() or globals()")
            if var.name in facts.declared:
                var.refuse("named in a global or nonlocal statement")
            if any(id(n) in self.debug_nodes for n in var.nodes):
                var.refuse("printed by an f-string '=' specifier")
            if var.name.startswith("__") or var.name in ("_", "self", "cls"):
                var.refuse("conventional or mangled name")
            if isinstance(var.scope, md.GlobalScope):
                if not var.name.startswith("_"):
                    var.refuse("public module name")
                elif facts.star_import:
                    var.refuse("the module has a star import")
                elif var.name in facts.string_words:
                    var.refuse("named in a string (getattr, __all__ ...)")
            if var.name in ("self", "cls"):
                var.refuse("conventional name")

    def _keyword_params_renamable(self, func: cst.FunctionDef, access_of: dict[int, md.Access]) -> bool:
        if func.decorators:
            return False
        scope = self.scopes[func]
        if isinstance(scope, md.ClassScope):
            return False
        if isinstance(scope, md.GlobalScope) and (
            not func.name.value.startswith("_") or func.name.value.startswith("__")
        ):
            return False
        var = self.vars.get((id(scope), func.name.value))
        if var is None or len(var.defs) != 1:
            return False
        for node in var.accesses:
            parent = self.parents.get(node)
            if not (isinstance(parent, cst.Call) and parent.func is node):
                return False  # the function escapes: someone may call it by keyword
        return True

    # choosing names

    def name_slots(self, excluded: set[str]) -> list[tuple[SlotInfo, Variable]]:
        candidates = [
            v
            for v in self.vars.values()
            if not v.unsafe and v.nodes and f"name:{self._label(v)}" not in excluded
        ]
        for v in candidates:
            v.nodes = _unique(v.nodes)
        module_level = sorted((v for v in candidates if isinstance(v.scope, md.GlobalScope)), key=self._first)
        local = sorted((v for v in candidates if not isinstance(v.scope, md.GlobalScope)), key=self._first)
        taken_anywhere: set[str] = set()
        taken_in: dict[int, set[str]] = defaultdict(set)
        out: list[tuple[SlotInfo, Variable]] = []
        for var in module_level + local:
            fam = self.family(var.scope)
            if fam is None:
                forbidden = self.all_names | taken_anywhere
                alts = [var.name] if var.name not in taken_anywhere else []
            else:
                taken = taken_in[id(fam)]
                forbidden = self.family_names[id(fam)] | self.global_names | taken_anywhere | taken
                alts = [var.name] if var.name not in taken and var.name not in taken_anywhere else []
            for cand in candidate_names(var.name):
                if len(alts) >= MAX_ALTERNATIVES:
                    break
                if (
                    cand in forbidden
                    or cand in PYTHON_RESERVED
                    or cand.startswith("__")
                    or not cand.isidentifier()
                ):
                    continue
                if var.name.startswith("_") and not cand.startswith("_"):
                    continue
                alts.append(cand)
            if len(alts) < 2:
                continue
            if fam is None:
                taken_anywhere.update(alts)
            else:
                taken_in[id(fam)].update(alts)
            out.append(
                (
                    SlotInfo(
                        "name",
                        self._first(var),
                        tuple(alts),
                        self._where(var),
                        f"name:{self._label(var)}",
                        var.name,
                    ),
                    var,
                )
            )
        return out

    def _first(self, var: Variable) -> tuple[int, int]:
        starts = [self.positions[n].start for n in var.nodes if n in self.positions]
        first = min(starts, key=lambda p: (p.line, p.column))
        return (first.line, first.column)

    def _label(self, var: Variable) -> str:
        path = []
        scope: md.Scope | None = var.scope
        while isinstance(scope, LocalScope):  # up to the module
            path.append(scope.name or type(scope).__name__.replace("Scope", "").lower())
            scope = scope.parent
        line, _ = self._first(var)
        return ".".join(reversed([*path, "<module>"])) + f".{var.name}@{line}"

    def _where(self, var: Variable) -> str:
        uses = len(var.nodes)
        if isinstance(var.scope, md.GlobalScope):
            what = "private helper" if var.defs else "module-private name"
            return f"{what} `{var.name}` ({uses} occurrences)"
        owner = (var.scope.name if isinstance(var.scope, LocalScope) else None) or "a lambda or comprehension"
        what = "parameter" if var.is_param else "local"
        return f"{what} `{var.name}` in {owner} ({uses} occurrences)"

    def literal_slots(self) -> list[tuple[SlotInfo, LiteralNode]]:
        finder = _LiteralFinder(self.debug_nodes)
        self.module.visit(finder)
        out: list[tuple[SlotInfo, LiteralNode]] = []
        for node in finder.integers:
            alts = int_alternatives(node.value)
            if len(alts) >= 2:
                pos = self.positions[node].start
                out.append(
                    (
                        SlotInfo(
                            "int",
                            (pos.line, pos.column),
                            tuple(alts),
                            f"integer {node.value} on line {pos.line}",
                            f"int:{pos.line}:{pos.column}",
                        ),
                        node,
                    )
                )
        for string in finder.byte_strings:
            alts = bytes_alternatives(string.value)
            if len(alts) >= 2:
                pos = self.positions[string].start
                out.append(
                    (
                        SlotInfo(
                            "bytes",
                            (pos.line, pos.column),
                            tuple(alts),
                            f"byte string {string.value} on line {pos.line}",
                            f"bytes:{pos.line}:{pos.column}",
                        ),
                        string,
                    )
                )
        return out

    def comment_scopes(
        self, items: list[tuple[SlotInfo, Variable | LiteralNode]], var_slot: dict[int, int]
    ) -> list[tuple[tuple[int, int], dict[str, int]]]:
        """Line ranges and the renamable identifiers whose comments may mention them."""
        per_family: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        ranges: dict[int, tuple[int, int]] = {}
        module_names: dict[str, list[int]] = defaultdict(list)
        for _info, payload in items:
            if not isinstance(payload, Variable):  # a literal's slot
                continue
            slot = var_slot[id(payload)]
            fam = self.family(payload.scope)
            if fam is None:
                module_names[payload.name].append(slot)
                continue
            per_family[id(fam)][payload.name].append(slot)
            if id(fam) not in ranges:
                node = fam.node
                span = self.positions[node]
                ranges[id(fam)] = (span.start.line, span.end.line)
        out: list[tuple[tuple[int, int], dict[str, int]]] = []
        whole = (1, 10**9)
        out.append(
            (whole, {n: s[0] for n, s in module_names.items() if len(s) == 1 and looks_like_identifier(n)})
        )
        for fam_id, names in per_family.items():
            usable = {
                n: s[0]
                for n, s in names.items()
                if len(s) == 1 and looks_like_identifier(n) and n not in module_names
            }
            if usable:
                out.append((ranges[fam_id], usable))
        return out


def _unique(nodes: list[cst.Name]) -> list[cst.Name]:
    seen: set[int] = set()
    out = []
    for n in nodes:
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
    return out


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)


class _Facts(cst.CSTVisitor):
    """Module facts that limit renaming: keyword calls, dynamic scope access, strings."""

    def __init__(self) -> None:
        super().__init__()
        self.keyword_calls: list[cst.Call] = []
        self.functions: list[cst.FunctionDef] = []
        self.lambdas: list[cst.Lambda] = []
        self.dynamic_calls: list[cst.Call] = []
        self.debug_names: list[cst.Name] = []
        self.declared: set[str] = set()
        self.string_words: set[str] = set()
        self.star_import = False
        self._docstrings: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if any(a.keyword is not None for a in node.args):
            self.keyword_calls.append(node)
        if isinstance(node.func, cst.Name) and node.func.value in _DYNAMIC_CALLS:
            self.dynamic_calls.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)
        self._note_docstring(node.body)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._note_docstring(node.body)

    def visit_Module(self, node: cst.Module) -> None:
        self._note_docstring(node)

    def _note_docstring(self, body: cst.CSTNode) -> None:
        stmts = getattr(body, "body", ())
        if stmts and isinstance(stmts[0], cst.SimpleStatementLine) and stmts[0].body:
            expr = stmts[0].body[0]
            if isinstance(expr, cst.Expr) and isinstance(
                expr.value, (cst.SimpleString, cst.ConcatenatedString)
            ):
                self._docstrings.add(id(expr.value))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.lambdas.append(node)

    def visit_Global(self, node: cst.Global) -> None:
        self.declared.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.declared.update(item.name.value for item in node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star_import = True

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) not in self._docstrings:
            self.string_words.update(re.findall(r"[A-Za-z_]\w*", node.value))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return id(node) not in self._docstrings

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.string_words.update(re.findall(r"[A-Za-z_]\w*", node.value))

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        if node.equal is not None:
            collector = _NameCollector()
            node.expression.visit(collector)
            self.debug_names.extend(collector.names)


class _LiteralFinder(cst.CSTVisitor):
    def __init__(self, debug_nodes: set[int]) -> None:
        super().__init__()
        self.integers: list[cst.Integer] = []
        self.byte_strings: list[cst.SimpleString] = []
        self._skip_depth = 0

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        # f"{0x10=}" prints the literal's spelling, and inside any f-string a literal is
        # invisible to the token reader: leave literals in f-strings alone.
        self._skip_depth += 1

    def leave_FormattedString(self, original_node: cst.FormattedString) -> None:
        self._skip_depth -= 1

    def visit_MatchPattern(self, node: cst.MatchPattern) -> bool:
        return False

    def visit_Integer(self, node: cst.Integer) -> None:
        if not self._skip_depth:
            self.integers.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not self._skip_depth:
            self.byte_strings.append(node)
