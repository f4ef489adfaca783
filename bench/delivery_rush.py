"""Benchmark: the release-time rush, N partners downloading their packages at once.

For each scenario a throwaway HEADSTART_HOME (SQLite) gets `headstart init`, N partners
(default 200; each with its own OpenPGP certificate, an admin who accepted the NDA, and an
API token) and the sample advisory, scheduled with the advanced window open; the prepared
scenario schedules it five times under five identifiers, one per release. Then:

  prepared   `headstart advisory prepare` first, so packages are ready as at release time
  on-demand  no prepare: every package is rendered, signed and encrypted by its download

The database is SQLite in the home, the embedded default; with --database-url (a
PostgreSQL server, e.g. the throwaway one scripts/with_postgres.py starts) each scenario
gets a fresh database of its own on that server instead, dropped afterwards.

`headstart serve --host 127.0.0.1 --port <free>` (gunicorn, gthread) runs as a subprocess.
A random file of the same size as a package is put in the home's static directory
(whitenoise serves it under /static/), and the client downloads it N times at once, then
every partner's package, all at once (first deliveries: each partner's copies are recorded),
then every partner's package again (second downloads), then five more rounds of that (later
downloads): N threads released together by a barrier, one request each, each request with a
timeout and each batch with a global deadline. One batch lasts a fraction of a second, so a
neighbour's burst moves it by tens of percent: the static batch runs five times, the first
deliveries once per release (five advisories, every download a real first delivery), and
each figure is the median round.
Loopback only. Each package must come back 200, decrypt with its partner's key, carry the
program's signature, name that partner in its manifest, match the manifest's digests and
the digest the server announced, and differ from every other partner's. Afterwards every
download must be in the audit chain and `headstart audit verify` must pass.

The ratio compares the rush with serving the same bytes statically, through the same
server: wall time of the N package downloads over wall time of the N static downloads
(the per-download time under the rush; target: at most 2), and the same for p50 latency.
For scale, the same N partners also make an authenticated no-op API call at once
(GET /api/v1/program): the cost of any token-authenticated request through Django.
With --profile, one download is profiled in-process (cProfile, through Django's test
client) to show where the time goes.

    PYTHONPATH=src .venv/bin/python bench/delivery_rush.py --quick      # 30 partners
    PYTHONPATH=src .venv/bin/python bench/delivery_rush.py              # 200 partners
    scripts/with_postgres.py -- sh -c 'PYTHONPATH=src .venv/bin/python bench/delivery_rush.py \
        --only prepared --database-url "$DATABASE_URL"'                     # on PostgreSQL

Prints a table and writes bench/results/delivery_rush.json (delivery_rush_postgresql.json
with --database-url).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from delivery_render import (
    ADVISORY,
    FOREIGN_VARIABLES,
    RESULTS,
    BenchPartner,
    add_partners,
    check_package,
    generate_keys,
    headstart_init,
    isolate_environment,
    schedule_sample_advisory,
)

from headstart.faces.cli.commands.serve import DEFAULT_THREADS, WORKERS_PER_CPU, default_workers

REPO = Path(__file__).resolve().parents[1]
PARTNERS_FILE = "bench-partners.json"
STATIC_NAME = "bench-blob.bin"
REQUEST_TIMEOUT_S = 120.0
STATIC_ROUNDS = 5
REPEAT_ROUNDS = 5  # more all-at-once rounds of downloads after the first two, for a steadier figure
RELEASES = 5  # prepared scenario: first deliveries of this many advisories, one round each
DATABASE_SERVER: str | None = None  # --database-url: a PostgreSQL server; None: SQLite in each home


# ---- set-up (in a child process: Django is configured once per process and home) -----------

def release_idents(count: int) -> list[str]:
    """The sample advisory's identifier, then as many more as ``count`` asks for."""
    prefix, first = ADVISORY.rsplit("-", 1)
    return [f"{prefix}-{int(first) + k:04d}" for k in range(count)]


