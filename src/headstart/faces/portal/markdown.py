"""A partner's marked text shown as HTML, safely: no raw HTML of the document reaches the page.

markdown-it-py's "js-default" preset escapes raw HTML and refuses javascript:, vbscript: and
data: links; images are off too, so a document cannot make the browser fetch anything. The
document's headings go one level down: the page's own title is its one h1.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore


def _headings_one_level_down(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


_renderer = MarkdownIt("js-default").disable("image")
_renderer.core.ruler.push("headings_one_level_down", _headings_one_level_down)


def to_html(text: str) -> SafeString:
    return mark_safe(_renderer.render(text))  # escaped by the renderer (html=False)
