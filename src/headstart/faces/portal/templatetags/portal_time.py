"""One form for every time the portal shows: `{{ advisory.patch_at|moment }}`.

The server writes the time in UTC, named so ("2026-12-08 14:00 UTC"), inside a `<time>` element
whose `datetime` is the exact instant; static/portal/local-time.js rewrites the text to the
viewer's time zone, with the zone's name. Without script the UTC text stays, still correct.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def moment(value: dt.datetime | None) -> SafeString | str:
    if value is None:
        return "-"
    if value.tzinfo is None:
        raise ValueError("the portal shows only aware times (USE_TZ)")
    utc = value.astimezone(dt.UTC)
    return format_html('<time datetime="{}">{}</time>', utc.isoformat().replace("+00:00", "Z"),
                       utc.strftime("%Y-%m-%d %H:%M UTC"))
