"""The code part of the leak battery: real formatters, comment stripping, renaming and
excerpts, each doing what a leaker's tools do and nothing else."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

import headstart.samples
from headstart.carriers._lexers import lex_c, lex_python
from headstart.leaks.code import (
    CLANG_FORMAT_STYLES,
    CODE_TRANSFORMS,
    CodeTransformError,
    clang_format,
    keep_half_c_functions,
    keep_half_python_definitions,
    rename_c_identifiers,
    rename_python_identifiers,
    strip_c_comments,
    strip_python_comments,
    transforms_for,
)

SAMPLES = Path(headstart.samples.__file__).parent / "tim_overflow"
PY = (SAMPLES / "poc_tim_overflow.py").read_text()
C = (SAMPLES / "poc_tim_overflow.c").read_text()
GCC = shutil.which("gcc")


def code_tokens(tokens) -> list[str]:
    return [t.text for t in tokens if t.kind != "comment"]


def gcc_accepts(source: str, tmp_path: Path) -> bool:
    path = tmp_path / "leak.c"
    path.write_text(source)
    done = subprocess.run([GCC, "-std=c99", "-fsyntax-only", str(path)], capture_output=True, check=False)
    return done.returncode == 0


def test_every_transform_is_registered_for_exactly_one_language():
    python, c = transforms_for("python"), transforms_for("c")
    assert set(python) | set(c) == set(CODE_TRANSFORMS)
    assert not set(python) & set(c)
    assert {"black", "ruff-format", "autopep8", "strip-comments-python", "rename-identifiers-python"} <= set(
        python
    )
    assert {f"clang-format-{s.lower()}" for s in CLANG_FORMAT_STYLES} <= set(c)
    with pytest.raises(ValueError, match="unknown language"):
        transforms_for("rust")


@pytest.mark.parametrize("name", sorted(transforms_for("python")))
def test_python_transforms_change_the_text_and_keep_it_python(name):
    out = CODE_TRANSFORMS[name](PY)
    assert out != PY
    assert out == CODE_TRANSFORMS[name](PY)  # deterministic
    compile(out, "<leak>", "exec")


@pytest.mark.parametrize("name", sorted(transforms_for("c")))
def test_c_transforms_change_the_text_and_keep_it_c(name, tmp_path):
    out = CODE_TRANSFORMS[name](C)
    assert out != C
    assert out == CODE_TRANSFORMS[name](C)
    if GCC is not None and not name.startswith("excerpt"):  # an excerpt lacks the #includes
        assert gcc_accepts(out, tmp_path)


def test_formatters_change_layout_not_meaning():
    for name in ("black", "ruff-format", "autopep8"):
        out = CODE_TRANSFORMS[name](PY)
        assert ast.dump(ast.parse(out)) == ast.dump(ast.parse(PY)) or name == "black"
    assert "0x3FFF" in CODE_TRANSFORMS["black"](PY)  # black upper-cases hex digits


def test_clang_format_styles_lay_out_differently_but_keep_tokens():
    outputs = {style: clang_format(C, style) for style in CLANG_FORMAT_STYLES}
    assert len(set(outputs.values())) == len(CLANG_FORMAT_STYLES)
    for out in outputs.values():
        assert joined_strings(out) == joined_strings(C)


def joined_strings(source: str) -> list[str]:
    """Code tokens with adjacent string literals merged (clang-format may split a long
    string literal in two, which C concatenates back) and directives left out."""
    out: list[str] = []
    for tok in lex_c(source):
        if tok.kind in ("comment", "pp"):
            continue
        if tok.kind == "string" and out and out[-1].endswith('"'):
            out[-1] = out[-1][:-1] + tok.text[1:]
        else:
            out.append(tok.text)
    return out


def test_comment_stripping_removes_comments_and_nothing_else():
    py = strip_python_comments(PY)
    assert not [t for t in lex_python(py) if t.kind == "comment"]
    assert code_tokens(lex_python(py)) == code_tokens(lex_python(PY))
    c = strip_c_comments(C)
    assert "/*" not in c and "//" not in c.replace('"//', "")
    assert code_tokens(lex_c(c)) == code_tokens(lex_c(C))


def test_renaming_is_consistent_and_leaves_attributes_alone():
    out = rename_python_identifiers(PY, share=0.5, seed=1)
    compile(out, "<leak>", "exec")
    renamed = set(code_tokens(lex_python(out))) - set(code_tokens(lex_python(PY)))
    assert renamed and all(name.startswith("var") for name in renamed)
    assert ".width" in out and "zlib.crc32" in out
    assert rename_python_identifiers(PY, share=0.5, seed=1) == out
    assert rename_python_identifiers(PY, share=0.5, seed=2) != out


def test_renaming_c_keeps_the_program_valid(tmp_path):
    out = rename_c_identifiers(C, share=0.5, seed=3)
    assert any(t.startswith("var") for t in code_tokens(lex_c(out)))
    assert "main" in out and "memcpy" in out
    if GCC is not None:
        assert gcc_accepts(out, tmp_path)


def test_excerpts_keep_every_other_definition():
    first, second = keep_half_python_definitions(PY, 0), keep_half_python_definitions(PY, 1)
    def names(text: str) -> list[str]:
        return [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]

    all_defs = names(PY)
    assert names(first) == all_defs[0::2] and names(second) == all_defs[1::2]
    c_first = keep_half_c_functions(C, 0)
    assert "static void crc32_init(void)" in c_first and "static uint32_t crc32_update(" not in c_first
    assert "int main(int argc, char **argv)" in keep_half_c_functions(C, 1) or "int main(" in c_first


def test_tools_that_reject_their_input_raise_a_clear_error():
    with pytest.raises(CodeTransformError, match="black"):
        CODE_TRANSFORMS["black"]("def broken(:\n")
    with pytest.raises(CodeTransformError, match="style"):
        clang_format(C, "Chromium-ish")
    with pytest.raises(CodeTransformError, match="does not parse"):
        rename_python_identifiers("x = (")
