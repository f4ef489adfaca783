"""Names and titles people read: refuse characters that hide or disguise what is shown.

Control characters break one-line output and logs; format characters (bidi overrides,
zero-width characters, byte order marks) make a name read differently from what it is,
so an impostor partner or a misleading advisory title could pass for another.
"""

from __future__ import annotations

import unicodedata

from headstart.errors import Invalid

# Cc control, Cf format (bidi, zero-width, BOM), Cs surrogates, Zl/Zp line and paragraph separators.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def check_visible(value: str, what: str) -> str:
    """``value`` unchanged, or Invalid naming the first hidden character and its position."""
    for index, char in enumerate(value):
        if unicodedata.category(char) in _HIDDEN:
            raise Invalid(f"{what} {value!r} contains the invisible or control character U+{ord(char):04X} "
                          f"at position {index + 1}; use printable characters only")
    return value
