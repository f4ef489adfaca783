"""Preparing every partner's package before release, so downloads serve ready files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.services import prepare_package
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.program import checkpoints
from headstart.errors import Invalid


def prepare_all(advisory: Advisory, *, actor: Actor,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Prepare every active partner's package before release, so downloads serve ready files.

    Every partner that gets no package is listed with the reason (not active, no usable
    certificate), so staff see the gap before release. A signed checkpoint of the audit log is
    written first, so every package carries a fresh one (and preparing is refused while the
    audit log does not verify)."""
    if advisory.status != AdvisoryStatus.SCHEDULED:
        raise Invalid(f"advisory {advisory.ident} is {advisory.status}; only a scheduled advisory is prepared")
    checkpoint = checkpoints.write_checkpoint()
    prepared: list[str] = []
    skipped: list[dict[str, str]] = [
        {"partner": name, "reason": f"partner is {status}; only active partners receive packages"}
        for name, status in Partner.objects.exclude(status=PartnerStatus.ACTIVE).order_by("name")
        .values_list("name", "status")]
    partners = list(Partner.objects.select_related("tier").filter(status=PartnerStatus.ACTIVE).order_by("name"))
    for i, partner in enumerate(partners, 1):
        try:
            prepare_package(advisory, partner, actor=actor)
            prepared.append(partner.name)
        except Invalid as exc:
            skipped.append({"partner": partner.name, "reason": exc.message})
        if progress and (i % 50 == 0 or i == len(partners)):
            progress(f"  {i}/{len(partners)} partners")
    skipped.sort(key=lambda s: s["partner"])
    with transaction.atomic():
        record(actor, "package.prepare", advisory, prepared=len(prepared), skipped=skipped)
    return {"advisory": advisory.ident, "prepared": prepared, "skipped": skipped, "audit_checkpoint": checkpoint.seq}
