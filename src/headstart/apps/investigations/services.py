"""Running an investigation, keeping its record, and looking it up for enforcement.

    inv = investigate([Submission("post.html", data)], actor=actor)   # stored, audited
    inv.result                # the dict `headstart investigate --json` prints
    report_html(inv)          # the printable report, embedding exactly that dict

Bad input (an archive bomb, path traversal, an unknown advisory, a bad threshold) raises
before anything is written, and changes nothing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.models import Copy, Delivery
from headstart.apps.investigations import attribution as attr
from headstart.apps.investigations import report
from headstart.apps.investigations.intake import IntakeLimits, Piece, Submission, take_in
from headstart.apps.investigations.matching import candidate_advisories, match_pieces, originals
from headstart.apps.investigations.models import Investigation, InvestigationInput, format_ident, parse_ident
from headstart.apps.partners.models import Partner
from headstart.apps.program import keys
from headstart.apps.program.services import check_program_keys
from headstart.errors import Invalid, NotFound
from headstart.marking import PartnerScore

DEFAULT_THRESHOLD = 1e-6
AUDITED_ACTIONS = ("package.download", "copy.export")


def accusation_threshold(value: float | str | None = None) -> float:
    """The family-wise threshold: the value given, else HEADSTART_ACCUSATION_THRESHOLD, else 1e-6."""
    where = "--threshold"
    if value is None or value == "":
        value = settings.HEADSTART_ACCUSATION_THRESHOLD
        where = "HEADSTART_ACCUSATION_THRESHOLD"
        if not value:
            return DEFAULT_THRESHOLD
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"{where}={value!r} is not a number") from None
    if not (0.0 < t < 1.0) or math.isnan(t):
        raise Invalid(f"{where}={value!r}: the accusation threshold must lie strictly between 0 and 1")
    return t


# ---- the analysis (no writes) ---------------------------------------------------------------

@dataclass
class Analysis:
    result: dict
    accused: list[str]
    advisory: str


def _piece_row(piece: Piece) -> dict:
    read_as = ""
    if piece.container:
        read_as = "an archive: its members are read"
    elif not piece.readable:
        read_as = "a web page: its visible text and code blocks are read"
    return {"name": piece.name, "origin": piece.origin, "sha256": piece.sha256, "size": piece.size,
            "read_as": read_as, "matches": []}


def matched_by(method: str) -> str:
    """What a piece was recognised by: its words ("text"), the code, identifiers and numbers a
    translation or paraphrase keeps ("survivors"), or the binary format ("binary")."""
    return {"shingles": "text", "survivors": "survivors"}.get(method, "binary")


EXACT_MATCH_BATCH = 900  # digests a query: SQLite allows 32,766 parameters, PostgreSQL 65,535


def routes_of(deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """How copies left the program: one row per route, person and audit event (a download or an
    export takes several files at once), earliest first.

    Each row: ``route`` (download, portal, export), ``by`` (the partner user, or the staff member
    who exported), ``at`` (ISO 8601), ``advisory``, ``files`` and ``audit_seq`` (the audit event
    that recorded it; null for a delivery recorded before routes were)."""
    rows: dict[tuple[str, str, str, int | None], dict[str, Any]] = {}
    for d in sorted(deliveries, key=lambda d: (d.at, d.pk)):
        ident = d.copy.artifact.advisory.ident
        row = rows.setdefault((d.route, d.by, ident, d.audit_seq),
                              {"route": d.route, "by": d.by or None, "at": d.at.isoformat(), "advisory": ident,
                               "files": [], "audit_seq": d.audit_seq})
        if d.copy.file_name not in row["files"]:
            row["files"].append(d.copy.file_name)
    return list(rows.values())


def _deliveries(**where: Any) -> list[Delivery]:
    return list(Delivery.objects.filter(**where).select_related("copy__artifact__advisory"))


def _exact_matches(pieces: list[Piece]) -> tuple[list[dict], list[str]]:
    """Pieces whose bytes are exactly one partner's delivered copy (or a file every partner got)."""
    found, notes = [], []
    files = [piece for piece in pieces if piece.is_file]
    # One query for many digests rather than one per piece; in batches, under the databases'
    # limits on query parameters.
    digests = sorted({p.sha256 for p in files})
    by_digest: dict[str, list[Copy]] = {}
    for start in range(0, len(digests), EXACT_MATCH_BATCH):
        for c in (Copy.objects.filter(sha256__in=digests[start:start + EXACT_MATCH_BATCH])
                  .select_related("partner", "artifact__advisory").order_by("first_delivered_at", "pk")):
            by_digest.setdefault(c.sha256, []).append(c)
    exact: list[tuple[Piece, Copy]] = []
    for piece in files:
        rows = by_digest.get(piece.sha256, [])
        holders = {c.partner.name for c in rows}
        if len(holders) == 1:
            exact.append((piece, rows[0]))
        elif len(holders) > 1:
            notes.append(f"{piece.name} is byte-for-byte the file {rows[0].file_name} that {len(holders)} partners "
                         "received identically (unmarked), so its digest names nobody")
    # Every route each exactly matched copy left by, read at once for all of them.
    by_copy: dict[int, list[Delivery]] = {}
    for d in _deliveries(copy_id__in={c.pk for _, c in exact}) if exact else []:
        by_copy.setdefault(d.copy_id, []).append(d)
    for piece, c in exact:
        found.append({"piece": piece.name, "partner": c.partner.name, "advisory": c.artifact.advisory.ident,
                      "file": c.file_name, "sha256": c.sha256, "first_delivered_at": c.first_delivered_at.isoformat(),
                      "routes": routes_of(by_copy.get(c.pk, []))})
    return found, notes


