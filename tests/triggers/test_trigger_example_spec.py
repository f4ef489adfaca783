"""The issue's example specification works exactly as written."""

from __future__ import annotations

import re
import zlib

from headstart.triggers import check, evaluate, load_spec, mark_slots, parse, render_procedure


def test_example_spec_loads_as_written(example_text):
    spec = load_spec(example_text)
    assert spec.id == "tim" and spec.endian == "le"
    assert [f.id for f in spec.root.fields] == ["magic", "width", "height", "created", "comment", "chunks"]
    assert [f.id for f in spec.types["chunk"].fields] == ["kind", "length", "body", "crc"]
    assert [(str(c.path), c.op, c.value_text) for c in spec.trigger] == [
        ("width", ">", "0x7fff"), ("chunks[0].length", ">=", "height * 2")]
    assert [str(f.path) for f in spec.free] == ["created", "comment"]
    assert [(str(c.path), c.algorithm, [str(p) for p in c.over]) for c in spec.checksums] == [
        ("chunks[*].crc", "crc32", ["kind", "body"])]


def test_example_file_parses_with_every_offset(example_spec, example_data):
    parsed = parse(example_spec, example_data)
    layout = [(f.path, f.offset, f.size) for f in parsed.fields]
    assert layout == [
        ("magic", 0, 4), ("width", 4, 4), ("height", 8, 4), ("created", 12, 4), ("comment", 16, 16),
        ("chunks[0].kind", 32, 2), ("chunks[0].length", 34, 2), ("chunks[0].body", 36, 40),
        ("chunks[0].crc", 76, 4),
        ("chunks[1].kind", 80, 2), ("chunks[1].length", 82, 2), ("chunks[1].body", 84, 9),
        ("chunks[1].crc", 93, 4),
    ]
    assert parsed["width"].value == 0x8000
    assert parsed["comment"].value == "hello world 1234"
    assert parsed["chunks[0].crc"].value == zlib.crc32(b"\x01\x00" + bytes(range(40)))


def test_example_trigger_explains_each_condition(example_spec, example_data):
    results = evaluate(example_spec, parse(example_spec, example_data))
    assert [r.explanation for r in results] == [
        "width = 0x8000 > 0x7fff: holds",
        "chunks[0].length = 40 >= height * 2 = 32: holds",
    ]
    assert all(r.holds for r in results)
    check(example_spec, example_data)


def test_example_procedure_and_slots(example_spec, example_data):
    text = render_procedure(example_spec, marks=False)
    assert re.search(r"`width > 0x7fff` \(for example `0x[0-9a-f]{8}`, but not `0x[0-9a-f]{8}`\): "
                     r"width \* 4 overflows the 32-bit row size", text)
    keys = [s.key for s in mark_slots(example_spec, example_data)]
    assert keys[:16] == [f"width#bit{i}" for i in range(16)]
    assert "created#bit0" in keys and "comment[0]" in keys
