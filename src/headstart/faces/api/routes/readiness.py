"""Partners test their YARA rules against their own PoC copies and mark an advisory ready."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from headstart.apps.readiness.services import check_rules, latest_tests, result_json
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["readiness"])


class ReadinessForm(Schema):
    note: str = ""
    ready: bool = False


@router.post("/advisories/{ident}/readiness", response={200: dict[str, Any], 400: Error, 403: Error, 404: Error})
def test(request: HttpRequest, ident: str, rules: File[UploadedFile],
         data: Form[ReadinessForm]) -> dict[str, Any]:
    """A partner's user: multipart `rules` (a YARA file), optional `note` and `ready`. The rules run
    in a sandbox against the partner's own copies of the binary PoCs, copies made for synthetic
    codewords, and valid files that do not trigger the bug; the result (`detected`, `missed`,
    `false_positives`, `other_copies`, `warnings`, `ready`) is recorded and returned."""
    # One byte past the limit is enough to refuse it: a 50 MB upload is never read whole.
    raw = rules.read(settings.HEADSTART_READINESS_MAX_RULES_BYTES + 1)
    return result_json(check_rules(api_user(request), ident, raw, note=data.note, ready=data.ready,
                                   actor=actor_for(request)))


@router.get("/advisories/{ident}/readiness", response={200: list[dict[str, Any]], 404: Error})
def latest(request: HttpRequest, ident: str) -> list[dict[str, Any]]:
    """The caller's latest result for the advisory (a list of one, or empty); staff get every partner's."""
    return [result_json(t) for t in latest_tests(api_user(request), ident, actor=actor_for(request))]
