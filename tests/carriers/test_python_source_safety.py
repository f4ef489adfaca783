"""Renaming must never change what a Python program does: which names stay fixed, and
copies of tricky programs that behave exactly like their original."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap

import pytest
from marking.helpers import random_codeword

from headstart.carriers.literal_forms import bytes_alternatives, int_alternatives
from headstart.carriers.python_source import PythonCarrier


def renamed(carrier: PythonCarrier) -> set[str]:
    """Original names of the name slots (keys look like name:<module>.f.x@3)."""
    return {s.key.rsplit(".", 1)[-1].split("@")[0] for s in carrier.slots if s.key.startswith("name:")}


def output_of(source: str) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        # Running the copy is the test: it must print what the original prints.
        exec(compile(source, "<test>", "exec"), {"__name__": "__main__"})
    return buffer.getvalue()


def assert_copies_behave_like_original(source: str, copies: int = 25) -> PythonCarrier:
    carrier = PythonCarrier(source)
    expected = output_of(source)
    for seed in range(copies):
        cw = random_codeword(carrier, seed)
        assert output_of(carrier.render(cw).decode()) == expected
    return carrier


def test_public_function_parameters_stay_but_its_locals_are_renamed():
    carrier = PythonCarrier("def build(width, height):\n    total = width * height\n    return total\n")
    assert renamed(carrier) == {"total"}


def test_private_helper_parameters_follow_to_keyword_call_sites():
    source = textwrap.dedent(
        """
        def _scale(value, factor=2):
            return value * factor

        def main():
            print(_scale(3, factor=4), _scale(value=5))

        main()
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert {"value", "factor", "_scale"} <= renamed(carrier)
    cw = random_codeword(carrier, 5)
    factor = next(i for i, s in enumerate(carrier.slots) if s.key.endswith("factor@2"))
    cw[factor] = 1
    copy = carrier.render(cw).decode()
    assert f"{carrier.slots[factor].alternatives[1]}=4" in copy


