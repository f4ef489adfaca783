"""Rules for tiers, partners, their status and the NDA. Every change is audited in its transaction."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Subquery
from django.utils import timezone

from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.models import (
    ENTITLEMENTS,
    NdaAcceptance,
    NdaVersion,
    Partner,
    PartnerStatus,
    PartnerStatusChange,
    Tier,
)
from headstart.apps.partners.signals import partner_status_changed
from headstart.apps.text import check_visible
from headstart.crypto.openpgp import CertificateError, validate_certificate
from headstart.errors import Conflict, Forbidden, Invalid, NotFound

logger = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Windows are computed as patch_at - lead_time; an absurd lead time overflows datetime arithmetic
# on every read, so a tier may open at most a year before the patch.
MAX_LEAD_TIME = timedelta(days=365)


def parse_lead_time(text: str) -> timedelta:
    """'72h', '3d', '90m' -> timedelta."""
    match = _DURATION.match(text or "")
    if not match:
        raise Invalid(f"lead time {text!r} is not a duration like 24h, 3d or 90m")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds > MAX_LEAD_TIME.total_seconds():  # checked as an integer: timedelta() itself overflows
        raise Invalid(f"lead time {text.strip()!r} is longer than the limit of {MAX_LEAD_TIME.days} days")
    lead = timedelta(seconds=seconds)
    if lead <= timedelta(0):
        raise Invalid("lead time must be positive")
    return lead


def format_lead_time(lead: timedelta) -> str:
    seconds = int(lead.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_entitlements(items: Iterable[str]) -> list[str]:
    chosen = [item.strip() for item in items if item.strip()]
    unknown = sorted(set(chosen) - set(ENTITLEMENTS))
    if unknown:
        raise Invalid(f"unknown entitlement(s) {', '.join(unknown)}; choose from {', '.join(ENTITLEMENTS)}")
    if not chosen:
        raise Invalid("a tier needs at least one entitlement")
    return [e for e in ENTITLEMENTS if e in chosen]


def add_tier(name: str, lead_time: timedelta, entitlements: Iterable[str], *, actor: Actor) -> Tier:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,49}", name or ""):
        raise Invalid(f"tier name {name!r}: use 1-50 lower-case letters, digits, '-' or '_'")
    if not timedelta(0) < lead_time <= MAX_LEAD_TIME:
        raise Invalid(f"lead time must be positive and at most {MAX_LEAD_TIME.days} days")
    ents = parse_entitlements(entitlements)
    with transaction.atomic():
        if Tier.objects.filter(name=name).exists():
            raise Conflict(f"tier {name!r} already exists")
        tier = Tier.objects.create(name=name, lead_time=lead_time, entitlements=ents)
        record(actor, "tier.add", tier, lead_time=format_lead_time(lead_time), entitlements=ents)
    return tier


def update_tier(name: str, *, lead_time: timedelta | None = None, entitlements: Iterable[str] | None = None,
                actor: Actor) -> Tier:
    """Change a tier's window (its lead time before the patch) and/or what it is entitled to.
    Every partner of the tier sees each advisory from the new window on, and receives the new
    entitlements' artifacts from its next package. Audited as tier.update with old and new."""
    if lead_time is not None and not timedelta(0) < lead_time <= MAX_LEAD_TIME:
        raise Invalid(f"lead time must be positive and at most {MAX_LEAD_TIME.days} days")
    ents = parse_entitlements(entitlements) if entitlements is not None else None
    with transaction.atomic():
        tier = Tier.objects.select_for_update().filter(pk=get_tier(name).pk).get()
        old_lead, old_ents = tier.lead_time, list(tier.entitlements)
        tier.lead_time = lead_time if lead_time is not None else old_lead
        tier.entitlements = ents if ents is not None else old_ents
        if (tier.lead_time, tier.entitlements) == (old_lead, old_ents):
            return tier
        tier.save(update_fields=["lead_time", "entitlements"])
        record(actor, "tier.update", tier, old_lead_time=format_lead_time(old_lead),
               lead_time=format_lead_time(tier.lead_time), old_entitlements=old_ents, entitlements=tier.entitlements)
    return tier


