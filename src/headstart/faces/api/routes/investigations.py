"""Leak investigations (staff only): submit material, read the result and the printable report."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from headstart.apps.advisories.access import require_staff
from headstart.apps.investigations.intake import IntakeLimits, Submission
from headstart.apps.investigations.services import investigate, report_html, view_investigation
from headstart.errors import Invalid
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["investigations"])

# The report is self-contained: its style is inline, and it loads nothing.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"


class InvestigationForm(Schema):
    text: str = ""
    advisory: str = ""
    threshold: str = ""


# `| None` goes inside File[...]: django-ninja 1.7 does not bind uploads to a parameter whose
# annotation is a union of File[...] and None, and would silently drop them.
@router.post("/investigations", response={201: dict[str, Any], 400: Error, 403: Error, 404: Error})
def create(request: HttpRequest, data: Form[InvestigationForm],
           files: File[list[UploadedFile] | None] = None) -> Status[dict[str, Any]]:
    """Staff: analyse leaked material (multipart/form-data: any number of `files`, and/or
    `text`; optional `advisory` and `threshold`). Returns the result, as `headstart
    investigate --json` prints it; `investigation` is its ID."""
    require_staff(api_user(request))
    limits = IntakeLimits.from_settings()
    submissions = []
    for f in files or []:
        if f.size is not None and f.size > limits.max_total_bytes:
            raise Invalid(f"{f.name} is {f.size:,} bytes, more than the {limits.max_total_bytes:,} an investigation takes")
        submissions.append(Submission(f.name or "upload", f.read()))
    if data.text:
        submissions.append(Submission("pasted text", data.text.encode("utf-8"), kind="text"))
    if not submissions:
        raise Invalid("no leaked material given: upload files or send text")
    inv = investigate(submissions, actor=actor_for(request), advisory=data.advisory or None,
                      threshold=data.threshold or None, limits=limits)
    return Status(201, inv.result)


@router.get("/investigations/{investigation}", response={200: dict[str, Any], 403: Error, 404: Error})
def show(request: HttpRequest, investigation: str) -> dict[str, Any]:
    """Staff: an investigation's result (the JSON the CLI prints)."""
    require_staff(api_user(request))
    return view_investigation(investigation, actor=actor_for(request)).result


@router.get("/investigations/{investigation}/report", response={200: str, 403: Error, 404: Error},
            openapi_extra={"responses": {"200": {"description": "the self-contained printable HTML report",
                                                 "content": {"text/html": {}}}}})
def report(request: HttpRequest, investigation: str) -> HttpResponse:
    """Staff: the printable HTML report (it embeds the same JSON as the result)."""
    require_staff(api_user(request))
    inv = view_investigation(investigation, actor=actor_for(request), what="report")
    response = HttpResponse(report_html(inv), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    response["Cache-Control"] = "no-store"
    return response
