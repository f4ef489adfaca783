"""Damaged specifications and damaged files give the library's own errors, never a crash."""

from __future__ import annotations

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headstart.triggers import SpecError, TriggerError, build, load_spec, mark_slots, parse, read_slots

SYMBOLS = "{}[]:-,'\"*&!|>#0x \n\tabq_."


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1))
def test_a_mangled_spec_loads_or_names_a_line(example_text, seed):
    rnd = random.Random(seed)
    chars = list(example_text)
    for _ in range(rnd.randint(1, 4)):
        pos = rnd.randrange(len(chars))
        action = rnd.random()
        if action < 0.4:
            chars[pos] = rnd.choice(SYMBOLS)
        elif action < 0.7:
            del chars[pos]
        else:
            chars.insert(pos, rnd.choice(SYMBOLS))
    try:
        load_spec("".join(chars))
    except SpecError as err:
        assert err.line >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=120))
def test_arbitrary_bytes_parse_or_raise_trigger_errors(example_spec, data):
    data = b"TIM1" + data
    with contextlib.suppress(TriggerError):
        parse(example_spec, data)
    lenient = parse(example_spec, data, lenient=True)
    assert lenient.complete or lenient.error is not None


def test_reading_damaged_copies_never_crashes(example_spec):
    original = build(example_spec, {"width": 0x9000, "height": 4, "created": 1_600_000_000,
                                    "comment": "damage test 0001", "chunks": [{"kind": 1, "body": b"x" * 12}]})
    slots = mark_slots(example_spec, original)
    rnd = random.Random(5)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 5)):
            pos = rnd.randrange(len(data)) if data else 0
            action = rnd.random()
            if action < 0.4:
                data[pos:pos + 1] = bytes([rnd.randrange(256)])
            elif action < 0.7:
                del data[pos:pos + rnd.randint(1, 20)]
            else:
                data[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        try:
            symbols, confidence, _ = read_slots(example_spec, slots, bytes(data))
        except TriggerError:
            continue  # the magic itself was destroyed
        assert len(symbols) == len(slots) and ((confidence >= 0) & (confidence <= 1)).all()
