"""Python source PoCs: marks in names and literal spellings that mean the same program.

Slots (found with libcst's scope analysis, deterministic for a given original):

* **names**: every local variable, every parameter nobody outside the module can pass
  by keyword (parameters of private or nested functions, positional-only ones, ``*args``
  and ``**kwargs``), and module-private names (``_helper``). One slot per variable; its
  occurrences are every binding and use, and the keyword at call sites inside the module.
  Alternatives are plausible synonyms (``buf``/``buffer``/``data``) that appear nowhere in
  the variable's function, are not builtins or keywords, and are not offered to any other
  slot of that function (module-private names: of the whole file), so no renaming can
  capture another name.
* **integer literal forms**: decimal or hexadecimal, digit grouping with underscores, and
  hex digit case. Base and grouping survive black, ruff and autopep8; black and ruff
  upper-case hex digits, so a leak whose hex literals are all upper case reads case-only
  differences as erasures.
* **byte-string spellings**: ``b"TIM1"`` or ``b"\\x54\\x49\\x4d\\x31"``, ``b"\\x00"`` or
  ``b"\\0"``. Formatters keep escapes (black only lower-cases their hex digits, and only
  lower-case escapes are generated); quote style is never a mark, black rewrites it.

Every copy is checked on render: it compiles; its AST equals the original's once the
chosen names are mapped back (literal values compare equal by value and type); and its
symbol tables, names spelled back, equal the original's, so no renaming captured a name
(a helper renamed ``print`` would pass the AST check but not this one).

Reading lexes the leak with a tolerant lexer (no parse needed: excerpts cut mid-function,
code pasted without indentation and unformatted text all read) and aligns its tokens
with the original's; see ``source_common``.
"""

from __future__ import annotations

import ast
import re
import symtable
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst
import libcst.metadata as md

from headstart.carriers._lexers import Token, lex_python
from headstart.carriers._names import PYTHON_RESERVED, candidate_names
from headstart.carriers.base import (
    NoSlotsError,
    Reading,
    RenderError,
    Slot,
    Template,
    decode_leak,
)
from headstart.carriers.source_common import (
    NAME_KEY,
    Occurrence,
    SourceParseError,
    TemplateSourceCarrier,
    build_template,
    check_source_text,
    comment_occurrences,
    looks_like_identifier,
    python_segments,
    read_aligned,
)

__all__ = ["PythonCarrier", "SourceParseError"]

MAX_ALTERNATIVES = 4
_DYNAMIC_CALLS = frozenset({"locals", "vars", "eval", "exec", "globals"})
_ID_FIELDS = frozenset({"id", "arg", "name", "asname", "attr", "names", "rest", "module", "kwd_attrs"})


@dataclass
class _Var:
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


@dataclass(frozen=True)
class _SlotInfo:
    kind: str  # name | int | bytes
    first: tuple[int, int]
    alternatives: tuple[str, ...]
    where: str
    key: str
    original: str = ""


