"""A partner's marked text shown as HTML, safely: no raw HTML of the document reaches the page.

markdown-it-py's "js-default" preset escapes raw HTML and refuses javascript:, vbscript: and
data: links; images are off too, so a document cannot make the browser fetch anything.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_renderer = MarkdownIt("js-default").disable("image")


def to_html(text: str) -> SafeString:
    return mark_safe(_renderer.render(text))  # escaped by the renderer (html=False)
