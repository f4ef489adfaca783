"""Plain-dict views of records, shared by the API and the CLI's --json output."""

from __future__ import annotations

import datetime as dt
from typing import Any

from headstart.apps.advisories.access import latest_artifacts, window_opens_at
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.partners.models import Partner, Tier
from headstart.apps.partners.services import format_lead_time, has_accepted_current_nda


def tier(t: Tier) -> dict[str, Any]:
    return {"name": t.name, "lead_time": format_lead_time(t.lead_time), "entitlements": list(t.entitlements)}


def partner(p: Partner, *, history: bool = False, nda_accepted: bool | None = None) -> dict[str, Any]:
    """``nda_accepted`` when the caller knows it (a partner just added has accepted nothing), else read."""
    out: dict[str, Any] = {
        "name": p.name, "status": p.status, "tier": p.tier.name, "email": p.email,
        "pgp_fingerprint": p.pgp_fingerprint, "pgp_expires_at": p.pgp_expires_at,
        "nda_accepted": has_accepted_current_nda(p) if nda_accepted is None else nda_accepted,
    }
    if history:
        out["history"] = [
            {"old_status": c.old_status, "new_status": c.new_status, "reason": c.reason, "at": c.at, "by": c.by,
             "investigation": c.investigation_ref}
            for c in p.status_history.all()
        ]
    return out


def artifact(a: Artifact) -> dict[str, Any]:
    return {"name": a.name, "kind": a.kind, "version": a.version, "sha256": a.sha256, "size": a.size}


def advisory(a: Advisory, *, viewer_tier: Tier | None = None, artifacts: list[Artifact] | None = None,
             now: dt.datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.ident, "title": a.title, "cve": a.cve, "cvss_vector": a.cvss_vector,
        "cvss_score": float(a.cvss_score) if a.cvss_score is not None else None,
        "cvss_severity": a.cvss_severity, "products": list(a.products), "patch_at": a.patch_at,
        "status": a.effective_status(now),
        "window_opens_at": window_opens_at(a, viewer_tier) if viewer_tier else None,
    }
    if artifacts is not None:
        out["artifacts"] = [artifact(x) for x in artifacts]
    return out


def advisory_full(a: Advisory) -> dict[str, Any]:
    return advisory(a, artifacts=latest_artifacts(a))


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value
