"""`{{ advisory.patch_at|countdown }}`: how long until a time, as the server sees it now
("in 3 days 4 hours", "2 hours ago"), in an element static/portal/countdown.js keeps current."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def span_text(seconds: float) -> str:
    """A duration in its two largest units: "3 days 4 hours", "5 hours 10 minutes", "1 minute"."""
    minutes = int(abs(seconds)) // 60
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(mins, 'minute')}" if mins else "")
    return _plural(mins, "minute") if mins else "less than a minute"


def relative(value: dt.datetime, now: dt.datetime) -> str:
    seconds = (value - now).total_seconds()
    return f"in {span_text(seconds)}" if seconds >= 0 else f"{span_text(seconds)} ago"


@register.filter
def countdown(value: dt.datetime | None) -> SafeString | str:
    if value is None:
        return "-"
    utc = value.astimezone(dt.UTC)
    return format_html('<span class="countdown" data-until="{}">{}</span>',
                       utc.isoformat().replace("+00:00", "Z"), relative(value, timezone.now()))
