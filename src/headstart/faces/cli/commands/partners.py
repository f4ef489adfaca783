"""headstart partner add|import|list|show|certificate|suspend|expel|reinstate."""

from __future__ import annotations

import argparse
from pathlib import Path

from headstart.faces import present
from headstart.faces.cli.common import Subparsers, add_json, cli_actor, read_file, read_text
from headstart.faces.cli.output import emit, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("partner", help="manage partners")
    psub = p.add_subparsers(dest="partner_command", metavar="ACTION", required=True)

    add = psub.add_parser("add", help="add a partner")
    add.add_argument("name", help="the organisation's name, as shown to staff and in audit events")
    add.add_argument("--tier", required=True, help="the tier it joins (see `headstart tier list`)")
    add.add_argument("--email", default="", help="contact e-mail for notifications")
    add.add_argument("--pgp-cert", metavar="FILE", help="the partner's OpenPGP certificate (armored or binary)")
    add.add_argument("--status", choices=["active", "applicant"], default="active",
                     help="active receives material at once; an applicant waits for vetting (default: active)")
    add_json(add)
    add.set_defaults(handler=run_add)

    imp = psub.add_parser("import", help="import partners from a CSV file, all rows or none",
                          description="CSV header: name,tier[,email][,pgp_cert]. pgp_cert holds an armored "
                                      "certificate or the path of a certificate file (relative to the CSV).")
    imp.add_argument("file", help="the CSV file to import")
    add_json(imp)
    imp.set_defaults(handler=run_import)

    ls = psub.add_parser("list", help="list partners")
    ls.add_argument("--status", choices=["applicant", "active", "suspended", "expelled"],
                    help="only the partners with this status (default: all)")
    add_json(ls)
    ls.set_defaults(handler=run_list)

    show = psub.add_parser("show", help="show a partner with its status history")
    show.add_argument("name", help="the partner's name")
    add_json(show)
    show.set_defaults(handler=run_show)

    cert = psub.add_parser("certificate", help="replace a partner's OpenPGP certificate (checked as with add)",
                           description="Packages prepared from then on are encrypted to the new certificate. "
                                       "A partner admin can do the same in the portal (My team, certificate).")
    cert.add_argument("name", help="the partner's name")
    cert.add_argument("file", help="the certificate file (armored or binary; never a secret key)")
    add_json(cert)
    cert.set_defaults(handler=run_certificate)

    for action, helptext in (("suspend", "suspend a partner (can be lifted with reinstate)"),
                             ("expel", "expel a partner (final)"),
                             ("reinstate", "lift a suspension")):
        sp = psub.add_parser(action, help=helptext)
        sp.add_argument("name", help="the partner's name")
        sp.add_argument("--reason", required=True, help="why, kept in the partner's status history and the audit log")
        if action == "expel":
            sp.add_argument("--investigation", default="", metavar="ID", help="the investigation that found the leak")
        add_json(sp)
        sp.set_defaults(handler=run_status, action=action)


def _cert_text(value: str, base: Path) -> str:
    """A pgp_cert cell or --pgp-cert argument: armored text or a file path."""
    if not value.strip() or value.lstrip().startswith("-----BEGIN PGP"):
        return value
    path = Path(value.strip())
    path = path if path.is_absolute() else base / path
    from headstart.crypto.openpgp import CertificateError, armored
    from headstart.errors import Invalid

    if not path.is_file():
        raise Invalid(f"certificate file {value.strip()} does not exist")
    try:
        return armored(path.read_bytes())
    except CertificateError as exc:
        raise Invalid(f"certificate file {value.strip()}: {exc}") from None


def run_add(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import PartnerInput, add_partner

    cert = _cert_text(args.pgp_cert, Path.cwd()) if args.pgp_cert else ""
    partner = add_partner(PartnerInput(args.name, args.tier, args.email, cert), actor=cli_actor(), status=args.status)
    emit(args, present.partner(partner),
         f"Added partner {partner.name} ({partner.status}, tier {partner.tier.name})"
         + ("" if partner.pgp_fingerprint else "; no OpenPGP certificate yet: packages cannot be sent to it"))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import import_partners

    text = read_text(args.file, what="CSV")
    base = Path(args.file).resolve().parent
    # Certificate cells may name files relative to the CSV; the service reports a bad one
    # with its line, together with every other bad row.
    partners = import_partners(text, actor=cli_actor(), certificate_loader=lambda cell: _cert_text(cell, base))
    # Partners just added have accepted no NDA: no query per partner for a large import.
    emit(args, [present.partner(p, nda_accepted=False) for p in partners], f"Imported {len(partners)} partners")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from headstart.apps.partners.models import Partner

    qs = Partner.objects.select_related("tier").order_by("name")
    if args.status:
        qs = qs.filter(status=args.status)
    partners = [present.partner(p) for p in qs]
    emit(args, partners, lambda: table(
        [(p["name"], p["status"], p["tier"], p["email"], "yes" if p["nda_accepted"] else "no",
          (p["pgp_fingerprint"][-16:] if p["pgp_fingerprint"] else "MISSING")) for p in partners],
        ["PARTNER", "STATUS", "TIER", "EMAIL", "NDA", "OPENPGP"]))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import get_partner

    data = present.partner(get_partner(args.name), history=True)

    def text() -> str:
        lines = [f"{data['name']}: {data['status']}, tier {data['tier']}, e-mail {data['email'] or '-'}",
                 f"OpenPGP: {data['pgp_fingerprint'] or 'none'}; NDA accepted: {'yes' if data['nda_accepted'] else 'no'}",
                 "History:"]
        lines += [f"  {h['at']:%Y-%m-%d %H:%M} {h['old_status'] or '-'} -> {h['new_status']}: {h['reason']} ({h['by']})"
                  for h in data["history"]]
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def run_certificate(args: argparse.Namespace) -> int:
    from headstart.apps.partners.certificates import replace_certificate
    from headstart.apps.partners.services import get_partner

    partner = replace_certificate(get_partner(args.name), read_file(args.file, what="certificate"), actor=cli_actor())
    emit(args, present.partner(partner),
         f"{partner.name}'s certificate is now {partner.pgp_fingerprint}"
         + (f" (expires {partner.pgp_expires_at:%Y-%m-%d})" if partner.pgp_expires_at else " (no expiry)"))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from headstart.apps.investigations.services import investigation_ref_for_enforcement
    from headstart.apps.partners.services import get_partner, set_status

    new = {"suspend": "suspended", "expel": "expelled", "reinstate": "active"}[args.action]
    partner = get_partner(args.name)
    set_status(partner, new, reason=args.reason, actor=cli_actor(),
               investigation_ref=investigation_ref_for_enforcement(getattr(args, "investigation", "") or ""))
    partner.refresh_from_db()
    if new == "active":
        message = (f"Partner {partner.name} is active again; the sessions and API tokens it had before stay revoked: "
                   "its users sign in again and get new tokens (`headstart token create`)")
    else:
        message = f"Partner {partner.name} is now {partner.status}; its sessions and API tokens are revoked for good"
    emit(args, present.partner(partner, history=True), message)
    return 0
