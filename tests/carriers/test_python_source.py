"""The Python source carrier on the sample PoC: copies that mean the same program, and
marks that come back from leaked copies."""

from __future__ import annotations

import ast
import copy
import random
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from marking.helpers import random_codeword

import headstart.samples
from headstart.carriers._python_structure import fingerprint
from headstart.carriers.base import ERASED, CarrierError, NoSlotsError, RenderError, Slot, UnreadableLeakError
from headstart.carriers.python_source import PythonCarrier, SourceParseError

SAMPLE = Path(headstart.samples.__file__).parent / "tim_overflow" / "poc_tim_overflow.py"
SOURCE = SAMPLE.read_text()


@pytest.fixture(scope="module")
def carrier() -> PythonCarrier:
    return PythonCarrier(SOURCE)


def identifiers(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        for fld, value in ast.iter_fields(node):
            if fld in ("id", "arg", "name", "attr") and isinstance(value, str):
                out.append(value)
    return out


def without_identifiers(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        for fld in ("id", "arg", "name", "attr"):
            if isinstance(getattr(node, fld, None), str):
                setattr(node, fld, "_")
    return ast.dump(tree)


def test_sample_has_at_least_one_slot_per_five_lines(carrier):
    lines = SOURCE.count("\n")
    bits = sum(np.log2(s.q) for s in carrier.slots)
    assert len(carrier.slots) >= lines / 5
    assert bits >= 40
    assert carrier.kind == "poc-source-python"


def test_slot_discovery_is_deterministic(carrier):
    again = PythonCarrier(SOURCE)
    assert again.slots == carrier.slots
    cw = random_codeword(carrier, 7)
    assert again.render(cw) == carrier.render(cw)


def test_slot_keys_are_unique_and_alternatives_distinct(carrier):
    keys = [s.key for s in carrier.slots]
    assert len(set(keys)) == len(keys)
    for slot in carrier.slots:
        assert slot.q >= 2 and len(set(slot.alternatives)) == slot.q


def test_every_copy_compiles_and_has_the_original_ast_modulo_names(carrier):
    original = ast.parse(SOURCE)
    original_ids = identifiers(original)
    renamable = {s.alternatives[0] for s in carrier.slots if s.key.startswith("name:")}
    renamable |= {a for s in carrier.slots if s.key.startswith("name:") for a in s.alternatives}
    for seed in range(40):
        copy = carrier.render(random_codeword(carrier, seed)).decode()
        compile(copy, "<copy>", "exec")
        tree = in_original_order(ast.parse(copy), renamable)
        copy_ids = identifiers(tree)
        assert without_identifiers(tree) == without_identifiers(ast.parse(SOURCE))
        for before, after in zip(original_ids, copy_ids, strict=True):
            assert before == after or (before in renamable and after in renamable)


def in_original_order(tree: ast.Module, renamable: set[str]) -> ast.Module:
    """The copy's top-level statements put back in the original's order (matched by
    their code with the renamable names blanked): a copy may reorder independent statements."""

    def key(stmt: ast.stmt) -> str:
        stmt = copy.deepcopy(stmt)
        for node in ast.walk(stmt):
            for fld in ("id", "arg", "name"):
                if getattr(node, fld, None) in renamable:
                    setattr(node, fld, "_")
        return ast.dump(stmt)

    original = [key(s) for s in ast.parse(SOURCE).body]
    by_key = {key(s): s for s in tree.body}
    assert len(by_key) == len(original) and sorted(by_key) == sorted(original)
    tree.body = [by_key[k] for k in original]
    return tree


def order_slots(carrier: PythonCarrier) -> np.ndarray:
    return np.array([s.key.startswith("order:") for s in carrier.slots])


def test_copies_reorder_independent_top_level_statements(carrier):
    orders = set()
    for seed in range(10):
        tree = ast.parse(carrier.render(random_codeword(carrier, seed)).decode())
        orders.add(tuple(fingerprint(s) for s in tree.body))
    assert len(orders) == 10
    assert order_slots(carrier).sum() == 4 + 4 + 2  # 5 imports, 5 and 3 constants


def test_a_copy_writes_the_same_poc_file_as_the_original(carrier, tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(time, "time", lambda: 1_767_300_000.0)
    outputs = []
    for index, source in enumerate(
        [SOURCE] + [carrier.render(random_codeword(carrier, s)).decode() for s in (1, 2)]
    ):
        script = tmp_path / f"poc_{index}.py"
        script.write_text(source)
        target = tmp_path / f"poc_{index}.tim"
        monkeypatch.setattr(sys, "argv", [str(script), "-o", str(target)])
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(script), run_name="__main__")
        assert done.value.code == 0
        outputs.append(target.read_bytes())
    assert outputs[0][:4] == b"TIM1"
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


def test_each_copy_reads_back_its_codeword(carrier):
    for seed in range(25):
        cw = random_codeword(carrier, seed)
        copy = carrier.render(cw)
        reading = carrier.read(copy)
        read = reading.symbols != ERASED
        assert np.array_equal(reading.symbols[read], cw[read])
        # Only hex-case slots may be erased, and only when no hex literal shows lower case.
        for i in np.flatnonzero(~read):
            alts = carrier.slots[i].alternatives
            assert len({a.lower() for a in alts}) < len(alts)
        assert reading.read >= 0.9 * len(cw)


def test_the_original_reads_as_the_all_zero_codeword(carrier):
    reading = carrier.read(SOURCE)
    read = reading.symbols != ERASED
    assert np.all(reading.symbols[read] == 0)
    assert reading.read >= 0.9 * len(carrier.slots)


def test_codeword_of_the_wrong_length_is_refused(carrier):
    with pytest.raises(CarrierError, match="slots"):
        carrier.render([0])
    with pytest.raises(CarrierError, match="outside"):
        carrier.render([99] * len(carrier.slots))


def test_hex_literals_are_read_as_erasures_only_when_case_was_normalised(carrier):
    slot = next(i for i, s in enumerate(carrier.slots) if s.alternatives[:2] == ("0x3fff", "0x3FFF"))
    cw = np.zeros(len(carrier.slots), dtype=int)
    cw[slot] = 1
    copy = carrier.render(cw).decode()
    assert carrier.read(copy).symbols[slot] == 1  # other hex literals are lower case: not black
    canonical = re.sub(
        r"0x[0-9a-fA-F_]+", lambda m: "0x" + m.group()[2:].upper(), copy
    )  # as black writes them
    assert carrier.read(canonical).symbols[slot] == ERASED


def test_leak_in_an_unknown_encoding_is_refused(carrier):
    with pytest.raises(UnreadableLeakError):
        carrier.read(bytes(range(128, 256)) * 8)


def test_leak_with_forum_text_and_lost_indentation_still_reads(carrier):
    cw = random_codeword(carrier, 11)
    copy = carrier.render(cw).decode()
    flattened = "\n".join(line.strip() for line in copy.splitlines())
    post = "Found this on a paste site, works on 4.7.2:\n\n" + flattened + "\n\nenjoy, no credits needed\n"
    reading = carrier.read(post.encode("utf-8"))
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    # Names and literals; the order of statements needs a leak that still parses.
    assert np.count_nonzero(read & ~order_slots(carrier)) >= 0.9 * np.count_nonzero(~order_slots(carrier))


def test_an_excerpt_cut_mid_function_reads_what_it_shows(carrier):
    cw = random_codeword(carrier, 12)
    lines = carrier.render(cw).decode().splitlines()
    excerpt = "\n".join(lines[50:95])  # starts and ends inside functions; does not parse
    with pytest.raises(SyntaxError):
        ast.parse(excerpt)
    reading = carrier.read(excerpt)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert reading.read >= 15


def test_two_copies_mixed_line_by_line_read_one_of_their_symbols(carrier):
    a, b = random_codeword(carrier, 21), random_codeword(carrier, 22)
    b[order_slots(carrier)] = a[order_slots(carrier)]  # statements in one order: lines pair up
    la = carrier.render(a).decode().splitlines()
    lb = carrier.render(b).decode().splitlines()
    rng = random.Random(3)
    mixed = "\n".join(x if rng.random() < 0.5 else y for x, y in zip(la, lb, strict=True))
    reading = carrier.read(mixed)
    read = reading.symbols != ERASED
    assert np.all((reading.symbols[read] == a[read]) | (reading.symbols[read] == b[read]))
    assert reading.read >= 0.6 * len(a)  # a name used once in each copy is a tie: erased


def test_two_copies_in_different_orders_mixed_line_by_line_read_only_their_symbols(carrier):
    a, b = random_codeword(carrier, 23), random_codeword(carrier, 24)
    assert not np.array_equal(a[order_slots(carrier)], b[order_slots(carrier)])
    la = carrier.render(a).decode().splitlines()
    lb = carrier.render(b).decode().splitlines()
    rng = random.Random(4)
    mixed = "\n".join(x if rng.random() < 0.5 else y for x, y in zip(la, lb, strict=True))
    reading = carrier.read(mixed)
    read = reading.symbols != ERASED
    assert np.all((reading.symbols[read] == a[read]) | (reading.symbols[read] == b[read]))
    assert reading.read >= 0.3 * len(a)


@pytest.mark.parametrize(
    ("kind", "bad", "why"),
    [
        ("name", "print", "refers to a different variable"),  # would capture every print()
        ("name", "not valid", "does not compile"),
        ("int", "0x4011", "differs"),  # a different value
        ("int", "16400.0", "differs"),  # same value, different type
    ],
)
def test_a_copy_failing_its_check_is_refused(kind, bad, why):
    broken = PythonCarrier(SOURCE)
    if kind == "name":
        k = next(i for i, s in enumerate(broken.slots) if s.key.startswith("name:"))
    else:
        k = next(i for i, s in enumerate(broken.slots) if s.alternatives[0] == "0x4010")
    slot = broken.slots[k]
    tampered = Slot(slot.key, (slot.alternatives[0], bad), slot.where)
    broken._slots[k] = tampered
    broken.template.slots[k] = tampered
    cw = [0] * len(broken.slots)
    cw[k] = 1
    with pytest.raises(RenderError, match=why):
        broken.render(cw)


def test_source_that_does_not_parse_is_refused_with_its_line():
    with pytest.raises(SourceParseError, match=r"does not parse: line 2") as caught:
        PythonCarrier("x = 1\ndef broken(:\n    pass\n")
    assert isinstance(caught.value, CarrierError)


def test_source_that_is_not_text_is_refused():
    with pytest.raises(SourceParseError, match="UTF-8"):
        PythonCarrier(b"\xff\xfe\x00bad")  # type: ignore[arg-type]


def test_source_without_any_slot_is_refused():
    with pytest.raises(NoSlotsError, match="unmarked"):
        PythonCarrier('import sys\nprint("hello", file=sys.stderr)\n')


def test_code_whose_line_breaks_were_lost_still_reads(carrier):
    cw = random_codeword(carrier, 13)
    collapsed = " ".join(carrier.render(cw).decode().split())  # the first "#" comment now runs to the end
    reading = carrier.read(collapsed)
    read = reading.symbols != ERASED
    assert np.array_equal(reading.symbols[read], cw[read])
    assert np.count_nonzero(read & ~order_slots(carrier)) >= 0.9 * np.count_nonzero(~order_slots(carrier))


def test_text_that_is_not_this_code_reads_nothing(carrier):
    prose = "The decoder computes the row stride in 16 bits; a width above 0x3fff wraps it. " * 20
    assert carrier.read(prose).read == 0
    assert carrier.read("").read == 0


def test_a_carrier_loaded_in_a_new_process_renders_and_reads_without_importing_libcst(tmp_path):
    import pickle
    import subprocess

    from headstart.carriers.python_source import PythonCarrier
    from headstart.samples import SAMPLE_DIR

    carrier = PythonCarrier((SAMPLE_DIR / "poc_tim_overflow.py").read_text())
    (tmp_path / "carrier.pickle").write_bytes(pickle.dumps(carrier))
    codeword = [1] * len(carrier.slots)
    script = (
        "import pickle, sys\n"
        f"carrier = pickle.loads(open({str(tmp_path / 'carrier.pickle')!r}, 'rb').read())\n"
        f"copy = carrier.render({codeword!r})\n"
        "print(copy.decode() == pickle.loads(open(sys.argv[1], 'rb').read()))\n"
        "print(carrier.read(copy).symbols.tolist() == pickle.loads(open(sys.argv[2], 'rb').read()))\n"
        "print('libcst' in sys.modules)\n"
    )
    (tmp_path / "expected.pickle").write_bytes(pickle.dumps(carrier.render(codeword).decode()))
    (tmp_path / "reading.pickle").write_bytes(
        pickle.dumps(carrier.read(carrier.render(codeword)).symbols.tolist())
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "expected.pickle"), str(tmp_path / "reading.pickle")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "False"]
