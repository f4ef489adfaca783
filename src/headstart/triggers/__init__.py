"""The trigger specification language: a Kaitai-style YAML description of a binary format
plus the ``x-headstart`` block (trigger conditions, free fields, checksums).

    spec = load_spec(text)                 # SpecError names the line and the problem
    parsed = parse(spec, data)             # every field with path, offset, size, value
    results = evaluate(spec, parsed)       # each condition: holds, explanation
    check(spec, data)                      # TriggerNotMetError names what fails
    render_procedure(spec)                 # the Markdown procedure, with {{a|b}} wordings for the prose carrier
    plain_procedure(spec)                  # the same, first wording of each: as sent unmarked
    mark_slots(spec, data)                 # where copies may differ

The YAML is data only (SafeLoader, no aliases) and expressions are parsed by a small
parser of our own: nothing in a specification is ever executed.
"""

from .binparse import parse
from .build import build, encode_value, patch, recompute_checksums
from .checksums import ALGORITHMS, adler32, checksum, crc32, sum8, sum16, sum32, xor8
from .conditions import ChecksumResult, ConditionResult, check, checksum_jobs, verify_checksums
from .conditions import evaluate_all as evaluate
from .dumps import bytes_from_text
from .errors import ParseError, SpecError, TriggerError, TriggerNotMetError
from .expr import Expr, ExprError, ExprSyntaxError, parse_expr
from .marks import MarkSlot, SlotWriter, find_slots, mark_slots, read_slots
from .parsed import Field, ParsedFile, Struct
from .paths import Path, parse_path
from .procedure import plain_procedure, render_procedure
from .spec import ChecksumDef, Condition, FieldDef, FreeField, Spec, TypeDef
from .specload import decode_spec, load_spec

__all__ = [
    "ALGORITHMS", "ChecksumDef", "ChecksumResult", "Condition", "ConditionResult", "Expr", "ExprError",
    "ExprSyntaxError", "Field", "FieldDef", "FreeField", "MarkSlot", "ParseError", "ParsedFile", "Path",
    "SlotWriter", "Spec", "SpecError", "Struct", "TriggerError", "TriggerNotMetError", "TypeDef",
    "adler32", "build", "bytes_from_text", "check", "checksum", "checksum_jobs", "crc32", "decode_spec", "encode_value",
    "evaluate", "find_slots", "load_spec", "mark_slots", "parse", "parse_expr", "parse_path", "patch", "plain_procedure",
    "read_slots", "recompute_checksums", "render_procedure", "sum8", "sum16", "sum32", "verify_checksums",
    "xor8",
]
