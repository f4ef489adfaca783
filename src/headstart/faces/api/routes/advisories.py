"""Advisories: each caller sees only what access.py lets it see; staff may create and schedule."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from headstart.apps.advisories import reads
from headstart.apps.advisories.access import require_staff
from headstart.apps.advisories.services import ArtifactInput, create_advisory, get_advisory, guess_poc_kind
from headstart.apps.delivery.services import schedule as schedule_with_commitment
from headstart.apps.partners.models import Tier
from headstart.errors import Invalid
from headstart.faces import present
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import AdvisoryDetail, AdvisoryOut, ArtifactOut, Error

router = Router(tags=["advisories"])


def _tier(request: HttpRequest) -> Tier | None:
    partner = api_user(request).partner
    return partner.tier if partner is not None else None


@router.get("/advisories", response=list[AdvisoryOut])
def list_advisories(request: HttpRequest) -> list[dict[str, Any]]:
    """Advisories open to the caller: for a partner, those whose window has opened."""
    advisories = reads.list_advisories(api_user(request), actor=actor_for(request))
    return [present.advisory(a, viewer_tier=_tier(request)) for a in advisories]


@router.get("/advisories/{ident}", response={200: AdvisoryDetail, 404: Error})
def show_advisory(request: HttpRequest, ident: str) -> dict[str, Any]:
    advisory, artifacts = reads.view_advisory(api_user(request), ident, actor=actor_for(request))
    return present.advisory(advisory, viewer_tier=_tier(request), artifacts=artifacts)


@router.get("/advisories/{ident}/artifacts", response={200: list[ArtifactOut], 404: Error})
def list_artifacts(request: HttpRequest, ident: str) -> list[dict[str, Any]]:
    """Metadata of the artifacts the caller is entitled to (never their content)."""
    _advisory, artifacts = reads.view_advisory(api_user(request), ident, actor=actor_for(request))
    return [present.artifact(a) for a in artifacts]


def _file_name(upload: UploadedFile) -> str:
    if not upload.name:  # a multipart upload always names its file
        raise Invalid("an uploaded file has no name")
    return upload.name


class AdvisoryForm(Schema):
    id: str
    title: str
    patch_at: str
    cve: str = ""
    cvss: str = ""
    products: str = ""


@router.post("/advisories", response={201: AdvisoryDetail, 400: Error, 403: Error, 409: Error})
def create(request: HttpRequest, data: Form[AdvisoryForm], writeup: File[UploadedFile],
           guidance: File[UploadedFile | None] = None, poc: File[list[UploadedFile] | None] = None,
           trigger_spec: File[list[UploadedFile] | None] = None) -> Status[dict[str, Any]]:
    # (ninja 1.7 binds optional files when "| None" is inside File[...], but not outside it)
    """Staff: create a draft advisory from uploaded files (multipart/form-data)."""
    require_staff(api_user(request))
    items = [ArtifactInput("writeup", _file_name(writeup), writeup.read())]
    if guidance is not None:
        items.append(ArtifactInput("guidance", _file_name(guidance), guidance.read()))
    items += [ArtifactInput(guess_poc_kind(_file_name(f)), _file_name(f), f.read()) for f in (poc or [])]
    items += [ArtifactInput("trigger-spec", _file_name(f), f.read()) for f in (trigger_spec or [])]
    advisory = create_advisory(data.id, title=data.title, patch_at=data.patch_at, artifacts=items,
                               actor=actor_for(request), cve=data.cve, cvss=data.cvss,
                               products=data.products.split(","))
    return Status(201, present.advisory_full(advisory))


@router.post("/advisories/{ident}/schedule", response={200: AdvisoryOut, 400: Error, 403: Error, 404: Error})
def schedule(request: HttpRequest, ident: str) -> dict[str, Any]:
    require_staff(api_user(request))
    advisory = get_advisory(ident)
    schedule_with_commitment(advisory, actor=actor_for(request))
    advisory.refresh_from_db()
    return present.advisory(advisory)


class WithdrawIn(Schema):
    reason: str


@router.post("/advisories/{ident}/withdraw", response={200: AdvisoryOut, 400: Error, 403: Error, 404: Error})
def withdraw(request: HttpRequest, ident: str, data: WithdrawIn) -> dict[str, Any]:
    """Staff: withdraw a draft or scheduled advisory before its patch time. Partners see it no
    more; every partner whose window had opened is notified (by `headstart worker`)."""
    from headstart.apps.advisories.services import withdraw_advisory

    require_staff(api_user(request))
    advisory = withdraw_advisory(get_advisory(ident), reason=data.reason, actor=actor_for(request))
    return present.advisory(advisory)
