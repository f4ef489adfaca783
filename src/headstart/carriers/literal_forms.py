"""Other spellings of the same literal: the literal slots of the Python and C source carriers.

Every alternative has the original's value (and, in C, its type) and survives the
formatters a leaker runs: base and digit grouping survive black, ruff and autopep8 (which
upper-case hex digits, so case alone is read only from a leak that is not formatted that
way); hex digit case and a lone ``u`` suffix survive clang-format. Each function returns
the original spelling first, or [] when a literal has no plausible alternative.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from headstart.carriers._lexers import Token
from headstart.carriers.source_common import MAX_ALTERNATIVES


def _group(digits: str, size: int) -> str:
    head = len(digits) % size or size
    return "_".join([digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)])


def _round_in_binary(v: int) -> bool:
    """A value its author may as well have written in hex: 2**n, 2**n - 1, or whole 0x100s."""
    return v >= 16 and (v & (v - 1) == 0 or (v + 1) & v == 0 or (v % 0x100 == 0 and v <= 0x100000))


def _other_case(hex_digits: str) -> str:
    """Hex digits in the other case: upper unless they are all upper already."""
    return hex_digits.upper() if hex_digits != hex_digits.upper() else hex_digits.lower()


# -- Python -------------------------------------------------------------------------


def int_alternatives(text: str) -> list[str]:
    """Spellings of the same integer value, ``text`` first; [] when none is plausible."""
    try:
        value = int(text.replace("_", ""), 0)
    except ValueError:
        return []
    if value < 10:
        return []
    low = text.lower()
    alts = [text]
    if low.startswith("0x"):
        digits = low[2:].replace("_", "")
        spelled = text[2:]
        if any(c in "abcdef" for c in digits):
            alts.append(text[:2] + _other_case(spelled))
        if len(digits) >= 5:
            regrouped = digits if "_" in spelled else _group(digits, 4)
            case = str.upper if spelled.isupper() and any(c in "abcdef" for c in digits) else str.lower
            alts.append("0x" + case(regrouped))
        if value <= 0xFFFF:
            alts.append(str(value))
    elif low[0] != "0":
        if value >= 10_000:
            alts.append(str(value) if "_" in text else _group(str(value), 3))
        if _round_in_binary(value):
            alts.append(hex(value))
            if any(c in "abcdef" for c in f"{value:x}"):
                alts.append(f"0x{value:X}")
    else:
        return []
    out: list[str] = []
    for alt in alts:
        if alt not in out and int(alt.replace("_", ""), 0) == value:
            out.append(alt)
    return out[:MAX_ALTERNATIVES]


def classify_int_spelling(text: str, alternatives: Sequence[str], canonical_hex: bool) -> int | None:
    """Which spelling a leaked literal shows. Black and ruff upper-case hex digits, so when
    the whole leak looks formatted that way, case alone decides nothing."""
    folded = [k for k, a in enumerate(alternatives) if a.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    exact = [k for k in folded if alternatives[k] == text]
    if exact and not canonical_hex:
        return exact[0]
    return None


def hex_is_canonical(tokens: Sequence[Token]) -> bool:
    """True when no hex literal in the leak has a lower-case digit (black/ruff output)."""
    for tok in tokens:
        if tok.kind == "number" and tok.text[:2].lower() == "0x" and any(c in "abcdef" for c in tok.text[2:]):
            return False
    return True


_BYTE_UNIT = re.compile(r"\\x[0-9a-fA-F]{2}|\\[0-7]{1,3}|\\.|\\\n|[^\\]", re.DOTALL)
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ")


def bytes_alternatives(text: str) -> list[str]:
    """``text`` and one equivalent spelling of a short bytes literal (chars <-> \\x escapes,
    \\x00 <-> \\0), or [] when the literal has none."""
    prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
    if prefix.lower() != "b":
        return []
    rest = text[len(prefix) :]
    if rest[:3] in ('"""', "'''") or len(rest) < 2:
        return []
    quote, body = rest[0], rest[1:-1]
    units = _BYTE_UNIT.findall(body)
    if "".join(units) != body or any(u.startswith("\\\n") for u in units):
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    plain = [len(u) == 1 and u in _PLAIN for u in units]
    # int(u[2:], 16) reads the two digits of a \xNN escape (FURB166 takes it for a 0x literal).
    escaped_plain = [u.startswith("\\x") and chr(int(u[2:], 16)) in _PLAIN for u in units]  # noqa: FURB166
    flip_chars = 1 < len(value) <= 8 and (all(plain) or all(escaped_plain))
    out_units: list[str] = []
    for i, u in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else ""
        if flip_chars and plain[i]:
            out_units.append(f"\\x{ord(u):02x}")
        elif flip_chars and escaped_plain[i]:
            out_units.append(chr(int(u[2:], 16)))  # noqa: FURB166
        elif u.lower() == "\\x00" and not (nxt[:1].isdigit() and nxt[:1] in "01234567"):
            out_units.append("\\0")
        elif u == "\\0" and not (nxt[:1] in "01234567" and nxt[:1] != ""):
            out_units.append("\\x00")
        else:
            out_units.append(u)
    alt = prefix + quote + "".join(out_units) + quote
    if alt == text:
        return []
    try:
        if ast.literal_eval(alt) != value:
            return []
    except (ValueError, SyntaxError):
        return []
    return [text, alt]


def bytes_body(text: str) -> str:
    """The inside of a string literal with hex escapes lower-cased (black does that)."""
    rest = text.lstrip("rRbBuUfF")
    q = 3 if rest[:3] in ('"""', "'''") else 1
    body = rest[q:-q] if len(rest) >= 2 * q else rest[q:]
    return _BYTE_UNIT.sub(lambda m: m.group().lower() if m.group().startswith("\\x") else m.group(), body)


# -- C ------------------------------------------------------------------------------

# A C integer constant: its digits (hex, octal or decimal) and its suffix.
C_INT_LITERAL = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uU]?(?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU])")


def c_int_alternatives(text: str) -> list[str]:
    """Spellings of the same integer constant *with the same type*, ``text`` first."""
    m = C_INT_LITERAL.fullmatch(text)
    if m is None:
        return []
    digits, suffix = m.groups()
    is_hex = digits[:2].lower() == "0x"
    if not is_hex and digits.startswith("0"):
        return []  # octal (and 0): no plausible alternative
    value = int(digits, 16) if is_hex else int(digits)
    unsigned = "u" in suffix.lower()
    same_type_in_both_bases = unsigned or value <= 0x7FFFFFFF
    alts = [text]
    if is_hex and any(c in "abcdefABCDEF" for c in digits[2:]):
        body = digits[2:]
        alts.append(digits[:2] + _other_case(body) + suffix)
    if suffix in ("u", "U"):
        alts.append(digits + ("U" if suffix == "u" else "u"))
    if same_type_in_both_bases:
        if is_hex and 10 <= value <= 0xFFFF:
            alts.append(str(value) + suffix)
        elif not is_hex and _round_in_binary(value):
            alts.append(hex(value) + suffix)
    out: list[str] = []
    for alt in alts:
        if alt not in out:
            out.append(alt)
    return out[:MAX_ALTERNATIVES] if len(out) > 1 else []
