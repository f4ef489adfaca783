"""Advisories: each caller sees only what access.py lets it see; staff may create and schedule."""

from __future__ import annotations

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from headstart.apps.advisories import reads
from headstart.apps.advisories.access import require_staff
from headstart.apps.advisories.services import ArtifactInput, create_advisory, get_advisory, guess_poc_kind
from headstart.apps.delivery.services import schedule as schedule_with_commitment
from headstart.faces import present
from headstart.faces.api.auth import actor_for
from headstart.faces.api.schemas import AdvisoryDetail, AdvisoryOut, ArtifactOut, Error

router = Router(tags=["advisories"])


def _tier(request):  # type: ignore[no-untyped-def]
    user = request.auth
    return user.partner.tier if user.partner_id else None


@router.get("/advisories", response=list[AdvisoryOut])
def list_advisories(request):  # type: ignore[no-untyped-def]
    """Advisories open to the caller: for a partner, those whose window has opened."""
    advisories = reads.list_advisories(request.auth, actor=actor_for(request))
    return [present.advisory(a, viewer_tier=_tier(request)) for a in advisories]


@router.get("/advisories/{ident}", response={200: AdvisoryDetail, 404: Error})
def show_advisory(request, ident: str):  # type: ignore[no-untyped-def]
    advisory, artifacts = reads.view_advisory(request.auth, ident, actor=actor_for(request))
    return present.advisory(advisory, viewer_tier=_tier(request), artifacts=artifacts)


@router.get("/advisories/{ident}/artifacts", response={200: list[ArtifactOut], 404: Error})
def list_artifacts(request, ident: str):  # type: ignore[no-untyped-def]
    """Metadata of the artifacts the caller is entitled to (never their content)."""
    _advisory, artifacts = reads.view_advisory(request.auth, ident, actor=actor_for(request))
    return [present.artifact(a) for a in artifacts]


class AdvisoryForm(Schema):
    id: str
    title: str
    patch_at: str
    cve: str = ""
    cvss: str = ""
    products: str = ""


@router.post("/advisories", response={201: AdvisoryDetail, 400: Error, 403: Error, 409: Error})
def create(request, data: Form[AdvisoryForm], writeup: File[UploadedFile],  # type: ignore[no-untyped-def]
           guidance: File[UploadedFile] = None, poc: File[list[UploadedFile]] = None,  # type: ignore[assignment]
           trigger_spec: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    # (ninja 1.7 binds optional files only without "| None" in the annotation)
    """Staff: create a draft advisory from uploaded files (multipart/form-data)."""
    require_staff(request.auth)
    items = [ArtifactInput("writeup", writeup.name, writeup.read())]
    if guidance is not None:
        items.append(ArtifactInput("guidance", guidance.name, guidance.read()))
    items += [ArtifactInput(guess_poc_kind(f.name), f.name, f.read()) for f in (poc or [])]
    items += [ArtifactInput("trigger-spec", f.name, f.read()) for f in (trigger_spec or [])]
    advisory = create_advisory(data.id, title=data.title, patch_at=data.patch_at, artifacts=items,
                               actor=actor_for(request), cve=data.cve, cvss=data.cvss,
                               products=[p for p in data.products.split(",")])
    return Status(201, present.advisory_full(advisory))


@router.post("/advisories/{ident}/schedule", response={200: AdvisoryOut, 400: Error, 403: Error, 404: Error})
def schedule(request, ident: str):  # type: ignore[no-untyped-def]
    require_staff(request.auth)
    advisory = get_advisory(ident)
    schedule_with_commitment(advisory, actor=actor_for(request))
    advisory.refresh_from_db()
    return present.advisory(advisory)


class WithdrawIn(Schema):
    reason: str


@router.post("/advisories/{ident}/withdraw", response={200: AdvisoryOut, 400: Error, 403: Error, 404: Error})
def withdraw(request, ident: str, data: WithdrawIn):  # type: ignore[no-untyped-def]
    """Staff: withdraw a draft or scheduled advisory before its patch time. Partners see it no
    more; every partner whose window had opened is notified (by `headstart worker`)."""
    from headstart.apps.advisories.services import withdraw_advisory

    require_staff(request.auth)
    advisory = withdraw_advisory(get_advisory(ident), reason=data.reason, actor=actor_for(request))
    return present.advisory(advisory)
