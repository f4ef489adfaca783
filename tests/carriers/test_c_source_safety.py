"""Renaming and respelling must never change what a C program does: which names stay
fixed, integer spellings that keep their type, and tricky programs whose copies gcc
builds into programs printing exactly what the original prints."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from marking.helpers import random_codeword

from headstart.carriers.c_source import CCarrier, c_int_alternatives

GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


def renamed(carrier: CCarrier) -> set[str]:
    """Original names of the name slots (keys look like name:function.x@12)."""
    return {s.key.rsplit(".", 1)[-1].split("@")[0] for s in carrier.slots if s.key.startswith("name:")}


def run_c(source: bytes, workdir: Path, tag: str) -> str:
    src, exe = workdir / f"{tag}.c", workdir / tag
    src.write_bytes(source)
    subprocess.run(
        [GCC, "-std=c99", "-Wall", "-Werror", "-o", str(exe), str(src)],
        check=True,
        capture_output=True,
        text=True,
    )
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def assert_copies_behave_like_original(source: str, workdir: Path, copies: int = 6) -> CCarrier:
    carrier = CCarrier(source)
    expected = run_c(source.encode(), workdir, "original")
    for k in range(copies):
        cw = random_codeword(carrier, k)
        assert run_c(carrier.render(cw), workdir, f"copy{k}") == expected
    return carrier


SHADOWING = textwrap.dedent(
    """
    #include <stdio.h>

    static int total_count = 10;

    static int build_total(int count)
    {
        int value = 0;
        for (int i = 0; i < count; i++) {
            int value2 = i * 2;
            value += value2;
        }
        {
            int value = 100;  /* shadows the outer value */
            printf("inner %d\\n", value);
        }
        for (int i = 0; i < 2; i++)
            value += i;
        int i = 7;
        return value + i + total_count;
    }

    int main(void)
    {
        int result = build_total(4);
        printf("result %d\\n", result);
        return 0;
    }
    """
)


@needs_gcc
def test_shadowed_and_loop_scoped_names_keep_their_meaning(tmp_path):
    carrier = assert_copies_behave_like_original(SHADOWING, tmp_path, copies=10)
    assert {"total_count", "build_total", "count", "value", "i", "result"} <= renamed(carrier)
    # The outer value is renamed; the block that shadows it keeps its own value.
    outer = next(k for k, s in enumerate(carrier.slots) if ".value@" in s.key)
    cw = [0] * len(carrier.slots)
    cw[outer] = 1
    copy = carrier.render(cw).decode()
    new_name = carrier.slots[outer].alternatives[1]
    assert "int value = 100;" in copy and 'printf("inner %d\\n", value);' in copy
    assert f"int {new_name} = 0;" in copy and f"return {new_name} + " in copy


FIXED = textwrap.dedent(
    """
    #include <stdio.h>
    #include <string.h>

    #define BUF_SIZE 16
    #define TWICE(x) ((x) * 2)

    typedef unsigned int word_t;

    struct chunk {
        int kind;
        int length;
    };

    enum { KIND_RAW = 1, KIND_TEXT = 0x20 };

    int exported_total = 3;
    static int offset = 5;

    int visible_api(int length, const char *text)
    {
        struct chunk c = { .kind = KIND_RAW, .length = length };
        word_t count = (word_t)strlen(text);
        int buf = TWICE(c.length);
        if (count > 100)
            goto fail;
        return buf + c.kind + (int)count + offset + exported_total;
    fail:
        return -1;
    }

    int main(void)
    {
        char buffer[BUF_SIZE];
        int x = 4;
        memset(buffer, 0, sizeof buffer);
        printf("%d %d\\n", visible_api(x, "abc"), KIND_TEXT + (int)sizeof buffer);
        return 0;
    }
    """
)


@needs_gcc
def test_macros_members_labels_types_and_external_names_stay_fixed(tmp_path):
    carrier = assert_copies_behave_like_original(FIXED, tmp_path)
    names = renamed(carrier)
    assert {"length", "text", "count", "buf", "offset", "buffer"} <= names
    assert (
        not {"kind", "chunk", "fail", "word_t", "exported_total", "visible_api", "KIND_RAW", "x", "main"}
        & names
    )
    assert "BUF_SIZE" not in names and "TWICE" not in names


def test_names_used_in_preprocessor_lines_stay_fixed():
    source = textwrap.dedent(
        """
        #define SCALE(v) ((v) * factor)
        static int apply(int factor, int value)
        {
            int result = SCALE(value);
            return result;
        }
        int main(void) { return apply(2, 3); }
        """
    )
    names = renamed(CCarrier(source))
    assert "factor" not in names and "result" in names


def test_alternatives_never_clash_with_library_names_or_each_other():
    carrier = CCarrier(SHADOWING)
    seen: dict[str, str] = {}
    for slot in carrier.slots:
        if not slot.key.startswith("name:"):
            continue
        for alt in slot.alternatives[1:]:
            assert alt not in ("index", "time", "read", "write", "printf", "abs", "free", "main", "int")
        if slot.key.startswith("name:file scope."):
            for alt in slot.alternatives:
                assert alt not in seen, f"{alt} offered to {seen.get(alt)} and {slot.key}"
                seen[alt] = slot.key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x3fff", ["0x3fff", "0x3FFF", "16383"]),
        ("0xedb88320u", ["0xedb88320u", "0xEDB88320u", "0xedb88320U"]),
        ("0xffffffff", ["0xffffffff", "0xFFFFFFFF"]),  # unsigned int in hex, long in decimal
        ("4294967295u", ["4294967295u", "4294967295U", "0xffffffffu"]),  # u: same type either way
        ("256", ["256", "0x100"]),
        ("1u", ["1u", "1U"]),
        ("10UL", []),
        ("0777", []),
        ("0", []),
        ("7", []),
        ("1.5", []),
    ],
)
def test_integer_spellings_keep_value_and_type(text, expected):
    assert c_int_alternatives(text) == expected


def test_comments_naming_a_renamed_static_follow_it():
    source = textwrap.dedent(
        """
        /* crc_table is filled once by fill_table(). */
        static unsigned crc_table[4];

        static void fill_table(void)
        {
            /* every crc_table entry gets its index */
            for (unsigned i = 0; i < 4; i++)
                crc_table[i] = i;
        }

        int main(void) { fill_table(); return (int)crc_table[3] - 3; }
        """
    )
    carrier = CCarrier(source)
    k = next(i for i, s in enumerate(carrier.slots) if ".crc_table@" in s.key)
    cw = [0] * len(carrier.slots)
    cw[k] = 1
    new = carrier.slots[k].alternatives[1]
    copy = carrier.render(cw).decode()
    assert f"/* {new} is filled once" in copy and f"every {new} entry" in copy
    assert not re.search(r"\bcrc_table\b", copy)


OLD_AND_ODD = textwrap.dedent(
    """
    #include <stdbool.h>
    #include <stdio.h>

    #define local static
    #define CALLCONV

    #ifdef __cplusplus
    extern "C" {
    #endif

    typedef struct { int count; } state_t;

    local bool even_value(int value) { return value % 2 == 0; }

    static int CALLCONV twice(int value) { return value * 2; }

    static int old_style(a, b)
        int a;
        int b;
    {
        int total = a + b;
        return total;
    }

    int main(void)
    {
        state_t state = { 3 };
        int result = old_style(twice(state.count), 1);
        printf("%d %d\\n", result, even_value(result));
        return 0;
    }

    #ifdef __cplusplus
    }
    #endif
    """
)


@needs_gcc
def test_macros_in_declarations_old_style_definitions_and_linkage_blocks(tmp_path):
    carrier = assert_copies_behave_like_original(OLD_AND_ODD, tmp_path)
    names = renamed(carrier)
    assert {"value", "total", "result", "state"} <= names
    # even_value is static only through a macro the carrier does not expand: it stays fixed.
    assert not {"count", "state_t", "local", "even_value"} & names


def test_a_static_assertion_at_file_scope_or_in_a_body_is_not_a_syntax_error():
    source = (
        "typedef unsigned char u8;\n"
        '_Static_assert (sizeof(u8) == 1, "sizeof(u8) != 1");\n'
        "static int twice(int value) {\n"
        "    _Static_assert(sizeof(int) >= 4);\n"
        "    return value * 2;\n"
        "}\n"
    )
    carrier = CCarrier(source)
    assert any(s.key.startswith("name:twice.value") for s in carrier.slots)
