"""headstart seed: demo data for trying Headstart (partners, users, the sample advisory)."""

from __future__ import annotations

import argparse
import secrets

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, progress

DEMO_PARTNERS = (("Example AV", "advanced"), ("Other IPS", "advanced"), ("Contoso EDR", "entry"),
                 ("Fabrikam Mail Security", "entry"))


# Every account, the demo's included, signs in with a second factor (docs/accounts.md).
SECOND_FACTOR = ("after the password, each user sets up a second factor (an authenticator app, or a security key "
                 "or passkey) and is shown its recovery codes once; the page also shows the app's secret as text, "
                 "for a tool such as `oathtool --totp -b SECRET`")


def register(sub: Subparsers) -> None:
    p = sub.add_parser("seed", help="load demo data: partners, users and the sample advisory (once)")
    p.add_argument("--patch-in", default="48h", help="time from now to the sample advisory's patch (default 48h)")
    p.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when demo data is already loaded")
    add_json(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import yaml
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from headstart.apps.accounts.models import User
    from headstart.apps.accounts.services import add_user
    from headstart.apps.advisories.models import Advisory
    from headstart.apps.advisories.services import ArtifactInput, create_advisory
    from headstart.apps.delivery.services import schedule
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner, parse_lead_time
    from headstart.errors import Conflict
    from headstart.faces.cli.demo_keys import make_demo_partner_keys
    from headstart.samples import SAMPLE_DIR

    actor = cli_actor()
    meta = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
    if Advisory.objects.filter(ident=meta["id"]).exists():
        if args.if_empty:
            emit(args, {"loaded": False}, "Demo data is already loaded.")
            return 0
        raise Conflict("demo data is already loaded (the sample advisory exists)")
    staff_password = secrets.token_urlsafe(12)
    partner_password = secrets.token_urlsafe(12)
    key_dir = settings.HOME / "demo-partner-keys"
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Made before the transaction, so the database is not held while keys are generated.
    progress(f"  generating the {len(DEMO_PARTNERS)} demo partners' OpenPGP keys")
    made = make_demo_partner_keys([f"{name} <security@{name.split()[0].lower()}.example>"
                                   for name, _tier in DEMO_PARTNERS])
    with transaction.atomic():
        if not User.objects.filter(email="psirt@example.com").exists():
            add_user("psirt@example.com", actor=actor, staff=True, password=staff_password)
        else:
            staff_password = "(unchanged)"
        for (name, tier), (secret, cert) in zip(DEMO_PARTNERS, made.keys, strict=True):
            progress(f"  partner {name} ({tier})")
            slug = name.lower().replace(" ", "-")
            (key_dir / f"{slug}.asc").write_text(secret)
            (key_dir / f"{slug}.asc").chmod(0o600)
            partner = add_partner(PartnerInput(name, tier, f"security@{slug}.example", cert), actor=actor)
            admin = add_user(f"admin@{slug}.example", actor=actor, partner=partner, role="admin",
                             password=partner_password)
            add_user(f"analyst@{slug}.example", actor=actor, partner=partner, role="analyst",
                     password=partner_password)
            accept_nda(partner, admin, actor=actor)
        items = [ArtifactInput(a["kind"], a["file"], (SAMPLE_DIR / a["file"]).read_bytes()) for a in meta["artifacts"]]
        advisory = create_advisory(meta["id"], title=meta["title"], cve=meta.get("cve", ""), cvss=meta.get("cvss", ""),
                                   products=[f"{p['name']} {p.get('affected', '')}".strip() for p in meta.get("products", [])],
                                   artifacts=items, actor=actor,
                                   patch_at=timezone.now() + parse_lead_time(args.patch_in))
        schedule(advisory, actor=actor)
    data = {"staff": {"email": "psirt@example.com", "password": staff_password},
            "partner_admins": {"emails": [f"admin@{n.lower().replace(' ', '-')}.example" for n, _ in DEMO_PARTNERS],
                               "password": partner_password},
            "partner_analysts": {"emails": [f"analyst@{n.lower().replace(' ', '-')}.example" for n, _ in DEMO_PARTNERS],
                                 "password": partner_password},
            "second_factor": SECOND_FACTOR,
            "advisory": advisory.ident, "patch_at": advisory.patch_at, "partner_keys": str(key_dir),
            "partner_keys_made_with": made.made_with, "partner_keys_note": made.note}
    emit(args, data, lambda: "\n".join([
        (f"Demo data loaded: {len(DEMO_PARTNERS)} partners, sample advisory {advisory.ident} "
         f"(public at {advisory.patch_at:%Y-%m-%d %H:%M} UTC)."),
        f"  staff sign-in:   psirt@example.com / {staff_password}",
        f"  partner users:   admin@ and analyst@ of each partner (analyst@example-av.example ...) / {partner_password}",
        f"  first sign-in:   {SECOND_FACTOR}",
        f"  partner keys:    {key_dir}" + (" (made with GnuPG)" if made.note is None else ""),
        *([f"Note: {made.note}."] if made.note else []),
        "These passwords are shown once."]))
    return 0