def _score_row(row: PartnerScore, names: dict[str, str], full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"partner": names[row.partner], "score": round(float(row.score), 6),
                           "p_value": float(row.p_value)}
    if full:
        out["family_p_value"] = float(row.family_p_value)
    return out


def audit_trail(partners: list[Partner], advisories: list[str]) -> list[dict]:
    """Every download and export of these advisories by or for each partner: who, when, from where."""
    events = list(AuditEvent.objects.filter(action__in=AUDITED_ACTIONS, object_type="advisory",
                                            object_id__in=advisories).order_by("seq"))
    out = []
    for partner in partners:
        rows = []
        for ev in events:
            mine = (ev.action == "package.download" and ev.partner == partner.name) or \
                   (ev.action == "copy.export" and (ev.details or {}).get("partner_name") == partner.name)
            if mine:
                files = [{"name": f.get("name"), "sha256": f.get("sha256")} for f in (ev.details or {}).get("files", [])
                         if isinstance(f, dict)]
                rows.append({"seq": ev.seq, "at": ev.at.isoformat(), "action": ev.action, "actor": ev.actor,
                             "ip": ev.ip, "advisory": ev.object_id, "files": files})
        copies = [{"advisory": c.artifact.advisory.ident, "file": c.file_name, "sha256": c.sha256,
                   "first_delivered_at": c.first_delivered_at.isoformat()}
                  for c in Copy.objects.filter(partner=partner, artifact__advisory__ident__in=advisories)
                  .select_related("artifact__advisory").order_by("first_delivered_at", "file_name")]
        out.append({"partner": partner.name, "status": partner.status, "copies": copies, "events": rows})
    return out


