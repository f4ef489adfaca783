"""Retyping a PoC, as a leaker who hides a copy does: every name the program defines
changed, the code reformatted, every comment gone; the program still compiles (C) or
parses to the same structure (Python), and nothing the program named survives."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import headstart.samples
from headstart.carriers._lexers import lex_c, lex_python
from headstart.leaks.code import c_compiler_flags, retype_c, retype_python

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
C_FILES = sorted(CORPUS.glob("*/exploit.c")) + sorted(CORPUS.glob("zenbleed/*.c"))
PYTHON_POC = Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.py"
GCC = shutil.which("gcc")
READELF = shutil.which("readelf")

pytestmark = pytest.mark.skipif(
    GCC is None or shutil.which("clang-format") is None, reason="needs gcc and clang-format"
)


def _corpus_id(path: Path) -> str:
    return path.parent.name


def _compile(source: str, workdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert GCC is not None
    path = workdir / "leak.c"
    path.write_text(source)
    argv = [GCC, "-c", "-O0", "-w", *c_compiler_flags(), *extra, str(path), "-o", str(workdir / "leak.o")]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def _compiles_as_shipped(path: Path, workdir: Path) -> None:
    done = _compile(path.read_text(), workdir)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if "error" in line), done.stderr[:200])
        pytest.skip(f"{path.parent.name}/{path.name} does not compile as shipped: {first.split(': ', 1)[-1]}")


def _declared_in_file(source: str, workdir: Path) -> set[str]:
    """Every name the file itself declares, as the compiler records it (DWARF): functions,
    variables, parameters, struct and enum tags, members, typedefs, enumerators, labels.
    Names the compiler makes up inside libc's macros (``__cpu``) are not the program's."""
    done = _compile(source, workdir, "-g", "-fno-eliminate-unused-debug-types")
    assert done.returncode == 0, done.stderr
    assert READELF is not None
    obj = str(workdir / "leak.o")
    lines = subprocess.run(
        [READELF, "--debug-dump=line", obj], capture_output=True, text=True, check=True
    ).stdout
    table = lines.split("The File Name Table", 1)[1].split("\n\n", 1)[0]
    main_files = {m.group(1) for m in re.finditer(r"^\s*(\d+)\s+\d+\s+.*?\bleak\.c\s*$", table, re.MULTILINE)}
    info = subprocess.run(
        [READELF, "--debug-dump=info", obj], capture_output=True, text=True, check=True
    ).stdout
    names: set[str] = set()
    name: str | None = None
    for line in info.splitlines():
        if re.search(r"<\d+><[0-9a-f]+>: Abbrev", line):
            name = None
        found = re.search(r"DW_AT_name\s*:\s*(?:\(indirect[^)]*\):\s*)?(\S+)\s*$", line)
        if found:
            name = found.group(1)
        decl = re.search(r"DW_AT_decl_file\s*:\s*(\d+)", line)
        if decl and decl.group(1) in main_files and name and not name.startswith("__"):
            names.add(name)
    return names - {"main"}


def _own_macros(source: str) -> set[str]:
    return {
        m.group(1)
        for t in lex_c(source)
        if t.kind == "pp"
        for m in [re.match(r"#\s*define\s+(\w+)", t.text)]
        if m
    }


@pytest.mark.parametrize("path", C_FILES, ids=_corpus_id)
def test_a_retyped_corpus_exploit_still_compiles(path: Path, tmp_path: Path) -> None:
    _compiles_as_shipped(path, tmp_path)
    retyped = retype_c(path.read_text(), seed=3)
    done = _compile(retyped, tmp_path)
    assert done.returncode == 0, done.stderr[:2000]


@pytest.mark.parametrize("path", C_FILES, ids=_corpus_id)
def test_no_name_a_corpus_exploit_declares_survives_retyping(path: Path, tmp_path: Path) -> None:
    if READELF is None:
        pytest.skip("needs readelf")
    _compiles_as_shipped(path, tmp_path)
    source = path.read_text()
    retyped = retype_c(source, seed=3)
    before = _declared_in_file(source, tmp_path)
    assert before, "the oracle found no declaration at all"
    assert not before & _declared_in_file(retyped, tmp_path)
    assert not _own_macros(source) - {"_GNU_SOURCE"} & _own_macros(retyped)


@pytest.mark.parametrize("path", C_FILES, ids=_corpus_id)
def test_a_retyped_corpus_exploit_has_no_comment_left(path: Path) -> None:
    retyped = retype_c(path.read_text(), seed=1)
    assert not [t for t in lex_c(retyped) if t.kind == "comment"]
    assert not re.search(r"/\*|//", "".join(t.text for t in lex_c(retyped) if t.kind == "pp"))


def test_retyping_c_depends_on_the_seed_and_only_on_it() -> None:
    source = C_FILES[0].read_text()
    assert retype_c(source, seed=1) == retype_c(source, seed=1)
    assert retype_c(source, seed=1) != retype_c(source, seed=2)


def _python_names(tree: ast.AST) -> set[str]:
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound - {"main"}


def _shape(tree: ast.AST) -> list[str]:
    """The program's structure without names, docstrings or literal spelling."""
    return [type(n).__name__ for n in ast.walk(tree) if not isinstance(n, (ast.Constant, ast.Pass))]


