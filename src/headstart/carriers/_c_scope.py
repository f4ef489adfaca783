"""Just enough of a C front end to know which identifier tokens name which variable.

It walks the token stream of a translation unit (comments and preprocessor lines
removed): file-scope declarations, function definitions with their parameters, and
function bodies statement by statement, with a scope per block and per ``for``. Every
identifier token that is not a member name, a tag, a label or a type name is resolved
to the innermost visible declaration; names declared nowhere in the file (library
functions, macros) are recorded as unresolved. No preprocessing: identifiers used in
preprocessor lines are the caller's to keep fixed.

File-scope errors (something that is not a declaration) raise CSyntaxError with the line;
inside function bodies the walker is tolerant (a macro-shaped statement just ends at the
next ``;`` or closing brace).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from headstart.carriers._lexers import Token
from headstart.carriers._names import C_KEYWORDS, C_STANDARD_TYPEDEFS

STORAGE = frozenset(
    {
        "typedef",
        "extern",
        "static",
        "auto",
        "register",
        "_Thread_local",
        "inline",
        "__inline",
        "__inline__",
        "_Noreturn",
    }
)
QUALIFIERS = frozenset({"const", "volatile", "restrict", "__restrict", "__restrict__", "_Atomic", "__const"})
TYPE_WORDS = frozenset(
    {
        "void",
        "bool",
        "char",
        "short",
        "int",
        "long",
        "float",
        "double",
        "signed",
        "unsigned",
        "_Bool",
        "_Complex",
        "__int128",
        "__signed__",
        "__unsigned__",
    }
)
ATTRIBUTES = frozenset({"__attribute__", "__declspec", "__extension__", "__asm__", "asm"})
_STATIC_ASSERT = frozenset({"_Static_assert", "static_assert"})
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}


class CSyntaxError(ValueError):
    def __init__(self, message: str, token: Token | None, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Binding:
    name: str
    kind: str  # local param static external extern typedef enumconst
    family: int | None  # index of the function definition, None at file scope
    is_function: bool = False
    decls: list[int] = field(default_factory=list)
    uses: list[int] = field(default_factory=list)
    fixed: str = ""

    @property
    def occurrences(self) -> list[int]:
        return sorted(set(self.decls + self.uses))


@dataclass
class FunctionDef:
    name: str
    first: int  # token index where the definition starts
    last: int  # token index of the closing brace


class CScope:
    """Resolve the identifiers of ``tokens`` (code tokens only, in order)."""

    def __init__(
        self, tokens: list[Token], line_of: Callable[[int], int], macros: frozenset[str] = frozenset()
    ) -> None:
        self.toks = tokens
        self.macros = macros  # object-like macros the file defines: they may expand to anything
        self.n = len(tokens)
        self.line_of = line_of
        self.bindings: list[Binding] = []
        self.file_scope: dict[str, Binding] = {}
        self.scopes: list[dict[str, Binding]] = []
        self.typedefs: set[str] = set(C_STANDARD_TYPEDEFS)
        self.unresolved: set[str] = set()
        self.functions: list[FunctionDef] = []
        # Token ranges [start, end) the walk read as expressions (inside function bodies
        # and initialisers): where operands may be reordered, never inside a declarator.
        self.expressions: list[tuple[int, int]] = []
        self.family: int | None = None
        self._check_brackets()
        self._parse_file()

    # -- helpers --------------------------------------------------------------------

    def text(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < self.n else ""

    def is_name(self, i: int) -> bool:
        return 0 <= i < self.n and self.toks[i].kind == "name" and self.toks[i].text not in C_KEYWORDS

    def fail(self, i: int, message: str) -> CSyntaxError:
        tok = self.toks[min(i, self.n - 1)] if self.n else None
        return CSyntaxError(message, tok, self.line_of(tok.start) if tok else None)

    def _check_brackets(self) -> None:
        stack: list[int] = []
        for i, tok in enumerate(self.toks):
            if tok.kind != "op":
                continue
            if tok.text in _OPEN:
                stack.append(i)
            elif tok.text in _CLOSE:
                if not stack or _OPEN[self.toks[stack[-1]].text] != tok.text:
                    raise self.fail(i, f"unbalanced {tok.text!r}")
                stack.pop()
        if stack:
            raise self.fail(stack[-1], f"{self.toks[stack[-1]].text!r} is never closed")

    def match(self, i: int) -> int:
        """Index of the bracket closing the one at ``i``."""
        depth = 0
        for j in range(i, self.n):
            t = self.toks[j].text
            if self.toks[j].kind != "op":
                continue
            if t in _OPEN:
                depth += 1
            elif t in _CLOSE:
                depth -= 1
                if depth == 0:
                    return j
        raise self.fail(i, "unclosed bracket")

    def lookup(self, name: str) -> Binding | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.file_scope.get(name)

    def is_type_name(self, name: str) -> bool:
        if name not in self.typedefs:
            return False
        found = self.lookup(name)
        return found is None or found.kind == "typedef"

    def declare(self, i: int, storage: set[str], is_function: bool) -> Binding:
        name = self.toks[i].text
        at_file = not self.scopes
        if "typedef" in storage:
            kind = "typedef"
            self.typedefs.add(name)
        elif at_file:
            kind = "static" if "static" in storage else ("extern" if "extern" in storage else "external")
        else:
            kind = "extern" if "extern" in storage or is_function else "local"
        if at_file:
            existing = self.file_scope.get(name)
            if existing is not None:
                if existing.kind != kind and not (
                    existing.kind == "static" and is_function and kind in ("extern", "external")
                ):
                    existing.fixed = existing.fixed or "declared with different linkage"
                existing.decls.append(i)
                return existing
            binding = Binding(name, kind, None, is_function, [i])
            self.file_scope[name] = binding
        else:
            existing = self.scopes[-1].get(name)
            if existing is not None and existing.kind == "param" and kind == "local":
                existing.decls.append(i)  # K&R: int main(argc) int argc; { ... }
                return existing
            binding = Binding(name, kind, self.family, is_function, [i])
            self.scopes[-1][name] = binding
        self.bindings.append(binding)
        return binding

    def use(self, i: int) -> None:
        name = self.toks[i].text
        binding = self.lookup(name)
        if binding is None:
            self.unresolved.add(name)
        else:
            binding.uses.append(i)

    # -- file scope -----------------------------------------------------------------

    def _parse_file(self) -> None:
        self._file_range(0, self.n)

    def _file_range(self, i: int, end: int) -> None:
        while i < end:
            if self.text(i) == ";":
                i += 1
                continue
            if self.text(i) in _STATIC_ASSERT and self.text(i + 1) == "(":
                i = self._static_assert(i)
                continue
            if self.text(i) == "extern" and self.toks[i + 1].kind == "string" and self.text(i + 2) == "{":
                close = self.match(i + 2)  # extern "C" { ... } around the whole file
                self._file_range(i + 3, close)
                i = close + 1
                continue
            i = self._declaration(i, at_file=True)

    def _static_assert(self, i: int) -> int:
        """``_Static_assert(expr, "message");``: a declaration that declares nothing; the
        names in its expression are uses."""
        close = self.match(i + 1)
        self._expression_range(i + 2, close)
        return close + 2 if self.text(close + 1) == ";" else close + 1

    def _skip_attribute(self, i: int) -> int:
        j = i + 1
        if self.text(j) == "(":
            return self.match(j) + 1
        return j

    def _specifiers(self, i: int) -> tuple[int, set[str], bool]:
        storage: set[str] = set()
        type_seen = False
        macro_seen = False
        while i < self.n:
            tok = self.toks[i]
            t = tok.text
            if tok.kind != "name":
                break
            if t in STORAGE:
                storage.add(t)
                i += 1
            elif t in QUALIFIERS:
                i += 1
            elif t in TYPE_WORDS:
                type_seen = True
                i += 1
            elif t in ATTRIBUTES:
                i = self._skip_attribute(i)
            elif t in ("struct", "union", "enum"):
                type_seen = True
                i += 1
                if self.toks[i].kind == "name" and self.text(i) not in C_KEYWORDS:
                    i += 1  # the tag: a separate namespace, never renamed
                if self.text(i) == "{":
                    close = self.match(i)
                    if t == "enum":
                        self._enum_body(i, close)
                    i = close + 1
            elif t in ("typeof", "__typeof__"):
                type_seen = True
                close = self.match(i + 1)
                self._expression_range(i + 2, close)
                i = close + 1
            elif t in self.macros and t not in C_KEYWORDS:
                # A macro of this file in a declaration (#define local static): it may
                # expand to anything; what it declares is left fixed by the caller.
                i = self.match(i + 1) + 1 if self.text(i + 1) == "(" else i + 1
                macro_seen = True
            elif not type_seen and t not in C_KEYWORDS and (self.is_type_name(t) or self._unknown_type_at(i)):
                type_seen = True
                i += 1
            elif t not in C_KEYWORDS and self._unknown_qualifier_at(i):
                i += 1
            else:
                break
        return i, storage, type_seen or macro_seen

    def _unknown_qualifier_at(self, i: int) -> bool:
        """``z_const char *p``: an identifier declared nowhere, followed by a specifier
        keyword, is a macro from a header standing for a qualifier or storage class."""
        follower = self.text(i + 1)
        return self.lookup(self.text(i)) is None and (
            follower in STORAGE
            or follower in QUALIFIERS
            or follower in TYPE_WORDS
            or follower in ("struct", "union", "enum")
        )

    def _unknown_type_at(self, i: int) -> bool:
        """``T x`` or ``T *x =`` where T is declared nowhere: a typedef from a header."""
        if self.lookup(self.text(i)) is not None:
            return False
        if self.is_name(i + 1) and self.text(i + 1) not in STORAGE | QUALIFIERS | TYPE_WORDS:
            return True
        j = i + 1
        while self.text(j) == "*":
            j += 1
        # At file scope there are no expressions, so "T *f(" declares a function.
        followers = ("=", ";", ",", "[", ")", "(") if not self.scopes else ("=", ";", ",", "[", ")")
        return j > i + 1 and self.is_name(j) and self.text(j + 1) in followers

    def _enum_body(self, open_i: int, close: int) -> None:
        i = open_i + 1
        while i < close:
            if self.is_name(i):
                self.declare(i, set(), False).kind = "enumconst"
                i += 1
                if self.text(i) == "=":
                    end = self._scan(i + 1, {",", "}"}, limit=close)
                    self._expression_range(i + 1, end)
                    i = end
            if self.text(i) == "," or (i < close and not self.is_name(i)):
                i += 1

    def is_declaration_start(self, i: int) -> bool:
        tok = self.toks[i]
        if tok.kind != "name":
            return False
        t = tok.text
        if (
            t in STORAGE
            or t in QUALIFIERS
            or t in TYPE_WORDS
            or t in ("struct", "union", "enum", "typeof", "__typeof__", "__extension__")
        ):
            return True
        if t in C_KEYWORDS:
            return False
        if (
            t in self.macros
            and self.lookup(t) is None
            and self.text(i + 1) not in ("(", "=", ";", ",", ")", "[")
        ):
            return self.toks[i + 1].kind == "name"
        return self.is_type_name(t) or self._unknown_type_at(i) or self._unknown_qualifier_at(i)

    def _declaration(self, i: int, at_file: bool) -> int:
        start = i
        i, storage, type_seen = self._specifiers(i)
        implicit_int = (
            at_file and i == start and self.is_name(i) and self.text(i + 1) == "("
        )  # main(argc) ...
        if at_file and not type_seen and not storage and not implicit_int:
            raise self.fail(start, f"expected a declaration, found {self.text(start)!r}")
        if self.text(i) == ";":
            return i + 1
        while True:
            name_i, j, params = self._declarator(i)
            binding = self.declare(name_i, storage, params is not None) if name_i is not None else None
            if at_file and params is not None and self.text(j) == "{":
                if name_i is None:
                    raise self.fail(j, "function definition without a name")
                return self._function(start, name_i, params, j)
            if at_file and params is not None and name_i is not None and self.is_declaration_start(j):
                # K&R: int f(a, b) int a; char *b; { ... }
                body = j
                while body < self.n and self.text(body) != "{":
                    body = self._scan(body, {";"}) + 1
                if self.text(body) == "{":
                    return self._function(start, name_i, params, body, old_style=(j, body))
            if self.text(j) == "=":
                end = self._scan(j + 1, {",", ";"})
                self._expression_range(j + 1, end)
                j = end
            while self.text(j) in ATTRIBUTES:
                j = self._skip_attribute(j)
            if self.text(j) == ",":
                i = j + 1
                continue
            if self.text(j) == ";":
                return j + 1
            if at_file:
                raise self.fail(
                    j, f"expected ';' after a declaration, found {self.text(j) or 'the end of the file'!r}"
                )
            del binding
            return self._scan(j, {";"}) + 1

    def _declarator(self, i: int) -> tuple[int | None, int, list[int | None] | None]:
        """(index of the declared name or None, index after the declarator, parameter
        names if this declares a function)."""
        while self.text(i) == "*" or self.text(i) in QUALIFIERS or self.text(i) in ATTRIBUTES:
            i = self._skip_attribute(i) if self.text(i) in ATTRIBUTES else i + 1
        name_i: int | None = None
        nested = False
        if self.text(i) == "(" and (
            self.text(i + 1) in ("*", "^", "(")
            or (self.is_name(i + 1) and not self.is_type_name(self.text(i + 1)) and self.text(i + 2) == ")")
        ):
            close = self.match(i)
            inner_name, _, _ = self._declarator(i + 1)
            name_i = inner_name
            i = close + 1
            nested = True
        elif self.is_name(i):
            if self.is_name(i + 1) and self.lookup(self.text(i)) is None and not self.scopes:
                i += 1  # void XMLCALL start(...): a calling-convention macro from a header
            name_i = i
            i += 1
        params: list[int | None] | None = None
        while True:
            t = self.text(i)
            if t == "[":
                close = self.match(i)
                self._expression_range(i + 1, close)
                i = close + 1
            elif t == "(":
                close = self.match(i)
                found = self._parameters(i, close)
                if params is None and not nested:
                    params = found
                i = close + 1
            else:
                break
        return name_i, i, params

    def _parameters(self, open_i: int, close: int) -> list[int | None]:
        """Parameter names (indices) of the list between ``open_i`` and ``close``."""
        out: list[int | None] = []
        i = open_i + 1
        while i < close:
            end = self._scan(i, {","}, limit=close)
            if not (end == i + 1 and self.text(i) in ("void", "...")):
                j, _, _ = self._specifiers(i)
                if j < end:
                    name_i, _, _ = self._declarator(j)
                    out.append(name_i)
                else:
                    out.append(None)
            i = end + 1
        return out

    def _function(
        self,
        start: int,
        name_i: int,
        params: list[int | None],
        body: int,
        old_style: tuple[int, int] | None = None,
    ) -> int:
        close = self.match(body)
        self.family = len(self.functions)
        self.functions.append(FunctionDef(self.text(name_i), start, close))
        self.scopes.append({})
        for p in params:
            if p is not None:
                b = self.declare(p, set(), False)
                b.kind = "param"
        if old_style is not None:
            i, stop = old_style
            while i < stop:
                i = self._declaration(i, at_file=False)
        end = self._compound(body)
        self.scopes.pop()
        self.family = None
        return end

    # -- function bodies ------------------------------------------------------------

    def _scan(self, i: int, stops: set[str], limit: int | None = None) -> int:
        """Index of the first token in ``stops`` at bracket depth 0 from ``i`` (or of an
        unmatched closing bracket, or ``limit``)."""
        end = self.n if limit is None else limit
        depth = 0
        while i < end:
            tok = self.toks[i]
            if tok.kind == "op":
                if depth == 0 and tok.text in stops:
                    return i
                if tok.text in _OPEN:
                    depth += 1
                elif tok.text in _CLOSE:
                    if depth == 0:
                        return i
                    depth -= 1
            i += 1
        return end

    def _expression_range(self, i: int, end: int) -> None:
        """Record the uses in tokens [i, end)."""
        if i < end:
            self.expressions.append((i, end))
        for k in range(i, end):
            tok = self.toks[k]
            if tok.kind != "name" or tok.text in C_KEYWORDS or tok.text in ATTRIBUTES:
                continue
            prev = self.text(k - 1)
            if prev in (".", "->") or prev in ("struct", "union", "enum", "goto"):
                continue
            if self.is_type_name(tok.text):
                continue
            self.use(k)

    def _compound(self, i: int) -> int:
        close = self.match(i)
        self.scopes.append({})
        i += 1
        while i < close:
            i = self._statement(i, close)
        self.scopes.pop()
        return close + 1

    def _paren(self, i: int) -> int:
        if self.text(i) != "(":
            return self._scan(i, {";"})
        close = self.match(i)
        self._expression_range(i + 1, close)
        return close + 1

    def _statement(self, i: int, limit: int) -> int:
        t = self.text(i)
        tok = self.toks[i]
        if t == "{":
            return self._compound(i)
        if t == ";":
            return i + 1
        if t in _STATIC_ASSERT and self.text(i + 1) == "(":
            return self._static_assert(i)
        if t in ("if", "switch", "while"):
            i = self._paren(i + 1)
            if i >= limit:
                return limit
            i = self._statement(i, limit)
            if t == "if" and self.text(i) == "else" and i < limit:
                i = self._statement(i + 1, limit)
            return i
        if t == "for" and self.text(i + 1) == "(":
            close = self.match(i + 1)
            self.scopes.append({})
            j = i + 2
            if self.is_declaration_start(j):
                j = self._declaration(j, at_file=False)
            else:
                end = self._scan(j, {";"}, limit=close)
                self._expression_range(j, end)
                j = end + 1
            self._expression_range(j, close)
            body = self._statement(close + 1, limit) if close + 1 < limit else limit
            self.scopes.pop()
            return body
        if t == "do":
            j = self._statement(i + 1, limit)
            if self.text(j) == "while":
                j = self._paren(j + 1)
            return j + 1 if self.text(j) == ";" else j
        if t == "return":
            end = self._scan(i + 1, {";"}, limit=limit)
            self._expression_range(i + 1, end)
            return end + 1
        if t in ("break", "continue"):
            return i + 2
        if t == "goto":
            return self._scan(i, {";"}, limit=limit) + 1
        if t == "case":
            end = self._scan(i + 1, {":"}, limit=limit)
            self._expression_range(i + 1, end)
            return end + 1
        if t == "default" and self.text(i + 1) == ":":
            return i + 2
        if tok.kind == "name" and t not in C_KEYWORDS and self.text(i + 1) == ":":
            return i + 2  # a label
        if self.is_declaration_start(i):
            return self._declaration(i, at_file=False)
        end = self._scan(i, {";"}, limit=limit)
        self._expression_range(i, end)
        return end + 1 if self.text(end) == ";" else max(end, i + 1)