def analyse(pieces: list[Piece], *, advisory: str | None, threshold: float) -> Analysis:
    """Match, read, attribute and cross-reference; returns the result without the record's id."""
    program = check_program_keys()
    key = keys.marking_key()
    notes: list[str] = []
    files = attr.DeliveredFiles(notes)
    matches = match_pieces(pieces, originals(candidate_advisories(advisory)), files.carrier_of)
    piece_rows = [_piece_row(p) for p in pieces]
    for m in matches:
        piece_rows[m.piece]["matches"].append({"advisory": m.original.advisory, "file": m.original.file_name,
                                               "similarity": round(m.similarity, 4),
                                               "coverage": round(m.coverage, 4), "method": m.method,
                                               "matched_by": matched_by(m.method)})
    exact, exact_notes = _exact_matches(pieces)
    notes += exact_notes
    evidence = attr.gather(matches, [p.name for p in pieces], files, notes)
    attribution = attr.attribute_scopes(evidence, key, threshold)

    names = {uid: p.name for e in evidence for uid, p in e.holders.items()}
    accused_uids = list(attribution.accused) if attribution else []
    top_uid = attribution.ranking[0].partner if attribution and attribution.ranking else None

    artifacts = []
    per_advisory: dict[str, dict] = {}
    for e in evidence:
        ident = e.advisory.ident
        summary = per_advisory.setdefault(ident, {"advisory": ident, "title": e.advisory.title, "files": [],
                                                  "positions_read": 0})
        summary["files"].append(e.deliverable.file_name)
        summary["positions_read"] += e.positions_read if e.usable else 0
        agreement: list[dict[str, Any]] = []
        row = {"advisory": ident, "file": e.deliverable.file_name, "kind": e.deliverable.kind, "scope": e.scope,
               "marked": e.deliverable.carrier is not None, "slots": e.slots, "read": e.positions_read,
               "erased": e.slots - e.positions_read, "conflicting": e.conflicts,
               "partners_with_copy": len(e.holders), "used": e.usable,
               "pieces": [{"piece": r.piece_name, "method": r.match.method, "matched_by": matched_by(r.match.method),
                           "similarity": round(r.match.similarity, 4), "read": r.read, "problem": r.problem}
                          for r in e.readings],
               "innocent_expected_agreement": None, "agreement": agreement}
        if e.usable:
            row["innocent_expected_agreement"] = round(attr.innocent_agreement(e, key), 2)
            for uid in dict.fromkeys(accused_uids + ([top_uid] if top_uid else [])):
                if uid in e.holders:
                    agreement.append({"partner": names[uid], "accused": uid in accused_uids,
                                      "agreeing": attr.agreement(e, key, uid), "of_read": e.positions_read})
        artifacts.append(row)

    advisories = sorted(per_advisory.values(), key=lambda a: (-a["positions_read"], -len(a["files"]), a["advisory"]))
    primary = advisories[0]["advisory"] if advisories else (advisory or None)
    commitments = attr.check_commitments(evidence, key, program.signing_certificate)
    accused_partners = [next(e.holders[u] for e in evidence if u in e.holders) for u in accused_uids]
    # Every route by which each accused partner's copies of the matched files left the program
    # (its own downloads, and any export staff made of them), so a copy taken out by an insider shows.
    routes = {u: routes_of(_deliveries(copy__partner=p, copy__artifact_id__in={
                  e.deliverable.artifact.pk for e in evidence if u in e.holders}))
              for u, p in zip(accused_uids, accused_partners, strict=True)}
    trail = audit_trail(accused_partners, [a["advisory"] for a in advisories]) if accused_partners else []

    ranking = attribution.ranking if attribution else []
    result = {
        "advisory": primary,
        "partners_considered": attribution.partners_considered if attribution else 0,
        "positions_read": attribution.positions_read if attribution else 0,
        "exact_match": exact[0]["partner"] if exact else None,
        "accused": [dict(_score_row(r, names), routes=routes[r.partner]) for r in ranking if r.partner in accused_uids],
        # design.md: the ten highest scores (the full list, by p-value, is under "scores").
        "ranking": [_score_row(r, names, full=False) for r in sorted(ranking, key=lambda r: -r.score)[:attr.TOP]],
        "threshold": threshold,
        "advisories": advisories,
        "exact_matches": exact,
        "artifacts": artifacts,
        "scores": [dict(_score_row(r, names), method=r.method, helpers=[names[h] for h in r.helpers]) for r in ranking],
        "method": {
            "score": attribution.score_name if attribution else "llr",
            "p_value": "for each partner, a rigorous upper bound on the chance that an innocent partner (whose "
                       "codeword the leak cannot depend on) scores at least as high: the exact distribution of the "
                       "innocent score by convolution ('exact'), or a Chernoff bound on it ('chernoff') below 1e-30; "
                       "where a partner's two strongest fellow suspects look like its accomplices it is also scored "
                       "given their symbols (the coalition score, 'helpers' names them) and keeps "
                       "min(p_slot / (1 - s), p_coalition / s), a weighted Bonferroni over the two scores whose "
                       "share s is fixed by the leak and the helpers alone",
            "family_p_value": "min(1, p_value x partners_considered): a union bound over every partner considered",
            "accusation": "accused = exactly the partners whose family_p_value is at most the threshold",
            "merging": "several pieces of the same file are merged into one reading per file (agreeing symbols "
                       "kept, conflicting symbols erased) before scoring",
        },
        "commitment_check": commitments,
        "pieces": piece_rows,
        "audit_trail": trail,
        "notes": notes,
    }
    result["verdict"] = report.verdict(result)
    return Analysis(result, [names[u] for u in accused_uids], primary or "")