def test_a_retyped_python_poc_keeps_its_structure_and_none_of_its_names() -> None:
    source = PYTHON_POC.read_text()
    retyped = retype_python(source, seed=5)
    before, after = ast.parse(source), ast.parse(retyped)
    assert not _python_names(before) & _python_names(after)
    assert [s for s in _shape(before) if s != "Expr"] == [s for s in _shape(after) if s != "Expr"]
    assert not [t for t in lex_python(retyped) if t.kind == "comment"]


def test_a_keyword_argument_is_renamed_with_the_parameter_of_the_programs_own_function() -> None:
    source = "def fill(length, seed=1):\n    return [seed] * length\n\nprint(fill(3, seed=2), dict(seed=4))\n"
    retyped = retype_python(source, seed=0)
    namespace: dict[str, object] = {}
    exec(compile(retyped.replace("print(", "result = ("), "leak", "exec"), namespace)
    assert namespace["result"] == ([2, 2, 2], {"seed": 4})
    assert "fill" not in retyped and "length" not in retyped


def test_a_retyped_python_poc_keeps_what_it_imports_and_its_literals_notation() -> None:
    retyped = retype_python(PYTHON_POC.read_text(), seed=2)
    assert "struct.pack(" in retyped and "argparse.ArgumentParser(" in retyped
    assert "0x3FFF" in retyped  # black's spelling of 0x3fff: hexadecimal stays hexadecimal
    assert "def main(" in retyped


def test_names_from_a_header_that_is_not_installed_stay_and_the_programs_own_are_renamed() -> None:
    source = (
        '#include <stdio.h>\n#include <sched.h>\n#include "not_installed_here.h"\n'
        "#define SQUARE(cpu) ((cpu) * (cpu))\n"
        "struct own_pair { int left; int right; };\n"
        "static int twice(int value) { return lib_scale(value, LIB_FACTOR); }\n"
        "int main(void) {\n  struct own_pair pair = { .left = 1 };\n"
        '  lib_handle_t *handle = lib_open();\n  printf("%d\\n", twice(pair.left));\n'
        "  return handle == NULL;\n}\n"
    )
    retyped = retype_c(source, seed=0)
    names = {t.text for t in lex_c(retyped) if t.kind == "name"}
    assert {"lib_scale", "LIB_FACTOR", "lib_handle_t", "lib_open", "printf", "main"} <= names
    # ``cpu`` is a header's name too (a prototype's parameter), but here it is the macro's own.
    assert not {"own_pair", "left", "right", "twice", "value", "pair", "handle", "SQUARE", "cpu"} & names


def test_a_retyped_class_keeps_working_with_its_attributes_and_methods_renamed() -> None:
    source = (
        "class Counter:\n"
        '    """Counts."""\n\n'
        "    def __init__(self, start):\n        self.total = start  # running total\n\n"
        "    def bump(self, by=1):\n        self.total += by\n        return self\n\n"
        "def run():\n    c = Counter(2)\n    c.bump().bump(by=3)\n    return c\n\n"
        "result = run().__dict__\n"
    )
    retyped = retype_python(source, seed=1)
    namespace: dict[str, object] = {}
    exec(compile(retyped, "leak", "exec"), namespace)
    # ``result`` was renamed too: the state is the one dict the module left behind.
    assert [
        list(v.values()) for k, v in namespace.items() if isinstance(v, dict) and k != "__builtins__"
    ] == [[6]]
    assert not {"Counter", "total", "bump", "start", "run", "Counts"} & set(re.findall(r"\w+", retyped))
