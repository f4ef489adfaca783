"""Tolerant lexers for Python and C source, used to build templates and to read leaks.

They never fail: leaked code arrives cut mid-string, re-wrapped, or with forum text
around it, so an unterminated string or comment simply runs to the end of its line (or
of the text). Callers that need the original to be well formed check ``Token.closed``.
Whitespace is dropped; comments are kept as tokens (they hold renamable words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # name number string fstring char op comment pp other
    text: str
    start: int
    end: int
    closed: bool = True  # False for an unterminated string, char or comment


_PY_STRING_PREFIX = r"(?:[rRbBuUfF]{1,2})?"
_PY = re.compile(
    r"""
    (?P<ws>[ \t\f\r\n]+|\\\r?\n)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>"""
    + _PY_STRING_PREFIX
    + r"""(?:
        '''(?:[^\\]|\\.)*?(?:'''|\Z)
      | \"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)
      | '(?:[^'\\\r\n]|\\.)*(?:'|(?=[\r\n])|\Z)
      | "(?:[^"\\\r\n]|\\.)*(?:"|(?=[\r\n])|\Z)
    ))
  | (?P<number>(?:\d|\.\d)(?:[eE][+-]|[\w.])*)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*=|//=|>>=|<<=|->|:=|\.\.\.|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>|[-+*/%&|^~@<>=.,:;()\[\]{}])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _py_string_closed(text: str) -> bool:
    body = text.lstrip("rRbBuUfF")
    for q in ('"""', "'''", '"', "'"):
        if body.startswith(q):
            if len(body) < 2 * len(q) or not body.endswith(q):
                return False
            inner = body[len(q) : -len(q)]
            return (len(inner) - len(inner.rstrip("\\"))) % 2 == 0
    return False


def lex_python(source: str, line_comments: bool = True) -> list[Token]:
    """Python tokens. With ``line_comments`` False a ``#`` is an ordinary token and what
    follows is lexed as code: in a leak whose line breaks were lost, the first comment
    would otherwise swallow the rest of the file."""
    out: list[Token] = []
    for m in _PY.finditer(source):
        kind = m.lastgroup
        assert kind is not None  # every alternative of the pattern is a named group
        if kind == "ws":
            continue
        if kind == "comment" and not line_comments:
            out.append(Token("other", "#", m.start(), m.start() + 1))
            out.extend(
                Token(t.kind, t.text, t.start + m.start() + 1, t.end + m.start() + 1, t.closed)
                for t in lex_python(m.group()[1:], line_comments=False)
            )
            continue
        text = m.group()
        closed = True
        if kind == "string":
            prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
            if "f" in prefix.lower():
                kind = "fstring"
            closed = _py_string_closed(text)
        out.append(Token(kind, text, m.start(), m.end(), closed))
    return out


_C = re.compile(
    r"""
    (?P<nl>\r?\n)
  | (?P<ws>[ \t\f\v]+|\\\r?\n)
  | (?P<comment>//(?:[^\r\n\\]|\\\r?\n|\\.)*|/\*.*?(?:\*/|\Z))
  | (?P<string>(?:u8|[uUL])?"(?:[^"\\\r\n]|\\\r?\n|\\.)*(?:"|(?=[\r\n])|\Z))
  | (?P<char>(?:[uUL])?'(?:[^'\\\r\n]|\\.)*(?:'|(?=[\r\n])|\Z))
  | (?P<number>\.?\d(?:[eEpP][+-]|[\w.])*)
  | (?P<name>[A-Za-z_$]\w*)
  | (?P<op>%:%:|\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|\#\#|<:|:>|<%|%>|%:|[-+*/%&^|~!=<>?:;,.()\[\]{}\#])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_PP_LINE = re.compile(r"(?:[^\\\r\n]|\\(?:\r?\n|.))*")


def lex_c(source: str, directives: bool = True, line_comments: bool = True) -> list[Token]:
    """C tokens; a preprocessor directive (``#`` first on its line) is one ``pp`` token
    running to the end of its logical line, comments included. With ``directives``
    False, ``#`` is an ordinary token: leaks whose line breaks were lost (a web form
    collapsed them) must not swallow the rest of the file into one directive; with
    ``line_comments`` False, ``//`` is two operators, for the same reason."""
    out: list[Token] = []
    pos = 0
    at_line_start = True
    n = len(source)
    while pos < n:
        m = _C.match(source, pos)
        assert m is not None  # the pattern ends with a catch-all
        kind = m.lastgroup
        assert kind is not None  # every alternative of the pattern is a named group
        text = m.group()
        if kind == "nl":
            at_line_start = True
            pos = m.end()
            continue
        if kind == "ws":
            pos = m.end()
            continue
        if kind == "op" and text in ("#", "%:") and at_line_start and directives:
            end = _pp_end(source, pos)
            out.append(Token("pp", source[pos:end], pos, end))
            pos = end
            continue
        if kind == "comment" and text.startswith("//") and not line_comments:
            out.append(Token("op", "/", pos, pos + 1))
            out.append(Token("op", "/", pos + 1, pos + 2))
            pos += 2
            at_line_start = False
            continue
        if kind == "comment":
            closed = text.startswith("//") or (len(text) >= 4 and text.endswith("*/"))
            out.append(Token("comment", text, m.start(), m.end(), closed))
            pos = m.end()
            if "\n" in text:
                at_line_start = False
            continue
        at_line_start = False
        closed = True
        if kind in ("string", "char"):
            quote = '"' if kind == "string" else "'"
            body = text.lstrip("uUL8")
            closed = len(body) >= 2 and body.endswith(quote) and not _c_escaped_end(body)
        out.append(Token(kind, text, m.start(), m.end(), closed))
        pos = m.end()
    return out


def _c_escaped_end(body: str) -> bool:
    inner = body[1:-1]
    backslashes = len(inner) - len(inner.rstrip("\\"))
    return backslashes % 2 == 1


def _pp_end(source: str, pos: int) -> int:
    """End of the logical line starting at ``pos``, skipping over block comments that
    span lines (they belong to the directive)."""
    i = pos
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "\r\n":
            i += 2 if source[i + 1] == "\n" or source[i + 1 : i + 3] != "\r\n" else 3
            continue
        if ch == "/" and source.startswith("/*", i):
            close = source.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        if ch == "/" and source.startswith("//", i):
            nl = source.find("\n", i)
            return n if nl < 0 else (nl - 1 if source[nl - 1] == "\r" else nl)
        if ch in "\r\n":
            return i
        if ch in "\"'":
            m = re.compile(ch + r"(?:[^" + ch + r"\\\r\n]|\\.)*(?:" + ch + ")?").match(source, i)
            i = m.end() if m else i + 1
            continue
        i += 1
    return n
