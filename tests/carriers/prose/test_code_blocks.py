"""Marks inside a write-up's code and numbers: each choice means what the original means."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.code_blocks import is_code_kind

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
WRITEUPS = sorted(p for p in CORPUS.glob("*/*.md") if p.name != "README.md" or p.parent.name == "zenbleed")
# Prose with marks of its own, so that an original whose code offers nothing still builds.
PROSE = "It's the decoder that doesn't check the width, and the viewer isn't aware of it.\n\n"


def offered(md: str) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, alternatives) of every slot of ``md``."""
    return [(s.key.split("@")[0], s.alternatives) for s in ProseCarrier(PROSE + md).slots]


def code_slots(md: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(k, a) for k, a in offered(md) if is_code_kind(k) or k == "hex-decimal"]


def test_every_literal_spelling_in_the_corpus_has_the_original_value_and_type_under_gcc(tmp_path):
    checks = []
    for path in WRITEUPS:
        try:
            carrier = ProseCarrier(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # a write-up with no slot at all
        for s in carrier.slots:
            if s.key.split("@")[0] in ("code-literal", "inline-literal"):
                first = s.alternatives[0]
                checks += [
                    f"_Static_assert(__builtin_types_compatible_p(__typeof__({first}), __typeof__({alt}))"
                    f' && ({first}) == ({alt}), "{path.parent.name} {first} {alt}");'
                    for alt in s.alternatives[1:]
                ]
    assert len(checks) > 100
    source = tmp_path / "literals.c"
    source.write_text("\n".join(checks) + "\n", encoding="utf-8")
    done = subprocess.run(
        ["gcc", "-std=gnu11", "-fsyntax-only", str(source)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_shell_sessions_logs_and_dumps_carry_no_marks():
    md = (
        "```bash\n$ sleep 1024 && echo done // a comment that is not one\n```\n\n"
        "```\n[  118.490999] general protection fault: 0000 [#1] SMP PTI\nRIP: 0010:0xffff96da38f70410\n```\n\n"
        "```\n(gdb) x/40gx 0xffff96da38f70410\n0xffff96da38f70410: 0x0000000000000000\n```\n\n"
        "```\npush rsi ; jmp qword ptr [rsi - 0x70]\n```\n"
    )
    assert code_slots(md) == []


def test_quoted_c_gets_literal_and_comment_marks_but_never_a_string_or_a_name():
    md = '```c\nint tim_len = 0x3fff; /* the maximum height of an image */\nputs("0x10 and 4096");\n```\n'
    slots = dict(code_slots(md))
    assert slots["code-literal"] == ("0x3fff", "0x3FFF", "16383")
    assert slots["comment-case"] == ("the", "The")
    assert slots["comment-period"] == ("image", "image.")
    assert not any("0x10" in a or "4096" in a or "tim_len" in a for _k, alts in code_slots(md) for a in alts)


def test_a_comment_whose_first_word_names_code_keeps_its_case():
    md = "```c\nint len = 4;\n/* len is the size of the buffer */\nlen++;\n```\n"
    assert "comment-case" not in dict(code_slots(md))


def test_a_comment_continued_on_the_next_line_is_not_capitalised_or_closed_mid_sentence():
    md = "```c\nx = 1;\n// Note that the object allocated below in memory will be\n// placed after the chain\nf(x);\n```\n"
    slots = code_slots(md)
    assert ("comment-case", ("placed", "Placed")) not in slots
    assert ("comment-period", ("be", "be.")) not in slots
    assert ("comment-period", ("chain", "chain.")) in slots


def test_assembly_in_a_comment_is_not_a_sentence():
    md = "```c\nrop[i++] = kbase + 0xffffffff811481f3; // pop rdi ; ret\n```\n"
    assert not any(k in ("comment-case", "comment-period") for k, _a in code_slots(md))


@pytest.mark.parametrize(
    ("span", "alternatives"),
    [
        ("`*key1 = 0x90`", ("0x90", "144")),
        ("`msg[0x3c2]`", ("0x3c2", "0x3C2", "962")),
        ("`0xdeadbeef`", ("0xdeadbeef", "0xDEADBEEF", "0xdeadbeefU", "0xDEADBEEFU")),
    ],
)
def test_inline_code_literals_change_notation_not_value(span, alternatives):
    assert ("inline-literal", alternatives) in code_slots(f"The element marked by {span} is freed twice.\n")


@pytest.mark.parametrize(
    "span",
    ["`kmalloc-1024`", "`sleep 1024`", "`nc -lvp 1337`", "`AMD Ryzen 7 5700U`", "`4096`", "`CVE-2023-4015`"],
)
def test_inline_code_that_is_a_name_a_command_or_a_bare_decimal_is_untouched(span):
    assert code_slots(f"The value {span} matters here.\n") == []


@pytest.mark.parametrize(
    ("md", "alternatives"),
    [
        ("The simple_xattr header takes 0x20 bytes here.\n", ("0x20", "32")),
        ("The name is 256 bytes long here.\n", ("256", "0x100")),
        ("We call the primitive 0x29 times to reach the goal.\n", ("0x29", "41")),
    ],
)
def test_a_size_offset_or_count_in_prose_may_be_hex_or_decimal(md, alternatives):
    assert ("hex-decimal", alternatives) in code_slots(md)


@pytest.mark.parametrize(
    "md",
    [
        "Strides of 0x4000, 0x8000 and 0xc000 all wrap to zero.\n",  # a run keeps one notation
        "The magic 0xDeAd is spelled that way.\n",
        "Then 0xa8=0x2a*4 holds.\n",
        "The class 0x10001 is the parent.\n",
        "The name is 100 bytes long here.\n",  # not a round number in hex
    ],
)
def test_numbers_that_are_not_plain_quantities_keep_their_notation(md):
    assert not any(k == "hex-decimal" for k, _a in code_slots(md))


def test_a_blank_line_inside_a_code_block_bounds_a_slots_context():
    md = "```c\nint a = 0x40; /* the first value */\n\nint a = 0x40; /* the first value */\n```\n"
    c = ProseCarrier(PROSE + md)
    literals = [i for i, s in enumerate(c.slots) if s.key.startswith("code-literal")]
    # The two halves are identical: a context that reached across the blank line could
    # tell them apart, one that stays inside its half cannot, so neither is a slot.
    assert literals == []


def test_a_table_keeps_one_notation_in_each_column():
    md = "| field | offset |\n|---|---|\n| `kind` | `+0x0c` |\n| `size` | 0x20 bytes |\n"
    assert code_slots(md) == []


def test_the_english_of_a_comment_gets_prose_choices_but_its_identifiers_stay(random_codeword):
    md = "```c\nx = f(y); /* it is not checked by check_width() or by cl_parent */\n```\n"
    c = ProseCarrier(PROSE + md)
    assert any(s.key.startswith("comment-contraction") for s in c.slots)
    for seed in range(6):
        copy = c.render_text(random_codeword(c, seed))
        assert "x = f(y); /* " in copy and "check_width() or by cl_parent" in copy


def test_every_address_sum_in_the_corpus_reads_the_same_either_way_round_under_gcc(tmp_path):
    """``base + 0x...`` and ``0x... + base``, with every spelling of the literal: the same
    type whether the base is an integer or a pointer, and the same value."""
    checks = []
    for path in WRITEUPS:
        try:
            carrier = ProseCarrier(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for s in carrier.slots:
            if s.key.split("@")[0] != "code-sum":
                continue
            name = next(t for t in s.alternatives[0].replace("+", " ").split() if not t[0].isdigit())
            first = s.alternatives[0]
            for alt in s.alternatives[1:]:
                note = f"{path.parent.name} {first} {alt}"
                same_type = f"__builtin_types_compatible_p(__typeof__({first}), __typeof__({alt}))"
                checks += [
                    f"#define {name} 123456789UL",
                    f'_Static_assert({same_type} && ({first}) == ({alt}), "{note}");',
                    f"#undef {name}",
                    f'void f{len(checks)}(char *{name}) {{ _Static_assert({same_type}, "{note}"); }}',
                ]
    assert len(checks) >= 4 * 30
    source = tmp_path / "sums.c"
    source.write_text("\n".join(checks) + "\n", encoding="utf-8")
    done = subprocess.run(
        ["gcc", "-std=gnu11", "-fsyntax-only", str(source)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_kernel_address_added_to_a_base_gets_both_orders_and_every_spelling():
    md = "```c\nrop[idx++] = kbase + 0xffffffff811481f3; // pop rdi ; ret\n```\n"
    (alts,) = [a for k, a in code_slots(md) if k == "code-sum"]
    assert alts[0] == "kbase + 0xffffffff811481f3"
    spellings = ("0xffffffff811481f3", "0xFFFFFFFF811481F3", "0xffffffff811481f3UL", "0xFFFFFFFF811481F3UL")
    assert set(alts) == {f"kbase + {s}" for s in spellings} | {f"{s} + kbase" for s in spellings}
    assert not any(k == "code-literal" for k, _a in code_slots(md))


@pytest.mark.parametrize(
    "statement",
    [
        "x = a + 0x10 * 2;",  # not the whole right-hand side
        "x = a + 0x10 + b;",
        "f(a + 0x10);",  # not an assignment
        "x = *a + 0x10;",  # an expression, not a name
        "x = a + 16;",  # a decimal count, not an address or offset in hex
        "x = a +\n    0x10;",  # split over lines: a forum copy may join or cut them
    ],
)
def test_a_sum_that_is_not_a_whole_right_hand_side_name_plus_hex_keeps_its_order(statement):
    md = f"```c\nint g(void)\n{{\n    {statement}\n    return x;\n}}\n```\n"
    assert not any(k == "code-sum" for k, _a in code_slots(md))


def test_a_hex_literal_gets_the_unsigned_suffix_it_has_in_effect_only():
    from headstart.carriers.prose.code_blocks import literal_alternatives

    assert literal_alternatives("0xffffffff811481f3")[2:] == ["0xffffffff811481f3UL", "0xFFFFFFFF811481F3UL"]
    assert literal_alternatives("0x80000000") == ["0x80000000", "0x80000000U"]
    # int, long: a suffix would make them unsigned
    assert literal_alternatives("0x7fffffff") == ["0x7fffffff", "0x7FFFFFFF"]
    assert literal_alternatives("0x100000000") == []
    assert literal_alternatives("4096") == ["4096", "0x1000"]
