"""The source carriers' view of code, for callers outside the carriers (the leak battery).

A leak transform that renames identifiers or strips comments must tokenise source the way
the carriers read it back, and must leave alone the names the carriers never rename. The
lexers and name sets stay private to the carriers; this module is their public face.
"""

from __future__ import annotations

from headstart.carriers._lexers import Token, lex_c, lex_python
from headstart.carriers._names import C_KEYWORDS, C_LIBRARY_NAMES, PYTHON_RESERVED

__all__ = ["C_KEYWORDS", "C_LIBRARY_NAMES", "PYTHON_RESERVED", "Token", "lex_c", "lex_python"]
