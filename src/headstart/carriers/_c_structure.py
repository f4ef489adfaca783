"""Structural choices in C that survive renaming, reformatting and comment stripping.

Each choice rewrites one span of the original into one of a few equivalent forms; a
leaker who retypes the PoC (other names, clang-format, no comments) keeps them, because
they live in the program's structure, not in its spelling. The kinds, and what proves
that every form is the same program:

* ``increment``: a full-expression increment of a side-effect-free lvalue, as a statement
  or a ``for`` clause (``x++;`` / ``++x;`` / ``x += 1;`` / ``x = x + 1;``, and the ``--``
  forms). The value is discarded, so all four store x + 1 and nothing else; the lvalue
  is a non-volatile, non-atomic variable with member and index steps whose indices have
  no side effects, so evaluating it twice is the same as once. gcc compiles the four
  forms to identical code at -O0 (the carrier's compiler check confirms it per file).
* ``augment``: ``x = x OP e;`` / ``x OP= e;`` (OP one of ``+ - * / % << >> & | ^``), x a
  side-effect-free lvalue as for ``increment``, e whose operators at depth 0 bind tighter
  than OP and that holds no macro of the file and no header macro call: C11 6.5.16.2p3
  makes ``E1 OP= E2`` the same as ``E1 = E1 OP (E2)`` but for evaluating E1 once. gcc may
  compute an indexed E1's address twice at -O0, so the compiler check lets it change only
  its function (its analysis proves it).
* ``commute``: the two operands of ``==``, ``!=``, ``&``, ``|``, ``^`` (any types), or of
  ``+`` and ``*`` when one operand is a known integer (then the other is an integer, a
  pointer or a floating value whose single NaN, if any, comes out the same): both
  operands are atoms (names, constants, member and index chains, ``sizeof``) without
  calls, assignments, increments or volatile reads, so evaluation order cannot matter;
  the tokens on either side bind less tightly than the operator (``x - a + b`` is never
  touched), so the pair is one node of the parse. gcc canonicalises many of these at -O0
  and the others at -O2; what it does not prove, the conditions above do (tested).
* ``zero``: a test against zero, three ways. ``E == 0`` / ``!E`` (and ``0 == E`` for an
  atom), in either direction, where E is a unary operand (an atom, ``*``s before one, or a
  call of a function, never of a macro of the file) and the neighbours bind less tightly
  than ``==``: C11 6.5.3.3p5 says ``!E`` is equivalent to ``(0==E)``. A truth value (an
  operand of ``&&`` or ``||``, or a whole ``if``/``while`` condition) ``E`` / ``E != 0``
  (and ``0 != E``): 6.5.13, 6.5.14, 6.8.4.1 and 6.8.5p4 compare it with 0 either way. A
  whole condition ``E != 0`` / ``E`` and ``E == 0`` / ``!(E)`` for any E whose operators
  all bind tighter than ``==`` and that holds no macro of the file. ``NULL`` counts as 0
  where the file does not define it. gcc compiles the forms to the same code at -O0 (the
  compiler check confirms it per file).
* ``null``: a null pointer constant spelled ``0`` or ``NULL`` (6.3.2.3p3, 7.19p3) where the
  pointer type is certain: ``return`` in a function whose declarator returns a pointer, and
  the initialiser of a pointer declared ``T *p = 0``. Never where the file defines NULL.
* ``comma``: ``a++, b--`` and ``b--, a++`` as a statement or a ``for`` clause, each side
  stepping a different local whose address is never taken: neither side reads or writes
  what the other does, and the value is discarded. gcc emits the sides in the written
  order, so the compiler check lets it change only its function (its analysis proves it).
* ``polarity``: ``if (c) {A} else {B}`` and ``if (!(c)) {B} else {A}``, only when both
  branches are compound statements (no dangling ``else`` can change owner). ``!(c)`` is 1
  exactly when c compares equal to 0, which is when the original runs B.
* ``order``: two adjacent assignments ``x = e1; y = e2;`` in one block, each writing a
  plain local scalar whose address is never taken (no pointer can reach it), neither
  reading what the other writes, both free of calls, increments and volatile reads. Such
  statements commute: their read and write sets are disjoint and nothing else is written.
  The first must not be a branch's or loop's body nor follow a label.
* ``loop``: ``while (1)`` (or ``while (true)`` with stdbool's ``true``) and ``for (;;)``: both loop until left by a jump (C11 6.8.5.3:
  an omitted condition is a nonzero constant). Never the tail of a ``do ... while (1);``.
  gcc compiles both to identical code at -O0.
* ``definitions``: two adjacent function definitions with nothing but blank space and
  comments between them, neither naming the other (so declaration-before-use holds in
  both orders) and neither a constructor or destructor. gcc compiles every function to
  the same code in either order (the compiler check compares function by function).

Every choice offers the original form first. Choices nest (an increment inside a branch
that flips) but never overlap partially.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from headstart.carriers._c_scope import Binding, CScope, FunctionDef
from headstart.carriers._lexers import Token
from headstart.carriers._names import C_KEYWORDS, C_STANDARD_TYPEDEFS


@dataclass(frozen=True)
class Piece:
    """Characters [start, end) of the original, rendered with the choices inside them."""

    start: int
    end: int


Form = tuple["str | Piece", ...]


@dataclass(frozen=True)
class Choice:
    kind: str  # increment | augment | commute | zero | null | comma | polarity | loop | order | definitions
    start: int  # character span of the original the choice rewrites
    end: int
    first: int  # index of its first code token
    last: int  # index of its last code token
    labels: tuple[str, ...]
    forms: tuple[Form, ...]  # forms[0] is the original, (Piece(start, end),)
    where: str


_PREC = {
    "*": 10, "/": 10, "%": 10, "+": 9, "-": 9, "<<": 8, ">>": 8, "<": 7, ">": 7, "<=": 7, ">=": 7,
    "==": 6, "!=": 6, "&": 5, "^": 4, "|": 3, "&&": 2, "||": 1,
}  # fmt: skip
_COMMUTATIVE = frozenset({"==", "!=", "+", "*", "&", "|", "^"})
_NEEDS_INTEGER = frozenset({"+", "*"})
# Tokens before an operand that end no expression of their own (the operand starts one).
_OPENING = frozenset({"(", "[", ",", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "?", ":",
                      "return", ";", "{", "}"})  # fmt: skip
_CLOSING = frozenset({")", "]", ",", ";", "?", ":", "}"})
_ASSIGNING = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--"})
_AUGMENTABLE = frozenset({"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"})
_INTEGER_WORDS = frozenset(
    {"char", "short", "int", "long", "signed", "unsigned", "_Bool", "bool", "__int128"}
)
_INTEGER_TYPEDEF = re.compile(
    r"u?int(?:8|16|32|64|ptr|max)_t|u?int_(?:least|fast)(?:8|16|32|64)_t|s?size_t|off_t|pid_t|uid_t|gid_t"
    r"|socklen_t|(?:__)?[usi](?:8|16|32|64)|ptrdiff_t"
)
_INTEGER_LITERAL = re.compile(r"(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*")
_SKIPPED_QUALIFIERS = frozenset({"const", "static", "extern", "register", "auto", "inline", "__inline__"})


class _Analysis:
    def __init__(self, source: str, code: list[Token], all_tokens: list[Token], scope: CScope) -> None:
        self.source = source
        self.toks = code
        self.all_tokens = all_tokens
        self.scope = scope
        self.n = len(code)
        self.binding_at: dict[int, Binding] = {}
        for b in scope.bindings:
            for k in b.occurrences:
                self.binding_at[k] = b
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for i, tok in enumerate(code):
            if tok.kind == "op" and tok.text in "([{":
                stack.append(i)
            elif tok.kind == "op" and tok.text in ")]}" and stack:
                j = stack.pop()
                self.match[i], self.match[j] = j, i
        self.address_taken = {
            id(self.binding_at[k + 1])
            for k in range(self.n - 1)
            if code[k].text == "&" and k + 1 in self.binding_at and not self._ends_operand(k - 1)
        }
        self.pp_macros = self._pure_macros()
        self.pasting_macros = {
            m.group(1)
            for t in all_tokens
            if t.kind == "pp"
            and (m := re.match(r"[#%:]+\s*define\s+(\w+)\((.*)", t.text, re.DOTALL))
            and "#" in m.group(2)
        }
        self._macro_args: list[tuple[int, int]]
        self.stdbool = bool(re.search(r"#\s*include\s*<stdbool\.h>", source))
        self.fn_macros = {
            m.group(1)
            for t in all_tokens
            if t.kind == "pp" and (m := re.match(r"[#%:]+\s*define\s+(\w+)\(", t.text))
        }
        self.atomic_file = "_Atomic" in source or "atomic_" in source
        self.volatile = self._qualified({"volatile", "_Atomic", "__volatile__"})
        self.integer = {id(b) for b in scope.bindings if self._integer_declared(b)}

    # -- tokens ------------------------------------------------------------------

    def macro_arguments(self) -> list[tuple[int, int]]:
        """Parenthesis pairs of calls to ``assert``, to the file's function-like macros that
        stringify or paste (``#``), and to upper-case names the file never declares
        (header macros, whose bodies are unknown)."""
        if hasattr(self, "_macro_args"):
            return self._macro_args
        risky = {"assert", "static_assert", "_Static_assert"} | self.pasting_macros
        out = []
        for k in range(self.n - 1):
            tok = self.toks[k]
            if tok.kind != "name" or self.text(k + 1) != "(" or k + 1 not in self.match:
                continue
            if tok.text in risky or (re.fullmatch(r"[A-Z][A-Z0-9_]*", tok.text) and k not in self.binding_at):
                out.append((k + 1, self.match[k + 1]))
        self._macro_args = out
        return out

    def text(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < self.n else ""

    def _ends_operand(self, i: int) -> bool:
        if not 0 <= i < self.n:
            return False
        tok = self.toks[i]
        return (
            (tok.kind == "name" and tok.text not in C_KEYWORDS)
            or tok.kind in ("number", "char", "string")
            or (tok.text in ("]", "++", "--"))
        )

    def _pure_macros(self) -> dict[str, bool]:
        """Object-like macros the file defines: name -> whether the body is an integer
        constant expression (numbers, operators, parentheses, other such macros)."""
        bodies: dict[str, list[str]] = {}
        for tok in self.all_tokens:
            m = tok.kind == "pp" and re.match(r"[#%:]+\s*define\s+(\w+)([ \t]+(.*))?$", tok.text, re.DOTALL)
            if m:
                body = re.sub(r"/\*.*?\*/|//[^\n]*|\\\r?\n", " ", m.group(3) or "", flags=re.DOTALL).strip()
                bodies[m.group(1)] = re.findall(r"\w+|\S", body) if body else []
        out: dict[str, bool] = {}

        def integer(name: str, seen: frozenset[str]) -> bool:
            if name in out:
                return out[name]
            body = bodies.get(name)
            if not body or name in seen:
                return False
            ok = True
            for word in body:
                if word in "()+-*/%<>|&^~":
                    continue
                if _INTEGER_LITERAL.fullmatch(word):
                    continue
                if word in bodies and integer(word, seen | {name}):
                    continue
                ok = False
                break
            out[name] = ok
            return ok

        for name in bodies:
            integer(name, frozenset())
        return out

    def _decl_span(self, b: Binding) -> tuple[list[str], list[str], str]:
        """(specifier words, declarator tokens before the name, token after the name) of
        the binding's first declaration; no specifiers when they cannot be told."""
        d = b.decls[0]
        j = d - 1
        depth = 0
        nearest_comma = -1
        while j >= 0:
            t = self.text(j)
            if t in (")", "]"):
                depth += 1
            elif t in ("(", "[", "{", "}"):
                if depth == 0 or t in ("{", "}"):
                    break
                depth -= 1
            elif depth == 0 and t == ";":
                break
            elif depth == 0 and t == ",":
                if b.kind == "param":
                    break
                nearest_comma = max(nearest_comma, j)
            j -= 1
        k = j + 1
        specifiers: list[str] = []
        while k < d and self.toks[k].kind == "name":
            specifiers.append(self.text(k))
            k += 1
        declarator = [self.text(m) for m in range(max(k, nearest_comma + 1), d)]
        return specifiers, declarator, self.text(d + 1)

    def _qualified(self, words: set[str]) -> set[int]:
        """Bindings declared in a declaration that spells one of ``words`` anywhere
        (``volatile int a, b;`` makes both volatile)."""
        out: set[int] = set()
        for i, tok in enumerate(self.toks):
            if tok.text not in words:
                continue
            in_parameters = self._in_parameters(i)
            depth = 0
            for j in range(i, self.n):
                t = self.text(j)
                if t in ("(", "[", "{"):
                    depth += 1
                elif t in (")", "]", "}"):
                    depth -= 1
                    if depth < 0:
                        break
                elif depth == 0 and (t == ";" or (t == "," and in_parameters)):
                    break
                b = self.binding_at.get(j)
                if b is not None and j in b.decls:
                    out.add(id(b))
        return out

    def _in_parameters(self, i: int) -> bool:
        depth = 0
        for j in range(i - 1, -1, -1):
            t = self.text(j)
            if t in (")", "]"):
                depth += 1
            elif t in ("(", "["):
                if depth == 0:
                    return t == "("
                depth -= 1
            elif t in (";", "{", "}"):
                return False
        return False

    def _integer_declared(self, b: Binding) -> bool:
        if b.kind == "enumconst":
            return True
        if b.kind not in ("local", "param", "static", "external", "extern") or b.is_function or not b.decls:
            return False
        specifiers, declarator, after = self._decl_span(b)
        if declarator or after in ("[", "(") or not specifiers:
            return False
        words = [w for w in specifiers if w not in _SKIPPED_QUALIFIERS]
        return bool(words) and all(w in _INTEGER_WORDS or _INTEGER_TYPEDEF.fullmatch(w) for w in words)

    # -- atoms -------------------------------------------------------------------

    def name_ok(self, i: int) -> bool:
        """A name that reads a value without side effects."""
        t = self.text(i)
        if t in C_KEYWORDS:
            return False
        b = self.binding_at.get(i)
        if b is not None:
            return b.kind in ("local", "param", "static", "external", "extern", "enumconst") and (
                not b.is_function and id(b) not in self.volatile
            )
        if t in self.pp_macros:
            return self.pp_macros[t]
        # A constant from a header: upper case by convention, never a function here.
        return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", t)) and t not in C_STANDARD_TYPEDEFS

    def is_integer(self, i: int, end: int) -> bool:
        """Tokens [i, end) form an operand known to have an integer type."""
        if end == i + 1:
            tok = self.toks[i]
            if tok.kind == "number":
                return bool(_INTEGER_LITERAL.fullmatch(tok.text))
            if tok.kind == "char":
                return True
            if tok.kind == "name":
                b = self.binding_at.get(i)
                if b is not None:
                    return id(b) in self.integer
                return self.pp_macros.get(tok.text, False)
            return False
        return self.text(i) == "sizeof"

    def atom(self, i: int, limit: int) -> int | None:
        """End (exclusive) of a side-effect-free operand starting at ``i``, or None (also
        when a call, an increment or an assignment follows it)."""
        j = self._chain(i, limit)
        if j is None or self.text(j) in ("(", "++", "--") or self.text(j) in _ASSIGNING:
            return None
        return j

    def _chain(self, i: int, limit: int) -> int | None:
        """End of a name, constant or ``sizeof`` with its member and index steps."""
        if i >= limit:
            return None
        tok = self.toks[i]
        if tok.text == "sizeof" and self.text(i + 1) == "(":
            j = self.match.get(i + 1, -1) + 1
            if j <= i + 1 or j > limit:
                return None
        elif tok.kind == "name":
            if not self.name_ok(i) or self.text(i + 1) == "(":
                return None
            j = i + 1
        elif tok.kind in ("number", "char"):
            j = i + 1
        else:
            return None
        while j < limit:
            t = self.text(j)
            if t in (".", "->") and j + 1 < self.n and self.toks[j + 1].kind == "name":
                j += 2
            elif t == "[":
                close = self.match.get(j, -1)
                if close < 0 or close >= limit or not self.pure(j + 1, close):
                    return None
                j = close + 1
            else:
                break
        return j

    def pure(self, i: int, end: int) -> bool:
        """Tokens [i, end) hold no call, assignment, increment, volatile read or block."""
        for k in range(i, end):
            tok = self.toks[k]
            if tok.text in _ASSIGNING or tok.text in ("{", "}", ";"):
                return False
            called = k > 0 and (self.toks[k - 1].kind == "name" or self.text(k - 1) in (")", "]"))
            if tok.text == "(" and called and self.text(k - 1) not in C_KEYWORDS:
                return False  # a call (sizeof and the keywords before a cast are none)
            if tok.kind == "name" and tok.text not in C_KEYWORDS and self.text(k - 1) not in (".", "->"):
                b = self.binding_at.get(k)
                if b is not None and (id(b) in self.volatile or b.is_function):
                    return False
                if b is None and not self.name_ok(k) and not self._type_word(k):
                    return False
        return True

    def _type_word(self, k: int) -> bool:
        return self.text(k) in self.scope.typedefs or self.text(k - 1) in ("struct", "union", "enum")

    def lvalue(self, i: int, limit: int) -> int | None:
        """End of a plain lvalue (a variable with member and index steps) at ``i``."""
        b = self.binding_at.get(i)
        if b is None or b.kind not in ("local", "param", "static", "external", "extern") or b.is_function:
            return None
        if id(b) in self.volatile:
            return None
        end = self._chain(i, limit)
        if end is None:
            return None
        if end > i + 1 and self.atomic_file:
            return None
        return end

    # -- finders -----------------------------------------------------------------

    def line(self, i: int) -> int:
        return self.source.count("\n", 0, self.toks[i].start) + 1

    def piece(self, first: int, last: int) -> Piece:
        return Piece(self.toks[first].start, self.toks[last].end)

    def gap(self, last: int, first: int) -> Piece:
        """The text between token ``last`` and token ``first`` (spacing, comments)."""
        return Piece(self.toks[last].end, self.toks[first].start)

    def choice(self, kind: str, first: int, last: int, labels: tuple[str, ...], forms: list[Form],
               where: str) -> Choice:  # fmt: skip
        span = self.piece(first, last)
        return Choice(kind, span.start, span.end, first, last, labels, ((span,), *forms), where)

    def commutes(self) -> list[Choice]:
        out: list[Choice] = []
        seen: set[int] = set()
        for start, end in self.scope.expressions:
            for k in range(start, end):
                if k in seen:
                    continue
                if not self._opening_context(k - 1):
                    continue
                a_end = self.atom(k, end)
                if a_end is None or a_end >= end:
                    continue
                op = self.text(a_end)
                if op not in _COMMUTATIVE or self.toks[a_end].kind != "op":
                    continue
                if not self._left_binds_less(k - 1, op):
                    continue
                b_end = self.atom(a_end + 1, end)
                if b_end is None:
                    continue
                after = self.text(b_end)
                if not (after in _CLOSING or (after in _PREC and _PREC[after] <= _PREC[op]) or b_end == end):
                    continue
                if (
                    after in _PREC
                    and b_end < self.n
                    and not self._ends_operand(b_end - 1)
                    and after not in (")", "]")
                ):
                    continue
                if op in _NEEDS_INTEGER and not (
                    self.is_integer(k, a_end) or self.is_integer(a_end + 1, b_end)
                ):
                    continue
                left, right = self.piece(k, a_end - 1), self.piece(a_end + 1, b_end - 1)
                if (
                    self.text(
                        k,
                    )
                    == self.text(a_end + 1)
                    and a_end - k == 1
                    and b_end - a_end == 2
                ):
                    continue  # x == x reads the same either way
                forms: list[Form] = [(right, self.gap(a_end - 1, a_end + 1), left)]
                seen.add(k)
                out.append(self.choice("commute", k, b_end - 1, ("kept", "swapped"), forms,
                                       f"operands of {op} on line {self.line(k)}"))  # fmt: skip
        return out

    def zeros(self) -> list[Choice]:
        """``E == 0`` / ``!E`` (C11 6.5.3.3p5: ``!E`` is equivalent to ``(0==E)``), and a
        whole controlling expression ``E != 0`` / ``E`` (6.8.4.1, 6.8.5p4: the statement
        runs while E compares unequal to 0); ``NULL`` as ``0`` where the file does not
        define it. With an atom E the operands may also swap (see ``commute``)."""
        out: list[Choice] = []
        taken: set[int] = set()
        for k in range(self.n):
            tok = self.toks[k]
            if tok.kind != "name" or tok.text not in ("if", "while") or self.text(k + 1) != "(":
                continue
            close = self.match.get(k + 1, -1)
            if close < k + 5 or not self._zero(close - 1) or self.text(close - 2) not in ("==", "!="):
                continue
            e0, e1 = k + 2, close - 2  # E is tokens [e0, e1)
            unequal = self.text(e1) == "!="
            if not unequal and self._operand_end(e0) == e1:
                continue  # a unary operand: the general rule below takes it
            if not self._binds_tighter_than_equality(e0, e1) or not self._names_plain(e0, e1):
                continue
            expr = self.piece(e0, e1 - 1)
            found: list[Form] = [(expr,) if unequal else ("!(", expr, ")")]
            labels = ["kept", "rewritten"]
            if unequal and self.atom(e0, self.n) == e1:
                found.append((self.piece(e1 + 1, e1 + 1), " != ", expr))
                labels.append("swapped")
            taken.add(e0)
            out.append(self.choice("zero", e0, close - 1, tuple(labels), found,
                                   f"test against 0 on line {self.line(k)}"))  # fmt: skip
        for k in range(self.n):
            if k in taken or not self._opening_context(k - 1) or not self._left_binds_less(k - 1, "=="):
                continue
            end = self._operand_end(k)
            if end is None or self.text(end) != "==" or not self._zero(end + 1):
                continue
            after = self.text(end + 2)
            if not (after in _CLOSING or (after in _PREC and _PREC[after] <= _PREC["=="])):
                continue
            expr = self.piece(k, end - 1)
            forms: list[Form] = [("!", expr)]
            labels = ["kept", "negated"]
            if self.atom(k, self.n) == end:
                forms.append((self.piece(end + 1, end + 1), " == ", expr))
                labels.append("swapped")
            taken.add(k)
            out.append(self.choice("zero", k, end + 1, tuple(labels), forms,
                                   f"test against 0 on line {self.line(k)}"))  # fmt: skip
        for k in range(self.n):
            if k in taken:
                continue
            if self.text(k) == "!" and self.toks[k].kind == "op":
                # ``!E`` / ``E == 0``: where the neighbours bind less tightly than ``==``.
                if not self._opening_context(k - 1) or not self._left_binds_less(k - 1, "=="):
                    continue
                end = self._operand_end(k + 1)
                after = self.text(end) if end is not None else ""
                if end is None or not (after in _CLOSING or (after in _PREC and _PREC[after] <= _PREC["=="])):
                    continue
                expr = self.piece(k + 1, end - 1)
                forms = [(expr, " == 0")]
                labels = ["kept", "compared"]
                if self.atom(k + 1, self.n) == end:
                    forms.append(("0 == ", expr))
                    labels.append("swapped")
                out.append(self.choice("zero", k, end - 1, tuple(labels), forms,
                                       f"negation on line {self.line(k)}"))  # fmt: skip
                continue
            # ``E`` / ``E != 0`` where E is a truth value: an operand of && or ||, or a
            # whole controlling expression (6.5.13, 6.5.14, 6.8.4.1, 6.8.5p4).
            if not self._truth_left(k - 1):
                continue
            end = self._operand_end(k)
            if end is None or end == k or not self._truth_right(end, k - 1):
                continue
            expr = self.piece(k, end - 1)
            forms = [(expr, " != 0")]
            labels = ["kept", "compared"]
            if self.atom(k, self.n) == end:
                forms.append(("0 != ", expr))
                labels.append("swapped")
            out.append(self.choice("zero", k, end - 1, tuple(labels), forms,
                                   f"truth test on line {self.line(k)}"))  # fmt: skip
        return out

    def _truth_left(self, i: int) -> bool:
        t = self.text(i)
        if t in ("&&", "||") and self.toks[i].kind == "op":
            return True
        return t == "(" and self.text(i - 1) in ("if", "while") and self.toks[i - 1].kind == "name"

    def _truth_right(self, end: int, left: int) -> bool:
        t = self.text(end)
        if t in ("&&", "||") and self.toks[end].kind == "op":
            return True
        if t != ")":
            return False
        opener = self.match.get(end, -1)
        if self.text(opener - 1) not in ("if", "while"):
            return False
        # Directly the condition's own parentheses, or && / || inside them.
        return opener == left or self.text(left) in ("&&", "||")

    def _zero(self, i: int) -> bool:
        tok = self.toks[i] if 0 <= i < self.n else None
        if tok is None:
            return False
        if tok.kind == "number":
            return tok.text == "0"
        return (
            tok.kind == "name"
            and tok.text == "NULL"
            and "NULL" not in self.pp_macros
            and i not in self.binding_at
        )

    def _operand_end(self, k: int) -> int | None:
        """End of a unary operand at ``k``: ``*``s before a side-effect-free atom, or a call
        of a function (never of a macro of the file, whose body may need parentheses)."""
        j = k
        while self.text(j) == "*" and self.toks[j].kind == "op":
            j += 1
        end = self.atom(j, self.n)
        if end is not None:
            return end
        tok = self.toks[j] if j < self.n else None
        if tok is None or tok.kind != "name" or self.text(j + 1) != "(" or j + 1 not in self.match:
            return None
        if not self._plain_callee(j):
            return None
        end = self.match[j + 1] + 1
        return (
            None
            if self.text(end) in ("(", "[", ".", "->", "++", "--") or self.text(end) in _ASSIGNING
            else end
        )

    def _plain_callee(self, j: int) -> bool:
        name = self.text(j)
        b = self.binding_at.get(j)
        if b is not None:
            return b.is_function
        file_macros = self.pasting_macros | set(self.pp_macros) | self._function_macros()
        return (
            name not in C_KEYWORDS and name not in file_macros and not re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
        )

    def _function_macros(self) -> set[str]:
        return self.fn_macros

    def _binds_tighter_than_equality(self, start: int, end: int) -> bool:
        """Every operator at depth 0 in [start, end) binds tighter than ``==`` (so the
        expression is one operand of it), and nothing there assigns or sequences."""
        depth = 0
        for m in range(start, end):
            t = self.text(m)
            if t in ("(", "["):
                depth += 1
            elif t in (")", "]"):
                depth -= 1
            elif depth == 0 and self.toks[m].kind == "op":
                if t in _ASSIGNING or t in (",", "?", ":", "{", "}", ";"):
                    return False
                if t in _PREC and _PREC[t] <= _PREC["=="]:
                    return False
        return depth == 0

    def _names_plain(self, start: int, end: int) -> bool:
        """No name in [start, end) is a macro of the file (its body could regroup the
        expression) or an upper-case name used as a call (a header's macro)."""
        for m in range(start, end):
            tok = self.toks[m]
            if tok.kind != "name" or tok.text in C_KEYWORDS or self.text(m - 1) in (".", "->"):
                continue
            if m in self.binding_at or self._type_word(m):
                continue
            if tok.text in self._function_macros() or (
                tok.text in self.pp_macros and not self.pp_macros[tok.text]
            ):
                return False
            if self.text(m + 1) == "(" and not self._plain_callee(m):
                return False
        return True

    def _opening_context(self, i: int) -> bool:
        t = self.text(i)
        if t in _OPENING and self.toks[i].kind in ("op", "name"):
            # After ; { } the pair would be an expression statement of its own: nothing to gain.
            return t not in ("}", "{", ";")
        if t in ("&&", "||"):
            return True
        return t in _PREC and self._ends_operand(i - 1)

    def _left_binds_less(self, i: int, op: str) -> bool:
        t = self.text(i)
        if t in _PREC and self.toks[i].kind == "op":
            return _PREC[t] < _PREC[op]
        return True

    def increments(self) -> list[Choice]:
        out: list[Choice] = []
        for k in range(self.n):
            if not self._statement_or_for_clause_start(k):
                continue
            found = self._increment_at(k)
            if found is None:
                continue
            x0, x1, end, sign = found
            x = self.piece(x0, x1 - 1)
            one = "1"
            forms: list[Form] = [
                (x, sign * 2),
                (sign * 2, x),
                (x, f" {sign}= {one}"),
                (x, " = ", x, f" {sign} {one}"),
            ]
            original = self._increment_form(k, x0, x1, end)
            order = [original] + [f for f in range(4) if f != original]
            labels = ("post", "pre", "add", "plain")
            out.append(
                self.choice(
                    "increment",
                    k,
                    end - 1,
                    tuple(labels[f] for f in order),
                    [forms[f] for f in order[1:]],
                    f"increment of {self.source[x.start : x.end]} on line {self.line(k)}",
                )
            )
        return out

    def _statement_or_for_clause_start(self, k: int) -> bool:
        prev = self.text(k - 1)
        if prev in (";", "{", "}", "else", "do"):
            return not (prev == ";" and self._in_for_header(k) and not self._third_clause(k))
        if prev == ",":
            return self._third_clause(k)
        if prev == ")":
            opener = self.match.get(k - 1, -1)
            return self.text(opener - 1) in ("if", "while", "for")
        return False

    def _in_for_header(self, k: int) -> bool:
        return self._for_open(k) is not None

    def _for_open(self, k: int) -> int | None:
        depth = 0
        j = k - 1
        while j >= 0:
            t = self.text(j)
            if t in (")", "]"):
                depth += 1
            elif t in ("(", "["):
                if depth == 0:
                    return j if t == "(" and self.text(j - 1) == "for" else None
                depth -= 1
            elif t in ("{", "}"):
                return None
            j -= 1
        return None

    def _third_clause(self, k: int) -> bool:
        opener = self._for_open(k)
        if opener is None:
            return False
        semis = [j for j in range(opener + 1, k) if self.text(j) == ";" and self._depth(opener, j) == 0]
        return len(semis) == 2

    def _depth(self, opener: int, j: int) -> int:
        depth = 0
        for m in range(opener + 1, j):
            if self.text(m) in ("(", "["):
                depth += 1
            elif self.text(m) in (")", "]"):
                depth -= 1
        return depth

    def _increment_at(self, k: int) -> tuple[int, int, int, str] | None:
        """(lvalue start, lvalue end, end of the expression, '+' or '-')."""
        in_for = self._third_clause(k)
        enders = (")", ",") if in_for else (";",)
        if self.text(k) in ("++", "--"):
            x1 = self.lvalue(k + 1, self.n)
            if x1 is not None and self.text(x1) in enders:
                return k + 1, x1, x1, self.text(k)[0]
            return None
        x1 = self.lvalue(k, self.n)
        if x1 is None:
            return None
        t = self.text(x1)
        if t in ("++", "--") and self.text(x1 + 1) in enders:
            return k, x1, x1 + 1, t[0]
        if t in ("+=", "-=") and self.text(x1 + 1) == "1" and self.text(x1 + 2) in enders:
            return k, x1, x1 + 2, t[0]
        if t == "=":
            n = x1 - k
            same = [self.text(k + m) for m in range(n)] == [self.text(x1 + 1 + m) for m in range(n)]
            after = x1 + 1 + n
            if (
                same
                and self.text(after) in ("+", "-")
                and self.text(after + 1) == "1"
                and self.text(after + 2) in enders
            ):
                return k, x1, after + 2, self.text(after)
        return None

    def _increment_form(self, k: int, x0: int, x1: int, end: int) -> int:
        if self.text(k) in ("++", "--"):
            return 1
        t = self.text(x1)
        return 0 if t in ("++", "--") else 2 if t in ("+=", "-=") else 3

    def loops(self) -> list[Choice]:
        out: list[Choice] = []
        for k in range(self.n - 3):
            t = self.text(k)
            if self.toks[k].kind != "name" or t not in ("while", "for") or self.text(k + 1) != "(":
                continue
            close = self.match.get(k + 1, -1)
            if t == "while":
                if not (close == k + 3 and self._one(k + 2)) or self.text(close + 1) == ";":
                    continue  # not while (1), or the tail of a do ... while (1);
                forms: list[Form] = [("for (;;)",)]
            else:
                if close != k + 4 or self.text(k + 2) != ";" or self.text(k + 3) != ";":
                    continue
                forms = [("while (1)",)]
            out.append(self.choice("loop", k, close, ("kept", "rewritten"), forms,
                                   f"endless loop on line {self.line(k)}"))  # fmt: skip
        return out

    def _one(self, i: int) -> bool:
        """``1``, or stdbool's ``true`` (a macro for 1) where the file does not define it."""
        if self.text(i) == "1":
            return True
        return (
            self.text(i) == "true"
            and self.stdbool
            and i not in self.binding_at
            and "true" not in self.pp_macros
            and "true" not in self.fn_macros
        )

    def nulls(self) -> list[Choice]:
        """A null pointer constant written ``0`` or ``NULL`` (C11 6.3.2.3p3; ``NULL`` is one,
        7.19p3) where the other side is known to be a pointer: ``return`` in a function
        whose declarator returns a pointer, and the initialiser of a declared pointer."""
        out: list[Choice] = []
        if "NULL" in self.pp_macros or "NULL" in self.fn_macros:
            return out
        returns_pointer = {
            (fn.first, fn.last)
            for fn in self.scope.functions
            if (name := self._function_name(fn)) is not None and self.text(name - 1) == "*"
        }
        for k in range(1, self.n - 1):
            tok = self.toks[k]
            if tok.text not in ("0", "NULL") or tok.kind not in ("number", "name") or k in self.binding_at:
                continue
            if self.text(k + 1) not in (";", ","):
                continue
            prev = self.text(k - 1)
            pointer = False
            if prev == "return" and self.text(k + 1) == ";":
                pointer = any(a < k < b for a, b in returns_pointer)
            elif prev == "=" and self.text(k - 3) == "*" and self.toks[k - 2].kind == "name":
                b = self.binding_at.get(k - 2)
                pointer = b is not None and k - 2 in b.decls and not b.is_function
            if not pointer:
                continue
            other = "NULL" if tok.text == "0" else "0"
            out.append(self.choice("null", k, k, ("kept", "respelled"), [(other,)],
                                   f"null pointer on line {self.line(k)}"))  # fmt: skip
        return out

    def _function_name(self, fn: FunctionDef) -> int | None:
        """Token index of the defined function's name: the name before the first ``(``."""
        for m in range(fn.first, fn.last):
            if self.text(m) == "(" and self.toks[m - 1].kind == "name":
                return m - 1
        return None

    def commas(self) -> list[Choice]:
        """``a++, b--`` / ``b--, a++``: a comma expression whose value is discarded (an
        expression statement or a ``for`` clause), both sides increments or decrements of
        two different plain variables whose address is never taken, so neither side can
        reach what the other changes (the comma's sequence point orders nothing else)."""
        out: list[Choice] = []
        for k in range(self.n):
            if not self._statement_or_for_clause_start(k):
                continue
            first = self._step(k)
            if first is None or self.text(first[0]) != ",":
                continue
            second = self._step(first[0] + 1)
            if second is None or first[1] is second[1]:
                continue
            end = second[0]
            in_for = self._third_clause(k)
            if self.text(end) != (")" if in_for else ";"):
                continue
            forms: list[Form] = [
                (
                    self.piece(first[0] + 1, end - 1),
                    self.gap(first[0] - 1, first[0]),
                    ", ",
                    self.piece(k, first[0] - 1),
                )
            ]
            out.append(self.choice("comma", k, end - 1, ("kept", "swapped"), forms,
                                   f"comma expression on line {self.line(k)}"))  # fmt: skip
        return out

    def augments(self) -> list[Choice]:
        """``x = x OP e;`` / ``x OP= e;`` as a statement, x a side-effect-free lvalue (a
        non-volatile variable with member and index steps), e whose operators at depth 0
        all bind tighter than OP (so ``x OP e`` is ``x OP (e)``) and holding no macro of the
        file or header macro call: C11 6.5.16.2p3 makes ``E1 OP= E2`` the simple assignment
        ``E1 = E1 OP (E2)`` with E1 evaluated once, which changes nothing when E1 has no side
        effects. Adding or subtracting 1 is left to ``increment``."""
        out: list[Choice] = []
        for k in range(self.n):
            if self.text(k - 1) not in (";", "{", "}") or self._in_for_header(k):
                continue
            x1 = self.lvalue(k, self.n)
            if x1 is None:
                continue
            n = x1 - k
            t = self.text(x1)
            if t == "=" and [self.text(k + m) for m in range(n)] == [self.text(x1 + 1 + m) for m in range(n)]:
                op, e0 = self.text(x1 + 1 + n), x1 + 2 + n
                plain = True
            elif t.endswith("=") and t[:-1] in _AUGMENTABLE and self.toks[x1].kind == "op":
                op, e0 = t[:-1], x1 + 1
                plain = False
            else:
                continue
            if op not in _AUGMENTABLE or self.toks[e0 - 1].kind != "op":
                continue
            end = e0
            while end < self.n and self.text(end) not in (";", "{", "}"):
                end += 1
            if self.text(end) != ";" or end == e0:
                continue
            if op in ("+", "-") and end == e0 + 1 and self.text(e0) == "1":
                continue
            if not self._binds_tighter_than(e0, end, op) or not self._names_plain(e0, end):
                continue
            x = self.piece(k, x1 - 1)
            e = self.piece(e0, end - 1)
            form: Form = (x, f" {op}= ", e) if plain else (x, " = ", x, f" {op} ", e)
            out.append(self.choice("augment", k, end - 1, ("kept", "rewritten"), [form],
                                   f"assignment on line {self.line(k)}"))  # fmt: skip
        # Two in a row (``n += f(a); n += f(b);``) look alike to a reader that names every
        # variable alike, and each would lend the other its anchors: neither is offered.
        ends = {c.last + 2 for c in out}  # the token after the statement's semicolon
        starts = {c.first for c in out}
        return [c for c in out if c.first not in ends and c.last + 2 not in starts]

    def _binds_tighter_than(self, start: int, end: int, op: str) -> bool:
        depth = 0
        for m in range(start, end):
            t = self.text(m)
            if t in ("(", "["):
                depth += 1
            elif t in (")", "]"):
                depth -= 1
            elif depth == 0 and self.toks[m].kind == "op":
                if t in _ASSIGNING or t in (",", "?", ":", "{", "}", ";"):
                    return False
                binary = (m > start and self._ends_operand(m - 1)) or self.text(m - 1) == ")"
                if binary and t in _PREC and _PREC[t] <= _PREC[op]:
                    return False
        return depth == 0

    def _step(self, k: int) -> tuple[int, Binding] | None:
        """``x++``, ``++x``, ``x--`` or ``--x`` of a plain local at ``k``: (index after, x)."""
        if self.text(k) in ("++", "--"):
            b, after = self.binding_at.get(k + 1), k + 2
        elif self.text(k + 1) in ("++", "--"):
            b, after = self.binding_at.get(k), k + 2
        else:
            return None
        if b is None or b.kind not in ("local", "param") or b.is_function:
            return None
        if id(b) in self.volatile or id(b) in self.address_taken:
            return None
        return after, b

    def polarities(self) -> list[Choice]:
        out: list[Choice] = []
        for k in range(self.n):
            if self.text(k) != "if" or self.text(k + 1) != "(" or self.toks[k].kind != "name":
                continue
            close = self.match.get(k + 1, -1)
            if close < 0 or self.text(close + 1) != "{":
                continue
            then_end = self.match[close + 1]
            if self.text(then_end + 1) != "else" or self.text(then_end + 2) != "{":
                continue
            else_end = self.match[then_end + 2]
            cond = self.piece(k + 2, close - 1)
            forms: list[Form] = [
                (
                    "(!(",
                    cond,
                    "))",
                    self.gap(close, close + 1),
                    self.piece(then_end + 2, else_end),
                    self.gap(then_end, then_end + 2),
                    self.piece(close + 1, then_end),
                )
            ]
            out.append(self.choice("polarity", k + 1, else_end, ("kept", "negated"), forms,
                                   f"if/else on line {self.line(k)}"))  # fmt: skip
        return out

    def orders(self) -> list[Choice]:
        out: list[Choice] = []
        for fn in self.scope.functions:
            k = fn.first
            while k <= fn.last:
                first = self._assignment(k)
                if first is None:
                    k += 1
                    continue
                w1, reads1, end1 = first
                second = self._assignment(end1 + 1)
                if second is None:
                    k = end1 + 1
                    continue
                w2, reads2, end2 = second
                if (
                    w1 is w2
                    or w1.name in reads2
                    or w2.name in reads1
                    or not self._only_space_between(end1, end1 + 1)
                ):
                    k = end1 + 1
                    continue
                forms: list[Form] = [
                    (self.piece(end1 + 1, end2), self.gap(end1, end1 + 1), self.piece(k, end1))
                ]
                out.append(self.choice("order", k, end2, ("kept", "swapped"), forms,
                                       f"statements on line {self.line(k)}"))  # fmt: skip
                k = end2 + 1
        return out

    def _assignment(self, k: int) -> tuple[Binding, set[str], int] | None:
        """``x = e;`` at ``k`` as a statement of its own: (x, names e reads, index of ';')."""
        if self.text(k - 1) not in (";", "{", "}") or self._in_for_header(k):
            return None
        b = self.binding_at.get(k)
        if b is None or b.kind not in ("local", "param") or b.is_function or self.text(k + 1) != "=":
            return None
        if id(b) in self.volatile or id(b) in self.address_taken or not self._scalar(b):
            return None
        end = k + 2
        while end < self.n and self.text(end) != ";":
            if self.text(end) in ("{", "}"):
                return None
            end += 1
        if end >= self.n or not self.pure(k + 2, end):
            return None
        reads = {self.text(m) for m in range(k + 2, end) if self.toks[m].kind == "name"}
        return b, reads, end

    def _scalar(self, b: Binding) -> bool:
        if not b.decls:
            return False
        specifiers, _, after = self._decl_span(b)
        return bool(specifiers) and after not in ("[", "(") and not ({"struct", "union"} & set(specifiers))

    def _only_space_between(self, last: int, first: int) -> bool:
        a, b = self.toks[last].end, self.toks[first].start
        return not any(t.kind == "pp" and a <= t.start < b for t in self.all_tokens)

    def _declares_a_tag(self, fn: FunctionDef) -> bool:
        """``struct s {...} f(void) {``: a tag declared before the body is file scope, and
        the other definition could use it."""
        body = _first_brace(self.toks, fn.first, fn.last)
        return any(self.text(m) == "{" for m in range(fn.first, body)) or body != self._body_of(fn)

    def _body_of(self, fn: FunctionDef) -> int:
        """The opening brace of the body: the one matching the definition's last token."""
        return self.match.get(fn.last, -1)

    def definitions(self) -> list[Choice]:
        out: list[Choice] = []
        fns = self.scope.functions
        k = 0
        while k + 1 < len(fns):
            f, g = fns[k], fns[k + 1]
            if g.first != f.last + 1 or not self._only_space_between(f.last, g.first):
                k += 1
                continue
            f_names = {self.text(m) for m in range(f.first, f.last + 1) if self.toks[m].kind == "name"}
            g_names = {self.text(m) for m in range(g.first, g.last + 1) if self.toks[m].kind == "name"}
            if (
                f.name in g_names
                or g.name in f_names
                or {"constructor", "destructor"} & (f_names | g_names)
                or self._declares_a_tag(f)
                or self._declares_a_tag(g)
            ):
                k += 1
                continue
            forms: list[Form] = [
                (self.piece(g.first, g.last), self.gap(f.last, g.first), self.piece(f.first, f.last))
            ]
            out.append(self.choice("definitions", f.first, g.last, ("kept", "swapped"), forms,
                                   f"definitions of {f.name} and {g.name}"))  # fmt: skip
            k += 2
        return out


def _first_brace(toks: list[Token], first: int, last: int) -> int:
    return next((m for m in range(first, last + 1) if toks[m].text == "{"), last)


def stringified_arguments(code: list[Token], all_tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index pairs (open, close) of the parentheses of calls to ``assert`` and to the
    file's function-like macros that stringify or paste (``#``): what is written there may
    reach the program's output as text, so nothing inside may be respelled."""
    pasting = {
        m.group(1)
        for t in all_tokens
        if t.kind == "pp"
        and (m := re.match(r"[#%:]+\s*define\s+(\w+)\((.*)", t.text, re.DOTALL))
        and "#" in m.group(2)
    }
    risky = {"assert", "static_assert", "_Static_assert"} | pasting
    out = []
    for k in range(len(code) - 1):
        if code[k].kind == "name" and code[k].text in risky and code[k + 1].text == "(":
            depth = 0
            for j in range(k + 1, len(code)):
                if code[j].text == "(":
                    depth += 1
                elif code[j].text == ")":
                    depth -= 1
                    if depth == 0:
                        out.append((k + 1, j))
                        break
    return out


def find_choices(source: str, code: list[Token], all_tokens: list[Token], scope: CScope) -> list[Choice]:
    """Every structural choice in the original, properly nested, in source order."""
    analysis = _Analysis(source, code, all_tokens, scope)
    pp_starts = [t.start for t in all_tokens if t.kind == "pp"]
    sensitive = _line_sensitive_names(all_tokens)
    found = (
        analysis.definitions()
        + analysis.polarities()
        + analysis.loops()
        + analysis.orders()
        + analysis.commas()
        + analysis.increments()
        + analysis.augments()
        + analysis.nulls()
        + analysis.zeros()
        + analysis.commutes()
    )
    kept: list[Choice] = []
    for c in found:
        if any(c.start <= p < c.end for p in pp_starts):
            continue  # a directive inside: #ifdef halves must never trade places
        if any(a < c.first < b for a, b in analysis.macro_arguments()):
            continue  # a macro may stringify or paste its argument (assert prints it)
        if c.kind in _MOVES_LINES and any(analysis.text(k) in sensitive for k in range(c.first, c.last + 1)):
            continue  # __LINE__ (assert, a logging macro) would print other line numbers  # outer kinds first: a later choice that overlaps one kept partially is dropped
        if all(_nested_or_apart(c, k) for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: (c.start, -c.end))
    return kept


_MOVES_LINES = frozenset({"definitions", "polarity", "order"})


def _line_sensitive_names(all_tokens: list[Token]) -> set[str]:
    """``__LINE__``, ``assert`` and every macro of the file whose body uses one of them."""
    bodies = {}
    for tok in all_tokens:
        m = tok.kind == "pp" and re.match(r"[#%:]+\s*define\s+(\w+)(.*)", tok.text, re.DOTALL)
        if m:
            bodies[m.group(1)] = set(re.findall(r"\w+", m.group(2)))
    sensitive = {"__LINE__", "assert"}
    grew = True
    while grew:
        grew = False
        for name, words in bodies.items():
            if name not in sensitive and words & sensitive:
                sensitive.add(name)
                grew = True
    return sensitive


def _nested_or_apart(a: Choice, b: Choice) -> bool:
    if a.end <= b.start or b.end <= a.start:
        return True
    outer, inner = (a, b) if a.end - a.start >= b.end - b.start else (b, a)
    if not (outer.start <= inner.start and inner.end <= outer.end):
        return False
    # The inner span must sit whole inside one piece of every form of the outer choice.
    return all(
        any(isinstance(p, Piece) and p.start <= inner.start and inner.end <= p.end for p in form)
        for form in outer.forms
    )