class PythonCarrier(TemplateSourceCarrier):
    """A Python PoC script: renders marked copies and reads leaked ones."""

    kind: ClassVar[str] = "poc-source-python"

    def __init__(self, source: str) -> None:
        self.source = check_source_text(source, "Python source")
        try:
            self._tree = ast.parse(self.source)
            compile(self._tree, "<original>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise SourceParseError(f"the Python source does not parse: line {exc.lineno}: {exc.msg}") from exc
        except ValueError as exc:
            raise SourceParseError(f"the Python source does not parse: {exc}") from exc
        try:
            module = cst.parse_module(self.source)
        except cst.ParserSyntaxError as exc:
            raise SourceParseError(
                f"the Python source does not parse: {exc.message} (line {exc.raw_line})"
            ) from exc
        self._nonce = _nonce(self.source)
        self._orig_sites, self._orig_shape = _walk(self._tree)
        self._original_tables = _spelled_back(_symbol_tables(self.source), {})
        # Build, then prove the generic copy equivalent; a slot that fails (a blind spot
        # of the scope analysis on unusual code) is dropped and the rest rebuilt, rather
        # than refusing the whole file or shipping a copy that means something else.
        excluded: set[str] = set()
        for _ in range(3):
            self._build(module, excluded)
            unsafe = self._unsafe_slots()
            if not unsafe:
                break
            excluded |= unsafe
        else:
            raise RenderError("could not find a set of slots whose copies all mean the original program")
        if not self._slots:
            raise NoSlotsError(
                "the Python source has no renamable local, parameter or private name and no "
                "literal with an equivalent spelling: a copy would go out unmarked"
            )
        self._check_copy(self._template.render([0] * len(self._slots)), [0] * len(self._slots))

    def _build(self, module: cst.Module, excluded: set[str]) -> None:
        infos, node_slot = _find_slots(module, self._nonce, excluded)
        self._slots = [Slot(i.key, i.alternatives, i.where) for i in infos]
        self._kinds = [i.kind for i in infos]
        self._originals = [i.original for i in infos]
        self._alt_index = [{a: k for k, a in enumerate(s.alternatives)} for s in self._slots]
        self._all_names = frozenset(
            a for s, k in zip(self._slots, self._kinds) if k == "name" for a in s.alternatives
        )
        sentinel_code = _rename_in_comments(node_slot.code, node_slot.comment_names, self._nonce)
        self._template = _split_template(sentinel_code, self._nonce, self._slots)
        self._keys, self._sites = self._original_keys(sentinel_code, node_slot.literal_text)

    # -- the Carrier contract -------------------------------------------------------

    def read(self, leak: bytes | str) -> Reading:
        text = decode_leak(leak)
        reading = self._read_tokens([t for t in lex_python(text) if t.kind != "comment"])
        if reading.read < len(self._slots) // 2 and "#" in text:
            # Maybe the line breaks were lost and a comment swallowed the code after it.
            again = self._read_tokens(lex_python(text, line_comments=False))
            if again.read > reading.read:
                return again
        return reading

    def _read_tokens(self, tokens: list[Token]) -> Reading:
        keys = _keys(tokens, self._all_names)
        canonical_hex = _hex_is_canonical(tokens)

        def classify(slot: int, tok: Token) -> int | None:
            kind = self._kinds[slot]
            if kind == "name":
                return self._alt_index[slot].get(tok.text) if tok.kind == "name" else None
            if kind == "int":
                return (
                    _classify_int(tok.text, self._slots[slot].alternatives, canonical_hex)
                    if tok.kind == "number"
                    else None
                )
            if tok.kind != "string":
                return None
            body = _bytes_body(tok.text)
            for k, alt in enumerate(self._slots[slot].alternatives):
                if _bytes_body(alt) == body:
                    return k
            return None

        return read_aligned(
            self._keys,
            self._sites,
            tokens,
            keys,
            len(self._slots),
            classify,
            self._segments,
            python_segments(tokens),
        )

    # -- construction helpers -------------------------------------------------------

    def _original_keys(
        self, sentinel_code: str, literal_text: dict[int, str]
    ) -> tuple[list[str], dict[int, int]]:
        pattern = _marker_pattern(self._nonce)
        tokens = [t for t in lex_python(sentinel_code) if t.kind != "comment"]
        self._segments = python_segments(tokens)
        keys = _keys(tokens, self._all_names)
        sites: dict[int, int] = {}
        for i, tok in enumerate(tokens):
            m = pattern.fullmatch(tok.text) if tok.kind == "name" else None
            if m is None:
                continue
            slot = int(m.group(1))
            sites[i] = slot
            if self._kinds[slot] == "name":
                keys[i] = NAME_KEY
            else:
                original = Token(
                    "number" if self._kinds[slot] == "int" else "string", literal_text[slot], 0, 0
                )
                keys[i] = _keys([original], self._all_names)[0]
        return keys, sites

    def _marker(self, slot: int) -> str:
        return f"__hs{self._nonce}_{slot}__"

    def _generic(self, marked: Sequence[int]) -> str:
        """The original with the name slots in ``marked`` spelled by fresh markers."""
        spelling = [
            self._marker(i) if i in marked else (orig if k == "name" else s.alternatives[0])
            for i, (s, k, orig) in enumerate(zip(self._slots, self._kinds, self._originals))
        ]
        return "".join(p if isinstance(p, str) else spelling[p] for p in self._template.parts)

    def _equivalent(self, generic: str, marked: Sequence[int]) -> bool:
        """Whether a generic copy is the original program up to the marked names: same AST
        shape, the same identifiers except a marker where the original has that slot's
        name, and the same symbol tables once the markers are spelled back."""
        pattern = _marker_pattern(self._nonce)
        try:
            tree = ast.parse(generic)
            tables = _symbol_tables(generic)
        except SyntaxError:
            return False
        sites, shape = _walk(tree)
        if shape != self._orig_shape or len(sites) != len(self._orig_sites):
            return False
        for orig, value in zip(self._orig_sites, sites, strict=True):
            m = pattern.fullmatch(value)
            if value != orig and (m is None or self._originals[int(m.group(1))] != orig):
                return False
        back = {self._marker(i): self._originals[i] for i in marked}
        return _spelled_back(tables, back) == self._original_tables

    def _unsafe_slots(self) -> set[str]:
        """Keys of the name slots whose renaming is not provably equivalent (usually none).
        When all are safe, precompute what every copy must match: for each identifier in
        traversal order its fixed spelling or its slot, and which slots each symbol table
        holds (so a copy's tables can be spelled back and compared with the original's)."""
        names = [i for i, k in enumerate(self._kinds) if k == "name"]
        generic = self._generic(names)
        if not self._equivalent(generic, names):
            unsafe = {self._slots[i].key for i in names if not self._equivalent(self._generic([i]), [i])}
            return unsafe or {self._slots[i].key for i in names}
        pattern = _marker_pattern(self._nonce)
        sites, _ = _walk(ast.parse(generic))
        self._expected = [
            (orig, int(m.group(1)) if (m := pattern.fullmatch(value)) else None)
            for orig, value in zip(self._orig_sites, sites, strict=True)
        ]
        self._slots_in_table = [
            sorted(
                {int(m.group(1)) for n in [name, *(sym[0] for sym in symbols)] if (m := pattern.fullmatch(n))}
            )
            for _, name, symbols in _symbol_tables(generic)
        ]
        return set()

    def _back_map(self, table: int, spelling: Sequence[str]) -> dict[str, str]:
        """Copy spelling -> original name for the slots seen in one symbol table; a clash
        (two variables of one scope spelled alike) means the renaming captured a name."""
        back: dict[str, str] = {}
        for slot in self._slots_in_table[table]:
            name = spelling[slot]
            if name in back:
                raise RenderError(f"two variables of one scope would both be called {name!r}")
            back[name] = self._originals[slot]
        return back

    def _check_copy(self, copy: str, codeword: Sequence[int]) -> None:
        try:
            tree = ast.parse(copy)
            compile(tree, "<copy>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            raise RenderError(f"the copy does not compile: {exc}") from exc
        sites, shape = _walk(tree)
        if len(sites) != len(self._expected) or shape != self._orig_shape:
            raise RenderError("the copy's AST differs from the original's beyond the renaming")
        alts = [s.alternatives for s in self._slots]
        for value, (orig, slot) in zip(sites, self._expected):
            want = orig if slot is None else alts[slot][codeword[slot]]
            if value != want:
                raise RenderError(f"identifier {value!r} in the copy should be {want!r}")
        spelling = [s.alternatives[c] for s, c in zip(self._slots, codeword)]
        tables = _symbol_tables(copy)
        if len(tables) != len(self._original_tables):
            raise RenderError("the copy's scopes differ from the original's")
        spelled = _spelled_back(tables, [self._back_map(k, spelling) for k in range(len(tables))])
        if spelled != self._original_tables:
            raise RenderError("in the copy some name refers to a different variable than in the original")


# -- slot discovery ------------------------------------------------------------------


@dataclass
class _Sentinels:
    code: str
    literal_text: dict[int, str]
    comment_names: list[tuple[tuple[int, int], dict[str, int]]]


def _nonce(source: str) -> str:
    n = 0
    while f"__hs{n or ''}_" in source:
        n += 1
    return str(n or "")


def _find_slots(module: cst.Module, nonce: str, excluded: set[str]) -> tuple[list[_SlotInfo], _Sentinels]:
    wrapper = md.MetadataWrapper(module)
    analysis = _Analysis(wrapper)
    name_infos = analysis.name_slots(excluded)
    literal_infos = [item for item in analysis.literal_slots() if item[0].key not in excluded]
    items = sorted(name_infos + literal_infos, key=lambda it: it[0].first)
    infos = [info for info, _ in items]
    node_to_slot: dict[int, int] = {}
    literal_text: dict[int, str] = {}
    var_slot: dict[int, int] = {}
    for slot, (info, payload) in enumerate(items):
        if info.kind == "name":
            var_slot[id(payload)] = slot
            for node in payload.nodes:
                node_to_slot[id(node)] = slot
        else:
            node_to_slot[id(payload)] = slot
            literal_text[slot] = payload.value
    code = wrapper.module.visit(_SentinelTransformer(node_to_slot, nonce)).code
    comment_names = analysis.comment_scopes(items, var_slot)
    return infos, _Sentinels(code, literal_text, comment_names)


class _SentinelTransformer(cst.CSTTransformer):
    """Spells every slot occurrence as ``__hs<nonce>_<slot>__`` so the template can be cut."""

    def __init__(self, node_to_slot: dict[int, int], nonce: str) -> None:
        super().__init__()
        self.node_to_slot = node_to_slot
        self.nonce = nonce

    def _mark(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        slot = self.node_to_slot.get(id(original))
        if slot is None:
            return updated
        return cst.Name(f"__hs{self.nonce}_{slot}__")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        slot = self.node_to_slot.get(id(original_node))
        return updated_node if slot is None else updated_node.with_changes(value=f"__hs{self.nonce}_{slot}__")

    def leave_Integer(self, original_node: cst.Integer, updated_node: cst.Integer) -> cst.BaseExpression:
        return self._mark(original_node, updated_node)  # type: ignore[return-value]

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        return self._mark(original_node, updated_node)  # type: ignore[return-value]


class _Analysis:
    """Which names may be renamed and to what; which literals may be respelled."""

    def __init__(self, wrapper: md.MetadataWrapper) -> None:
        self.wrapper = wrapper
        self.module = wrapper.module
        self.scopes = wrapper.resolve(md.ScopeProvider)
        self.parents = wrapper.resolve(md.ParentNodeProvider)
        self.positions = wrapper.resolve(md.PositionProvider)
        self.vars: dict[tuple[int, str], _Var] = {}
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

    def family(self, scope: md.Scope | None) -> md.Scope | None:
        """The outermost function or comprehension scope around ``scope`` (None: module
        level). A class body inside a function belongs to that function's family: it can
        read the function's variables, so its names must not be offered to them."""
        outermost: md.Scope | None = None
        cur = scope
        while cur is not None and not isinstance(cur, md.GlobalScope):
            if not isinstance(cur, md.ClassScope):
                outermost = cur
            cur = cur.parent
        return outermost

    def var(self, scope: md.Scope, name: str) -> _Var:
        key = (id(scope), name)
        if key not in self.vars:
            self.vars[key] = _Var(scope, name)
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
                    var = self.vars.get(owner)
                    if var is None:
                        var = self.var(
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
            reaches_module = call.func.value in ("eval", "exec", "globals")
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

    def name_slots(self, excluded: set[str]) -> list[tuple[_SlotInfo, _Var]]:
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
        out: list[tuple[_SlotInfo, _Var]] = []
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
                    _SlotInfo(
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

    def _first(self, var: _Var) -> tuple[int, int]:
        starts = [self.positions[n].start for n in var.nodes if n in self.positions]
        first = min(starts, key=lambda p: (p.line, p.column))
        return (first.line, first.column)

    def _label(self, var: _Var) -> str:
        path = []
        scope: md.Scope | None = var.scope
        while scope is not None and not isinstance(scope, md.GlobalScope):
            path.append(scope.name or type(scope).__name__.replace("Scope", "").lower())
            scope = scope.parent
        line, _ = self._first(var)
        return ".".join(reversed(path + ["<module>"])) + f".{var.name}@{line}"

    def _where(self, var: _Var) -> str:
        uses = len(var.nodes)
        if isinstance(var.scope, md.GlobalScope):
            what = "private helper" if var.defs else "module-private name"
            return f"{what} `{var.name}` ({uses} occurrences)"
        owner = var.scope.name or "a lambda or comprehension"
        what = "parameter" if var.is_param else "local"
        return f"{what} `{var.name}` in {owner} ({uses} occurrences)"

    def literal_slots(self) -> list[tuple[_SlotInfo, cst.CSTNode]]:
        finder = _LiteralFinder(self.debug_nodes)
        self.module.visit(finder)
        out: list[tuple[_SlotInfo, cst.CSTNode]] = []
        for node in finder.integers:
            alts = int_alternatives(node.value)
            if len(alts) >= 2:
                pos = self.positions[node].start
                out.append(
                    (
                        _SlotInfo(
                            "int",
                            (pos.line, pos.column),
                            tuple(alts),
                            f"integer {node.value} on line {pos.line}",
                            f"int:{pos.line}:{pos.column}",
                        ),
                        node,
                    )
                )
        for node in finder.byte_strings:
            alts = bytes_alternatives(node.value)
            if len(alts) >= 2:
                pos = self.positions[node].start
                out.append(
                    (
                        _SlotInfo(
                            "bytes",
                            (pos.line, pos.column),
                            tuple(alts),
                            f"byte string {node.value} on line {pos.line}",
                            f"bytes:{pos.line}:{pos.column}",
                        ),
                        node,
                    )
                )
        return out

    def comment_scopes(
        self, items: list, var_slot: dict[int, int]
    ) -> list[tuple[tuple[int, int], dict[str, int]]]:
        """Line ranges and the renamable identifiers whose comments may mention them."""
        per_family: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        ranges: dict[int, tuple[int, int]] = {}
        module_names: dict[str, list[int]] = defaultdict(list)
        for info, payload in items:
            if info.kind != "name":
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


# -- literal forms -------------------------------------------------------------------


def _group(digits: str, size: int) -> str:
    head = len(digits) % size or size
    return "_".join([digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)])


def _round_in_binary(v: int) -> bool:
    return v >= 16 and (v & (v - 1) == 0 or (v + 1) & v == 0 or (v % 0x100 == 0 and v <= 0x100000))


def int_alternatives(text: str) -> list[str]:
    """Spellings of the same integer value, ``text`` first; [] when none is plausible."""
    try:
        value = int(text.replace("_", ""), 0)
    except ValueError:
        return []
    if value < 10:
        return []
    low = text.lower()
    alts = [text]
    if low.startswith("0x"):
        digits = low[2:].replace("_", "")
        spelled = text[2:]
        if any(c in "abcdef" for c in digits):
            alts.append(text[:2] + (spelled.upper() if spelled != spelled.upper() else spelled.lower()))
        if len(digits) >= 5:
            regrouped = digits if "_" in spelled else _group(digits, 4)
            case = str.upper if spelled.isupper() and any(c in "abcdef" for c in digits) else str.lower
            alts.append("0x" + case(regrouped))
        if value <= 0xFFFF:
            alts.append(str(value))
    elif low[0] != "0":
        if value >= 10_000:
            alts.append(str(value) if "_" in text else _group(str(value), 3))
        if _round_in_binary(value):
            alts.append(hex(value))
            if any(c in "abcdef" for c in hex(value)[2:]):
                alts.append("0x" + hex(value)[2:].upper())
    else:
        return []
    out: list[str] = []
    for alt in alts:
        if alt not in out and int(alt.replace("_", ""), 0) == value:
            out.append(alt)
    return out[:MAX_ALTERNATIVES]


def _classify_int(text: str, alternatives: Sequence[str], canonical_hex: bool) -> int | None:
    """Which spelling a leaked literal shows. Black and ruff upper-case hex digits, so when
    the whole leak looks formatted that way, case alone decides nothing."""
    folded = [k for k, a in enumerate(alternatives) if a.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    exact = [k for k in folded if alternatives[k] == text]
    if exact and not canonical_hex:
        return exact[0]
    return None


def _hex_is_canonical(tokens: Sequence[Token]) -> bool:
    """True when no hex literal in the leak has a lower-case digit (black/ruff output)."""
    for tok in tokens:
        if tok.kind == "number" and tok.text[:2].lower() == "0x" and any(c in "abcdef" for c in tok.text[2:]):
            return False
    return True


_BYTE_UNIT = re.compile(r"\\x[0-9a-fA-F]{2}|\\[0-7]{1,3}|\\.|\\\n|[^\\]", re.DOTALL)
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ")


def bytes_alternatives(text: str) -> list[str]:
    """``text`` and one equivalent spelling of a short bytes literal (chars <-> \\x escapes,
    \\x00 <-> \\0), or [] when the literal has none."""
    prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
    if prefix.lower() != "b":
        return []
    rest = text[len(prefix) :]
    if rest[:3] in ('"""', "'''") or len(rest) < 2:
        return []
    quote, body = rest[0], rest[1:-1]
    units = _BYTE_UNIT.findall(body)
    if "".join(units) != body or any(u.startswith("\\\n") for u in units):
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    plain = [len(u) == 1 and u in _PLAIN for u in units]
    escaped_plain = [u.startswith("\\x") and chr(int(u[2:], 16)) in _PLAIN for u in units]
    flip_chars = 1 < len(value) <= 8 and (all(plain) or all(escaped_plain))
    out_units: list[str] = []
    for i, u in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else ""
        if flip_chars and plain[i]:
            out_units.append(f"\\x{ord(u):02x}")
        elif flip_chars and escaped_plain[i]:
            out_units.append(chr(int(u[2:], 16)))
        elif u.lower() == "\\x00" and not (nxt[:1].isdigit() and nxt[:1] in "01234567"):
            out_units.append("\\0")
        elif u == "\\0" and not (nxt[:1] in "01234567" and nxt[:1] != ""):
            out_units.append("\\x00")
        else:
            out_units.append(u)
    alt = prefix + quote + "".join(out_units) + quote
    if alt == text:
        return []
    try:
        if ast.literal_eval(alt) != value:
            return []
    except (ValueError, SyntaxError):
        return []
    return [text, alt]


def _bytes_body(text: str) -> str:
    """The inside of a string literal with hex escapes lower-cased (black does that)."""
    rest = text.lstrip("rRbBuUfF")
    q = 3 if rest[:3] in ('"""', "'''") else 1
    body = rest[q:-q] if len(rest) >= 2 * q else rest[q:]
    return _BYTE_UNIT.sub(lambda m: m.group().lower() if m.group().startswith("\\x") else m.group(), body)


# -- token keys ----------------------------------------------------------------------


def _keys(tokens: Sequence[Token], renamable: frozenset[str]) -> list[str]:
    """Keys formatters do not change: names, operators, literal *values*."""
    keys = []
    prev: Token | None = None
    for tok in tokens:
        kind, text = tok.kind, tok.text
        if kind == "name":
            if prev is not None and prev.kind == "op" and prev.text == ".":
                key = "A:" + text
            else:
                key = NAME_KEY if text in renamable else "I:" + text
        elif kind == "number":
            key = "#" + _number_value(text)
        elif kind == "string":
            key = "S:" + _string_value(tok)
        elif kind == "fstring":
            key = "F"
        else:
            key = ("O:" if kind == "op" else "X:") + text
        keys.append(key)
        prev = tok
    return keys


def _number_value(text: str) -> str:
    clean = text.replace("_", "")
    for conv in (lambda s: int(s, 0), float, complex):
        try:
            return repr(conv(clean))
        except ValueError:
            continue
    return text.lower()


def _string_value(tok: Token) -> str:
    if tok.closed:
        try:
            return repr(ast.literal_eval(tok.text))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return "?" + tok.text


# -- template and check helpers ------------------------------------------------------


def _rename_in_comments(code: str, scopes: list[tuple[tuple[int, int], dict[str, int]]], nonce: str) -> str:
    """Comments that mention a renamable identifier (``row_buf``) follow the renaming."""
    if not any(names for _, names in scopes):
        return code
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", code)]
    pieces: list[str] = []
    pos = 0
    for tok in lex_python(code):
        if tok.kind != "comment":
            continue
        line = _line_of(line_starts, tok.start)
        names: dict[str, int] = {}
        for (first, last), usable in scopes:
            if first <= line <= last:
                names.update(usable)
        for occ in comment_occurrences(tok, names):
            pieces.append(code[pos : occ.start])
            pieces.append(f"__hs{nonce}_{occ.slot}__")
            pos = occ.end
    pieces.append(code[pos:])
    return "".join(pieces)


def _line_of(line_starts: list[int], offset: int) -> int:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _marker_pattern(nonce: str) -> re.Pattern[str]:
    """Markers that stand for slot occurrences in the generic code: ``__hs<nonce>_<slot>__``."""
    return re.compile(rf"__hs{nonce}_(\d+)__")


def _split_template(code: str, nonce: str, slots: Sequence[Slot]) -> Template:
    occurrences = [
        Occurrence(m.start(), m.end(), int(m.group(1))) for m in _marker_pattern(nonce).finditer(code)
    ]
    return build_template(code, occurrences, slots)


def _walk(tree: ast.AST) -> tuple[list[str], list[object]]:
    """One pass over the tree: every identifier in a fixed order, and the tree's shape
    without them (node types, list lengths, and every other field, constants as
    (type, value) so 1, 1.0 and True differ). Two trees with equal shapes and equal
    identifier lists are equal; with equal shapes they differ only in names, as an
    ``ast.dump`` with the names spelled back would show, in a fraction of the time."""
    sites: list[str] = []
    shape: list[object] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        shape.append(node.__class__)
        children = []
        for fld in node._fields:
            value = getattr(node, fld, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                shape.append(len(value))
                for item in value:
                    if isinstance(item, ast.AST):
                        children.append(item)
                    elif fld in _ID_FIELDS and isinstance(item, str):
                        sites.append(item)
                    else:
                        shape.append((item.__class__, item))
            elif fld in _ID_FIELDS and isinstance(value, str):
                sites.append(value)
            else:
                shape.append((value.__class__, value))
        stack.extend(reversed(children))
    return sites, shape


def _symbol_tables(source: str) -> list[tuple[str, str, list[tuple]]]:
    """Every symbol table in a fixed order: its type, its name, and each symbol with the
    roles the compiler gave it (parameter, local, global, free, assigned, referenced...)."""
    out: list[tuple[str, str, list[tuple]]] = []
    top = symtable.symtable(source, "<src>", "exec")
    # A global reference means the module's binding if the module binds the name, else
    # the builtin: renaming a helper to "print" would silently change every print().
    module_bound = {
        s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()
    }
    stack = [top]
    while stack:
        table = stack.pop()
        symbols = [
            (
                s.get_name(),
                s.is_parameter(),
                s.is_global(),
                s.is_declared_global(),
                s.is_local(),
                s.is_free(),
                s.is_imported(),
                s.is_assigned(),
                s.is_referenced(),
                s.is_nonlocal(),
                s.is_global() and s.get_name() in module_bound,
            )
            for s in table.get_symbols()
        ]
        out.append((table.get_type(), table.get_name(), symbols))
        stack.extend(reversed(table.get_children()))
    return out


def _spelled_back(
    tables: list[tuple[str, str, list[tuple]]], maps: Sequence[dict[str, str]] | dict[str, str]
) -> list:
    """The tables with each name spelled as in the original: ``maps`` is one mapping for
    every table, or one per table."""
    per_table = [maps] * len(tables) if isinstance(maps, dict) else maps
    out = []
    for (kind, name, symbols), back in zip(tables, per_table, strict=True):
        out.append(
            (kind, back.get(name, name), sorted((back.get(sym[0], sym[0]),) + sym[1:] for sym in symbols))
        )
    return out
