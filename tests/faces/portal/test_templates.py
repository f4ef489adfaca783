"""The portal's templates as text: rules a rendered page cannot show by itself."""

from __future__ import annotations

import re
from pathlib import Path

import headstart

TEMPLATES = sorted(Path(headstart.__file__).parent.rglob("templates/**/*.html"))
# Django's {# ... #} comment is one line only: one that spans lines is printed into the page.
MULTILINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n", re.DOTALL)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


def test_no_template_has_a_comment_django_would_print_into_the_page():
    printed = [f"{path.relative_to(Path(headstart.__file__).parent)}:{text.count(chr(10), 0, m.start()) + 1}"
               for path in TEMPLATES for text in [path.read_text()] for m in MULTILINE_COMMENT.finditer(text)]
    assert printed == []
