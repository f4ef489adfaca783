"""The procedure partners receive: parse steps, checksums, conditions; never the marks."""

from __future__ import annotations

import markdown
from bs4 import BeautifulSoup

from headstart.triggers import load_spec, render_procedure


def test_procedure_lists_every_field_with_offset_type_and_size(example_spec):
    text = render_procedure(example_spec)
    assert "| 2 | 0x4 | `width` | u4le | 4 |" in text
    assert "| 5 | 0x10 | `comment` | str (ASCII) | 16 |" in text
    assert "| 6 | 0x20 | `chunks` | `chunk`, repeated to the end |" in text
    assert "| 3 | +0x4 | `body` | bytes | `length` |" in text
    assert "| 4 | +0x4 + length | `crc` | u4le | 4 |" in text
    assert 'must be `54 49 4d 31` ("TIM1")' in text


def test_procedure_states_checksums_and_conditions_with_their_reasons(example_spec):
    text = render_procedure(example_spec)
    assert "`chunks[*].crc` (u4le) is the CRC-32" in text and "`kind` then `body`" in text
    assert "1. `width > 0x7fff`: width * 4 overflows the 32-bit row size" in text
    assert "2. `chunks[0].length >= height * 2`" in text


def test_procedure_never_reveals_the_free_block(example_spec, example_text):
    text = render_procedure(example_spec).lower()
    for word in ("free", "mark", "slot", "1500000000", "1800000000", "printable", "watermark", "x-headstart"):
        assert word not in text
    # the author's own documentation is shown as written
    assert "creation time, ignored by decoders" in text


def test_procedure_renders_as_markdown_tables(example_spec):
    html = markdown.markdown(render_procedure(example_spec), extensions=["tables"])
    soup = BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table")
    assert len(tables) == 2
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in tables[0].find_all("tr")[1:]]
    assert [r[2] for r in rows] == ["magic", "width", "height", "created", "comment", "chunks"]
    first_condition = soup.find_all("ol")[0].find("li")
    assert first_condition.get_text().startswith("width > 0x7fff")


def test_in_lists_and_repeats_read_naturally():
    spec = load_spec("""
meta: {id: p, endian: be}
seq:
  - {id: n, type: u1, doc: "count | of items"}
  - {id: xs, type: u2, repeat: expr, repeat-expr: n}
  - {id: tail, type: u1}
x-headstart:
  trigger:
    - {field: "xs[*]", op: in, value: [1, 2], why: both are pixel kinds}
    - {field: tail, op: not-in, value: [0]}
""")
    text = render_procedure(spec)
    assert "big-endian" in text
    assert "u2be, repeated `n` times" in text
    assert "| 3 | 0x1 + size of xs | `tail` |" in text
    assert "count \\| of items" in text
    assert "`xs[*] is one of [1, 2]` (for every element the path names): both are pixel kinds" in text
    assert "`tail is none of [0]`" in text
