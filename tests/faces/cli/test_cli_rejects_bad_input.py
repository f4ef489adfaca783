"""Every bad input of the command line: one clear line on stderr, exit code 1, nothing changed.

The commands run in-process (headstart.faces.cli.main.main), so they use the test database.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

FUTURE = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
FUTURE_ISO = FUTURE.isoformat()
SIZE_LIMIT = 1024


def dearmored(armor: str) -> bytes:
    """The binary packets of an ASCII-armored block (base64 lines never hold ':' or start with '=')."""
    body = [line for line in armor.strip().splitlines()[1:-1] if line and ":" not in line and not line.startswith("=")]
    return base64.b64decode("".join(body))


@pytest.fixture
def files(tmp_path: Path, pgp) -> Path:  # type: ignore[no-untyped-def]
    """The input files the cases below name, by file name."""
    texts = {
        "writeup.md": "# Write-up\n\nThe decoder overflows.\n",
        "empty.md": "",
        "expired.asc": pgp.expired_certificate,
        "secret.asc": pgp.secret_key,
        "prefixed-secret.asc": "Our key, as requested:\n\n" + pgp.secret_key,
        "secret-after-cert.asc": pgp.certificate + pgp.secret_key,
        "secret-key.csv": "name,tier,pgp_cert\nNew Co,entry,secret.gpg\n",
        "prefixed-secret-key.csv": "name,tier,pgp_cert\nNew Co,entry,prefixed-secret.asc\n",
        "control-name.csv": "name,tier\nNew\x1b[2JCo,entry\n",
        "sign-only.asc": pgp.sign_only_certificate,
        "garbage.asc": "this is not a certificate\n",
        "bad-header.csv": "organisation,tier\nNew Co,entry\n",
        "field-count.csv": "name,tier,email\nNew Co,entry,new@new-co.example\nShort Co,entry\n",
        "unknown-tier.csv": "name,tier\nNew Co,entry\nGold Co,entry\nPlatinum Co,platinum\n",
        "duplicate-rows.csv": "name,tier\nNew Co,entry\nSecond Co,advanced\nNew Co,advanced\n",
        "existing-partner.csv": "name,tier\nNew Co,entry\nExample AV,entry\n",
        "many-bad-rows.csv": "name,tier,email\nNew Co,entry,\nGold Co,gold,\nShort Co\nNew Co,entry,\nMail Co,entry,@\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "big.bin").write_bytes(b"\x00" * (SIZE_LIMIT + 1))
    (tmp_path / "secret.gpg").write_bytes(dearmored(pgp.secret_key))
    return tmp_path


@pytest.fixture
def existing(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    """What the cases clash with: a partner with an analyst, and an advisory."""
    make_partner("Example AV", "advanced")
    make_advisory("HS-2026-0001")


def advisory(*extra: str) -> list[str]:
    return ["advisory", "create", "HS-2026-0002", "--title", "New overflow", "--patch-at", FUTURE_ISO,
            "--writeup", "{writeup.md}", *extra]


def advisory_titled(title: str) -> list[str]:
    return ["advisory", "create", "HS-2026-0002", "--title", title, "--patch-at", FUTURE_ISO, "--writeup",
            "{writeup.md}"]


CASES = [
    # (case, argv with {file} placeholders, what the message says)
    ("unknown tier", ["partner", "add", "New Co", "--tier", "platinum"], "unknown tier 'platinum'"),
    ("duplicate partner", ["partner", "add", "Example AV", "--tier", "entry"], "partner 'Example AV' already exists"),
    ("duplicate tier", ["tier", "add", "entry", "--lead-time", "24h", "--entitles", "writeup"], "already exists"),
    ("malformed lead time", ["tier", "add", "gold", "--lead-time", "soon", "--entitles", "writeup"],
     "is not a duration"),
    ("lead time over a year", ["tier", "add", "gold", "--lead-time", "3000000d", "--entitles", "writeup"],
     "longer than the limit of 365 days"),
    ("lead time beyond any date", ["tier", "add", "gold", "--lead-time", "9" * 30 + "w", "--entitles", "writeup"],
     "longer than the limit of 365 days"),
    ("unknown entitlement", ["tier", "add", "gold", "--lead-time", "48h", "--entitles", "writeup,exploits"],
     "unknown entitlement(s) exploits"),
    ("CSV with a bad header", ["partner", "import", "{bad-header.csv}"], "line 1: the header must be"),
    ("CSV row with the wrong field count", ["partner", "import", "{field-count.csv}"],
     "line 3: expected 3 fields, found 2"),
    ("CSV row with an unknown tier", ["partner", "import", "{unknown-tier.csv}"], "line 4: unknown tier 'platinum'"),
    ("CSV with duplicate rows", ["partner", "import", "{duplicate-rows.csv}"],
     "line 4: partner 'New Co' appears twice (first on line 2)"),
    ("CSV naming an existing partner", ["partner", "import", "{existing-partner.csv}"],
     "line 3: partner 'Example AV' already exists"),
    ("CSV with many bad rows", ["partner", "import", "{many-bad-rows.csv}"],
     ("line 3: unknown tier 'gold' (known: advanced, entry); line 4: expected 3 fields, found 1; line 5: partner "
      "'New Co' appears twice (first on line 2); line 6: '@' is not a valid e-mail address")),
    ("missing CSV file", ["partner", "import", "{absent.csv}"], "does not exist"),
    ("invalid CVSS vector", advisory("--cvss", "CVSS:3.1/AV:X/AC:L"), "invalid CVSS vector"),
    ("patch time in the past", ["advisory", "create", "HS-2026-0002", "--title", "T", "--patch-at",
                                "2020-01-01T00:00:00Z", "--writeup", "{writeup.md}"], "is in the past"),
    ("patch time without a time zone", ["advisory", "create", "HS-2026-0002", "--title", "T", "--patch-at",
                                        "2099-01-01T00:00:00", "--writeup", "{writeup.md}"], "has no time zone"),
    ("oversized artifact", advisory("--poc", "{big.bin}"),
     f"artifact big.bin is {SIZE_LIMIT + 1} bytes; the limit is {SIZE_LIMIT} bytes"),
    ("empty artifact", advisory("--guidance", "{empty.md}"), "artifact empty.md is empty"),
    ("missing artifact file", advisory("--guidance", "{absent.md}"), "does not exist"),
    ("duplicate advisory", ["advisory", "create", "HS-2026-0001", "--title", "T", "--patch-at", FUTURE_ISO,
                            "--writeup", "{writeup.md}"], "advisory HS-2026-0001 already exists"),
    ("expired certificate", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert", "{expired.asc}"],
     "expired on 2020-01-02"),
    ("secret key as certificate", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert", "{secret.asc}"],
     "this is a secret key"),
    ("secret key after some text", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert",
                                    "{prefixed-secret.asc}"], "this is a secret key"),
    ("secret key after a certificate", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert",
                                        "{secret-after-cert.asc}"], "this is a secret key"),
    ("binary secret key", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert", "{secret.gpg}"],
     "this is a secret key"),
    ("CSV naming a binary secret key", ["partner", "import", "{secret-key.csv}"],
     "line 2: certificate file secret.gpg: this is a secret key"),
    ("CSV naming a prefixed secret key", ["partner", "import", "{prefixed-secret-key.csv}"], "this is a secret key"),
    ("certificate without an encryption key", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert",
                                               "{sign-only.asc}"], "no usable encryption key"),
    ("garbage certificate", ["partner", "add", "New Co", "--tier", "entry", "--pgp-cert", "{garbage.asc}"],
     "not an OpenPGP certificate"),
    ("partner name with a control character", ["partner", "add", "New\x1b[2JCo", "--tier", "entry"],
     "contains the invisible or control character U+001B"),
    ("partner name with a bidi override", ["partner", "add", "New Co\u202egnp.exe", "--tier", "entry"],
     "contains the invisible or control character U+202E"),
    ("partner name with a byte order mark", ["partner", "add", "\ufeffExample AV", "--tier", "entry"],
     "contains the invisible or control character U+FEFF"),
    ("CSV partner name with a control character", ["partner", "import", "{control-name.csv}"],
     "line 2: partner name"),
    ("tier name with a bidi override", ["tier", "add", "gold\u202e", "--lead-time", "24h", "--entitles", "writeup"],
     "tier name"),
    ("advisory title with a bidi override", advisory_titled("Fixed \u202edexif"), "U+202E"),
    ("advisory title with a control character", advisory_titled("New\roverflow"), "U+000D"),
    ("advisory title with a zero-width space", advisory_titled("New\u200boverflow"), "U+200B"),
    ("product name with a byte order mark", advisory("--product", "\ufeffWidget"), "U+FEFF"),
    ("unknown advisory (show)", ["advisory", "show", "HS-2099-0001"], "unknown advisory 'HS-2099-0001'"),
    ("unknown advisory (schedule)", ["advisory", "schedule", "HS-2099-0001"], "unknown advisory 'HS-2099-0001'"),
    ("unknown partner", ["partner", "suspend", "Nobody Inc", "--reason", "x"], "unknown partner 'Nobody Inc'"),
    ("status change without a reason", ["partner", "suspend", "Example AV", "--reason", " "], "a reason is required"),
    ("user of an unknown partner", ["user", "add", "a@nobody.example", "--partner", "Nobody Inc", "--role", "admin"],
     "unknown partner 'Nobody Inc'"),
    ("duplicate user", ["user", "add", "analyst@example-av.example", "--partner", "Example AV", "--role", "admin"],
     "already exists"),
    ("malformed e-mail", ["user", "add", "not-an-address", "--staff"], "is not a valid e-mail address"),
    ("analyst accepting the NDA", ["nda", "accept", "--partner", "Example AV", "--user",
                                   "analyst@example-av.example"], "only a partner admin"),
    ("token for an unknown user", ["token", "create", "nobody@nowhere.example"], "unknown user"),
    ("serve with no worker", ["serve", "--workers", "0"], "--workers and --threads must be between 1 and 256"),
    ("serve with a thousand threads", ["serve", "--threads", "1000"], "must be between 1 and 256"),
]


@pytest.mark.parametrize("argv, says", [(argv, says) for _case, argv, says in CASES],
                         ids=[case for case, _argv, _says in CASES])
def test_bad_input_gets_one_clear_line_and_changes_nothing(existing, files, run_cli, snapshot, settings, argv, says):
    settings.HEADSTART_MAX_ARTIFACT_BYTES = SIZE_LIMIT
    argv = [str(files / arg[1:-1]) if arg.startswith("{") else arg for arg in argv]
    before = snapshot()
    result = run_cli(*argv)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("headstart: error: ") and result.err.count("\n") == 1, result.err
    assert says in result.err
    assert snapshot() == before


def test_a_malformed_worker_count_concerns_serve_alone(existing, run_cli, snapshot, monkeypatch):
    monkeypatch.setenv("HEADSTART_WORKERS", "four")
    before = snapshot()
    assert run_cli("partner", "list").code == 0  # other commands do not read it
    result = run_cli("serve")
    assert result.code == 1
    assert result.err == "headstart: error: HEADSTART_WORKERS='four' is not an integer\n"
    assert snapshot() == before

