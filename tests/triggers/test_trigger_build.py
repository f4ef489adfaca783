"""Building files from values, patching fields, recomputing checksums."""

from __future__ import annotations

import zlib

import pytest

from headstart.triggers import TriggerError, build, check, parse, patch, recompute_checksums


def test_build_fills_contents_lengths_and_checksums(example_spec):
    data = build(example_spec, {"width": 0x9000, "height": 2, "created": 1_600_000_000, "comment": "x" * 16,
                                "chunks": [{"kind": 2, "body": b"abcd"}]})
    assert data[:4] == b"TIM1"
    parsed = check(example_spec, data)
    assert parsed["chunks[0].length"].value == 4
    assert parsed["chunks[0].crc"].value == zlib.crc32(b"\x02\x00abcd")


def test_build_refuses_values_that_do_not_fit(example_spec):
    with pytest.raises(TriggerError, match="does not fit"):
        build(example_spec, {"width": 2**32, "height": 1, "created": 0, "comment": "x" * 16, "chunks": []})
    with pytest.raises(TriggerError, match="size 16"):
        build(example_spec, {"width": 1, "height": 1, "created": 0, "comment": "short", "chunks": []})
    with pytest.raises(TriggerError, match="no field named"):
        build(example_spec, {"width": 1, "bogus": 1})
    with pytest.raises(TriggerError, match="no value given"):
        build(example_spec, {"width": 1})


def test_patch_changes_a_field_and_fixes_checksums(example_spec, example_data):
    patched = patch(example_spec, example_data, {"chunks[1].body": b"TEXT HERE", "width": 0xABCDE})
    parsed = check(example_spec, patched)
    assert parsed["width"].value == 0xABCDE and parsed["chunks[1].body"].value == b"TEXT HERE"


def test_patch_refuses_a_change_of_layout(example_spec, example_data):
    with pytest.raises(TriggerError, match="layout"):
        patch(example_spec, example_data, {"chunks[0].length": 10})
    with pytest.raises(TriggerError, match="takes 3 bytes"):
        patch(example_spec, example_data, {"chunks[1].body": b"abc"})


def test_recompute_checksums_repairs_an_edited_file(example_spec, example_data):
    edited = bytearray(example_data)
    edited[36] = 0x99
    repaired = recompute_checksums(example_spec, bytes(edited))
    check(example_spec, repaired)
    assert parse(example_spec, repaired)["chunks[0].body"].value[0] == 0x99
