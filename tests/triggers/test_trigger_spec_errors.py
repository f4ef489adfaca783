"""Every malformed specification is rejected with the line and the problem."""

from __future__ import annotations

import pytest

from headstart.triggers import SpecError, TriggerError, load_spec

HEAD = "meta: {id: t, endian: le}\nseq:\n"  # lines 1-2; fields start on line 3


def spec(*lines: str) -> str:
    return HEAD + "\n".join(lines) + "\n"


CASES = [
    ("not valid YAML", "meta: {id: t\nseq: [", 2, "not valid YAML"),
    ("unknown top-level key", "meta: {id: t}\nseq:\n  - {id: a, type: u1}\ninstances: {}\n", 4, "unknown key 'instances'"),
    ("missing meta", "seq:\n  - {id: a, type: u1}\n", 1, "meta"),
    ("bad meta id", "meta: {id: Bad-Id}\nseq:\n  - {id: a, type: u1}\n", 1, "meta.id"),
    ("bad endian", "meta: {id: t, endian: middle}\nseq:\n  - {id: a, type: u1}\n", 1, "meta.endian"),
    ("no seq", "meta: {id: t}\n", 1, "seq"),
    ("duplicate key", spec("  - {id: a, type: u1}", "  - id: b", "    type: u1", "    type: u2"), 6, "duplicate key"),
    ("unknown field key", spec("  - {id: a, type: u1}", "  - {id: b, typo: u1}"), 4, "unknown key 'typo'"),
    ("field without id", spec("  - {type: u1}"), 3, "needs an id"),
    ("duplicate field id", spec("  - {id: a, type: u1}", "  - {id: a, type: u2}"), 4, "used twice"),
    ("unknown type", spec("  - {id: a, type: u3}"), 3, "unknown type 'u3'"),
    ("multi-byte int without endian",
     "meta: {id: t}\nseq:\n  - {id: a, type: u1}\n  - {id: b, type: u4}\n", 4, "byte order"),
    ("str without encoding", spec("  - {id: s, type: str, size: 4}"), 3, "encoding"),
    ("unknown encoding", spec("  - {id: s, type: str, size: 4, encoding: KLINGON}"), 3, "unknown encoding"),
    ("raw bytes without size", spec("  - {id: a, type: u1}", "  - {id: b}"), 4, "need a size"),
    ("size on an integer", spec("  - {id: a, type: u2, size: 4}"), 3, "fixed size"),
    ("contents with a type", spec("  - {id: m, contents: AB, type: u2}"), 3, "contents fixes"),
    ("bad repeat", spec("  - {id: a, type: u1, repeat: forever}"), 3, "repeat must be"),
    ("repeat expr without count", spec("  - {id: a, type: u1, repeat: expr}"), 3, "repeat-expr"),
    ("size refers to a later field", spec("  - {id: b, size: n}", "  - {id: n, type: u1}"), 3, "read after"),
    ("size refers to no field", spec("  - {id: b, size: nope}"), 3, "no field 'nope'"),
    ("expression syntax", spec("  - {id: n, type: u1}", "  - {id: b, size: 'n +* 2'}"), 4, "unexpected"),
    ("chained comparison", spec("  - {id: n, type: u1}", "  - {id: b, type: u1, if: 'n < 2 < 3'}"), 4, "chain"),
    ("anchor and alias", "meta: &m {id: t}\nseq:\n  - {id: a, type: u1}\nx: *m\n", 4, "aliases"),
]

X_HEAD = spec("  - {id: w, type: u4}", "  - {id: n, type: u1}", "  - {id: t, type: u1}",
              "  - {id: body, size: n}", "  - {id: c, type: u2}", "  - {id: s, type: str, size: 4, encoding: ASCII}")
