"""The caller's own identity and the NDA."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from headstart.apps.partners.services import accept_nda, current_nda, has_accepted_current_nda
from headstart.errors import Forbidden, NotFound
from headstart.faces.api.auth import actor_for, api_user, client_ip
from headstart.faces.api.schemas import AcceptanceOut, Error, Me, NdaOut

router = Router(tags=["me"])


@router.get("/me", response=Me)
def me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    partner = user.partner
    return {"email": user.email, "role": user.role, "partner": partner.name if partner is not None else None,
            "nda_accepted": has_accepted_current_nda(partner) if partner is not None else None}


@router.get("/nda", response={200: NdaOut, 404: Error})
def nda(request: HttpRequest) -> dict[str, Any]:
    current = current_nda()
    if current is None:
        raise NotFound("no NDA has been published")
    partner = api_user(request).partner
    accepted = has_accepted_current_nda(partner) if partner is not None else False
    return {"version": current.version, "sha256": current.sha256, "text": current.text, "accepted": accepted}


@router.post("/nda/accept", response={200: AcceptanceOut, 403: Error, 404: Error})
def nda_accept(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    if user.partner is None:
        raise Forbidden("only partner users accept the NDA")
    acceptance = accept_nda(user.partner, user, actor=actor_for(request), ip=client_ip(request))
    return {"partner": acceptance.partner.name, "user": acceptance.user.email, "version": acceptance.nda.version,
            "sha256": acceptance.nda.sha256, "accepted_at": acceptance.accepted_at}