def setup_home(home: Path, partners: int, releases: int) -> None:
    """Runs in a child: init, partners with tokens, the scheduled sample advisory (``releases``
    times, under distinct identifiers), the static blob."""
    isolate_environment(home, database_url=os.environ.get("DATABASE_URL"))  # child_env's, if any
    headstart_init()
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import _signing_key, render_package
    from headstart.apps.partners.models import Partner
    from headstart.apps.program.models import Program
    from headstart.crypto import openpgp

    keys, keygen_s = generate_keys(partners)
    people = add_partners(keys, tokens=True)
    advisory = schedule_sample_advisory()
    for ident in release_idents(releases)[1:]:
        schedule_sample_advisory(ident=ident)
    # The static file has the size of a package: render and encrypt one without keeping it.
    first = Partner.objects.get(name=people[0].name)
    package = render_package(advisory, first, actor=Actor(name="bench"))
    size = len(openpgp.sign_and_encrypt(package.tar, signing_key=_signing_key(),
                                        recipient_cert=first.pgp_certificate))
    static = home / "static"
    static.mkdir(exist_ok=True)
    (static / STATIC_NAME).write_bytes(os.urandom(size))  # incompressible, like an encrypted package
    (home / PARTNERS_FILE).write_text(json.dumps({
        "keygen_s": keygen_s, "static_bytes": size, "program_certificate": Program.get().signing_certificate,
        "partners": [p.__dict__ for p in people]}))


def make_home(partners: int, releases: int = 1) -> tuple[Path, dict]:
    home = Path(tempfile.mkdtemp(prefix="headstart-bench-rush-"))
    try:
        if DATABASE_SERVER is not None:
            _on_server(f'CREATE DATABASE "{_database_name(home)}"')
        subprocess.run([sys.executable, __file__, "--setup-home", str(home), "--partners", str(partners),
                        "--releases", str(releases)],
                       env=child_env(home), check=True, timeout=600)
        return home, json.loads((home / PARTNERS_FILE).read_text())
    except BaseException:
        remove_home(home)
        raise


def remove_home(home: Path) -> None:
    """The throwaway home, and its database on the --database-url server."""
    shutil.rmtree(home, ignore_errors=True)
    if DATABASE_SERVER is not None:
        _on_server(f'DROP DATABASE IF EXISTS "{_database_name(home)}" WITH (FORCE)')


def _database_name(home: Path) -> str:
    return "headstart_bench_" + "".join(c if c.isalnum() else "_" for c in home.name.lower())


def home_database_url(home: Path) -> str | None:
    """The URL of this home's own database on the --database-url server (None: SQLite)."""
    if DATABASE_SERVER is None:
        return None
    return urlunsplit(urlsplit(DATABASE_SERVER)._replace(path="/" + _database_name(home)))


def _on_server(sql: str) -> None:
    import psycopg

    assert DATABASE_SERVER is not None
    with psycopg.connect(DATABASE_SERVER, autocommit=True) as db:
        db.execute(sql)  # type: ignore[call-overload]  # a name this module built, not input


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    env.update(HEADSTART_HOME=str(home), DJANGO_SETTINGS_MODULE="headstart.config.settings",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])))
    database_url = home_database_url(home)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def headstart(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=child_env(home),
                          capture_output=True, text=True, timeout=timeout, check=False)


# ---- the server --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`headstart serve` on a free loopback port; stop() always ends it (and its workers)."""

    def __init__(self, home: Path, workers: int, threads: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(home / "serve.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "headstart.faces.cli.main", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers), "--threads", str(threads)],
            env=child_env(home), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"headstart serve exited with {self.process.returncode}; see serve.log")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/program", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers (401 without a token)
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"headstart serve did not answer within {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of gunicorn's master and workers so far (Linux /proc)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that ended meanwhile
            if int(fields[2]) == self.process.pid:  # process group: the session serve started
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)  # the group this benchmark started
                    self.process.wait(timeout=10)
        finally:
            self.log.close()


# ---- the rush ----------------------------------------------------------------------------

@dataclass
class Fetched:
    status: int
    seconds: float
    body: bytes = b""
    announced_sha256: str = ""
    error: str = ""


@dataclass
class Round:
    """One all-at-once batch: its wall time, each request's outcome, the server's CPU per request."""

    wall: float
    results: list[Fetched]
    cpu_ms: float
    client_cpu_ms: float = 0.0  # this process: the client threads
    idle_share: float = 0.0  # of the machine's CPU time during the batch (/proc/stat)