def get_tier(name: str) -> Tier:
    tier = Tier.objects.filter(name=name).first()
    if tier is None:
        known = ", ".join(Tier.objects.order_by("name").values_list("name", flat=True)) or "none"
        raise NotFound(f"unknown tier {name!r} (known: {known})")
    return tier


def get_partner(name: str) -> Partner:
    partner = Partner.objects.select_related("tier").filter(name=name).first()
    if partner is None:
        raise NotFound(f"unknown partner {name!r}")
    return partner


@dataclass(frozen=True)
class PartnerInput:
    name: str
    tier: str
    email: str = ""
    pgp_cert: str = ""


def _clean_partner(data: PartnerInput, tier_for: Callable[[str], Tier] = get_tier) -> dict:
    """The partner's fields, checked (name, e-mail, tier, certificate); the database is only read."""
    name = (data.name or "").strip()
    if not name or len(name) > 200:
        raise Invalid(f"partner name {data.name!r} must be 1-200 printable characters")
    check_visible(name, "partner name")
    email = (data.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(f"{email!r} is not a valid e-mail address") from None
    fields: dict = {"name": name, "tier": tier_for((data.tier or "").strip()), "email": email}
    if data.pgp_cert.strip():
        try:
            info = validate_certificate(data.pgp_cert)
        except CertificateError as exc:
            raise Invalid(f"OpenPGP certificate for {name!r} is unusable: {exc}") from None
        fields.update(pgp_certificate=data.pgp_cert.strip() + "\n", pgp_fingerprint=info.fingerprint,
                      pgp_expires_at=info.expires_at)
    return fields


def add_partner(data: PartnerInput, *, actor: Actor, status: str = PartnerStatus.ACTIVE) -> Partner:
    if status not in (PartnerStatus.APPLICANT, PartnerStatus.ACTIVE):
        raise Invalid("a new partner starts as applicant or active")
    fields = _clean_partner(data)
    with transaction.atomic():
        if Partner.objects.filter(name=fields["name"]).exists():
            raise Conflict(f"partner {fields['name']!r} already exists")
        partner = Partner.objects.create(status=status, **fields)
        PartnerStatusChange.objects.create(partner=partner, old_status="", new_status=status,
                                           reason="added", by=actor.name)
        record(actor, "partner.add", partner, tier=partner.tier.name, status=status,
               pgp_fingerprint=partner.pgp_fingerprint)
    return partner


class _CsvReader(Protocol):
    """What csv.reader returns: rows, and the number of lines read so far."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...


def _rows_with_first_line(reader: _CsvReader) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted certificate spans many lines)."""
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def import_partners(csv_text: str, *, actor: Actor,
                    certificate_loader: Callable[[str], str] | None = None) -> list[Partner]:
    """Import every row or none. Raises Invalid listing every bad row with its line number.

    Every row is checked first, outside any transaction (CSV, names, e-mail addresses, tiers,
    certificates, duplicates in the file and against the partners on record); then all rows
    are written in one short transaction (_write_import), so the database is held for the
    writing only. ``certificate_loader`` turns a non-empty pgp_cert cell into certificate text
    (the CLI reads files named relative to the CSV); an Invalid it raises is reported for that line.
    """
    # A spreadsheet saved as "CSV UTF-8" starts with a byte-order mark: not part of the header.
    reader = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Invalid("the CSV file is empty") from None
    except csv.Error as exc:
        raise Invalid(f"line 1: {exc}") from None
    allowed = ["name", "tier", "email", "pgp_cert"]
    if header[:2] != ["name", "tier"] or any(h not in allowed for h in header) or len(set(header)) != len(header):
        raise Invalid(f"line 1: the header must be name,tier[,email][,pgp_cert], not {','.join(header)}")
    tiers = {tier.name: tier for tier in Tier.objects.all()}
    existing = set(Partner.objects.values_list("name", flat=True))

    def tier_for(name: str) -> Tier:
        if name not in tiers:
            raise NotFound(f"unknown tier {name!r} (known: {', '.join(sorted(tiers)) or 'none'})")
        return tiers[name]

    cleaned: list[dict] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        for line, row in _rows_with_first_line(reader):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                errors.append((line, f"expected {len(header)} fields, found {len(row)}"))
                continue
            values = dict(zip(header, row, strict=True))
            data = PartnerInput(values["name"], values["tier"], values.get("email", ""), values.get("pgp_cert", ""))
            name = data.name.strip()
            if name in seen:
                errors.append((line, f"partner {name!r} appears twice (first on line {seen[name]})"))
                continue
            seen[name] = line
            try:
                if certificate_loader is not None and data.pgp_cert.strip():
                    data = dataclasses.replace(data, pgp_cert=certificate_loader(data.pgp_cert))
                fields = _clean_partner(data, tier_for)
                if fields["name"] in existing:
                    raise Conflict(f"partner {fields['name']!r} already exists")
            except (Invalid, NotFound, Conflict) as exc:
                errors.append((line, exc.message))
                continue
            cleaned.append(fields)
    except csv.Error as exc:
        errors.append((reader.line_num, str(exc)))
    if errors:
        listed = "; ".join(f"line {line}: {message}" for line, message in sorted(errors, key=lambda e: e[0]))
        raise Invalid(f"nothing imported: {listed}")
    if not cleaned:
        raise Invalid("nothing imported: the CSV file has no partner rows")
    return _write_import(cleaned, actor=actor)


def _write_import(rows: list[dict], *, actor: Actor) -> list[Partner]:
    """Write checked partner rows, their status changes and one audit event in one transaction.

    The rows are turned into database values first; inside the transaction only the inserts
    run (executemany: bulk_create's per-object work would hold the write lock for seconds on
    a large import). The `partner.import` event lists every partner added (name, tier,
    fingerprint), so each one is traceable in the audit log."""
    status, reason = PartnerStatus.ACTIVE.value, "imported"
    stamp = timezone.now()  # every row of this import: created_at, and the status change's time
    partners = [Partner(status=status, created_at=stamp, **fields) for fields in rows]
    partner_fields = [f for f in Partner._meta.concrete_fields if not f.primary_key]
    partner_values = [tuple(f.get_db_prep_save(getattr(p, f.attname), connection) for f in partner_fields)
                      for p in partners]
    change_at = PartnerStatusChange._meta.get_field("at").get_db_prep_save(stamp, connection)
    details = {"count": len(partners), "status": status,
               "partners": [{"partner": p.name, "tier": p.tier.name, "pgp_fingerprint": p.pgp_fingerprint}
                            for p in partners]}
    names = {p.name for p in partners}
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX({connection.ops.quote_name('id')}) FROM "
                               f"{connection.ops.quote_name(Partner._meta.db_table)}")
                last_before = cursor.fetchone()[0] or 0
                cursor.executemany(_insert_sql(Partner, partner_fields), partner_values)
                # One statement for every status change: the rows this import just inserted are
                # the ones after the last id before it that carry its stamp.
                cursor.execute(_insert_status_changes_sql(),
                               ["", status, reason, change_at, actor.name, "", last_before,
                                Partner._meta.get_field("created_at").get_db_prep_save(stamp, connection)])
            record(actor, "partner.import", object_type="partner", object_id="*", **details)
    except IntegrityError:
        # A partner of the same name was added after the rows were checked.
        taken = sorted(names & set(Partner.objects.values_list("name", flat=True)))
        raise Conflict("nothing imported: partners added since the file was checked: "
                       + ", ".join(map(repr, taken[:10])) + (" and more" if len(taken) > 10 else "")) from None
    logger.info("partner import: %d partners written in one transaction of %.3f s", len(partners),
                time.perf_counter() - started)
    ids = dict(Partner.objects.filter(pk__gt=last_before, created_at=stamp).values_list("name", "pk"))
    for partner in partners:
        partner.pk = ids[partner.name]
    return partners


