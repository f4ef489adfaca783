"""Leak transformations for source code: what happens to a PoC between a partner's disk
and a forum post. Real tools only: black, ruff format, autopep8 (from the project's
virtualenv, else PATH) and clang-format in its predefined styles.

``CODE_TRANSFORMS`` maps a name to a function ``str -> str``: the formatters, comment
stripping, renaming some identifiers (as a leaker hiding a copy would) and a code-aware
excerpt (every other function); ``transforms_for("python")`` and ``transforms_for("c")``
say which apply to which language. Every transform is deterministic. A tool that is
missing or rejects its input raises CodeTransformError.
"""

from __future__ import annotations

import ast
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
    "c_function_spans",
    "clang_format",
    "keep_half_c_functions",
    "keep_half_python_definitions",
    "rename_c_identifiers",
    "rename_python_identifiers",
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