def fetch(url: str, token: str | None) -> Fetched:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=REQUEST_TIMEOUT_S) as resp:
            body = resp.read()
            return Fetched(resp.status, time.perf_counter() - started, body,
                           resp.headers.get("X-Headstart-Package-SHA256", ""))
    except urllib.error.HTTPError as exc:
        return Fetched(exc.code, time.perf_counter() - started, error=exc.read()[:200].decode(errors="replace"))
    except (urllib.error.URLError, OSError) as exc:
        return Fetched(0, time.perf_counter() - started, error=str(exc))


def rush(requests: list[tuple[str, str | None]], deadline_s: float) -> tuple[float, list[Fetched]]:
    """All requests at once (one thread each, released together); wall time and results in order."""
    barrier = threading.Barrier(len(requests))

    def one(url: str, token: str | None) -> Fetched:
        barrier.wait(timeout=30)
        return fetch(url, token)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        started = time.perf_counter()
        futures = [pool.submit(one, url, token) for url, token in requests]
        done, pending = wait(futures, timeout=deadline_s)
        wall = time.perf_counter() - started
        for f in pending:
            f.cancel()
    results = [f.result() if f in done else Fetched(0, deadline_s, error="global deadline passed") for f in futures]
    return wall, results


def client_cpu_seconds() -> float:
    """CPU time (user + system) of this process: the client's threads."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def machine_idle() -> tuple[int, int]:
    """The machine's idle and total CPU time so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return ticks[3] + ticks[4], sum(ticks)  # idle + iowait


def latency(results: list[Fetched], wall: float) -> dict:
    ms = np.array([r.seconds for r in results]) * 1000
    return {"wall_s": wall, "per_request_ms": 1000 * wall / len(results), "p50_ms": float(np.median(ms)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()),
            "ok": sum(r.status == 200 for r in results), "requests": len(results),
            "bytes": sum(len(r.body) for r in results)}


def audit_counts(home: Path) -> int:
    query = "SELECT count(*) FROM audit_auditevent WHERE action = 'package.download'"
    database_url = home_database_url(home)
    if database_url is not None:
        import psycopg

        with psycopg.connect(database_url) as pg:
            return pg.execute(query).fetchone()[0]  # type: ignore[index]
    with sqlite3.connect(home / "headstart.sqlite3") as db:
        return db.execute(query).fetchone()[0]


