"""Leak transformations for source code: what happens to a PoC between a partner's disk
and a forum post. Real tools only: black, ruff format, autopep8 (from the project's
virtualenv, else PATH) and clang-format in its predefined styles.

``CODE_TRANSFORMS`` maps a name to a function ``str -> str``: the formatters, comment
stripping, renaming some identifiers (as a leaker hiding a copy would) and a code-aware
excerpt (every other function); ``transforms_for("python")`` and ``transforms_for("c")``
say which apply to which language. ``retype_c`` and ``retype_python`` are a whole
retyping (every name the program defines, reformatted, no comment). Every transform is
deterministic. A tool that is missing or rejects its input raises CodeTransformError.
"""

from __future__ import annotations

import ast
import functools
import itertools
import keyword
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from headstart.carriers.source_syntax import C_KEYWORDS, C_LIBRARY_NAMES, PYTHON_RESERVED, lex_c, lex_python

__all__ = [
    "CLANG_FORMAT_STYLES",
    "CODE_TRANSFORMS",
    "LANGUAGES",
    "CodeTransformError",
    "autopep8_format",
    "black_format",
    "c_compiler_flags",
    "c_function_spans",
    "c_header_names",
    "c_program_names",
    "clang_format",
    "keep_half_c_functions",
    "keep_half_python_definitions",
    "rename_c_identifiers",
    "rename_python_identifiers",
    "retype_c",
    "retype_python",
    "ruff_format",
    "strip_c_comments",
    "strip_python_comments",
    "tool_available",
    "transforms_for",
]

CLANG_FORMAT_STYLES = ("LLVM", "Google", "GNU", "WebKit", "Mozilla")
LANGUAGES = ("python", "c")
_TIMEOUT = 60


class CodeTransformError(RuntimeError):
    """A leak transformation could not run (tool missing, or it rejected the input)."""


def _tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise CodeTransformError(f"{name} is not installed (looked beside {sys.executable} and on PATH)")
    return found


def tool_available(name: str) -> bool:
    """Whether the formatter ``name`` is installed where the transforms look for it."""
    try:
        _tool(name)
    except CodeTransformError:
        return False
    return True


def _run(argv: list[str], source: str) -> str:
    # Run in an empty directory so no project configuration (pyproject.toml,
    # .clang-format, setup.cfg) changes the tool's defaults.
    with tempfile.TemporaryDirectory(prefix="headstart-leak-") as workdir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BLACK_", "RUFF_"))}
        env["HOME"] = workdir
        env["XDG_CONFIG_HOME"] = workdir
        try:
            done = subprocess.run(
                argv,
                input=source,
                capture_output=True,
                text=True,
                cwd=workdir,
                env=env,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CodeTransformError(f"{Path(argv[0]).name} failed: {exc}") from exc
    if done.returncode != 0:
        raise CodeTransformError(f"{Path(argv[0]).name} rejected the input: {done.stderr.strip()[:500]}")
    return done.stdout


def black_format(source: str) -> str:
    return _run([_tool("black"), "--quiet", "-"], source)


def ruff_format(source: str) -> str:
    return _run([_tool("ruff"), "format", "--isolated", "--stdin-filename", "leak.py", "-"], source)


def autopep8_format(source: str, aggressive: int = 0) -> str:
    argv = [_tool("autopep8"), "--ignore-local-config"] + ["--aggressive"] * aggressive + ["-"]
    return _run(argv, source)


def clang_format(source: str, style: str = "LLVM") -> str:
    if style not in CLANG_FORMAT_STYLES:
        raise CodeTransformError(
            f"unknown clang-format style {style!r}; expected one of {', '.join(CLANG_FORMAT_STYLES)}"
        )
    return _run([_tool("clang-format"), f"--style={style}", "--assume-filename=leak.c"], source)


def strip_python_comments(source: str) -> str:
    """Drop every ``#`` comment (strings untouched) and the trailing spaces it leaves."""
    out, pos = [], 0
    for tok in lex_python(source):
        if tok.kind == "comment":
            out.append(source[pos : tok.start])
            pos = tok.end
    out.append(source[pos:])
    return _tidy_lines("".join(out))


def strip_c_comments(source: str) -> str:
    """Drop ``/* */`` and ``//`` comments (also inside preprocessor lines); a block comment
    becomes one space, or its newlines when it spans lines, as a preprocessor would."""
    out, pos = [], 0
    for tok in lex_c(source):
        if tok.kind == "comment":
            out.append(source[pos : tok.start])
            out.append("\n" * tok.text.count("\n") or " ")
            pos = tok.end
        elif tok.kind == "pp":
            out.append(source[pos : tok.start])
            out.append(_strip_pp_comments(tok.text))
            pos = tok.end
    out.append(source[pos:])
    return _tidy_lines("".join(out))


def _strip_pp_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.DOTALL).rstrip()