# ---- the record ---------------------------------------------------------------------------------

def _inputs_dir() -> Path:
    """HEADSTART_HOME/investigations/inputs, private to the owner (leaked material is confidential)."""
    path = Path(settings.HOME)
    for part in ("investigations", "inputs"):
        path = path / part
        path.mkdir(exist_ok=True, mode=0o700)
    return path


def _store(sub: Submission) -> str:
    """Write an input once under its digest, readable by the owner only; returns its path under HOME."""
    path = _inputs_dir() / sub.sha256
    if not path.exists():
        tmp = path.with_name(f".tmp-{sub.sha256}-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(sub.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return str(path.relative_to(Path(settings.HOME)))


def investigate(submissions: list[Submission], *, actor: Actor, advisory: str | None = None,
                threshold: float | str | None = None, limits: IntakeLimits | None = None) -> Investigation:
    """Take the material in, analyse it, and keep the record (inputs, result, audit event)."""
    t = accusation_threshold(threshold)
    ident = (advisory or "").strip() or None
    if ident is not None:
        found = Advisory.objects.filter(ident=ident).first()
        if found is None:
            raise NotFound(f"unknown advisory {ident!r}")
        if found.status == AdvisoryStatus.DRAFT:
            raise Invalid(f"advisory {ident} is a draft: no copy of it has gone out")
    pieces = take_in(submissions, limits or IntakeLimits.from_settings())
    analysis = analyse(pieces, advisory=ident, threshold=t)
    stored = [_store(sub) for sub in submissions]
    with transaction.atomic():
        inv = Investigation.objects.create(created_by=actor.name, advisory_hint=ident or "", threshold=t,
                                           advisory=analysis.advisory, accused=analysis.accused, result_json="{}")
        for i, (sub, path) in enumerate(zip(submissions, stored, strict=True)):
            InvestigationInput.objects.create(investigation=inv, position=i, name=sub.name[:400], kind=sub.kind,
                                              sha256=sub.sha256, size=len(sub.data), path=path)
        result = {**analysis.result, "investigation": inv.ident, "created_at": timezone.now().isoformat(),
                  "created_by": actor.name,
                  "inputs": [{"name": s.name, "kind": s.kind, "sha256": s.sha256, "size": len(s.data)}
                             for s in submissions]}
        inv.result_json = json.dumps(result, sort_keys=False, allow_nan=False)
        inv.save(update_fields=["result_json"])
        record(actor, "investigation.run", inv, advisory=analysis.advisory, advisory_hint=ident or "", threshold=t,
               inputs=result["inputs"], accused=analysis.accused, exact_match=result["exact_match"],
               partners_considered=result["partners_considered"], positions_read=result["positions_read"])
    return inv


def get_investigation(ref: str) -> Investigation:
    pk = parse_ident(ref)
    inv = Investigation.objects.filter(pk=pk).first() if pk is not None else None
    if inv is None:
        raise NotFound(f"unknown investigation {ref!r}")
    return inv


def view_investigation(ref: str, *, actor: Actor, what: str = "result") -> Investigation:
    """A read of an investigation (its result or its report), audited: it names partners."""
    inv = get_investigation(ref)
    with transaction.atomic():
        record(actor, f"investigation.view.{what}", inv)
    return inv


def investigation_ref_for_enforcement(ref: str) -> str:
    """The canonical identifier of an existing investigation, for `partner expel --investigation`.

    An empty reference stays empty (expulsion without an investigation); an unknown one is refused."""
    if not (ref or "").strip():
        return ""
    pk = parse_ident(ref)
    if pk is None or not Investigation.objects.filter(pk=pk).exists():
        raise NotFound(f"unknown investigation {ref!r}: run `headstart investigate` first and pass its ID")
    return format_ident(pk)


def report_html(inv: Investigation) -> str:
    return report.render(inv.result)
