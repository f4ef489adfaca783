"""Staff: the audit log, newest first, filtered; and the chain check `headstart audit verify` runs.

Reading the log is not itself an audit event, as with `headstart audit list` and GET /api/v1/audit.
The partner filter is audit.queries' (the events on the partner, by its users, on its users, or
naming it in their details), the one the CLI and the API use.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.queries import events_about_partner
from headstart.apps.partners.models import Partner
from headstart.apps.program.checkpoints import verify_with_checkpoints
from headstart.faces.portal.staff import staff_page

PAGE_SIZE = 50
_ACTION = re.compile(r"^[a-z0-9_.-]{1,80}$")
# <input type="datetime-local"> sends 2026-12-08T14:00; a date alone means its midnight (UTC).
_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
_TIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AuditFilter(forms.Form):
    partner = forms.CharField(required=False, max_length=200, label="Partner",
                              help_text="Events on the partner, by its users, on its users, or naming it.")
    actor = forms.CharField(required=False, max_length=320, label="Actor",
                            help_text="Who acted: a user's e-mail address, cli or system.")
    action = forms.CharField(required=False, max_length=80, label="Action",
                             help_text="The action or its start, e.g. partner. or partner.expel")
    since = forms.DateTimeField(required=False, input_formats=_TIME_FORMATS, label="From (UTC)", widget=_TIME_INPUT)
    until = forms.DateTimeField(required=False, input_formats=_TIME_FORMATS, label="Until (UTC)", widget=_TIME_INPUT)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_partner(self) -> str:
        name = self.cleaned_data["partner"].strip()
        if name and not Partner.objects.filter(name=name).exists():
            raise forms.ValidationError(f"There is no partner named {name!r}.")
        return name

    def clean_action(self) -> str:
        action = self.cleaned_data["action"].strip()
        if action and not _ACTION.match(action):
            raise forms.ValidationError("An action is lower-case letters, digits, dots, dashes and underscores, "
                                        "such as partner.suspend.")
        return action

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            raise forms.ValidationError("The time range is empty: From must come before Until.")
        return data


def _events(data: dict[str, Any]) -> tuple[list[AuditEvent], int | None]:
    """One page of events, newest first, and the cursor of the next (older) page, if any."""
    qs: QuerySet[AuditEvent] = AuditEvent.objects.order_by("-seq")
    if data.get("before"):
        qs = qs.filter(seq__lt=data["before"])
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"])
    if data.get("actor"):
        qs = qs.filter(actor=data["actor"].strip())
    if data.get("since"):
        qs = qs.filter(at__gte=data["since"])
    if data.get("until"):
        qs = qs.filter(at__lt=data["until"])
    if data.get("partner"):
        page = list(islice(events_about_partner(qs, data["partner"]), PAGE_SIZE + 1))
    else:
        page = list(qs[:PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return page, (page[-1].seq if more and page else None)


def _rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    return [{"event": e, "details": json.dumps(e.details, indent=2, sort_keys=True, ensure_ascii=False)
             if e.details else ""} for e in events]


def _page(request: HttpRequest, verified: dict[str, Any] | None = None) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    events: list[AuditEvent] = []
    older: int | None = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        events, older = _events(form.cleaned_data if form.is_bound else {})
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "portal/staff/audit.html", {
        "form": form, "rows": _rows(events), "older": older, "filters": query.urlencode(),
        "paged": bool(request.GET.get("before")), "verified": verified, "page_size": PAGE_SIZE,
    }, status=status)


@require_GET
@staff_page
def audit_log(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@staff_page
def verify_chain(request: HttpRequest) -> HttpResponse:
    """The same check as `headstart audit verify`: the chain, then every kept signed checkpoint."""
    result = verify_with_checkpoints()
    return _page(request, verified=result.as_dict())