def test_a_helper_that_escapes_keeps_its_parameter_names():
    source = textwrap.dedent(
        """
        def _scale(value, factor=2):
            return value * factor

        HANDLERS = {"scale": _scale}
        print(HANDLERS["scale"](value=3))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert "_scale" in renamed(carrier)
    assert "value" not in renamed(carrier) and "factor" not in renamed(carrier)


def test_decorated_functions_and_methods_keep_parameter_names():
    source = textwrap.dedent(
        """
        import functools

        @functools.lru_cache(maxsize=None)
        def _table(size):
            buf = list(range(size))
            return tuple(buf)

        class _Packer:
            count = 3

            def pack(self, data):
                buf = bytes(data)
                return buf * self.count

        print(_table(size=4), _Packer().pack(data=[1]))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    names = renamed(carrier)
    assert "buf" in names
    assert not {"size", "data", "self", "count", "pack"} & names


def test_scopes_using_locals_eval_or_debug_fstrings_keep_their_names():
    source = textwrap.dedent(
        """
        def _report(width):
            height = width * 2
            print("%(width)d x %(height)d" % locals())

        def _debug(length):
            total = length + 1
            print(f"{total=}")

        def _ok(length):
            total = length + 1
            return total

        _report(3)
        _debug(4)
        print(_ok(5))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    keys = [s.key for s in carrier.slots if s.key.startswith("name:")]
    assert not any("_report." in k for k in keys)
    assert not any(k.startswith("name:<module>._debug.total") for k in keys)
    assert any(k.startswith("name:<module>._ok.total") for k in keys)
    assert any(k.startswith("name:<module>._report@") for k in keys)  # locals() is the function's only


def test_names_in_global_statements_and_all_stay_fixed():
    source = textwrap.dedent(
        """
        __all__ = ["_exported"]
        _counter = 0

        def _exported():
            return 1

        def _bump():
            global _counter
            _counter += 1
            result = _counter
            return result

        print(_bump(), _exported())
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert "result" in renamed(carrier)
    assert not {"_counter", "_exported"} & renamed(carrier)


def test_renaming_never_captures_a_builtin_or_a_class_body_name():
    source = textwrap.dedent(
        """
        def _pack(length):
            size = length * 2

            class Frame:
                data = size
                count = size + 1

            offset = [n * size for n in range(length)]
            return Frame.data, Frame.count, offset, len(offset)

        print(_pack(3))
        """
    )
    carrier = assert_copies_behave_like_original(source, copies=40)
    for slot in carrier.slots:
        assert not {"len", "range", "print", "data", "count", "Frame"} & set(slot.alternatives[1:])


def test_lambda_parameters_passed_by_keyword_stay_fixed():
    source = textwrap.dedent(
        """
        def _run(items):
            key = lambda value: -value
            pick = lambda value: value * 2
            result = sorted(items, key=key)
            print(result, pick(value=3))

        _run([3, 1, 2])
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert "result" in renamed(carrier)
    assert "value" not in renamed(carrier)


def test_comprehension_and_exception_names_are_renamed_safely():
    source = textwrap.dedent(
        """
        def _parse(text):
            result = [int(item, 0) for item in text.split(",") if item]
            try:
                total = sum(result) // (len(result) - 3)
            except ZeroDivisionError as error:
                total = str(error)
            return result, total

        print(_parse("0x10,0b11,7"))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert {"item", "result", "error", "total", "text"} <= renamed(carrier)


def test_integer_spellings_keep_the_value():
    assert int_alternatives("0x3fff") == ["0x3fff", "0x3FFF", "16383"]
    assert int_alternatives("1_500_000_000") == ["1_500_000_000", "1500000000"]
    assert int_alternatives("256") == ["256", "0x100"]
    assert int_alternatives("7") == [] and int_alternatives("0o644") == []
    for text in ("0xdead_beef", "0XFF", "1024", "100000", "0x7fffffff"):
        alts = int_alternatives(text)
        assert all(int(a.replace("_", ""), 0) == int(text.replace("_", ""), 0) for a in alts)


def test_byte_string_spellings_keep_the_value():
    assert bytes_alternatives('b"TIM1"') == ['b"TIM1"', 'b"\\x54\\x49\\x4d\\x31"']
    assert bytes_alternatives('b"\\x00"') == ['b"\\x00"', 'b"\\0"']
    assert bytes_alternatives('b"\\x001"') == []  # "\01" would be one octal escape
    assert bytes_alternatives('"text"') == [] and bytes_alternatives('rb"\\x41"') == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n    pass\n",
        "x = (1,\n",
        "return 3\n",  # compiles only inside a function
        "def f():\n    nonlocal x\n",
    ],
)
def test_invalid_programs_are_refused(source):
    from headstart.carriers.python_source import SourceParseError

    with pytest.raises(SourceParseError, match="does not parse"):
        PythonCarrier(source)


def test_comments_naming_a_renamed_variable_follow_it():
    source = textwrap.dedent(
        """
        def _copy_rows(row_buf):
            # row_buf holds one scanline; keep row_buf intact
            out_buf = bytes(row_buf)
            return out_buf

        print(_copy_rows([1, 2]))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    k = next(i for i, s in enumerate(carrier.slots) if ".row_buf@" in s.key)
    cw = [0] * len(carrier.slots)
    cw[k] = 1
    new = carrier.slots[k].alternatives[1]
    copy = carrier.render(cw).decode()
    assert f"# {new} holds one scanline; keep {new} intact" in copy
    assert not re.search(r"\brow_buf\b", copy)


def test_literals_inside_f_strings_are_left_alone():
    carrier = PythonCarrier('def _f(data):\n    print(f"{data:#x} {0x20}")\n    return 0x20\n')
    ints = [s for s in carrier.slots if s.key.startswith("int:")]
    assert len(ints) == 1 and ints[0].key.startswith("int:3:")


def test_a_slot_the_scope_analysis_gets_wrong_is_dropped_not_shipped(monkeypatch):
    """Simulate a blind spot: the analysis forgets one use of ``total``. The generic copy
    then binds differently from the original, so that slot is dropped; the others stay."""
    from headstart.carriers._python_scope import ScopeAnalysis

    real = ScopeAnalysis.name_slots

    def forgetful(self, excluded):
        out = real(self, excluded)
        for _, var in out:
            if var.name == "total":
                var.nodes = var.nodes[:-1]
        return out

    monkeypatch.setattr(ScopeAnalysis, "name_slots", forgetful)
    source = textwrap.dedent(
        """
        def _sum(values):
            total = 0
            for value in values:
                total = total + value
            return total

        print(_sum([1, 2, 3]))
        """
    )
    carrier = assert_copies_behave_like_original(source)
    assert "total" not in renamed(carrier)
    assert "value" in renamed(carrier)
