"""Partners and tiers. Staff manage them; a partner's users see only their own partner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from headstart.apps.advisories.access import require_staff
from headstart.apps.investigations.services import investigation_ref_for_enforcement
from headstart.apps.partners.models import Partner, PartnerStatus, Tier
from headstart.apps.partners.services import (
    PartnerInput,
    add_partner,
    add_tier,
    get_partner,
    parse_lead_time,
    set_status,
)
from headstart.errors import NotFound
from headstart.faces import present
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error, PartnerDetail, PartnerIn, PartnerOut, StatusIn, TierIn, TierOut

router = Router(tags=["partners"])


def _visible_partner(request: HttpRequest, name: str) -> Partner:
    user = api_user(request)
    if not user.is_psirt and (user.partner is None or user.partner.name != name):
        raise NotFound(f"unknown partner {name!r}")  # same answer as a missing partner: names do not leak
    return get_partner(name)


@router.get("/partners", response=list[PartnerOut])
def list_partners(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    if user.is_psirt:
        partners = Partner.objects.select_related("tier")
    elif user.partner_id is None:  # never: the database requires a partner of non-staff users
        partners = Partner.objects.none()
    else:
        partners = Partner.objects.filter(pk=user.partner_id)
    return [present.partner(p) for p in partners]


@router.get("/partners/{name}", response={200: PartnerDetail, 404: Error})
def show_partner(request: HttpRequest, name: str) -> dict[str, Any]:
    return present.partner(_visible_partner(request, name), history=True)


@router.post("/partners", response={201: PartnerOut, 400: Error, 403: Error, 404: Error, 409: Error})
def create_partner(request: HttpRequest, data: PartnerIn) -> Status[dict[str, Any]]:
    require_staff(api_user(request))
    partner = add_partner(PartnerInput(data.name, data.tier, data.email, data.pgp_cert), actor=actor_for(request))
    return Status(201, present.partner(partner))


def _change(request: HttpRequest, name: str, status: str, data: StatusIn) -> dict[str, Any]:
    require_staff(api_user(request))
    partner = get_partner(name)
    set_status(partner, status, reason=data.reason, actor=actor_for(request),
               investigation_ref=investigation_ref_for_enforcement(data.investigation))
    partner.refresh_from_db()
    return present.partner(partner, history=True)


@router.post("/partners/{name}/suspend", response={200: PartnerDetail, 400: Error, 403: Error, 404: Error})
def suspend(request: HttpRequest, name: str, data: StatusIn) -> dict[str, Any]:
    return _change(request, name, PartnerStatus.SUSPENDED, data)


@router.post("/partners/{name}/expel", response={200: PartnerDetail, 400: Error, 403: Error, 404: Error})
def expel(request: HttpRequest, name: str, data: StatusIn) -> dict[str, Any]:
    return _change(request, name, PartnerStatus.EXPELLED, data)


@router.post("/partners/{name}/reinstate", response={200: PartnerDetail, 400: Error, 403: Error, 404: Error})
def reinstate(request: HttpRequest, name: str, data: StatusIn) -> dict[str, Any]:
    """Lift a suspension (expulsion is final)."""
    return _change(request, name, PartnerStatus.ACTIVE, data)


@router.get("/tiers", response={200: list[TierOut], 403: Error})
def list_tiers(request: HttpRequest) -> list[dict[str, Any]]:
    require_staff(api_user(request))
    return [present.tier(t) for t in Tier.objects.order_by("name")]


@router.post("/tiers", response={201: TierOut, 400: Error, 403: Error, 409: Error})
def create_tier(request: HttpRequest, data: TierIn) -> Status[dict[str, Any]]:
    require_staff(api_user(request))
    tier = add_tier(data.name, parse_lead_time(data.lead_time), data.entitlements, actor=actor_for(request))
    return Status(201, present.tier(tier))


