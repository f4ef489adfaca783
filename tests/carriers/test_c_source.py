"""The C source carrier on the sample PoC: copies gcc accepts that build the same file,
and marks that come back from leaked copies."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers.base import ERASED, CarrierError, NoSlotsError, UnreadableLeakError
from headstart.carriers.c_source import CCarrier, SourceParseError
from headstart.carriers.source_syntax import lex_c

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.c"
SOURCE = SAMPLE.read_text()
GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


@pytest.fixture(scope="module")
def carrier() -> CCarrier:
    return CCarrier(SOURCE)


def test_sample_has_at_least_one_slot_per_five_lines(carrier):
    assert len(carrier.slots) >= SOURCE.count("\n") / 5
    assert sum(np.log2(s.q) for s in carrier.slots) >= 40
    assert carrier.kind == "poc-source-c"


def test_slot_discovery_is_deterministic(carrier):
    again = CCarrier(SOURCE)
    assert again.slots == carrier.slots
    cw = random_codeword(carrier, 3)
    assert again.render(cw) == carrier.render(cw)


@needs_gcc
def test_gcc_accepts_every_copy_without_a_warning(carrier, tmp_path):
    for seed in range(30):
        path = tmp_path / f"copy_{seed}.c"
        path.write_bytes(carrier.render(random_codeword(carrier, seed)))
        done = subprocess.run(
            [GCC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def test_with_the_structure_kept_a_copy_has_the_original_tokens_except_names_and_literal_spellings(carrier):
    names = {a for s in carrier.slots if s.key.startswith("name:") for a in s.alternatives}
    structural = [k is not None for k in carrier.struct_kinds()]
    original = [t for t in lex_c(SOURCE) if t.kind != "comment"]
    for seed in range(10):
        codeword = [
            0 if fixed else sym for sym, fixed in zip(random_codeword(carrier, seed), structural, strict=True)
        ]
        copy = [t for t in lex_c(carrier.render(codeword).decode()) if t.kind != "comment"]
        assert len(copy) == len(original)
        for before, after in zip(original, copy, strict=True):
            if before.text == after.text:
                continue
            if before.kind == "name":
                assert before.text in names and after.text in names
            else:
                assert before.kind == after.kind == "number"
                assert integer_value_and_suffix(before.text) == integer_value_and_suffix(after.text)


def integer_value_and_suffix(text: str) -> tuple[int, str]:
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)", text)
    assert m is not None, text
    return int(m.group(1), 0), m.group(2).lower()


@needs_gcc
def test_a_copy_builds_a_program_writing_the_same_poc_file(carrier, tmp_path):
    outputs = []
    for index, source in enumerate(
        [SOURCE.encode()] + [carrier.render(random_codeword(carrier, s)) for s in (1, 2)]
    ):
        src = tmp_path / f"poc_{index}.c"
        exe = tmp_path / f"poc_{index}"
        src.write_bytes(source)
        subprocess.run([GCC, "-std=c99", "-O0", "-o", str(exe), str(src)], check=True, capture_output=True)
        target = tmp_path / f"poc_{index}.tim"
        subprocess.run([str(exe), str(target)], check=True, capture_output=True)
        data = target.read_bytes()
        outputs.append(data[:12] + data[16:])  # bytes 12..15 hold the creation time
    assert outputs[0][:4] == b"TIM1"
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


def test_each_copy_reads_back_its_codeword_exactly(carrier):
    for seed in range(25):
        cw = random_codeword(carrier, seed)
        reading = carrier.read(carrier.render(cw))
        assert np.array_equal(reading.symbols, cw)
        assert np.all(reading.confidence == 1.0)


def test_the_original_reads_as_the_all_zero_codeword(carrier):
    assert np.all(carrier.read(SOURCE).symbols == 0)


def test_codeword_of_the_wrong_length_is_refused(carrier):
    with pytest.raises(CarrierError, match="slots"):
        carrier.render([0, 1])


def test_leak_in_an_unknown_encoding_is_refused(carrier):
    with pytest.raises(UnreadableLeakError):
        carrier.read(bytes(range(128, 256)) * 8)


def test_code_pasted_into_a_post_with_lost_layout_still_reads(carrier):
    cw = random_codeword(carrier, 8)
    flat = " ".join(carrier.render(cw).decode().split())  # a web form collapsed all whitespace
    reading = carrier.read("Here is the C version:\n" + flat + "\nhave fun")
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert reading.read >= 0.9 * len(cw)


def test_two_copies_mixed_line_by_line_read_one_of_their_symbols(carrier):
    a, b = random_codeword(carrier, 31), random_codeword(carrier, 32)
    # Lines in one arrangement (the same definitions, branches and #define lines moved), so
    # the lines pair up: mixed across two arrangements, the result is no program at all.
    moves = np.array([k in ("definitions", "polarity", "order", "defines") for k in carrier.struct_kinds()])
    b[moves] = a[moves]
    la, lb = carrier.render(a).decode().splitlines(), carrier.render(b).decode().splitlines()
    rng = random.Random(4)
    reading = carrier.read("\n".join(x if rng.random() < 0.5 else y for x, y in zip(la, lb, strict=True)))
    read = reading.symbols != ERASED
    assert np.all((reading.symbols[read] == a[read]) | (reading.symbols[read] == b[read]))
    assert reading.read >= 0.6 * len(a)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("int main(void) { /* never closed\n return 0; }\n", "unterminated comment"),
        ('int main(void) { puts("no end); }\n', "unterminated string"),
        ("static int f(int x) { return x; \n", "never closed"),
        ("static int f(int x) { return x; }}\n", "unbalanced"),
        ("def f(x):\n    return x\n", "expected"),
        ("int main(void) { return 0; } @\n", "stray"),
    ],
)
def test_source_that_does_not_parse_is_refused_with_a_reason(source, message):
    with pytest.raises(SourceParseError, match=message) as caught:
        CCarrier(source)
    assert isinstance(caught.value, CarrierError)
    assert "line" in str(caught.value)


def test_source_without_any_slot_is_refused():
    with pytest.raises(NoSlotsError, match="unmarked"):
        CCarrier('#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n')


def test_line_comments_do_not_swallow_code_whose_line_breaks_were_lost():
    source = SOURCE.replace(
        "/* A harmless ramp of filler bytes, so a crash dump shows how far the copy went. */",
        "// A harmless ramp of filler bytes, so a crash dump shows how far the copy went.",
    )
    carrier = CCarrier(source)
    cw = random_codeword(carrier, 9)
    reading = carrier.read(" ".join(carrier.render(cw).decode().split()))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert reading.read >= 0.9 * len(cw)


def test_text_that_is_not_this_code_reads_nothing(carrier):
    other = "static int helper(int value) { int count = value * 2; return count; }\n" * 5
    assert carrier.read(other).read <= 2
    assert carrier.read("").read == 0
