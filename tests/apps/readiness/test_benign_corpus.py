"""The benign corpus holds valid files of the PoC's format found on the server, beside the near
misses built from the PoC: chosen in a fixed order, bounded, each parsing under the trigger
specification and missing its trigger."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from headstart.apps.readiness.corpus import format_files
from headstart.triggers import check, decode_spec, load_spec
from headstart.triggers.corpus import near_misses
from headstart.triggers.errors import TriggerNotMetError

PNG = Path(__file__).parents[2] / "fixtures" / "png_trns"


@pytest.fixture
def spec():  # type: ignore[no-untyped-def]
    return load_spec(decode_spec((PNG / "png.ksy.yaml").read_bytes()))


@pytest.fixture
def machine(tmp_path, settings):  # type: ignore[no-untyped-def]
    """A directory standing for the server's files: the only one searched besides the samples."""
    settings.HEADSTART_READINESS_BENIGN_DIRS = [str(tmp_path)]
    return tmp_path


def test_only_files_that_parse_as_the_format_and_miss_the_trigger_are_taken(spec, machine):  # type: ignore[no-untyped-def]
    poc = (PNG / "poc.png").read_bytes()
    benign = near_misses(spec, poc, random.Random(1))[0]
    (machine / "icons").mkdir()
    (machine / "icons" / "benign.png").write_bytes(benign)
    (machine / "icons" / "poc.png").write_bytes(poc)  # triggers the bug: not benign
    (machine / "icons" / "not-really.png").write_bytes(b"GIF89a, whatever the name says")
    (machine / "icons" / "benign.gif").write_bytes(benign)  # another extension: not looked at
    (machine / "icons" / "huge.png").write_bytes(benign + b"\0" * (1024 * 1024))  # over 1 MB: skipped
    found = format_files(spec, ".png")
    assert list(found.values()) == [benign]
    [name] = found
    assert str(machine / "icons" / "benign.png") in name and "does not trigger the bug" in name


def test_the_choice_is_bounded_and_the_same_on_every_run(spec, machine, settings):  # type: ignore[no-untyped-def]
    poc = (PNG / "poc.png").read_bytes()
    misses = near_misses(spec, poc, random.Random(2))
    assert len(misses) > 5
    for i, data in enumerate(misses):
        (machine / f"m{i:02d}.png").write_bytes(data)
    settings.HEADSTART_READINESS_BENIGN_FILES = 3
    first = format_files(spec, ".png")
    assert len(first) == 3
    assert format_files(spec, ".png") == first
    for data in first.values():
        with pytest.raises(TriggerNotMetError):
            check(spec, data)
    settings.HEADSTART_READINESS_BENIGN_FILES = 0
    assert format_files(spec, ".png") == {}


def test_the_shipped_sample_poc_is_never_benign_for_its_own_format(machine):  # type: ignore[no-untyped-def]
    from headstart.samples import SAMPLE_DIR

    tim = load_spec(decode_spec((SAMPLE_DIR / "tim.ksy.yaml").read_bytes()))
    assert format_files(tim, ".tim") == {}  # the samples hold one .tim: the PoC, which triggers
