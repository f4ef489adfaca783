"""Structural choices in C PoCs: each kind fires where the program stays the same, refuses
where meaning could change, and every copy runs (or compiles) like the original."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from headstart.carriers.base import CarrierError
from headstart.carriers.c_source import CCarrier

GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


def carrier_of(source: str) -> CCarrier:
    return CCarrier(textwrap.dedent(source))


def choices(carrier: CCarrier, kind: str) -> list[str]:
    """The ``where`` of every slot of that structural kind."""
    return [s.where for s, k in zip(carrier.slots, carrier.struct_kinds(), strict=True) if k == kind]


def forms(carrier: CCarrier, kind: str) -> list[str]:
    """Every copy that takes each form of the first slot of ``kind`` (others as written)."""
    slot = carrier.struct_kinds().index(kind)
    out = []
    for form in range(carrier.slots[slot].q):
        codeword = [0] * len(carrier.slots)
        codeword[slot] = form
        out.append(carrier.render(codeword).decode())
    return out


def run(source: str, tmp_path: Path, name: str) -> str:
    src, exe = tmp_path / f"{name}.c", tmp_path / name
    src.write_text(source)
    subprocess.run(
        [GCC, "-std=gnu11", "-O0", "-w", "-o", str(exe), str(src)], check=True, capture_output=True
    )
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


# -- increments ------------------------------------------------------------------------


def test_an_increment_statement_offers_the_four_forms_of_adding_one():
    carrier = carrier_of(
        """
        int count_up(int n) {
            int total = 0;
            for (int i = 0; i < n; i++) {
                total += 2;
            }
            return total;
        }
        """
    )
    assert choices(carrier, "increment") == ["increment of i on line 4"]
    bodies = [copy.split("for (")[1].split(")")[0] for copy in forms(carrier, "increment")]
    assert bodies == ["int i = 0; i < n; i++", "int i = 0; i < n; ++i", "int i = 0; i < n; i += 1",
                      "int i = 0; i < n; i = i + 1"]  # fmt: skip


def test_an_increment_whose_value_is_used_or_whose_target_has_effects_is_kept():
    carrier = carrier_of(
        """
        volatile int ticks;
        int next(int *slots, int k) {
            int v = k++;
            ticks++;
            slots[next(slots, 0)]++;
            return v + k;
        }
        """
    )
    assert choices(carrier, "increment") == []


# -- commutative operands ----------------------------------------------------------------


def test_operands_of_a_commutative_operator_swap_when_both_are_plain_and_one_is_an_integer():
    carrier = carrier_of(
        """
        #define OFFSET 0x1c7db8
        long gadget(long kbase) {
            return kbase + OFFSET;
        }
        """
    )
    assert choices(carrier, "commute") == ["operands of + on line 4"]
    assert [c.split("return ")[1].split(";")[0] for c in forms(carrier, "commute")] == [
        "kbase + OFFSET",
        "OFFSET + kbase",
    ]


def test_commutative_operands_with_calls_are_never_swapped():
    carrier = carrier_of(
        """
        int counter;
        int bump(void) { counter = counter + 2; return counter; }
        int total(void) {
            int a = bump() + counter;
            int b = counter * bump();
            int c = (counter == bump());
            return a + b + c;
        }
        """
    )
    assert not any("line 5" in w or "line 6" in w or "line 7" in w for w in choices(carrier, "commute"))


def test_operands_that_bind_to_a_neighbouring_operator_first_are_never_swapped():
    carrier = carrier_of(
        """
        int mix(int x, int a, int b, double d, double e) {
            int r = x - a + b;
            int s = -a + b;
            double t = d + e;
            return r + s + (int)t;
        }
        """
    )
    where = choices(carrier, "commute")
    assert not any(w.endswith(("line 3", "line 4", "line 5")) for w in where)


def test_nothing_inside_an_assertion_is_respelled():
    carrier = carrier_of(
        """
        #include <assert.h>
        int check(int length, int limit) {
            assert(length + 0x10 <= limit);
            return limit * 0x20;
        }
        """
    )
    # assert prints its expression when it fails: the spelling there is the program's output.
    assert [s.key.split(":")[0] for s in carrier.slots] == ["commute", "int"]
    assert carrier.slots[1].alternatives[0] == "0x20"


# -- branch polarity -------------------------------------------------------------------


def test_an_if_else_with_two_blocks_may_be_written_negated_with_the_blocks_traded():
    carrier = carrier_of(
        """
        int sign(int v) {
            if (v < 0) {
                return -1;
            } else {
                return 1;
            }
        }
        """
    )
    assert choices(carrier, "polarity") == ["if/else on line 3"]
    negated = forms(carrier, "polarity")[1]
    assert "if (!(v < 0)) {\n        return 1;\n    } else {\n        return -1;\n    }" in negated


def test_an_if_else_whose_branch_is_not_a_block_keeps_its_polarity():
    carrier = carrier_of(
        """
        int pick(int a, int b, int c) {
            if (a)
                if (b) return 1; else return 2;
            else {
                return c;
            }
            if (c) { return 4; } else return 5;
        }
        """
    )
    assert choices(carrier, "polarity") == []


# -- endless loops ---------------------------------------------------------------------


def test_an_endless_loop_may_be_written_either_way():
    carrier = carrier_of(
        """
        int wait_for(volatile int *flag) {
            while (1) {
                if (*flag) break;
            }
            return *flag;
        }
        """
    )
    assert choices(carrier, "loop") == ["endless loop on line 3"]
    assert "for (;;) {" in forms(carrier, "loop")[1]


def test_the_tail_of_a_do_while_and_a_loop_with_a_condition_keep_their_form():
    carrier = carrier_of(
        """
        int spin(volatile int *flag, int n) {
            do {
                n += 2;
            } while (1);
            while (n) { n -= 1; }
            for (; n < 8;) { n += 3; }
            return n;
        }
        """
    )
    assert choices(carrier, "loop") == []


# -- independent statements ------------------------------------------------------------


def test_adjacent_assignments_to_private_locals_may_trade_places():
    carrier = carrier_of(
        """
        int area(int w, int h) {
            int width, height;
            width = w * 2;
            height = h + 3;
            return width * height;
        }
        """
    )
    assert choices(carrier, "order") == ["statements on line 4"]
    assert "height = h + 3;\n    width = w * 2;" in forms(carrier, "order")[1]


def test_statements_that_share_a_variable_are_never_swapped():
    carrier = carrier_of(
        """
        int chain(int w) {
            int a, b, c, d;
            a = w + 1;
            b = a * 2;
            c = b - w;
            w = 5 + c;
            d = w;
            return a + b + c + d;
        }
        """
    )
    assert choices(carrier, "order") == []


def test_statements_through_pointers_calls_or_taken_addresses_are_never_swapped():
    carrier = carrier_of(
        """
        int g;
        int touch(int *p);
        int keep(int *p, int w) {
            int a, b, c, d;
            *p = 1;
            a = w;
            b = touch(&c);
            c = 2;
            g = 3;
            d = *p;
            return a + b + c + d;
        }
        """
    )
    assert choices(carrier, "order") == []


# -- function definitions --------------------------------------------------------------


def test_adjacent_independent_function_definitions_may_trade_places():
    carrier = carrier_of(
        """
        static int twice(int v) {
            return v * 2;
        }

        static int thrice(int v) {
            return v * 3;
        }
        """
    )
    assert choices(carrier, "definitions") == ["definitions of twice and thrice"]
    swapped = forms(carrier, "definitions")[1]
    assert swapped.index("thrice(int") < swapped.index("twice(int")


def test_a_definition_used_by_its_neighbour_or_printing_its_line_stays_in_place():
    carrier = carrier_of(
        """
        #include <stdio.h>
        static int twice(int v) {
            return v * 2;
        }

        static int four_times(int v) {
            return twice(twice(v));
        }
        #define HERE() printf("%d\\n", __LINE__)

        static void first(void) {
            HERE();
        }

        static void second(void) {
            puts("second");
        }
        """
    )
    assert choices(carrier, "definitions") == []


def test_a_definition_that_declares_a_struct_before_its_body_stays_in_place():
    carrier = carrier_of(
        """
        struct pt { int x; } origin(void) {
            struct pt p = {0};
            return p;
        }

        static int twice(int v) {
            struct pt q = {v};
            return q.x * 2;
        }
        """
    )
    assert choices(carrier, "definitions") == []


# -- tests against zero -----------------------------------------------------------------


def test_a_test_against_zero_may_be_written_with_not_or_the_operands_swapped():
    carrier = carrier_of(
        """
        int empty(const char *s) {
            int n = s[0];
            return n == 0;
        }
        """
    )
    assert [f.split("return ")[1].split(";")[0] for f in forms(carrier, "zero")] == ["n == 0", "!n", "0 == n"]


def test_a_truth_value_may_be_compared_with_zero_and_a_whole_condition_may_drop_it():
    carrier = carrier_of(
        """
        #include <string.h>
        int same(const char *a, const char *b, int strict) {
            if (strict && strcmp(a, b) != 0) {
                return 0;
            }
            if (strcmp(a, b) != 0) {
                return 2;
            }
            return 1;
        }
        """
    )
    kinds = carrier.struct_kinds()
    copies = [carrier.render([min(level, s.q - 1) if k == "zero" else 0 for s, k in zip(carrier.slots, kinds, strict=True)]).decode()
              for level in (1, 2)]  # fmt: skip
    assert "if (strict != 0 && strcmp(a, b) != 0)" in copies[0]
    assert "if (strcmp(a, b))" in copies[0]
    assert "if (0 != strict && strcmp(a, b) != 0)" in copies[1]


def test_a_negation_may_be_a_comparison_with_zero_only_where_nothing_binds_tighter():
    carrier = carrier_of(
        """
        int f(int a, int b) {
            int x = !a + b;
            int y = !a;
            return x + y;
        }
        """
    )
    assert choices(carrier, "zero") == ["negation on line 4"]


def test_zero_tests_of_macros_and_of_operands_of_other_operators_keep_their_form():
    carrier = carrier_of(
        """
        #define BOTH(a, b) a || b
        int f(int a, int b) {
            if (BOTH(a, b) == 0) {
                return 1;
            }
            if (a + b == 0) {
                return 2;
            }
            if (a & b != 0) {
                return 3;
            }
            return a < b == 0;
        }
        """
    )
    # Only the whole condition ``a + b == 0``, as ``!(a + b)``: never ``a + !b``.
    assert choices(carrier, "zero") == ["test against 0 on line 7"]
    assert "if (!(a + b)) {" in forms(carrier, "zero")[1]


def test_an_assignment_may_be_written_augmented_or_plain():
    carrier = carrier_of(
        """
        unsigned mix(unsigned h, unsigned v) {
            h = h * 31;
            v--;
            h ^= v << 3;
            h = h - v - 1;
            return h;
        }
        """
    )
    assert choices(carrier, "augment") == ["assignment on line 3", "assignment on line 5"]
    copies = forms(carrier, "augment")
    assert "h *= 31;" in copies[1]
    kinds = carrier.struct_kinds()
    second = [k for k, kind in enumerate(kinds) if kind == "augment"][1]
    codeword = [0] * len(carrier.slots)
    codeword[second] = 1
    assert "h = h ^ v << 3;" in carrier.render(codeword).decode()  # h - v - 1 is (h - v) - 1: kept


def test_a_null_pointer_may_be_spelled_0_or_NULL_where_the_type_is_a_pointer():
    carrier = carrier_of(
        """
        #include <stddef.h>
        static char *first(char *s) {
            char *none = NULL;
            int zero = 0;
            if (s[0] == 'x') {
                return none;
            }
            return 0;
        }
        int use(void) {
            return first("x") != 0;
        }
        """
    )
    assert choices(carrier, "null") == ["null pointer on line 4", "null pointer on line 9"]
    copy = forms(carrier, "null")[1]
    assert "char *none = 0;" in copy


def test_steps_of_two_variables_in_a_comma_expression_may_trade_places():
    carrier = carrier_of(
        """
        int count(const char *s, int n) {
            int len = n;
            while (*s == ' ') len--, s++;
            return len;
        }
        """
    )
    assert choices(carrier, "comma") == ["comma expression on line 4"]
    assert "s++, len--;" in forms(carrier, "comma")[1]


def test_a_comma_expression_whose_sides_share_a_variable_or_an_address_keeps_its_order():
    carrier = carrier_of(
        """
        int count(int n, int m) {
            int *p = &m;
            n++, n--;
            m++, n--;
            return n + *p;
        }
        """
    )
    assert choices(carrier, "comma") == []


def test_while_true_with_stdbool_is_an_endless_loop_too():
    carrier = carrier_of(
        """
        #include <stdbool.h>
        int spin(int n) {
            while (true) {
                if (n > 3) {
                    break;
                }
                n = n + 2;
            }
            return n;
        }
        """
    )
    assert choices(carrier, "loop") == ["endless loop on line 4"]
    assert "for (;;) {" in forms(carrier, "loop")[1]


# -- every copy is the same program ----------------------------------------------------

PROGRAM = """
#include <stdio.h>
#include <stddef.h>