def scenario(name: str, partners: int, *, prepare: bool, workers: int, threads: int, deadline_s: float,
             keep_home: bool) -> dict:
    # On demand, every first delivery renders its package: one release shows that well enough.
    releases = release_idents(RELEASES if prepare else 1)
    print(f"[{name}] setting up {partners} partners, {len(releases)} advisories...", file=sys.stderr, flush=True)
    home, setup = make_home(partners, len(releases))
    people = [BenchPartner(**p) for p in setup["partners"]]
    out: dict = {"scenario": name, "database": "sqlite" if DATABASE_SERVER is None else "postgresql",
                 "partners": partners, "workers": workers, "threads": threads,
                 "releases": len(releases), "keygen_ms_per_key": 1000 * setup["keygen_s"] / partners,
                 "package_bytes_static": setup["static_bytes"]}
    try:
        if prepare:
            print(f"[{name}] headstart advisory prepare, {len(releases)} advisories...", file=sys.stderr, flush=True)
            prepare_s = []
            for ident in releases:
                started = time.perf_counter()
                done = headstart(home, "advisory", "prepare", ident, "--json")
                if done.returncode != 0:
                    raise RuntimeError(f"headstart advisory prepare {ident} failed: {done.stderr}")
                prepare_s.append(time.perf_counter() - started)
                out["prepared"] = len(json.loads(done.stdout)["prepared"])
            out["prepare_s"] = float(np.median(prepare_s))
        server = Server(home, workers, threads)
        try:
            server.wait_ready()
            static_url = f"{server.url}/static/{STATIC_NAME}"
            # Warm every worker thread (its database connection, Django's lazy set-up) with a few
            # concurrent rounds: sequential requests may all land on one worker.
            for _ in range(3):
                rush([(server.url + "/api/v1/program", people[0].token)] * (4 * workers * threads)
                     + [(static_url, None)] * (4 * workers * threads), deadline_s)
            print(f"[{name}] {partners} static downloads at once, {STATIC_ROUNDS} times...", file=sys.stderr, flush=True)
            # The static batch is short, so a neighbour's burst on a shared machine moves it
            # most: the median of a few rounds is the reference.
            rounds: dict[str, list[Round]] = {}

            def timed_rush(what: str, requests: list[tuple[str, str | None]]) -> Round:
                before, client_before, idle_before = server.cpu_seconds(), client_cpu_seconds(), machine_idle()
                wall, results = rush(requests, deadline_s)
                idle, total = (a - b for a, b in zip(machine_idle(), idle_before))
                done = Round(wall, results, 1000 * (server.cpu_seconds() - before) / len(requests),
                             1000 * (client_cpu_seconds() - client_before) / len(requests), idle / max(total, 1))
                rounds.setdefault(what, []).append(done)
                return done

            def downloads(ident: str) -> list[tuple[str, str | None]]:
                return [(f"{server.url}/api/v1/advisories/{ident}/package", p.token) for p in people]

            for _ in range(STATIC_ROUNDS):
                timed_rush("static", [(static_url, None)] * partners)
            print(f"[{name}] {partners} authenticated no-op API calls at once...", file=sys.stderr, flush=True)
            timed_rush("api_floor", [(server.url + "/api/v1/program", p.token) for p in people])
            print(f"[{name}] {partners} first deliveries at once, for each of {len(releases)} advisories...",
                  file=sys.stderr, flush=True)
            firsts = [timed_rush("packages", downloads(ident)) for ident in releases]
            print(f"[{name}] every partner downloads again, all at once...", file=sys.stderr, flush=True)
            again = timed_rush("packages_again", downloads(ADVISORY)).results
            print(f"[{name}] {REPEAT_ROUNDS} more rounds of downloads, all at once...", file=sys.stderr, flush=True)
            for _ in range(REPEAT_ROUNDS):
                timed_rush("packages_repeat", downloads(ADVISORY))
        finally:
            server.stop()
        for what, done in rounds.items():
            middle = sorted(done, key=lambda r: r.wall)[len(done) // 2]
            out[what] = latency(middle.results, middle.wall)
            out[what]["server_cpu_ms_per_request"] = middle.cpu_ms
            out[what]["client_cpu_ms_per_request"] = middle.client_cpu_ms
            out[what]["idle_share"] = middle.idle_share
            out[what]["rounds"] = len(done)
            out[what]["round_walls_s"] = [r.wall for r in done]
        out["failures"] = [(p.name, r.status, r.error) for first in firsts
                           for p, r in zip(people, first.results) if r.status != 200][:5]
        out["packages"]["ok"] = min(sum(r.status == 200 for r in first.results) for first in firsts)
        checked, all_distinct = 0, True
        for first in firsts:  # every first delivery of every release: its partner's own package
            digests = set()
            for person, result in zip(people, first.results):
                if result.status == 200:
                    digest = check_package(result.body, person, setup["program_certificate"])
                    if digest != result.announced_sha256:
                        raise AssertionError(f"{person.name}: the package is not the one the server announced")
                    digests.add(digest)
            checked += len(digests)
            all_distinct = all_distinct and len(digests) == sum(r.status == 200 for r in first.results)
        out["checked_own_package"] = checked
        out["all_distinct"] = all_distinct
        if any(a.status != 200 or check_package(a.body, p, setup["program_certificate"]) != a.announced_sha256
               for p, a in zip(people, again)):
            raise AssertionError("a second download did not give the partner its own package")
        if any(r.status != 200 or r.body != a.body for repeat in rounds["packages_repeat"]
               for a, r in zip(again, repeat.results)):
            raise AssertionError("a repeated download did not give the partner the same package")
        # verify first: it folds whatever downloads are still in the delivery journal
        verified = headstart(home, "audit", "verify", "--json")
        out["audited_downloads"] = audit_counts(home)
        out["expected_audited"] = (len(releases) + 1 + REPEAT_ROUNDS) * partners
        out["audit_verify_ok"] = verified.returncode == 0 and json.loads(verified.stdout)["ok"]
        def wall(what: str) -> float:
            return out[what]["wall_s"]

        out["ratio_wall"] = wall("packages") / wall("static")
        out["ratio_p50"] = out["packages"]["p50_ms"] / out["static"]["p50_ms"]
        out["ratio_api_floor_wall"] = wall("api_floor") / wall("static")
        out["ratio_again_wall"] = wall("packages_again") / wall("static")
        out["ratio_repeat_wall"] = wall("packages_repeat") / wall("static")
        out["ratio_package_to_api_floor_wall"] = wall("packages") / wall("api_floor")
        return out
    finally:
        if keep_home:
            kept = home_database_url(home)
            print(f"[{name}] HEADSTART_HOME kept at {home}" + (f", its database at {kept}" if kept else ""),
                  file=sys.stderr)
        else:
            remove_home(home)


# ---- where a download's time goes -------------------------------------------------------

def profile_download(home: Path, *, prepare: bool) -> None:
    """Runs in a child: one package download through the WSGI application gunicorn serves,
    under cProfile."""
    isolate_environment(home, database_url=os.environ.get("DATABASE_URL"))  # child_env's, if any
    import django

    django.setup()
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import prepare_all
    from headstart.config.wsgi import application

    people = json.loads((home / PARTNERS_FILE).read_text())["partners"]
    if prepare:
        prepare_all(get_advisory(ADVISORY), actor=Actor(name="bench"))

    def download(token: str) -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/api/v1/advisories/{ADVISORY}/package",
                   "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "HTTP_AUTHORIZATION": f"Bearer {token}"}
        status: list[str] = []
        b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        return status[0]

    warm = download(people[0]["token"])  # caches, first Copy rows
    assert warm.startswith("200"), warm
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    status = download(people[1]["token"])
    profiler.disable()
    elapsed = time.perf_counter() - started
    assert status.startswith("200"), status
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    print(json.dumps({"download_ms": 1000 * elapsed, "cumulative_top": text.getvalue()}))


def profile(partners: int, *, prepare: bool) -> dict:
    home, _ = make_home(partners)
    try:
        done = subprocess.run([sys.executable, __file__, "--profile-home", str(home)]
                              + (["--prepare"] if prepare else []),
                              env=child_env(home), capture_output=True, text=True, timeout=600, check=True)
        return json.loads(done.stdout)
    finally:
        remove_home(home)


# ---- report ------------------------------------------------------------------------------

def print_table(results: list[dict]) -> None:
    r0 = results[0]
    database = "SQLite" if r0["database"] == "sqlite" else "PostgreSQL on the same machine (its CPU not in server CPU)"
    print(f"\nRelease-time rush: {r0['partners']} concurrent downloads, headstart serve on loopback "
          f"(gunicorn gthread, {r0['workers']} workers x {r0['threads']} threads, {os.cpu_count()} CPUs; {database})\n")
    print(f"{'scenario':<12}{'what':<17}{'ok':>9}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'wall s':>9}"
          f"{'ms/req':>9}{'server CPU ms/req':>19}{'client CPU':>12}{'idle':>6}")
    for r in results:
        for what in ("static", "api_floor", "packages", "packages_again", "packages_repeat"):
            s = r[what]
            print(f"{r['scenario']:<12}{what:<17}{s['ok']:>5}/{s['requests']:<3}{s['p50_ms']:>10.1f}"
                  f"{s['p99_ms']:>10.1f}{s['max_ms']:>10.1f}{s['wall_s']:>9.2f}{s['per_request_ms']:>9.2f}"
                  f"{s.get('server_cpu_ms_per_request', float('nan')):>19.2f}"
                  f"{s.get('client_cpu_ms_per_request', float('nan')):>12.2f}{s.get('idle_share', float('nan')):>6.0%}")
    print()
    for r in results:
        verdict = "meets" if r["ratio_wall"] <= 2 else "misses"
        prep = f"; prepare took {r['prepare_s']:.1f} s an advisory" if "prepare_s" in r else ""
        static_wall = r["static"]["wall_s"]
        per_release = ", ".join(f"{w / static_wall:.2f}" for w in r["packages"]["round_walls_s"])
        print(f"{r['scenario']:<12}ratio first delivery/static: wall {r['ratio_wall']:.2f} ({verdict} the target "
              f"of 2), p50 {r['ratio_p50']:.2f}; package {r['package_bytes_static'] / 1024:.1f} KiB{prep}")
        if r["releases"] > 1:
            print(f"{'':<12}first deliveries, median of {r['releases']} releases; each release's wall ratio "
                  f"to the median static round: {per_release}")
        print(f"{'':<12}an authenticated no-op API call (GET /api/v1/program) alone: wall ratio "
              f"{r['ratio_api_floor_wall']:.2f} to static; package to that no-op call: "
              f"{r['ratio_package_to_api_floor_wall']:.2f}; second downloads: {r['ratio_again_wall']:.2f} to static; "
              f"later downloads (median of {REPEAT_ROUNDS} rounds): {r['ratio_repeat_wall']:.2f}")
        print(f"{'':<12}checked: {r['checked_own_package']} own packages (distinct: {r['all_distinct']}), "
              f"{r['audited_downloads']} downloads audited, audit verify "
              f"{'passes' if r['audit_verify_ok'] else 'FAILS'}"
              + (f"; failures: {r['failures']}" if r["failures"] else ""))
        print(f"{'':<12}rows show each kind's median round (static {r['static']['rounds']}, first deliveries "
              f"{r['packages']['rounds']}, later downloads {r['packages_repeat']['rounds']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="30 partners")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help=f"gunicorn workers (default: headstart serve's, {WORKERS_PER_CPU} per CPU)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"threads per worker (default: headstart serve's, {DEFAULT_THREADS})")
    parser.add_argument("--deadline", type=float, default=300.0, help="global time limit of one batch (s)")
    parser.add_argument("--only", choices=["prepared", "on-demand"], help="run one scenario")
    parser.add_argument("--profile", action="store_true", help="also profile one download in-process")
    parser.add_argument("--keep-home", action="store_true", help="keep the throwaway homes")
    parser.add_argument("--database-url", metavar="URL",
                        help="a PostgreSQL server (e.g. scripts/with_postgres.py's $DATABASE_URL): each scenario "
                             "gets a throwaway database there instead of SQLite in its home")
    parser.add_argument("--setup-home", help=argparse.SUPPRESS)
    parser.add_argument("--releases", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--profile-home", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    partners = 30 if args.quick else args.partners
    if args.database_url:
        if urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
            parser.error("--database-url must be a PostgreSQL URL (postgres://...)")
        global DATABASE_SERVER
        DATABASE_SERVER = args.database_url
        import psycopg

        try:
            _on_server("SELECT 1")
        except psycopg.Error as exc:  # psycopg's errors name the host, never the password
            parser.error(f"cannot reach the PostgreSQL server of --database-url: {exc}")
    if args.setup_home:
        setup_home(Path(args.setup_home), partners, args.releases)
        return
    if args.profile_home:
        profile_download(Path(args.profile_home), prepare=args.prepare)
        return
    if partners < 2:
        parser.error("--partners must be at least 2")
    scenarios = [("prepared", True), ("on-demand", False)]
    results = [scenario(name, partners, prepare=prep, workers=args.workers, threads=args.threads,
                        deadline_s=args.deadline, keep_home=args.keep_home)
               for name, prep in scenarios if args.only in (None, name)]
    print_table(results)
    database = "sqlite" if DATABASE_SERVER is None else "postgresql"
    report = {"benchmark": "delivery_rush", "quick": args.quick, "database": database, "partners": partners,
              "cpus": os.cpu_count(), "scenarios": results}
    if args.profile:
        for name, prep in scenarios:
            if args.only in (None, name):
                found = profile(min(partners, 10), prepare=prep)
                report.setdefault("profile", {})[name] = found
                print(f"\none {name} download, profiled in-process: {found['download_ms']:.1f} ms")
                print("\n".join(found["cumulative_top"].splitlines()[:45]))
    failed = [r["scenario"] for r in results
              if r["packages"]["ok"] != partners or not r["all_distinct"] or not r["audit_verify_ok"]
              or r["audited_downloads"] != r["expected_audited"]]
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / ("delivery_rush.json" if DATABASE_SERVER is None else "delivery_rush_postgresql.json")
    written.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {written}")
    if failed:
        raise SystemExit(f"FAILED: not every partner got its own package, audited, in: {', '.join(failed)}")


if __name__ == "__main__":
    main()
