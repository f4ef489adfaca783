"""`headstart remote`, the partner's side, against a real `headstart serve` over loopback.

The program lives in its own HEADSTART_HOME, set up with `headstart init` and `headstart seed`
(four partners with OpenPGP keys, the sample advisory scheduled 48 hours ahead: the advanced
tier's window is open, the entry tier's is not), on a fresh SQLite file or, when the suite runs
on PostgreSQL (DATABASE_URL set), a fresh database on that server. The server is another
process, so none of this touches the pytest-django test database. The partner's client runs
with an empty HEADSTART_HOME of its own: it needs only the URL, a token and its key.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pysequoia
import pytest
from factories import fresh_database_url

REPO = Path(__file__).resolve().parents[3]
ADVISORY = "HS-2026-0001"
TITLE = "Heap overflow in Lumen Viewer's TIM decoder"

# End to end: `headstart init`, `seed` and `serve` in subprocesses, then the client in more.
pytestmark = pytest.mark.slow


def _environment(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY",
                        "HEADSTART_URL", "HEADSTART_TOKEN")}
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(HEADSTART_HOME=str(home), DJANGO_SETTINGS_MODULE="headstart.config.settings",
               PYTHONPATH=str(REPO / "src"))
    return env


def _headstart(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Program:
    url: str
    program_env: dict[str, str]  # staff's side: the program's home and database
    partner_env: dict[str, str]  # a partner's side: an empty home, no database
    keys: Path  # the demo partners' secret keys, as `headstart seed` wrote them
    signing_fingerprint: str
    tokens: dict[str, str]  # partner name -> its admin's API token
    home: Path  # the program's HEADSTART_HOME
    database_url: str | None  # PostgreSQL's, or None: SQLite in the home

    def remote(self, *args: str, token: str | None, **env: str) -> subprocess.CompletedProcess:
        """`headstart remote ARGS` as the partner holding ``token`` runs it."""
        options = ["--url", self.url] + (["--token", token] if token else [])
        return _headstart(self.partner_env | env, "remote", *options, *args)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str | None]:
    with fresh_database_url("hs_remote") as url:
        yield url


def _wait_until_serving(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"headstart serve exited with {server.returncode}")
        try:
            urllib.request.urlopen(url + "/api/v1/program", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (401: the program's certificate is for callers with a token)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"headstart serve did not answer within {timeout:.0f} s")


@pytest.fixture(scope="module")
def program(tmp_path_factory, database_url) -> Iterator[Program]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("remote")
    env = _environment(root / "program", database_url)
    init = _headstart(env, "init", "--json")
    assert init.returncode == 0, init.stderr
    seed = _headstart(env, "seed", "--json")
    assert seed.returncode == 0, seed.stderr
    tokens = {}
    for name in ("Example AV", "Other IPS", "Contoso EDR"):
        made = _headstart(env, "token", "create", f"admin@{name.lower().replace(' ', '-')}.example", "--json")
        assert made.returncode == 0, made.stderr
        tokens[name] = json.loads(made.stdout)["token"]
    expel = _headstart(env, "partner", "expel", "Other IPS", "--reason", "leaked the PoC")
    assert expel.returncode == 0, expel.stderr

    url = f"http://127.0.0.1:{_free_port()}"
    log = open(root / "serve.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "headstart.faces.cli.main", "serve", "--host", "127.0.0.1",
         "--port", url.rsplit(":", 1)[1], "--workers", "1", "--threads", "4"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(url, server)
        yield Program(url=url, program_env=env, partner_env=_environment(root / "partner", None),
                      keys=Path(json.loads(seed.stdout)["partner_keys"]),
                      signing_fingerprint=json.loads(init.stdout)["signing_fingerprint"], tokens=tokens,
                      home=root / "program", database_url=database_url)
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn's master stops its worker
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group this fixture started
            server.wait(timeout=10)
        log.close()


def test_remote_list_shows_the_advisory_open_to_the_partner(program):
    listed = program.remote("list", token=program.tokens["Example AV"])
    as_json = program.remote("list", "--json", token=program.tokens["Example AV"])

    assert listed.returncode == 0, listed.stderr
    assert ADVISORY in listed.stdout and TITLE in listed.stdout
    assert [(a["id"], a["title"]) for a in json.loads(as_json.stdout)] == [(ADVISORY, TITLE)]


def test_remote_list_shows_nothing_to_a_tier_whose_window_has_not_opened(program):
    listed = program.remote("list", token=program.tokens["Contoso EDR"])

    assert listed.returncode == 0, listed.stderr
    assert "No advisory is open to you right now." in listed.stdout
    assert ADVISORY not in listed.stdout


def test_remote_download_decrypts_verifies_the_program_signature_and_unpacks_the_partner_copy(program, tmp_path):
    out = tmp_path / "package.tar.pgp"
    # The token comes from the environment here, as partners' scripts pass it.
    done = program.remote("download", ADVISORY, "--out", str(out), "--key", str(program.keys / "example-av.asc"),
                          "--json", token=None, HEADSTART_TOKEN=program.tokens["Example AV"])
    exported = _headstart(program.program_env, "copy", "export", ADVISORY, "--partner", "Example AV",
                          "--out", str(tmp_path / "export"))

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["signed_by"] == program.signing_fingerprint
    assert out.read_bytes()[:1] != b"-"  # a binary OpenPGP message, not plain text or armor
    unpacked = tmp_path / ADVISORY
    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert manifest["partner"]["name"] == "Example AV"
    files = _tree(unpacked)
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256((unpacked / name).read_bytes()).hexdigest() for name in files - {"manifest.json"}}
    assert {"writeup.md", "guidance.md", "poc.tim", "tim-procedure.md", "manifest.json"} <= files
    assert sorted(report["files"]) == sorted(str(unpacked / name) for name in files)
    # Exactly the files the program says this partner receives, byte for byte.
    assert exported.returncode == 0, exported.stderr
    assert {name: (tmp_path / "export" / name).read_bytes() for name in _tree(tmp_path / "export")} == \
        {name: (unpacked / name).read_bytes() for name in files}


def _tree(folder: Path) -> set[str]:
    """The files under a folder, by their path relative to it."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_documents_unpacked_from_the_package_are_what_remote_csaf_stix_and_the_rules_api_serve(program, tmp_path):
    import stix2
    import yara_x
    from csaf_helpers import csaf_failures

    token = program.tokens["Example AV"]
    done = program.remote("download", ADVISORY, "--out", str(tmp_path / "p.pgp"), "--key",
                          str(program.keys / "example-av.asc"), token=token)
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / ADVISORY
    csaf = program.remote("csaf", ADVISORY, "--edition", "partner", token=token)
    stix = program.remote("stix", ADVISORY, token=token)
    request = urllib.request.Request(f"{program.url}/api/v1/advisories/{ADVISORY}/rules",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        rules = answer.read()

    assert (unpacked / "csaf" / "hs-2026-0001.json").read_text() == csaf.stdout
    assert (unpacked / "stix" / "bundle.json").read_text() == stix.stdout
    assert (unpacked / "detection" / f"{ADVISORY}.yar").read_bytes() == rules
    assert csaf_failures(json.loads(csaf.stdout)) == []
    assert stix2.parse(stix.stdout, allow_custom=False).type == "bundle"
    assert yara_x.compile(rules.decode()).scan((unpacked / "poc.tim").read_bytes()).matching_rules


def test_remote_download_with_another_partner_key_fails_clearly(program, tmp_path):
    out = tmp_path / "package.tar.pgp"
    done = program.remote("download", ADVISORY, "--out", str(out), "--key", str(program.keys / "contoso-edr.asc"),
                          token=program.tokens["Example AV"])

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("headstart: error: ") and "cannot decrypt" in line
    assert not (tmp_path / ADVISORY).exists()  # nothing unpacked


def test_a_wrong_token_gives_a_one_line_error_and_exit_1(program):
    done = program.remote("list", token="hs_" + "x" * 43)

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == ["headstart: error: server said 401: Unauthorized"]


def test_remote_csaf_fetches_the_partner_edition_the_public_provider_does_not_serve_yet(program, tmp_path):
    from csaf_helpers import csaf_failures

    printed = program.remote("csaf", ADVISORY, token=program.tokens["Example AV"])
    assert (printed.returncode, printed.stderr) == (0, "")
    document = json.loads(printed.stdout)
    assert document["document"]["distribution"]["tlp"]["label"] == "AMBER"
    assert csaf_failures(document) == []
    out = tmp_path / "hs-2026-0001.json"
    saved = program.remote("csaf", ADVISORY, "--out", str(out), token=program.tokens["Example AV"])
    assert saved.stdout.startswith(f"Saved {out} (partner edition")
    assert out.read_text() == printed.stdout
    # Under embargo, the public provider knows nothing of it.
    year = document["document"]["tracking"]["initial_release_date"][:4]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{program.url}/.well-known/csaf/white/{year}/hs-2026-0001.json", timeout=30)
    assert refused.value.code == 404


def test_remote_csaf_is_not_found_for_a_tier_whose_window_has_not_opened(program):
    done = program.remote("csaf", ADVISORY, token=program.tokens["Contoso EDR"])
    assert (done.returncode, done.stdout) == (1, "")
    assert "server said 404" in done.stderr


def test_remote_stix_fetches_the_partners_bundle_with_the_yara_indicators(program, tmp_path):
    import stix2

    printed = program.remote("stix", ADVISORY, token=program.tokens["Example AV"])
    assert (printed.returncode, printed.stderr) == (0, "")
    bundle = stix2.parse(printed.stdout)
    assert any(o.type == "indicator" and o.pattern_type == "yara" for o in bundle.objects)
    out = tmp_path / "hs-2026-0001.stix.json"
    saved = program.remote("stix", ADVISORY, "--out", str(out), token=program.tokens["Example AV"])
    assert saved.stdout == f"Saved {out} (STIX 2.1 bundle, {len(printed.stdout.encode())} bytes)\n"
    assert out.read_text() == printed.stdout


def test_remote_stix_is_not_found_for_a_tier_whose_window_has_not_opened(program, tmp_path):
    out = tmp_path / "bundle.json"
    done = program.remote("stix", ADVISORY, "--out", str(out), token=program.tokens["Contoso EDR"])
    assert (done.returncode, done.stdout) == (1, "")
    assert "server said 404" in done.stderr
    assert not out.exists()


def test_an_expelled_partner_download_is_refused(program, tmp_path):
    out = tmp_path / "package.tar.pgp"
    done = program.remote("download", ADVISORY, "--out", str(out), "--key", str(program.keys / "other-ips.asc"),
                          token=program.tokens["Other IPS"])

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["headstart: error: server said 401: Unauthorized"]
    assert not out.exists()


def _downloads_recorded(program: Program, partner: str) -> int:
    """The partner's package.download events, read from the database directly."""
    query = "SELECT count(*) FROM audit_auditevent WHERE action = 'package.download' AND partner = %s"
    if program.database_url:
        import psycopg

        with psycopg.connect(program.database_url) as pg:
            return pg.execute(query, [partner]).fetchone()[0]  # type: ignore[index]
    with closing(sqlite3.connect(program.home / "headstart.sqlite3")) as db:
        return db.execute(query.replace("%s", "?"), [partner]).fetchone()[0]


def test_every_download_is_in_the_audit_log_when_its_bytes_arrive(program, tmp_path):
    before = _downloads_recorded(program, "Example AV")
    key = str(program.keys / "example-av.asc")
    # The first download renders and keeps the package (if no earlier test did); the second
    # is served from the kept package. Each is committed with its audit event before any byte goes out.
    for k in range(2):
        done = program.remote("download", ADVISORY, "--out", str(tmp_path / f"p{k}.pgp"), "--key", key,
                              token=program.tokens["Example AV"])
        assert done.returncode == 0, done.stderr
        assert _downloads_recorded(program, "Example AV") == before + k + 1


def _left_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_remote_download_with_a_public_certificate_leaves_nothing_behind(program, tmp_path):
    secret = pysequoia.Tsk.from_bytes((program.keys / "example-av.asc").read_bytes())
    cert = tmp_path / "example-av.pub.asc"
    cert.write_text(str(secret.extract_certificate()))
    out_dir = tmp_path / "downloads"
    out_dir.mkdir()

    done = program.remote("download", ADVISORY, "--out", str(out_dir / "package.tar.pgp"), "--key", str(cert),
                          token=program.tokens["Example AV"])

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("headstart: error: ") and "public certificate" in line and "nothing was saved" in line
    assert _left_in(out_dir) == []  # no encrypted package, no folder, no temporary file


def test_remote_download_with_a_key_file_that_is_not_a_key_leaves_nothing_behind(program, tmp_path):
    junk = tmp_path / "key.txt"
    junk.write_text("not a key\n")
    out_dir = tmp_path / "downloads"
    out_dir.mkdir()

    done = program.remote("download", ADVISORY, "--out", str(out_dir / "package.tar.pgp"), "--key", str(junk),
                          token=program.tokens["Example AV"])

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "is not an OpenPGP key" in line
    assert _left_in(out_dir) == []


def test_remote_download_with_another_partner_key_saves_no_package(program, tmp_path):
    out_dir = tmp_path / "downloads"
    out_dir.mkdir()

    done = program.remote("download", ADVISORY, "--out", str(out_dir / "package.tar.pgp"),
                          "--key", str(program.keys / "contoso-edr.asc"), token=program.tokens["Example AV"])

    assert done.returncode == 1 and "cannot decrypt" in done.stderr
    assert _left_in(out_dir) == []


def test_remote_download_into_a_missing_directory_is_a_one_line_error(program, tmp_path):
    done = program.remote("download", ADVISORY, "--out", str(tmp_path / "absent" / "package.tar.pgp"),
                          token=program.tokens["Example AV"])

    assert done.returncode == 1
    absent = tmp_path / "absent"
    assert done.stderr.strip().splitlines() == [
        f"headstart: error: --out {absent / 'package.tar.pgp'}: the directory {absent} does not exist"]
