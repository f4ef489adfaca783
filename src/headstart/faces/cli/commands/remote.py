"""headstart remote: the partner's side. List open advisories, download packages, CSAF documents and STIX
bundles over the API.

Needs only the server's URL and an API token (HEADSTART_URL, HEADSTART_TOKEN), no local
database. With --key, the package is decrypted and its signature checked against the
program's certificate, and the files are unpacked: the partner's copies, and the documents in
standard formats in their folders (detection/, csaf/, stix/).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit, table
from headstart.files import write_atomically


def register(sub: Subparsers) -> None:
    p = sub.add_parser("remote", help="partner side: list open advisories and download packages from a server")
    p.add_argument("--url", default=os.environ.get("HEADSTART_URL", "http://127.0.0.1:8000"),
                   help="server URL (default $HEADSTART_URL or http://127.0.0.1:8000)")
    p.add_argument("--token", default=os.environ.get("HEADSTART_TOKEN"), help="API token (default $HEADSTART_TOKEN)")
    rsub = p.add_subparsers(dest="remote_command", metavar="ACTION", required=True)
    ls = rsub.add_parser("list", help="advisories open to your organisation")
    add_json(ls)
    ls.set_defaults(handler=run_list)
    dl = rsub.add_parser("download", help="download your package for an advisory")
    dl.add_argument("id", help="advisory identifier, as `remote list` shows it")
    dl.add_argument("--out", required=True, metavar="FILE", help="where to write the encrypted package")
    dl.add_argument("--key", metavar="FILE", help="your OpenPGP secret key: decrypt, verify and unpack next to FILE "
                                                  "(your copies, and the YARA rules, CSAF and STIX documents in "
                                                  "detection/, csaf/ and stix/)")
    add_json(dl)
    dl.set_defaults(handler=run_download)
    cs = rsub.add_parser("csaf", help="fetch an advisory as a CSAF 2.0 document: the partner edition (TLP:AMBER) "
                                      "while under embargo, the public one from the patch time on")
    cs.add_argument("id", help="advisory identifier, as `remote list` shows it")
    cs.add_argument("--edition", choices=("partner", "public"), help="ask for this edition (default: the current one)")
    cs.add_argument("--out", metavar="FILE", help="write the document to FILE instead of printing it")
    cs.set_defaults(handler=run_csaf)
    st = rsub.add_parser("stix", help="fetch your STIX 2.1 bundle for an advisory: the vulnerability and the "
                                      "YARA rules as indicators, TLP 2.0 marked")
    st.add_argument("id", help="advisory identifier, as `remote list` shows it")
    st.add_argument("--out", metavar="FILE", help="write the bundle to FILE instead of printing it")
    st.set_defaults(handler=run_stix)
    rd = rsub.add_parser(
        "readiness", help="test your YARA rules or ClamAV signatures against your copies of an advisory's binary "
                          "PoCs (and benign files) on the server; --ready marks your protections ready",
        description="Uploads RULES; a worker on the server tests them in a sandbox and this command waits for "
                    "the result (up to --wait seconds), then prints what they detect, miss and match among "
                    "benign files. Without RULES, --ready (with --note) confirms protections ready for a "
                    "partner whose engine the server cannot run.")
    rd.add_argument("id", help="advisory identifier, as `remote list` shows it")
    rd.add_argument("rules", metavar="RULES", nargs="?",
                    help="your YARA rules file, or ClamAV signatures (.ndb, .ldb, .hdb, .hsb)")
    rd.add_argument("--engine", choices=("yara", "clamav"),
                    help="how to run RULES (default: clamav for a .ndb, .ldb, .hdb or .hsb file, else yara)")
    rd.add_argument("--note", default="", help="a note for the PSIRT (e.g. that you use another engine)")
    rd.add_argument("--ready", action="store_true", help="mark your protections for this advisory ready")
    rd.add_argument("--wait", type=float, default=600.0, metavar="S",
                    help="seconds to wait for the server's worker to finish the test (default 600)")
    add_json(rd)
    rd.set_defaults(handler=run_readiness)


def _get(args: argparse.Namespace, path: str, *, body: bytes | None = None,
         content_type: str = "") -> tuple[bytes, dict[str, str]]:
    """GET the path (POST ``body`` when given) with the caller's token; an error status raises."""
    from headstart.errors import Forbidden, Invalid, NotFound

    if not args.token:
        raise Invalid("no API token: pass --token or set HEADSTART_TOKEN")
    headers = {"Authorization": f"Bearer {args.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(args.url.rstrip("/") + "/api/v1" + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", exc.reason)
        except ValueError:
            detail = exc.reason
        kind = {401: Forbidden, 403: Forbidden, 404: NotFound}.get(exc.code, Invalid)
        raise kind(f"server said {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        raise Invalid(f"cannot reach {args.url}: {exc.reason}") from None


def run_list(args: argparse.Namespace) -> int:
    body, _ = _get(args, "/advisories")
    items = json.loads(body)
    emit(args, items, lambda: table([(a["id"], a["cvss_severity"] or "-", a["patch_at"], a["title"]) for a in items],
                                    ["ADVISORY", "SEVERITY", "PUBLIC AT", "TITLE"]) if items
         else "No advisory is open to you right now.")
    return 0


def run_download(args: argparse.Namespace) -> int:
    """Download, and with --key decrypt, verify and unpack. Everything is checked in memory
    first; only then is each file written (a temporary file in its directory, renamed into
    place), so a failure leaves nothing behind: no encrypted package the partner cannot open,
    no half-unpacked folder."""
    import hashlib

    from headstart.errors import Invalid

    out = Path(args.out)
    if not out.parent.is_dir():
        raise Invalid(f"--out {out}: the directory {out.parent} does not exist")
    secret = _read_key(Path(args.key)) if args.key else None
    data, headers = _get(args, f"/advisories/{args.id}/package")
    result: dict[str, object] = {"advisory": args.id, "package": str(out), "size": len(data),
                                 "plaintext_sha256": headers.get("X-Headstart-Package-SHA256")}
    files: dict[str, bytes] = {}
    if secret is not None:
        from headstart.apps.delivery.package import read_tar
        from headstart.crypto.openpgp import DecryptionError, decrypt_and_verify

        program = json.loads(_get(args, "/program")[0])
        try:
            plain = decrypt_and_verify(data, secret_key=secret, signer_cert=program["signing_certificate"])
        except DecryptionError as exc:
            raise Invalid(f"--key {args.key}: {exc}; nothing was saved") from None
        if result["plaintext_sha256"] and hashlib.sha256(plain).hexdigest() != result["plaintext_sha256"]:
            raise Invalid("the decrypted package does not match the digest the server announced; nothing was saved")
        try:
            files = read_tar(plain)
        except Exception as exc:  # noqa: BLE001 - tarfile raises several types for a damaged archive
            raise Invalid(f"the decrypted package is not a readable archive ({exc}); nothing was saved") from None
        result["signed_by"] = program["signing_fingerprint"]
    target = out.parent / args.id
    unpacked = _save(out, data, target, files)
    if files:
        result["files"] = [str(p) for p in unpacked]
    emit(args, result, lambda: f"Saved {out} ({len(data)} bytes)" + (
        f"; signature OK ({result['signed_by']}); unpacked {len(files)} files under {target}" if files else ""))
    return 0


def run_csaf(args: argparse.Namespace) -> int:
    """The CSAF document as the server sends it (the same bytes, so its hash files match)."""
    out = _out_file(args)
    query = f"?edition={args.edition}" if args.edition else ""
    data, headers = _get(args, f"/advisories/{args.id}/csaf{query}")
    return _save_or_print(data, out, f"{headers.get('X-Headstart-CSAF-Edition', 'CSAF')} edition")


def run_stix(args: argparse.Namespace) -> int:
    """The STIX bundle as the server sends it."""
    out = _out_file(args)
    data, _ = _get(args, f"/advisories/{args.id}/stix")
    return _save_or_print(data, out, "STIX 2.1 bundle")


CLAMAV_SUFFIXES = (".ndb", ".ldb", ".hdb", ".hsb")


def run_readiness(args: argparse.Namespace) -> int:
    import time

    from headstart.errors import Invalid
    from headstart.faces.cli.common import read_file

    if args.rules is None and not args.ready:
        raise Invalid("give a RULES file to test, or --ready (and --note) to confirm protections ready without a test")
    if not args.wait >= 0:
        raise Invalid(f"--wait {args.wait}: give a number of seconds, 0 or more")
    parts: list[tuple[str, str | None, bytes]] = [("note", None, args.note.encode())]
    if args.rules is not None:
        name = Path(args.rules).name
        engine = args.engine or ("clamav" if name.lower().endswith(CLAMAV_SUFFIXES) else "yara")
        parts += [("rules", name, read_file(args.rules, what="rules")), ("engine", None, engine.encode())]
    if args.ready:
        parts.append(("ready", None, b"true"))
    boundary = "headstart-" + os.urandom(12).hex()
    body = b""
    for field, filename, value in parts:
        disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    answer, _ = _get(args, f"/advisories/{args.id}/readiness", body=body,
                     content_type=f"multipart/form-data; boundary={boundary}")
    result = json.loads(answer)
    # Queued or running on the server's worker: ask again until it is done (or --wait runs out).
    deadline = time.monotonic() + args.wait
    while result.get("status") in ("queued", "running"):
        if time.monotonic() >= deadline:
            raise Invalid(f"the test is still {result['status']} on the server after {args.wait:g} s (is a "
                          f"`headstart worker` running there?); see it later with GET {result.get('url', '')}")
        time.sleep(2)
        latest, _ = _get(args, f"/advisories/{args.id}/readiness")
        mine = [r for r in json.loads(latest) if r.get("id") == result["id"]]
        if not mine:
            raise Invalid("a later test by your organisation replaced this one; run the command again")
        result = mine[0]
    if result.get("status") == "failed":
        raise Invalid(f"the test failed: {result.get('error', '')}")

    def text() -> str:
        if result.get("engine") == "own":
            return f"{result['advisory']}: marked ready without a test" + (f" ({result['note']})" if result["note"] else "")
        lines = [f"{result['advisory']}: detected {', '.join(result['detected']) or 'nothing'}",
                 f"  missed: {', '.join(result['missed']) or '-'}",
                 f"  false positives: {len(result['false_positives'])} of {result['benign_files']} benign files"]
        lines += [f"    {name}" for name in result["false_positives"]]
        lines += [f"  warning: {w}" for w in result["warnings"]]
        lines.append("  marked ready" if result["ready"] else "  not marked ready")
        return "\n".join(lines)

    emit(args, result, text)
    return 0


def _out_file(args: argparse.Namespace) -> Path | None:
    """--out, checked before anything is fetched: its directory must exist."""
    from headstart.errors import Invalid

    out = Path(args.out) if args.out else None
    if out is not None and not out.parent.is_dir():
        raise Invalid(f"--out {out}: the directory {out.parent} does not exist")
    return out


def _save_or_print(data: bytes, out: Path | None, what: str) -> int:
    """The server's bytes as they came: to stdout, or written whole to --out."""
    import sys

    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    write_atomically(out, data)
    print(f"Saved {out} ({what}, {len(data)} bytes)")
    return 0


def _read_key(path: Path) -> bytes:
    from headstart.errors import Invalid

    try:
        return path.read_bytes()
    except OSError as exc:
        raise Invalid(f"--key {path}: {exc.strerror or exc}") from None


def _save(out: Path, package: bytes, target: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the package and the unpacked files; on any error remove what was written and say so."""
    from headstart.errors import Invalid

    written: list[Path] = []
    made: list[Path] = []  # folders this call made: the target, and the documents' detection/, csaf/, stix/
    try:
        write_atomically(out, package)
        written.append(out)
        if files:
            for name, content in files.items():  # read_tar refused absolute names and ".."
                path = target / name
                for folder in reversed(path.relative_to(target.parent).parents[:-1]):
                    if not (target.parent / folder).exists():
                        (target.parent / folder).mkdir()
                        made.append(target.parent / folder)
                write_atomically(path, content)
                written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            shutil.rmtree(folder, ignore_errors=True)
        raise Invalid(f"cannot save the package: {exc.strerror or exc} ({exc.filename or out}); nothing was saved") \
            from None
    return written[1:]
