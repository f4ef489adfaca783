"""Binary files posted as text are read back, checked against the real dump tools."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest

from headstart.triggers import bytes_from_text

DATA = b"TIM1" + bytes(range(256)) + b"\x00" * 200 + b"tail bytes"


def run(*cmd: str) -> str:
    if shutil.which(cmd[0]) is None:
        pytest.skip(f"{cmd[0]} is not installed")
    return subprocess.run(cmd, input=DATA, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("cmd", [("xxd",), ("xxd", "-a"), ("xxd", "-c", "32"), ("hexdump", "-C"),
                                 ("od", "-A", "x", "-t", "x1z"), ("od", "-A", "x", "-t", "x1")])
def test_real_hex_dumps_round_trip(cmd):
    assert bytes_from_text(run(*cmd), b"TIM1") == DATA


def test_base64_plain_hex_and_escapes_round_trip():
    assert bytes_from_text(base64.encodebytes(DATA).decode(), b"TIM1") == DATA
    assert bytes_from_text(DATA.hex(), b"TIM1") == DATA
    assert bytes_from_text(DATA.hex(" ").upper(), b"TIM1") == DATA
    assert bytes_from_text("".join(f"\\x{b:02x}" for b in DATA), b"TIM1") == DATA


def test_text_that_is_no_dump_gives_none():
    assert bytes_from_text("hello, this is a forum post about TIM files", b"TIM1") is None
    assert bytes_from_text(DATA.hex(), b"PNG!") is None
