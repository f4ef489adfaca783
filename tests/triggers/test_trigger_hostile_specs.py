"""Hostile specifications are refused with a SpecError, never a RecursionError or ValueError."""

from __future__ import annotations

import pytest

from headstart.triggers import SpecError, decode_spec, load_spec

HOSTILE = {
    "deep list": (lambda spec: "meta: {id: x}\nseq: " + "[" * 5000 + "]" * 5000 + "\n",
                  "nested more than 64 levels deep"),
    "deep mapping": (lambda spec: "meta: {id: x}\nseq: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
                     "nested more than 64 levels deep"),
    "deep expression": (lambda spec: spec.replace('"height * 2"', "'" + "(" * 900 + "1" + ")" * 900 + "'"),
                        "nested too deeply"),
    "5,000-digit integer": (lambda spec: spec.replace("0x7fff", "9" * 5000), "a number of 5000 characters"),
    "5,000-digit index": (lambda spec: spec.replace("chunks[0].length", f"chunks[{'9' * 5000}].length"),
                          "malformed index"),
    "two byte order marks": (lambda spec: "\ufeff\ufeff" + spec, "unknown key"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_is_a_spec_error(example_text, case):
    make, says = HOSTILE[case]
    with pytest.raises(SpecError, match=says):
        load_spec(make(example_text))


def test_spec_bytes_are_decoded_strictly(example_text):
    with pytest.raises(SpecError, match=r"not UTF-8 text \(byte 19 is 0xff\)"):
        decode_spec(b"meta: {id: x}\ndoc: \xff\n")
    assert load_spec(decode_spec(b"\xef\xbb\xbf" + example_text.encode())).id == "tim"  # one leading BOM is YAML's