def _insert_status_changes_sql() -> str:
    quote = connection.ops.quote_name
    columns = ["partner_id", "old_status", "new_status", "reason", "at", "by", "investigation_ref"]
    return (f"INSERT INTO {quote(PartnerStatusChange._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {quote('id')}, %s, %s, %s, %s, %s, %s FROM {quote(Partner._meta.db_table)} "
            f"WHERE {quote('id')} > %s AND {quote('created_at')} = %s ORDER BY {quote('id')}")


def _insert_sql(model: type[models.Model], fields: Sequence[models.Field | str]) -> str:
    columns = [f if isinstance(f, str) else str(f.column) for f in fields]
    return (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
            f"({', '.join(connection.ops.quote_name(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})")


# Which status changes are allowed: expulsion is final; suspension can be lifted.
_TRANSITIONS = {
    PartnerStatus.APPLICANT: {PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED},
    PartnerStatus.ACTIVE: {PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED},
    PartnerStatus.SUSPENDED: {PartnerStatus.ACTIVE, PartnerStatus.EXPELLED},
    PartnerStatus.EXPELLED: set(),
}
# Looked up by the status as given (a str; PartnerStatus members equal and hash as their values).
_STATUS_ACTIONS: dict[str, str] = {PartnerStatus.ACTIVE: "partner.reinstate", PartnerStatus.SUSPENDED: "partner.suspend",
                                   PartnerStatus.EXPELLED: "partner.expel"}