#define STEP 0x10

static int scale(int v) {
    return v * 3;
}

static int shift(int v) {
    return STEP + v;
}

static const char *label(int v) {
    if (v > 100) {
        return "big";
    }
    return NULL;
}

int main(void) {
    int acc = 0, width, height;
    int left = 4, right = 0;
    while (left > 0) left--, right++;
    printf("%d %s\\n", right, label(right) ? "labelled" : "plain");
    for (int i = 0; i < 5; i++) {
        acc += scale(i) ^ shift(i);
    }
    width = acc * 2;
    height = acc + 7;
    width = width * 3;
    if (acc == 0x40) {
        printf("even %d\\n", acc);
    } else {
        printf("odd %d %d %d\\n", acc, width, height);
    }
    if (width != 0) {
        printf("width %d\\n", width);
    }
    if (acc && !height) {
        printf("never\\n");
    }
    int k = 3;
    k--;
    for (;;) {
        if (k > 0) {
            break;
        }
    }
    printf("%d %d\\n", k, acc & STEP);
    return 0;
}
"""


@needs_gcc
def test_every_form_of_every_choice_prints_what_the_original_prints(tmp_path):
    carrier = CCarrier(PROGRAM)
    kinds = {k for k in carrier.struct_kinds() if k}
    assert kinds == {
        "increment",
        "augment",
        "commute",
        "zero",
        "null",
        "comma",
        "polarity",
        "loop",
        "order",
        "definitions",
    }
    expected = run(PROGRAM, tmp_path, "original")
    for level in (1, 2, 3):
        codeword = [min(level, s.q - 1) for s in carrier.slots]
        assert run(carrier.render(codeword).decode(), tmp_path, f"copy{level}") == expected


@needs_gcc
def test_the_compiler_check_passes_the_carrier_and_says_what_it_compared():
    carrier = CCarrier(PROGRAM)
    assert carrier.compiler_check.startswith("gcc -O0: the original and ")


def test_without_gcc_the_carrier_refuses_rather_than_skip_the_check(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CarrierError, match="gcc"):
        CCarrier(PROGRAM)
