"""Two app servers and a worker on one PostgreSQL server, as several machines run Headstart.

Two `headstart serve` processes and a `headstart worker` share one database and one
HEADSTART_HOME, with the packages in a storage directory of their own (set as a deployment
sets a shared one, HEADSTART_PACKAGES_STORAGE_OPTIONS). The program is `headstart seed`'s:
four partners, the sample advisory scheduled 48 hours ahead, the advanced tier's window open
(Example AV, Other IPS). Nothing here touches the pytest-django test database.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cluster import Program
from factories import fresh_database_url

from headstart.apps.delivery.package import MANIFEST_NAME, read_tar
from headstart.crypto.openpgp import decrypt_and_verify

ADVISORY = "HS-2026-0001"
LEAKER, OTHER = "Example AV", "Other IPS"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database_url() -> Iterator[str | None]:
    with fresh_database_url("hs_two_servers") as url:
        yield url


@dataclass(frozen=True)
class Seeded:
    program: Program
    partner_keys: Path  # the demo partners' secret keys, as `headstart seed` wrote them


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, database_url) -> Seeded:  # type: ignore[no-untyped-def]
    if not database_url:
        pytest.skip("PostgreSQL only (make test's PostgreSQL pass sets DATABASE_URL)")
    root = tmp_path_factory.mktemp("two-servers")
    shared = root / "shared-packages"
    program = Program.create(root / "home", database_url,
                             HEADSTART_PACKAGES_STORAGE_OPTIONS=json.dumps({"location": str(shared)}))
    seed = program.headstart("seed", "--json")
    assert seed.returncode == 0, seed.stderr
    return Seeded(program, Path(json.loads(seed.stdout)["partner_keys"]))


def token(program: Program, email: str) -> str:
    made = program.headstart("token", "create", email, "--json")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)["token"]


def partner_files(seeded: Seeded, body: bytes, partner: str, signer: str) -> dict[str, bytes]:
    key = seeded.partner_keys / f"{partner.lower().replace(' ', '-')}.asc"
    return read_tar(decrypt_and_verify(body, secret_key=key.read_bytes(), signer_cert=signer))


def wait_for(condition, timeout: float = 60):  # type: ignore[no-untyped-def]
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if found := condition():
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s")


def test_two_servers_and_a_worker_share_one_program(seeded):
    program = seeded.program
    leaker = token(program, "admin@example-av.example")
    other = token(program, "admin@other-ips.example")
    staff = token(program, "psirt@example.com")
    package = f"/api/v1/advisories/{ADVISORY}/package"

    with program.app_servers(2) as (a, b), program.worker() as worker:
        signer = a.get("/api/v1/program", token=leaker).json()["signing_certificate"]

        # Partners download through both servers: the first prepares the package into the
        # shared storage, the other server sends that same file.
        first, again, others = a.get(package, token=leaker), b.get(package, token=leaker), b.get(package, token=other)
        assert (first.status, again.status, others.status) == (200, 200, 200), (first.body, again.body, others.body)
        assert again.body == first.body
        mine = partner_files(seeded, first.body, LEAKER, signer)
        theirs = partner_files(seeded, others.body, OTHER, signer)
        assert json.loads(mine[MANIFEST_NAME])["partner"]["name"] == LEAKER
        assert json.loads(theirs[MANIFEST_NAME])["partner"]["name"] == OTHER
        assert mine["writeup.md"] != theirs["writeup.md"]
        stored = (program.home.parent / "shared-packages" / ADVISORY).iterdir()
        assert sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in stored) == sorted(
            hashlib.sha256(r.body).hexdigest() for r in (first, others))
        assert not (program.home / "packages").exists()

        # The worker sends the window-opened notices the seed's advisory is due, to the
        # advanced tier's contacts (its console mail goes to its log).
        def notified() -> dict | None:  # type: ignore[type-arg]
            counts = json.loads(program.headstart("worker", "--status", "--json").stdout)["notifications"]
            return counts if counts["sent"] >= 2 and not counts["pending"] and not counts["sending"] else None
        assert wait_for(notified)["failed"] == 0
        assert "To: admin@example-av.example" in worker.output() and "To: admin@other-ips.example" in worker.output()

        # The leaked write-up is investigated through server B and names the leaker, with
        # the download through server A among the routes its copy left by.
        found = b.post("/api/v1/investigations", form={"text": mine["writeup.md"].decode(), "advisory": ADVISORY},
                       token=staff)
        assert found.status == 201, found.body
        [accused] = found.json()["accused"]
        assert accused["partner"] == LEAKER and accused["routes"]

        # Expelled through server A, refused at once by server B.
        expelled = a.post(f"/api/v1/partners/{LEAKER}/expel", body={"reason": "leaked the write-up"}, token=staff)
        assert expelled.status == 200, expelled.body
        assert b.get(package, token=leaker).status == 401
        later = b.get(package, token=other)
        assert later.status == 200 and later.body == others.body

    verified = program.headstart("audit", "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True
    downloads = json.loads(program.headstart("audit", "list", "--action", "package.download", "--json").stdout)
    # Every download through either server is in the one chain, with the bytes it sent.
    assert sorted(d["details"]["encrypted_sha256"] for d in downloads) == sorted(
        hashlib.sha256(r.body).hexdigest() for r in (first, again, others, later))

