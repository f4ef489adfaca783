"""Shapes of what the API returns and accepts."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class Error(Schema):
    detail: str


class Me(Schema):
    email: str
    role: str
    partner: str | None
    nda_accepted: bool | None


class TierOut(Schema):
    name: str
    lead_time: str
    entitlements: list[str]


class TierIn(Schema):
    name: str
    lead_time: str
    entitlements: list[str]


class StatusChangeOut(Schema):
    old_status: str
    new_status: str
    reason: str
    at: dt.datetime
    by: str
    investigation: str


class PartnerOut(Schema):
    name: str
    status: str
    tier: str
    email: str
    pgp_fingerprint: str
    pgp_expires_at: dt.datetime | None
    nda_accepted: bool


class PartnerDetail(PartnerOut):
    history: list[StatusChangeOut]


class PartnerIn(Schema):
    name: str
    tier: str
    email: str = ""
    pgp_cert: str = ""


class StatusIn(Schema):
    reason: str
    investigation: str = ""


class ArtifactOut(Schema):
    name: str
    kind: str
    version: int
    sha256: str
    size: int


class AdvisoryOut(Schema):
    id: str
    title: str
    cve: str
    cvss_vector: str
    cvss_score: float | None
    cvss_severity: str
    products: list[str]
    patch_at: dt.datetime
    status: str
    window_opens_at: dt.datetime | None


class AdvisoryDetail(AdvisoryOut):
    artifacts: list[ArtifactOut]


class NdaOut(Schema):
    version: int
    sha256: str
    text: str
    accepted: bool


class AcceptanceOut(Schema):
    partner: str
    user: str
    version: int
    sha256: str
    accepted_at: dt.datetime


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    partner: str
    action: str
    object_type: str
    object_id: str
    ip: str | None
    details: dict
    hash: str


class AuditPage(Schema):
    events: list[AuditEventOut]
    next_after: int | None


class VerifyOut(Schema):
    ok: bool
    events: int
    first_broken_seq: int | None
    problem: str
