"""Shared material for the trigger-language tests: the issue's example, verbatim, and the
marked procedures with their prose carriers."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pytest

from headstart.carriers.prose import ProseCarrier
from headstart.triggers import Spec, build, load_spec, render_procedure

EXAMPLE_SPEC = """\
meta: {id: tim, endian: le}
seq:
  - {id: magic, contents: "TIM1"}
  - {id: width, type: u4}
  - {id: height, type: u4}
  - {id: created, type: u4, doc: "creation time, ignored by decoders"}
  - {id: comment, type: str, size: 16, encoding: ASCII}
  - {id: chunks, type: chunk, repeat: eos}
types:
  chunk:
    seq:
      - {id: kind, type: u2}
      - {id: length, type: u2}
      - {id: body, size: length}
      - {id: crc, type: u4}
x-headstart:
  trigger:                       # every condition must hold for the bug to trigger
    - {field: width, op: ">", value: 0x7fff, why: "width * 4 overflows the 32-bit row size"}
    - {field: "chunks[0].length", op: ">=", value: "height * 2"}
  free:                          # values the vulnerable parser never looks at
    - {field: created, min: 1500000000, max: 1800000000}
    - {field: comment, charset: printable}
  checksums:
    - {field: "chunks[*].crc", algorithm: crc32, over: [kind, body]}
"""


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE_SPEC


@pytest.fixture(scope="session")
def example_spec() -> Spec:
    return load_spec(EXAMPLE_SPEC)


def example_file(spec: Spec, width: int = 0x8000, height: int = 16, first_body: bytes = bytes(range(40)),
                 comment: str = "hello world 1234") -> bytes:
    return build(spec, {
        "width": width, "height": height, "created": 1_700_000_000, "comment": comment,
        "chunks": [{"kind": 1, "body": first_body}, {"kind": 0x20, "body": b"text here"}],
    })


@pytest.fixture(scope="session")
def make_example(example_spec: Spec):
    """Build a file for the example spec; keyword arguments change the trigger fields."""
    return lambda **kw: example_file(example_spec, **kw)


@pytest.fixture(scope="session")
def example_data(example_spec: Spec) -> bytes:
    return example_file(example_spec)


@dataclass(frozen=True)
class Procedure:
    spec: Spec
    marked: str  # render_procedure(spec): the original the prose carrier is given
    carrier: ProseCarrier


@functools.cache
def _procedure(spec_text: str) -> Procedure:
    spec = load_spec(spec_text)
    marked = render_procedure(spec)
    return Procedure(spec, marked, ProseCarrier(marked))


@pytest.fixture(scope="session")
def procedure_of():
    """procedure_of(spec_text) -> Procedure, made once per spec: finding a procedure's
    slots takes seconds."""
    return _procedure
