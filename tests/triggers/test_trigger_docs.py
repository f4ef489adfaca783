"""The language reference stays true: its example is the issue's, and it loads."""

from __future__ import annotations

import re
from pathlib import Path

from headstart.triggers import load_spec

DOC = Path(__file__).resolve().parents[2] / "docs" / "trigger-spec.md"


def test_reference_example_is_the_issue_example_verbatim(example_text):
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert blocks[0] == example_text
    assert load_spec(blocks[0]).id == "tim"


def test_reference_names_every_operator_and_algorithm():
    text = DOC.read_text()
    for word in ("`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`", "`in`", "`not-in`",
                 "`crc32`", "`adler32`", "`sum8`", "`sum16`", "`sum32`", "`xor8`", "`inet16`"):
        assert word in text