def _tidy_lines(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue  # a removed comment block leaves one blank line, not several
        out.append(line)
    return "\n".join(out)


def _rename(source: str, tokens: list, chosen: dict[str, str]) -> str:
    out, pos = [], 0
    prev = None
    for tok in tokens:
        if tok.kind == "name" and tok.text in chosen and not (prev is not None and prev.text in (".", "->")):
            out.append(source[pos : tok.start])
            out.append(chosen[tok.text])
            pos = tok.end
        if tok.kind != "comment":
            prev = tok
    out.append(source[pos:])
    return "".join(out)


def _choose(names: list[str], share: float, seed: int, taken: set[str], prefix: str) -> dict[str, str]:
    rng = random.Random(seed)
    count = max(1, round(share * len(names))) if names else 0
    picked = sorted(rng.sample(sorted(names), count)) if count else []
    chosen: dict[str, str] = {}
    n = 1
    for name in picked:
        while f"{prefix}{n}" in taken:
            n += 1
        chosen[name] = f"{prefix}{n}"
        n += 1
    return chosen


def rename_python_identifiers(source: str, share: float = 0.3, seed: int = 0) -> str:
    """Rename a share of the names the script itself binds (variables, parameters,
    functions) to ``var1``, ``var2``..., consistently, as a leaker hiding a copy might."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CodeTransformError(f"the Python source does not parse: line {exc.lineno}: {exc.msg}") from exc
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    names = [n for n in bound if n not in PYTHON_RESERVED and not n.startswith("__") and n != "main"]
    tokens = lex_python(source)
    taken = {t.text for t in tokens if t.kind == "name"}
    return _rename(source, tokens, _choose(names, share, seed, taken, "var"))


_C_TYPE_WORDS = frozenset(
    [
        "void",
        "char",
        "short",
        "int",
        "long",
        "float",
        "double",
        "signed",
        "unsigned",
        "_Bool",
        "const",
        "volatile",
        "static",
        "register",
    ]
)


def rename_c_identifiers(source: str, share: float = 0.3, seed: int = 0) -> str:
    """Rename a share of the names the file declares (after a type word or ``*``) to
    ``var1``, ``var2``..., consistently."""
    tokens = lex_c(source)
    code = [t for t in tokens if t.kind not in ("comment", "pp")]
    declared: set[str] = set()
    for prev, tok in itertools.pairwise(code):
        if tok.kind != "name" or tok.text in C_KEYWORDS or tok.text in C_LIBRARY_NAMES:
            continue
        if (
            prev.text in _C_TYPE_WORDS
            or prev.text == "*"
            or (prev.kind == "name" and prev.text.endswith("_t"))
        ):
            declared.add(tok.text)
    pp_names = {w for t in tokens if t.kind == "pp" for w in re.findall(r"[A-Za-z_]\w*", t.text)}
    names = [n for n in declared if n not in pp_names and n != "main" and not keyword.iskeyword(n)]
    taken = {t.text for t in tokens if t.kind == "name"} | pp_names
    return _rename(source, tokens, _choose(names, share, seed, taken, "var"))


def keep_half_python_definitions(source: str, keep: int = 0) -> str:
    """An excerpt: every other top-level function or class (``keep`` 0 or 1 says which
    half), without the module code around them."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CodeTransformError(f"the Python source does not parse: line {exc.lineno}: {exc.msg}") from exc
    lines = source.splitlines(keepends=True)
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    chunks = []
    for node in defs[keep % 2 :: 2]:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        chunks.append("".join(lines[first - 1 : node.end_lineno]))
    return "\n\n".join(chunks)


def keep_half_c_functions(source: str, keep: int = 0) -> str:
    """An excerpt: every other function definition of a C file (``keep`` 0 or 1)."""
    spans = c_function_spans(source)
    return "\n\n".join(source[a:b] for a, b in spans[keep % 2 :: 2])


def c_function_spans(source: str) -> list[tuple[int, int]]:
    """Character spans of top-level function definitions: from the start of the line
    holding the declaration to the closing brace of the body."""
    tokens = [t for t in lex_c(source) if t.kind != "comment"]
    spans: list[tuple[int, int]] = []
    depth = 0
    decl_start: int | None = None
    prev = None
    for i, tok in enumerate(tokens):
        if tok.kind == "pp":
            prev = None
            continue
        if depth == 0 and decl_start is None and tok.text not in (";", "}"):
            decl_start = tok.start
        if tok.text == "{":
            if depth == 0 and prev is not None and prev.text == ")":
                body_start = i
                body_depth = 0
                for j in range(body_start, len(tokens)):
                    if tokens[j].text == "{":
                        body_depth += 1
                    elif tokens[j].text == "}":
                        body_depth -= 1
                        if body_depth == 0:
                            line_start = source.rfind("\n", 0, decl_start or tok.start) + 1
                            spans.append((line_start, tokens[j].end))
                            break
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                decl_start = None
        elif tok.text == ";" and depth == 0:
            decl_start = None
        prev = tok
    return spans


CODE_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "black": black_format,
    "ruff-format": ruff_format,
    "autopep8": autopep8_format,
    "autopep8-aggressive": partial(autopep8_format, aggressive=2),
    **{f"clang-format-{style.lower()}": partial(clang_format, style=style) for style in CLANG_FORMAT_STYLES},
    "strip-comments-python": strip_python_comments,
    "strip-comments-c": strip_c_comments,
    "rename-identifiers-python": rename_python_identifiers,
    "rename-identifiers-c": rename_c_identifiers,
    "excerpt-half-python": keep_half_python_definitions,
    "excerpt-half-c": keep_half_c_functions,
}

