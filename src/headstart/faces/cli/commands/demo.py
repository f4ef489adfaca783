"""headstart demo: the whole story in the terminal, on a throwaway home directory.

A program with N partners in two tiers; the sample advisory scheduled and released;
every partner fetches its package; one partner (or C colluding partners) leaks through
realistic leak paths; the investigation names the copy with p-values; the partner is
expelled; its next download is refused. Exit 0 only when a leaker was named (with
colluders: at least one of them, which is what collusion-secure codes promise) and no
innocent partner was. main.py points HEADSTART_HOME at a fresh temporary directory first.
"""

from __future__ import annotations

import argparse
import html
import io
import random
import time
import zipfile
from datetime import timedelta
from typing import TYPE_CHECKING

from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit, table

if TYPE_CHECKING:
    from headstart.apps.investigations.intake import Submission

_FIRST = ["Aegis", "Bastion", "Cobalt", "Drift", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper",
          "Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Pinnacle", "Quartz", "Rampart", "Sentinel", "Tundra"]
_SECOND = ["Antivirus", "IPS", "EDR", "Mail Security", "Networks", "Labs", "Defense", "Shield", "Guard", "Sec"]


def register(sub: Subparsers) -> None:
    p = sub.add_parser("demo", help="run the whole story (program, release, leak, investigation, expulsion) "
                                    "on a throwaway home directory",
                       description="Exit code 0 only when a leaker was named (with colluders: at least one of "
                                   "them) and no innocent partner was.")
    p.add_argument("--partners", type=int, default=40, help="number of partners (default 40)")
    p.add_argument("--colluders", type=int, default=1, help="partners who leak together (default 1)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    p.add_argument("--keep", action="store_true", help="keep the demo's home directory and print where it is")
    add_json(p)
    p.set_defaults(handler=run)


def _names(n: int, rng: random.Random) -> list[str]:
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    if n > len(names):
        names += [f"Partner {i:04d} Security" for i in range(n - len(names))]
    return sorted(names[:n])


def _say(args: argparse.Namespace, text: str = "") -> None:
    if not args.json:
        print(text, flush=True)


def _leak_material(files: list[dict[str, bytes]], seed: int, formatters: set[str]) -> list[Submission]:
    """What turns up on a forum: an HTML post quoting the write-up and the Python PoC, and an
    archive with the C PoC and the binary PoC, after the leak paths of the battery. A PoC is
    run through its formatter (black, clang-format) only when it is in ``formatters``."""
    from headstart.apps.investigations.intake import Submission
    from headstart.leaks.binary import mix_fields, scrub_ignored
    from headstart.leaks.code import black_format, clang_format, strip_c_comments, strip_python_comments
    from headstart.leaks.mixing import mix_lines, mix_paragraphs
    from headstart.leaks.text import markdown_to_html, rewrap
    from headstart.samples import SAMPLE_DIR
    from headstart.triggers import load_spec

    spec = load_spec((SAMPLE_DIR / "tim.ksy.yaml").read_text())
    writeups = [rewrap(f["writeup.md"].decode(), seed=seed) for f in files]
    python_sources = [f["poc_tim_overflow.py"].decode() for f in files]
    c_sources = [f["poc_tim_overflow.c"].decode() for f in files]
    if "black" in formatters:
        python_sources = [black_format(text) for text in python_sources]
    if "clang-format" in formatters:
        c_sources = [clang_format(text, style="GNU") for text in c_sources]
    pythons = [strip_python_comments(text) for text in python_sources]
    cs = [strip_c_comments(text) for text in c_sources]
    tims = [f["poc.tim"] for f in files]
    if len(files) == 1:
        writeup, python, c_source, tim = writeups[0], pythons[0], cs[0], scrub_ignored(spec, tims[0])
    else:
        writeup = mix_paragraphs(writeups, seed=seed)
        python = mix_lines(pythons, seed=seed)
        c_source = mix_lines(cs, seed=seed)
        tim = mix_fields(spec, tims, seed=seed)
    post = ("<html><head><title>[0day] Lumen Viewer TIM heap overflow - full details + PoC</title></head><body>"
            "<div class='post'><p>got this from a friend, patch is not out yet</p>"
            f"{markdown_to_html(writeup)}<p>poc:</p><pre><code>{html.escape(python)}</code></pre></div>"
            "</body></html>")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lumen_poc/poc.c", c_source)
        zf.writestr("lumen_poc/crash.tim", tim)
    return [Submission("forum-post.html", post.encode()), Submission("lumen_poc.zip", archive.getvalue())]


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from headstart.apps.accounts.services import add_user, create_token
    from headstart.apps.accounts.tokens import user_for_token
    from headstart.apps.advisories.services import ArtifactInput, create_advisory
    from headstart.apps.audit.services import Actor, verify
    from headstart.apps.delivery.package import read_tar
    from headstart.apps.delivery.services import fetch_package, schedule
    from headstart.apps.investigations.services import investigate
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner, set_status
    from headstart.apps.program.models import Program
    from headstart.apps.program.services import initialise
    from headstart.crypto.openpgp import decrypt_and_verify
    from headstart.errors import HeadstartError, Invalid
    from headstart.faces.cli.demo_keys import make_demo_partner_keys
    from headstart.leaks.code import tool_available
    from headstart.samples import SAMPLE_DIR

    if args.partners < 2 or args.partners > 500:
        raise Invalid("--partners must be between 2 and 500")
    if not 1 <= args.colluders <= args.partners // 2:
        raise Invalid("--colluders must be at least 1 and at most half the partners")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    rng = random.Random(seed)
    started = time.monotonic()
    staff = Actor(name="psirt@vendor.example")
    _say(args, f"Headstart demo (seed {seed}; home {settings.HOME})\n")

    _say(args, "1. The program")
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    initialise("Northwind Imaging pre-disclosure program", actor=staff)
    _say(args, f"   keys created; signing key {Program.get().signing_fingerprint}")

    _say(args, f"2. {args.partners} partners in two tiers sign the NDA")
    names = _names(args.partners, rng)
    made = make_demo_partner_keys([f"{name} <psirt@{name.split()[0].lower()}.example>" for name in names])
    partners = {}
    for i, (name, (secret, cert)) in enumerate(zip(names, made.keys, strict=True)):
        tier = "advanced" if i % 2 == 0 else "entry"
        partner = add_partner(PartnerInput(name, tier, f"psirt@{name.split()[0].lower()}-{i}.example", cert),
                              actor=staff)
        admin = add_user(f"admin{i}@{name.split()[0].lower()}.example", actor=staff, partner=partner, role="admin")
        accept_nda(partner, admin, actor=Actor(name=admin.email, partner=name))
        partners[name] = (partner, admin, secret)
    _say(args, f"   {sum(1 for p, _, _ in partners.values() if p.tier.name == 'advanced')} advanced (72h, PoCs), "
               f"{sum(1 for p, _, _ in partners.values() if p.tier.name == 'entry')} entry (24h, write-up and guidance)")
    _say(args, "   their OpenPGP keys made with GnuPG, as partners make theirs" if made.note is None
         else f"   note: {made.note}")

    _say(args, "3. The sample advisory is scheduled: the program commits to every codebook")
    import yaml

    meta = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
    advisory = create_advisory(
        meta["id"], title=meta["title"], cve=meta["cve"], cvss=meta["cvss"], actor=staff,
        products=[f"{p['name']} {p.get('affected', '')}".strip() for p in meta["products"]],
        patch_at=timezone.now() + timedelta(hours=12),
        artifacts=[ArtifactInput(a["kind"], a["file"], (SAMPLE_DIR / a["file"]).read_bytes()) for a in meta["artifacts"]])
    commitment = schedule(advisory, actor=staff)
    _say(args, f"   {advisory.ident}: {advisory.title} (public in 12h); commitment {commitment.digest[:32]}...")

    _say(args, "4. Release: every partner fetches its own marked, signed and encrypted package")
    received: dict[str, dict[str, bytes]] = {}
    certificate = Program.get().signing_certificate
    for name, (_partner, admin, secret) in partners.items():
        actor = Actor(name=admin.email, partner=name, ip="192.0.2.10")
        fetched = fetch_package(admin, advisory.ident, actor=actor)
        with fetched.open() as package:
            encrypted = package.read()
        received[name] = read_tar(decrypt_and_verify(encrypted, secret_key=secret, signer_cert=certificate))
    _say(args, f"   {len(received)} packages delivered; every copy differs, every one decrypts and verifies")

    advanced = [n for n in names if partners[n][0].tier.name == "advanced"]
    leakers = sorted(rng.sample(advanced, args.colluders))
    _say(args, f"5. A leak: {' and '.join(leakers)} post{'s' if len(leakers) == 1 else ''} the material")
    # The formatters are development tools, not Headstart's dependencies: a leak path whose
    # tool is missing is skipped, and the demo says so.
    formatters = {tool for tool in ("black", "clang-format") if tool_available(tool)}
    skipped = sorted({"black", "clang-format"} - formatters)
    material = _leak_material([received[n] for n in leakers], seed, formatters)
    _say(args, "   forum-post.html: the write-up re-wrapped, rendered to HTML; the Python PoC "
               + ("run through black, " if "black" in formatters else "") + "comments stripped")
    _say(args, "   lumen_poc.zip:   the C PoC " + ("clang-formatted (GNU), " if "clang-format" in formatters else "")
               + "comments stripped; the binary PoC "
               + ("with its ignored fields zeroed" if len(leakers) == 1 else "mixed field by field"))
    for tool in skipped:
        _say(args, f"   (skipped: {tool} is not installed, so no PoC went through it; "
                   f"install it to add that leak path)")
    if len(leakers) > 1:
        _say(args, "   (colluders mixed their copies paragraph by paragraph and line by line)")

    _say(args, "6. The investigation")
    inv = investigate(material, actor=staff)
    import json

    result = json.loads(inv.result_json)
    _say(args, f"   investigation {inv.ident}: advisory {result['advisory']}, {result['partners_considered']} partners "
               f"considered, {result['positions_read']} positions read")
    _say(args, table([(r["partner"], f"{r['score']:.1f}", f"{r['p_value']:.2e}",
                       "ACCUSED" if r["partner"] in [a["partner"] for a in result["accused"]] else "")
                      for r in result["ranking"][:5]], ["PARTNER", "SCORE", "P-VALUE", ""]))
    accused = [a["partner"] for a in result["accused"]]

    _say(args, "7. Enforcement")
    tokens = {name: create_token(partners[name][1], actor=staff)[1] for name in accused}  # live before expulsion
    for name in accused:
        partner, admin, _secret = partners[name]
        set_status(partner, "expelled", reason=f"leak attributed by investigation {inv.ident}", actor=staff,
                   investigation_ref=inv.ident)
        _say(args, f"   {name} expelled (investigation {inv.ident})")
    refusals = []
    for name in accused:
        partner, admin, _secret = partners[name]
        admin.refresh_from_db()
        try:
            fetch_package(admin, advisory.ident, actor=Actor(name=admin.email, partner=name, ip="192.0.2.10"))
            refusals.append({"partner": name, "refused": False})
        except HeadstartError as exc:
            token_dead = user_for_token(tokens[name]) is None
            refusals.append({"partner": name, "refused": token_dead, "status": exc.status, "reason": exc.message})
            _say(args, f"   {name} tries to download again: refused; its API token "
                       + ("no longer works" if token_dead else "STILL WORKS"))

    innocents_accused = sorted(set(accused) - set(leakers))
    leakers_named = sorted(set(accused) & set(leakers))
    # Collusion-secure codes promise to catch at least one colluder; a lone leaker is always the one.
    ok = not innocents_accused and bool(leakers_named) and all(r["refused"] for r in refusals)
    chain = verify()
    _say(args, f"8. Audit log: {chain.events} events, chain {'intact' if chain.ok else 'BROKEN'}")
    _say(args, "")
    _say(args, ("OK: " if ok else "FAILED: ")
         + f"named {len(leakers_named)} of {len(leakers)} leaker(s), {len(innocents_accused)} innocent(s) accused "
         + f"({time.monotonic() - started:.0f}s)")
    emit(args, {"ok": ok, "seed": seed, "partners": args.partners, "leakers": leakers, "accused": accused,
                "innocents_accused": innocents_accused, "investigation": result, "refusals": refusals,
                "audit_chain_ok": chain.ok, "skipped_leak_paths": skipped, "partner_keys_made_with": made.made_with,
                "partner_keys_note": made.note, "home": str(settings.HOME) if args.keep else None}, "")
    if args.keep:
        _say(args, f"Demo home kept at {settings.HOME} (HEADSTART_HOME={settings.HOME} headstart serve)")
    return 0 if ok and chain.ok else 1