# X_HEAD ends on line 8; x-headstart starts on line 9
X_CASES = [
    ("unknown operator", "  trigger:\n    - {field: w, op: '=>', value: 1}", 11, "unknown operator"),
    ("trigger path to nothing", "  trigger:\n    - {field: width, op: '>', value: 1}", 11, "no field 'width'"),
    ("in without a list", "  trigger:\n    - {field: w, op: in, value: 3}", 11, "list of values"),
    ("list without in", "  trigger:\n    - {field: w, op: '==', value: [1, 2]}", 11, "op in or not-in"),
    ("trigger value names no field", "  trigger:\n    - {field: w, op: '>', value: 'q * 2'}", 11, "no field 'q'"),
    ("trigger without value", "  trigger:\n    - {field: w, op: '>'}", 11, "needs value"),
    ("index on a plain field", "  trigger:\n    - {field: 'w[0]', op: '>', value: 1}", 11, "not repeated"),
    ("free min above max", "  free:\n    - {field: t, min: 9, max: 3}", 11, "min <= max"),
    ("free range outside the type", "  free:\n    - {field: t, min: 0, max: 300}", 11, "u1"),
    ("charset on an integer", "  free:\n    - {field: t, charset: printable}", 11, "charset applies"),
    ("unknown charset", "  free:\n    - {field: s, charset: klingon}", 11, "charset must be"),
    ("free field the parser reads", "  free:\n    - {field: n}", 11, "read by the size of body"),
    ("free field the trigger tests", "  trigger:\n    - {field: t, op: '>', value: 1}\n  free:\n    - {field: t}",
     13, "tested by the trigger condition on line 11"),
    ("free field that is a checksum",
     "  checksums:\n    - {field: c, algorithm: sum16, over: [body]}\n  free:\n    - {field: c}", 13, "checksum"),
    ("unknown checksum", "  checksums:\n    - {field: c, algorithm: md5, over: [body]}", 11, "unknown checksum algorithm"),
    ("checksum too wide", "  checksums:\n    - {field: c, algorithm: crc32, over: [body]}", 11, "needs 32"),
    ("checksum over nothing", "  checksums:\n    - {field: c, algorithm: sum8, over: [nothing]}", 11, "no field 'nothing'"),
    ("checksum over itself", "  checksums:\n    - {field: c, algorithm: sum8, over: [body, c]}", 11, "itself"),
    ("checksum on text", "  checksums:\n    - {field: s, algorithm: sum8, over: [body]}", 11, "must be an integer"),
    ("unknown x-headstart key", "  marks:\n    - {field: t}", 10, "unknown key 'marks'"),
]


@pytest.mark.parametrize("name,text,line,fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_spec_names_line_and_problem(name, text, line, fragment):
    with pytest.raises(SpecError) as err:
        load_spec(text)
    assert err.value.line == line, str(err.value)
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"line {line}: ")


@pytest.mark.parametrize("name,block,line,fragment", X_CASES, ids=[c[0] for c in X_CASES])
def test_malformed_x_headstart_names_line_and_problem(name, block, line, fragment):
    assert load_spec(X_HEAD)  # the head alone is fine
    with pytest.raises(SpecError) as err:
        load_spec(X_HEAD + "x-headstart:\n" + block + "\n")
    assert err.value.line == line, str(err.value)
    assert fragment in str(err.value)


def test_spec_errors_are_value_errors():
    with pytest.raises(ValueError):
        load_spec("")
    assert issubclass(SpecError, TriggerError)


def test_yaml_tags_that_build_objects_are_refused():
    text = "meta: {id: t}\nseq: !!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(SpecError) as err:
        load_spec(text)
    assert err.value.line == 2


def test_non_text_spec_is_refused():
    with pytest.raises(SpecError):
        load_spec(b"meta: {id: t}")  # type: ignore[arg-type]


def test_a_free_field_in_another_element_than_the_trigger_is_allowed():
    text = spec("  - {id: items, type: item, repeat: eos}") + (
        "types:\n  item:\n    seq:\n      - {id: k, type: u1}\n"
        "x-headstart:\n  trigger:\n    - {field: 'items[0].k', op: in, value: [1, 2]}\n"
        "  free:\n    - {field: 'items[1:].k', values: [7, 8]}\n")
    loaded = load_spec(text)
    assert [str(f.path) for f in loaded.free] == ["items[1:].k"]
    with pytest.raises(SpecError, match="tested by the trigger"):
        load_spec(text.replace("items[1:].k", "items[*].k"))