_LANGUAGE_OF: dict[str, str] = {
    "black": "python",
    "ruff-format": "python",
    "autopep8": "python",
    "autopep8-aggressive": "python",
    **{f"clang-format-{style.lower()}": "c" for style in CLANG_FORMAT_STYLES},
    "strip-comments-python": "python",
    "strip-comments-c": "c",
    "rename-identifiers-python": "python",
    "rename-identifiers-c": "c",
    "excerpt-half-python": "python",
    "excerpt-half-c": "c",
}


def transforms_for(language: str) -> dict[str, Callable[[str], str]]:
    """The code transforms that apply to ``language`` ("python" or "c")."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return {name: fn for name, fn in CODE_TRANSFORMS.items() if _LANGUAGE_OF[name] == language}


# --- Retyping: what a leaker who retypes a PoC does -------------------------------------
# Every name the program defines is replaced, the code reformatted, every comment gone;
# names the program takes from its imports, headers, libc or the kernel ABI stay, or the
# program would no longer run or compile.


def _new_names(names: list[str], seed: int, taken: set[str], prefixes: tuple[str, ...]) -> dict[str, str]:
    rng = random.Random(seed)
    order = sorted(names)
    rng.shuffle(order)
    prefix = rng.choice(prefixes)
    chosen: dict[str, str] = {}
    n = 0
    for name in order:
        n += 1
        while f"{prefix}{n}" in taken:
            n += 1
        chosen[name] = f"{prefix}{n}"
    return chosen


class _PythonBindings(ast.NodeVisitor):
    """The names a Python program binds itself, and the attributes its own classes define."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.attributes: set[str] = set()
        self.imported: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def visit_arg(self, node: ast.arg) -> None:
        self.names.add(node.arg)
        self.generic_visit(node)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.attributes.add(item.name)
                elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                    targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                    self.attributes.update(t.id for t in targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _define

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            self.attributes.add(node.attr)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.names.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.names.update(node.names)

    def visit_alias(self, node: ast.alias) -> None:
        bound = node.asname or node.name.split(".")[0]
        self.imported.add(bound)


class _PythonRenames(ast.NodeVisitor):
    """Where each renamed name stands in the source: (line, UTF-8 column, old, new)."""

    def __init__(self, source_lines: list[str], names: dict[str, str], attributes: dict[str, str]) -> None:
        self.lines = source_lines
        self.names = names
        self.attributes = attributes
        self.functions: set[str] = set()
        self.imported: set[str] = set()
        self.edits: list[tuple[int, int, str, str]] = []
        self.docstrings: list[ast.Expr] = []

    def _at(self, line: int, col: int, old: str, table: dict[str, str]) -> None:
        if old in table:
            self.edits.append((line, col, old, table[old]))

    def _after_keyword(self, line: int, col: int, word: str, name: str, table: dict[str, str]) -> None:
        # ``def NAME``, ``class NAME``, ``as NAME``, ``global A, B``: the name's column
        # is not in the AST, so it is found on its line after the keyword.
        text = self.lines[line - 1].encode()
        m = re.compile(rb"\b" + word.encode() + rb"\b").search(text, col)
        if m is None:
            return
        n = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b").search(text, m.end())
        if n is not None:
            self._at(line, n.start(), name, table)

    def visit_Name(self, node: ast.Name) -> None:
        self._at(node.lineno, node.col_offset, node.id, self.names)

    def visit_arg(self, node: ast.arg) -> None:
        self._at(node.lineno, node.col_offset, node.arg, self.names)
        self.generic_visit(node)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, method: bool) -> None:
        table = self.attributes if method else self.names
        word = "class" if isinstance(node, ast.ClassDef) else "def"
        self._after_keyword(node.lineno, node.col_offset, word, node.name, table)
        self._docstring(node.body)
        for item in node.body:
            is_method = isinstance(node, ast.ClassDef) and isinstance(
                item, (ast.FunctionDef, ast.AsyncFunctionDef)
            )
            if is_method:
                assert isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                for deco in item.decorator_list:
                    self.visit(deco)
                self._define(item, method=True)
            else:
                self.visit(item)
        for field in ("decorator_list", "bases", "keywords", "returns", "type_params"):
            value = getattr(node, field, None)
            for sub in value if isinstance(value, list) else [value] if value is not None else []:
                self.visit(sub)
        if not isinstance(node, ast.ClassDef):
            self.visit(node.args)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node, method=False)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._define(node, method=False)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._define(node, method=False)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def _docstring(self, body: list[ast.stmt]) -> None:
        first = body[0] if body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            self.docstrings.append(first)

    def _own_attribute(self, node: ast.Attribute) -> bool:
        # Python cannot tell whose ``x.attr`` this is; an attribute named like one of the
        # program's classes' is taken as theirs, unless it is looked up on an imported module.
        return node.attr in self.attributes and not (
            isinstance(node.value, ast.Name) and node.value.id in self.imported
        )

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self._own_attribute(node) and node.end_lineno is not None:
            end = node.end_col_offset or 0
            self._at(node.end_lineno, end - len(node.attr.encode()), node.attr, self.attributes)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        # A keyword argument names a parameter: renamed with it when the callee is the program's own.
        func = node.func
        own = (isinstance(func, ast.Name) and func.id in self.functions) or (
            isinstance(func, ast.Attribute) and self._own_attribute(func)
        )
        if own:
            for kw in node.keywords:
                if kw.arg is not None:
                    self._at(kw.lineno, kw.col_offset, kw.arg, self.names)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._after_keyword(node.lineno, node.col_offset, "as", node.name, self.names)
        self.generic_visit(node)

    def _declared(self, node: ast.Global | ast.Nonlocal) -> None:
        for name in node.names:
            self._after_keyword(node.lineno, node.col_offset, "global|nonlocal", name, self.names)

    def visit_Global(self, node: ast.Global) -> None:
        self._declared(node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self._declared(node)

    def visit_alias(self, node: ast.alias) -> None:
        if node.asname:
            self._after_keyword(node.lineno, node.col_offset, "as", node.asname, self.names)


def retype_python(source: str, seed: int = 0) -> str:
    """The program as a leaker who retypes it posts it: every name it binds itself
    (functions, classes, globals, locals, parameters, ``except``/``as`` names, its own
    classes' attributes and methods, keyword arguments to its own functions) renamed
    consistently, docstrings and comments gone, then black. Names taken from imports and
    builtins, ``main``, ``self``/``cls`` and dunder names stay; literals keep their notation.
    An attribute is renamed wherever it is looked up (``obj.bump()`` as well as
    ``self.bump``) unless on an imported module; one named like a builtin type's attribute
    (``append``, ``read``) keeps its name everywhere."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CodeTransformError(f"the Python source does not parse: line {exc.lineno}: {exc.msg}") from exc
    found = _PythonBindings()
    found.visit(tree)
    keep = {"main", "self", "cls", "_"} | found.imported | PYTHON_RESERVED
    names = sorted(n for n in found.names if n not in keep and not n.startswith("__"))
    # An attribute named like a builtin type's (append, read, items) stays: renaming it at
    # every ``x.append`` would rename the list's too.
    builtin_attrs = {
        a for t in (object, str, bytes, bytearray, list, dict, set, int, float, tuple) for a in dir(t)
    }
    builtin_attrs |= {
        "read",
        "write",
        "close",
        "flush",
        "seek",
        "tell",
        "readline",
        "readlines",
        "name",
        "mode",
    }
    attributes = sorted(a for a in found.attributes if not a.startswith("__") and a not in builtin_attrs)
    taken = {t.text for t in lex_python(source) if t.kind == "name"} | keep
    name_map = _new_names(names, seed, taken, ("v", "x", "n", "var"))
    attr_map = _new_names(attributes, seed + 1, taken | set(name_map.values()), ("m", "f", "attr"))
    lines = source.splitlines(keepends=True)
    where = _PythonRenames(lines, name_map, attr_map)
    where.imported = found.imported
    where.functions = {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    where.visit(tree)
    data = [line.encode() for line in lines]
    # Docstrings first (whole statements; ``pass`` where one was a body's only statement).
    for doc in sorted(where.docstrings, key=lambda d: d.lineno, reverse=True):
        end_line, end_col = doc.end_lineno or doc.lineno, doc.end_col_offset or 0
        head = data[doc.lineno - 1][: doc.col_offset]
        tail = data[end_line - 1][end_col:]
        data[doc.lineno - 1 : end_line] = [head + b"pass" + tail]
    dropped = {line for d in where.docstrings for line in range(d.lineno, (d.end_lineno or d.lineno) + 1)}
    for line, col, old, new in sorted(where.edits, key=lambda e: (e[0], e[1]), reverse=True):
        if line in dropped:
            continue
        # Lines after a removed docstring moved up by the lines it spanned.
        shift = sum(
            (d.end_lineno or d.lineno) - d.lineno for d in where.docstrings if (d.end_lineno or 0) < line
        )
        row = data[line - 1 - shift]
        if row[col : col + len(old.encode())] != old.encode():
            raise CodeTransformError(f"retype: {old!r} not found at line {line} column {col}")
        data[line - 1 - shift] = row[:col] + new.encode() + row[col + len(old.encode()) :]
    text = b"".join(data).decode()
    return black_format(_drop_lone_passes(strip_python_comments(text)))


def _drop_lone_passes(source: str) -> str:
    """A docstring became ``pass``; where the body has other statements it goes."""
    tree = ast.parse(source)
    drop: set[int] = set()
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and len(body) > 1:
                drop.update(s.lineno for s in body if isinstance(s, ast.Pass))
    lines = source.splitlines(keepends=True)
    return "".join(line for i, line in enumerate(lines, 1) if not (i in drop and line.strip() == "pass"))


# C: the standard's keywords and GNU's, and names no program may take (the implementation's).
_C_RESERVED = frozenset(
    [
        "auto",
        "break",
        "case",
        "char",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extern",
        "float",
        "for",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "register",
        "restrict",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "typedef",
        "union",
        "unsigned",
        "void",
        "volatile",
        "while",
        "_Bool",
        "_Complex",
        "_Imaginary",
        "_Alignas",
        "_Alignof",
        "_Atomic",
        "_Generic",
        "_Noreturn",
        "_Static_assert",
        "_Thread_local",
        "asm",
        "typeof",
        "defined",
        "main",
    ]
)


def c_compiler_flags() -> list[str]:
    """Include flags for the libraries the corpus PoCs use (libnl), from pkg-config when
    it knows them; nothing otherwise."""
    flags: list[str] = []
    pkg_config = shutil.which("pkg-config")
    if pkg_config is None:
        return flags
    for package in ("libnl-3.0", "libnl-route-3.0", "libnl-cli-3.0"):
        done = subprocess.run(
            [pkg_config, "--cflags", package], capture_output=True, text=True, check=False, timeout=_TIMEOUT
        )
        if done.returncode == 0:
            flags += [f for f in done.stdout.split() if f not in flags]
    return flags


def c_header_names(source: str, flags: list[str] | None = None) -> set[str]:
    """Every identifier the headers a C file includes declare or use (and the compiler's
    predefined macros): the names a program takes from outside. A header that is not
    installed contributes nothing (its #include line is dropped and the rest read)."""
    return set(_c_headers(source, tuple(flags or ()))[0])


@functools.lru_cache(maxsize=64)
def _c_headers(source: str, flags: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(every identifier in the included headers, the macros they define, the headers
    that are not installed)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        raise CodeTransformError("gcc is not installed: it lists the names the headers declare")
    pp_lines = [t.text for t in lex_c(source) if t.kind == "pp"]
    names: set[str] = set()
    macros: set[str] = set()
    absent: list[str] = []
    for _attempt in range(50):
        text = "\n".join(pp_lines) + "\n"
        with tempfile.TemporaryDirectory(prefix="headstart-retype-") as workdir:
            path = Path(workdir) / "leak.c"
            path.write_text(text)
            done = subprocess.run(
                [gcc, "-E", "-dD", *flags, str(path)],
                capture_output=True,
                text=True,
                check=False,
                timeout=_TIMEOUT,
            )
        missing = re.search(r"fatal error: ([^:\n]+): No such file", done.stderr)
        if done.returncode != 0 and missing:
            absent.append(missing.group(1))
            pp_lines = [
                p for p in pp_lines if not (p.lstrip("#% \t").startswith("include") and missing.group(1) in p)
            ]
            continue
        in_main = True
        for line in done.stdout.splitlines():
            marker = re.match(r'# \d+ "([^"]*)"', line)
            if marker:
                in_main = marker.group(1) == str(path)
                continue
            if not in_main:
                names.update(re.findall(r"[A-Za-z_]\w*", _strip_c_literals(line)))
                if line.startswith("#define "):
                    macros.add(line.split()[1].split("(")[0])
        return frozenset(names), frozenset(macros), tuple(absent)
    raise CodeTransformError("gcc -E could not read the headers")


def _strip_c_literals(line: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', " ", line)


def _c_attribute_words(tokens: list) -> set[int]:
    """Indexes of the tokens inside ``__attribute__((...))``: GNU's words, never the program's."""
    inside: set[int] = set()
    i = 0
    while i < len(tokens):
        if (
            tokens[i].text in ("__attribute__", "__attribute")
            and i + 1 < len(tokens)
            and tokens[i + 1].text == "("
        ):
            depth = 0
            for j in range(i + 1, len(tokens)):
                if tokens[j].text == "(":
                    depth += 1
                elif tokens[j].text == ")":
                    depth -= 1
                    if depth == 0:
                        inside.update(range(i + 1, j))
                        i = j
                        break
        i += 1
    return inside


def c_program_names(source: str, flags: list[str] | None = None) -> tuple[set[str], set[str]]:
    """The identifiers a C file defines itself, as two sets.

    The first: every name in its code and its own preprocessor lines that no included
    header declares or uses, that is not a keyword, not ``main``, not one of the
    implementation's (``__x``, ``_X``) and not an attribute word: renamed everywhere.
    The second: names a header also uses (a prototype's parameter ``cpu``, a header
    struct's field ``len``) that the file declares as a variable, parameter or function
    (a declarator after a type): renamed except where they name a member or a tag
    (after ``.``, ``->``, ``struct``), which may be the header's. A member of the file's
    own struct whose name a header also uses keeps it (which struct ``.len`` refers to
    needs the types)."""
    header = c_header_names(source, flags)
    own: set[str] = set()
    shadow: set[str] = set()
    type_names = _header_type_names(source, flags) | {"bool"}
    for tokens in _c_token_groups(source):
        attrs = _c_attribute_words(tokens)
        for i, tok in enumerate(tokens):
            if tok.kind == "name" and i not in attrs and _renamable_c(tok.text, header):
                own.add(tok.text)
        type_names |= own & {t.text for t in tokens}  # the file's own typedefs and tags
        shadow |= _c_declared_names(tokens, type_names, attrs)
    shadow = {n for n in shadow if n in header and not n.startswith("__") and not re.match(r"_[A-Z]", n)}
    _names, header_macros, absent = _c_headers(source, tuple(flags or ()))
    if absent:
        # A header that is not installed declares names nobody here can list: only what the
        # file visibly declares is its own; a name it merely uses came from that header.
        own &= _c_visible_declarations(source, type_names)
    # The macros it #defines are its own unless a header defines them too or they select
    # library features (``_GNU_SOURCE``: the headers test it).
    for tok in lex_c(source):
        m = re.match(r"\s*(?:#|%:)\s*define\s+([A-Za-z_]\w*)", tok.text) if tok.kind == "pp" else None
        if m and m.group(1) not in header_macros and not _FEATURE_MACRO.match(m.group(1)):
            own.add(m.group(1))
    return own, shadow - _C_RESERVED - own


def _c_visible_declarations(source: str, type_names: set[str]) -> set[str]:
    """Every name the file visibly declares: declarators after a type, ``(*name)``,
    struct/union/enum tags it defines, members, enumerators, typedef names, labels, and the
    parameters of the macros it defines."""
    groups = _c_token_groups(source)
    tokens = groups[0]
    attrs = _c_attribute_words(tokens)
    out = _c_declared_names(tokens, type_names, attrs)
    in_struct = _c_struct_bodies(tokens)
    n = len(tokens)
    enum_depth: list[bool] = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1].text if i else ""
        nxt = tokens[i + 1].text if i + 1 < n else ""
        if tok.text == "{":
            enum_depth.append(i >= 1 and (prev == "enum" or (i >= 2 and tokens[i - 2].text == "enum")))
            continue
        if tok.text == "}":
            if enum_depth:
                enum_depth.pop()
            continue
        if tok.kind != "name" or i in attrs:
            continue
        if prev in ("struct", "union", "enum") and nxt == "{":
            out.add(tok.text)  # a tag the file defines
        elif i in in_struct and nxt in (";", ",", "[", ":", ")") and prev not in ("struct", "union", "enum"):
            out.add(tok.text)  # a member
        elif enum_depth and enum_depth[-1] and prev in ("{", ",") and nxt in ("=", ",", "}"):
            out.add(tok.text)  # an enumerator
        elif prev == "*" and i >= 2 and tokens[i - 2].text == "(" and nxt == ")":
            out.add(tok.text)  # a function pointer's declarator
        elif nxt == ":" and prev in (";", "{", "}") and tok.text not in ("default", "case"):
            out.add(tok.text)  # a label
        elif nxt in (";", ",", "=", "[") and prev == "}":
            out.add(tok.text)  # struct {...} NAME; and the typedef of one
    # typedef ... NAME; (the last name before the semicolon)
    for i, tok in enumerate(tokens):
        if tok.text != "typedef":
            continue
        depth = 0
        last = None
        for j in range(i + 1, n):
            t = tokens[j]
            if t.text in ("(", "[", "{"):
                depth += 1
            elif t.text in (")", "]", "}"):
                depth -= 1
            elif t.text == ";" and depth == 0:
                break
            elif t.kind == "name" and (depth == 0 or tokens[j - 1].text == "*"):
                last = t.text
        if last:
            out.add(last)
    for tok in lex_c(source):
        m = (
            re.match(r"\s*(?:#|%:)\s*define\s+[A-Za-z_]\w*\(([^)]*)\)", tok.text)
            if tok.kind == "pp"
            else None
        )
        if m:
            out.update(p.strip() for p in m.group(1).split(",") if re.fullmatch(r"[A-Za-z_]\w*", p.strip()))
    return out


_FEATURE_MACRO = re.compile(r"_\w*_SOURCE$|_FILE_OFFSET_BITS$|_TIME_BITS$|_REENTRANT$|_THREAD_SAFE$|NDEBUG$")


_C_TYPE_SPECIFIERS = _C_TYPE_WORDS | {"__restrict", "auto", "extern", "inline", "restrict"}  # and what else may open a declaration


def _header_type_names(source: str, flags: list[str] | None) -> set[str]:
    # Typedef names: what a declaration may start with besides keywords.
    names = {n for n in c_header_names(source, flags) if n.endswith("_t")}
    return names | {"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32", "__u64"}


def _c_declared_names(tokens: list, type_names: set[str], attrs: set[int]) -> set[str]:
    """Names declared as variables, parameters or functions: a name after a type
    (keyword, typedef, ``struct TAG``, with ``*``s between) followed by what may follow a
    declarator, and the further declarators of the same declaration after a comma."""
    declared: set[str] = set()
    depth_struct: list[bool] = []  # for each open brace: is it a struct/union body
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            j = i - 1
            if j >= 0 and tokens[j].kind == "name":
                j -= 1
            depth_struct.append(j >= 0 and tokens[j].text in ("struct", "union"))
            continue
        if tok.text == "}":
            if depth_struct:
                depth_struct.pop()
            continue
        if tok.kind != "name" or i in attrs or (depth_struct and depth_struct[-1]):
            continue
        nxt = tokens[i + 1].text if i + 1 < n else ""
        if nxt not in ("=", ";", ",", "[", ")", "("):
            continue
        j = i - 1
        while j >= 0 and tokens[j].text in ("*", "const", "volatile", "restrict", "__restrict"):
            j -= 1
        if j < 0:
            continue
        prev = tokens[j]
        typed = prev.text in _C_TYPE_SPECIFIERS or prev.text in type_names
        tagged = j >= 1 and tokens[j - 1].text in ("struct", "union", "enum") and prev.kind == "name"
        if not (typed or tagged) or prev.text in ("return", "sizeof"):
            continue
        declared.add(tok.text)
        # ``size_t a, d;``: the declaration's further declarators.
        depth = 0
        for k in range(i + 1, n):
            t = tokens[k].text
            if t in ("(", "[", "{"):
                depth += 1
            elif t in (")", "]", "}"):
                depth -= 1
                if depth < 0:
                    break
            elif t == ";" and depth == 0:
                break
            elif t == "," and depth == 0:
                m = k + 1
                while m < n and tokens[m].text == "*":
                    m += 1
                if (
                    m < n
                    and tokens[m].kind == "name"
                    and m + 1 < n
                    and tokens[m + 1].text in ("=", ";", ",", "[")
                ):
                    declared.add(tokens[m].text)
    return declared


def _renamable_c(name: str, header: set[str]) -> bool:
    return not (name in _C_RESERVED or name in header or name.startswith("__") or re.match(r"_[A-Z]", name))


def _c_token_groups(source: str) -> list[list]:
    """The file's code tokens, then each of its own preprocessor lines' tokens (an
    ``#include`` line has none to rename; the directive word itself is not a name)."""
    tokens = lex_c(source)
    groups = [[t for t in tokens if t.kind not in ("comment", "pp")]]
    for t in tokens:
        if t.kind != "pp":
            continue
        m = re.match(r"\s*(?:#|%:)\s*([A-Za-z_]\w*)", t.text)
        if m is None or m.group(1) in ("include", "include_next", "pragma", "error", "warning", "line"):
            continue
        body = t.text[m.end() :]
        offset = t.start + m.end()
        inner = lex_c(body, directives=False)
        groups.append(
            [type(x)(x.kind, x.text, x.start + offset, x.end + offset) for x in inner if x.kind != "comment"]
        )
    return groups


def retype_c(source: str, seed: int = 0) -> str:
    """The program as a leaker who retypes it posts it: every name it defines (functions,
    globals, locals, parameters, struct/union/enum tags and members, typedefs, enumerators,
    labels, the macros it #defines and their parameters) renamed consistently, every
    comment gone, then clang-format in a style the seed picks (includes kept in order).

    Names the included headers declare (libc, the kernel ABI, libraries) stay, so the
    program still compiles; see ``c_program_names``. A member of the program's own struct
    whose name a header struct also has (``len``) is renamed where gcc agrees: every
    member access is renamed, and each one gcc then rejects (``has no member named``) is
    the header's and goes back; a file gcc cannot compile as shipped keeps those members."""
    flags = c_compiler_flags()
    own, shadow = c_program_names(source, flags)
    header = c_header_names(source, flags)
    taken = header | {t.text for t in lex_c(source) if t.kind == "name"}
    members = _c_shadow_members(source, header) - own
    new = _new_names(sorted(own | shadow | members), seed, taken, ("v", "x", "n", "var", "id"))
    edits: list[tuple[int, int, str, bool]] = []  # start, end, new text, is a shadowed member's
    for number, tokens in enumerate(_c_token_groups(source)):
        attrs = _c_attribute_words(tokens)
        in_struct = _c_struct_bodies(tokens)
        # A function-like macro's parameters are its own, whatever a header calls its names.
        params = _macro_parameters(source, tokens) if number else {}
        local = _new_names(sorted(params), seed, taken | set(new.values()), ("a", "arg", "p"))
        for i, t in enumerate(tokens):
            if t.text in local and t.kind == "name":
                edits.append((t.start, t.end, local[t.text], False))
                continue
            if i in attrs or t.text not in new:
                continue
            before = tokens[i - 1].text if i else ""
            member_place = before in (".", "->") or i in in_struct
            if t.text in members and member_place and before not in ("struct", "union", "enum"):
                edits.append((t.start, t.end, new[t.text], True))
            elif t.text in shadow and (member_place or before in ("struct", "union", "enum")):
                continue
            elif t.text in own or t.text in shadow:
                edits.append((t.start, t.end, new[t.text], False))
    if members:
        edits = _members_gcc_accepts(source, edits, flags)
    out = _apply_edits(source, edits)
    style = random.Random(seed).choice(CLANG_FORMAT_STYLES)
    # Include order stays: swapping two headers can redeclare (net/if.h after linux/if.h).
    argv = [_tool("clang-format"), f"--style={style}", "--sort-includes=false", "--assume-filename=leak.c"]
    return _run(argv, strip_c_comments(out))


def _macro_parameters(source: str, tokens: list) -> set[str]:
    """The parameters of a ``#define NAME(a, b)`` whose tokens (after ``define``) these are."""
    if len(tokens) < 3 or tokens[1].text != "(" or tokens[1].start != tokens[0].end:
        return set()
    if not re.match(
        r"\s*(?:#|%:)\s*define\b", source[source.rfind("\n", 0, tokens[0].start) + 1 : tokens[0].start]
    ):
        return set()
    params: set[str] = set()
    for tok in tokens[2:]:
        if tok.text == ")":
            return params
        if tok.kind == "name":
            params.add(tok.text)
    return set()


def _apply_edits(source: str, edits: list[tuple[int, int, str, bool]]) -> str:
    parts, pos = [], 0
    for start, end, text, _member in sorted(edits):
        parts += [source[pos:start], text]
        pos = end
    parts.append(source[pos:])
    return "".join(parts)


def _c_shadow_members(source: str, header: set[str]) -> set[str]:
    """Members the program's own structs declare under a name a header also uses."""
    out: set[str] = set()
    for tokens in _c_token_groups(source)[:1]:
        inside = _c_struct_bodies(tokens)
        for i in sorted(inside):
            tok = tokens[i]
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            prev = tokens[i - 1].text if i else ""
            if (
                tok.kind == "name"
                and tok.text in header
                and nxt in (";", ",", "[", ":")
                and prev not in ("struct", "union", "enum", "(", ",")
                and not tok.text.startswith("__")
                and not re.match(r"_[A-Z]", tok.text)
                and tok.text not in _C_RESERVED
            ):
                out.add(tok.text)
    return out


_GCC_MEMBER_ERROR = re.compile(r":(\d+):(\d+): error: (?:.*has no member named|unknown field) .(\w+).")


def _gcc_errors(text: str, flags: list[str]) -> str | None:
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    with tempfile.TemporaryDirectory(prefix="headstart-retype-") as workdir:
        path = Path(workdir) / "leak.c"
        path.write_text(text)
        done = subprocess.run(
            [gcc, "-fsyntax-only", "-w", *flags, str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=_TIMEOUT,
        )
    return None if done.returncode == 0 else done.stderr


def _members_gcc_accepts(
    source: str, edits: list[tuple[int, int, str, bool]], flags: list[str]
) -> list[tuple[int, int, str, bool]]:
    """Drop each renamed member access gcc says is a header struct's; if the file does not
    compile as shipped, or gcc still objects after that, no shadowed member is renamed."""
    plain = [e for e in edits if not e[3]]
    if _gcc_errors(source, flags) is not None:
        return plain
    current = sorted(edits)
    for _round in range(20):
        text = _apply_edits(source, current)
        errors = _gcc_errors(text, flags)
        if errors is None:
            return current
        # Where each edit landed in the renamed text, as (line, column) of its first character.
        starts: list[tuple[int, int]] = []
        shift = 0
        for start, end, new_text, _member in current:
            at = start + shift
            line = text.count("\n", 0, at) + 1
            starts.append((line, at - (text.rfind("\n", 0, at) + 1) + 1))
            shift += len(new_text) - (end - start)
        wrong: set[int] = set()
        for m in _GCC_MEMBER_ERROR.finditer(errors):
            line, col, name = int(m.group(1)), int(m.group(2)), m.group(3)
            for k, (edit, (e_line, e_col)) in enumerate(zip(current, starts, strict=True)):
                if edit[3] and e_line == line and e_col >= col and edit[2] == name:
                    wrong.add(k)
                    break
        if not wrong:
            break
        current = [e for k, e in enumerate(current) if k not in wrong]
    return plain


def _c_struct_bodies(tokens: list) -> set[int]:
    """Indexes of the tokens directly inside a struct or union body (member declarations)."""
    inside: set[int] = set()
    stack: list[bool] = []
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            j = i - 1
            if j >= 0 and tokens[j].kind == "name" and tokens[j].text not in ("struct", "union"):
                j -= 1
            stack.append(j >= 0 and tokens[j].text in ("struct", "union"))
        elif tok.text == "}":
            if stack:
                stack.pop()
        elif stack and stack[-1]:
            inside.add(i)
    return inside