def set_status(partner: Partner, new_status: str, *, reason: str, actor: Actor,
               investigation_ref: str = "") -> PartnerStatusChange:
    """Change a partner's status. Access follows at once: every read checks the status."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a reason is required")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if new_status not in _TRANSITIONS[PartnerStatus(partner.status)]:
            raise Invalid(f"partner {partner.name!r} is {partner.status}; it cannot become {new_status}")
        change = PartnerStatusChange.objects.create(partner=partner, old_status=partner.status, new_status=new_status,
                                                    reason=reason, by=actor.name, investigation_ref=investigation_ref)
        old = partner.status
        partner.status = new_status
        partner.save(update_fields=["status"])
        record(actor, _STATUS_ACTIONS[new_status], partner, old_status=old, new_status=new_status, reason=reason, investigation=investigation_ref)
        partner_status_changed.send(Partner, partner=partner, old_status=old, new_status=new_status, actor=actor)
    return change


def current_nda(*, without_text: bool = False) -> NdaVersion | None:
    """The newest NDA version. ``without_text`` leaves its text unread (loaded if used): a
    download names the NDA by version and digest, and a real NDA's text runs to many pages."""
    versions = NdaVersion.objects.order_by("-version")
    return (versions.defer("text") if without_text else versions).first()


def publish_nda(text: str, *, actor: Actor) -> NdaVersion:
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise Invalid("the NDA text is empty")
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        latest = NdaVersion.objects.select_for_update().order_by("-version").first()
        if latest is not None and latest.sha256 == digest:
            raise Conflict(f"this text is already NDA version {latest.version}")
        nda = NdaVersion.objects.create(version=(latest.version + 1) if latest else 1, text=text, sha256=digest)
        record(actor, "nda.publish", nda, sha256=digest)
    return nda


def accept_nda(partner: Partner, user: AbstractBaseUser, *, actor: Actor, ip: str | None = None) -> NdaAcceptance:
    """Record that ``user`` accepted the current NDA on behalf of ``partner``."""
    # The user model is accounts.User, which this app (below accounts) does not import.
    if not isinstance(user, get_user_model()):
        raise TypeError(f"expected a user, got {type(user).__name__}")
    if user.partner_id != partner.pk:
        raise Forbidden(f"{user.email} does not belong to partner {partner.name!r}")
    if user.role != "admin":
        raise Forbidden("only a partner admin can accept the NDA for the partner")
    if partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.APPLICANT):
        raise Forbidden(f"partner {partner.name!r} is {partner.status}")
    nda = current_nda()
    if nda is None:
        raise NotFound("no NDA has been published")
    with transaction.atomic():
        existing = NdaAcceptance.objects.filter(partner=partner, nda=nda).first()
        if existing is not None:
            return existing
        acceptance = NdaAcceptance.objects.create(partner=partner, user=user, nda=nda, ip=ip)
        record(actor, "nda.accept", nda, partner_name=partner.name, user=user.email, sha256=nda.sha256)
    return acceptance


def has_accepted_current_nda(partner: Partner) -> bool:
    # One query (checked on every partner request): an acceptance of the newest NDA version.
    newest = NdaVersion.objects.order_by("-version").values("pk")[:1]
    return NdaAcceptance.objects.filter(partner=partner, nda=Subquery(newest)).exists()

