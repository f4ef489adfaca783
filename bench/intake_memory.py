"""Benchmark: peak memory of an investigation of a large leak, through the CLI and the API.

A throwaway HEADSTART_HOME (SQLite) gets the sample program (`headstart init`, `headstart
seed`: four partners, the sample advisory scheduled). The leak is a forum dump of N MB
(default 200): varied filler text with Example AV's marked copy of the write-up in the
middle. Each case runs in a fresh process, and its peak resident memory is that process's
ru_maxrss (os.wait4):

  baseline    `headstart investigate` of the write-up copy alone (the program, Django, the
              carriers: what every investigation costs before its material)
  cli         `headstart investigate dump.txt`
  cli-zip     `headstart investigate dump.zip`: a dump of 60 % of N deflated in a zip, 40 MB members
              (the archive's own bytes count against the total limit too)
  api         POST /api/v1/investigations with the dump as a multipart upload, sent to the
              WSGI application straight from a file on disk (the server's side only)
  whole-20mb  for comparison, a 20 MB dump analysed whole (HEADSTART_INTAKE_MAX_TEXT_BYTES
              raised to its size): what a text costs per MB when it is analysed at once

Reported per case: peak RSS; peak above the baseline; of that, the material held once (the
input's bytes; for the zip, the archive and its members) and the rest, the analysis, also as
a multiple of the largest text analysed at once (HEADSTART_INTAKE_MAX_TEXT_BYTES, or the
file when smaller); and whom the investigation accused and ranked first (Example AV, whose
copy is in the dump).

    PYTHONPATH=src .venv/bin/python bench/intake_memory.py --quick     # a 40 MB dump
    PYTHONPATH=src .venv/bin/python bench/intake_memory.py             # a 200 MB dump

Prints a table and writes bench/results/intake_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
MB = 1024 * 1024
FOREIGN_VARIABLES = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY")

# The API case: the multipart body is streamed from disk into Django's WSGI handler.
API_CASE = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "headstart.config.settings"
django.setup()
from django.core.wsgi import get_wsgi_application
body, boundary, token = sys.argv[1], sys.argv[2], sys.argv[3]
app = get_wsgi_application()
status = []
with open(body, "rb") as fh:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/investigations", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "HTTP_HOST": "localhost", "wsgi.url_scheme": "http", "wsgi.input": fh,
               "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
               "CONTENT_LENGTH": str(os.path.getsize(body)), "HTTP_AUTHORIZATION": f"Bearer {token}",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr}
    out = b"".join(app(environ, lambda s, h: status.append(s)))
print(json.dumps({"status": status[0], "body": json.loads(out)}))
"""


DOWNLOAD = r"""
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "headstart.config.settings"
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/api/v1/advisories/HS-2026-0001/package",
                                             HTTP_AUTHORIZATION=f"Bearer {sys.argv[1]}")
print(response.status_code)
"""


def headstart(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=env,
                          capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise SystemExit(f"headstart {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def measured(command: list[str], env: dict[str, str]) -> tuple[int, str, float]:
    """Run a command; its peak resident memory (bytes), its output and its wall time."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed ({process.returncode}): {text[-2000:]}")
    return usage.ru_maxrss * 1024, text, wall  # Linux reports ru_maxrss in KiB


def filler_dump(path: Path, size: int, copy: bytes, seed: int = 7) -> None:
    """A forum dump: lines of varied words, the marked copy in the middle."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 11)))
                  for _ in range(20000)]
    written = 0
    with path.open("wb") as fh:
        while written < size:
            if copy and written >= size // 2:
                fh.write(b"\n" + copy + b"\n")
                written += len(copy) + 2
                copy = b""
            line = (" ".join(rng.choices(vocabulary, k=rng.randint(6, 18))) + ".\n").encode()
            block = line * 1 + b"".join((" ".join(rng.choices(vocabulary, k=12)) + "\n").encode() for _ in range(200))
            fh.write(block)
            written += len(block)


def zip_members(path: Path, target: Path, size: int) -> None:
    """The dump deflated in a zip, in members of about ``size`` bytes (under the member limit)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive, path.open("rb") as src:
        n = 0
        while chunk := src.read(size):
            chunk += src.readline()
            n += 1
            archive.writestr(f"dump-{n}.txt", chunk)


def multipart(path: Path, target: Path, boundary: str) -> None:
    with target.open("wb") as out, path.open("rb") as src:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
                  "Content-Type: text/plain\r\n\r\n".encode())
        shutil.copyfileobj(src, out, 1 * MB)
        out.write(f"\r\n--{boundary}--\r\n".encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the dump (default 200)")
    parser.add_argument("--quick", action="store_true", help="a 40 MB dump")
    parser.add_argument("--keep-home", action="store_true")
    args = parser.parse_args()
    size_mb = 40 if args.quick else args.mb
    root = Path(tempfile.mkdtemp(prefix="headstart-intake-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    env |= {"HEADSTART_HOME": str(root / "home"), "PYTHONPATH": str(BENCH.parent / "src")}
    try:
        headstart(env, "init")
        headstart(env, "seed")
        # Example AV downloads its package (a delivery the investigation weighs), then its copy of
        # the write-up is exported: the same bytes the package holds.
        analyst = json.loads(headstart(env, "token", "create", "analyst@example-av.example", "--json").stdout)["token"]
        download = subprocess.run([sys.executable, "-c", DOWNLOAD, analyst], env=env, capture_output=True, text=True,
                                  check=False)
        if download.returncode != 0 or download.stdout.strip() != "200":
            raise SystemExit(f"the partner's download failed: {download.stdout}{download.stderr}")
        headstart(env, "copy", "export", "HS-2026-0001", "--partner", "Example AV", "--out", str(root / "copy"))
        copy = (root / "copy" / "writeup.md").read_bytes()
        staff = json.loads(headstart(env, "seed", "--json", check=False).stdout or "{}").get("staff", {})
        email = staff.get("email", "psirt@example.com")
        token = json.loads(headstart(env, "token", "create", email, "--json").stdout)["token"]
        dump = root / "dump.txt"
        filler_dump(dump, size_mb * MB - 1 * MB, copy)  # within HEADSTART_INTAKE_MAX_BYTES (size_mb MB)
        # The archive's own bytes count against HEADSTART_INTAKE_MAX_BYTES too: 60 % of the dump inside.
        zipped = root / "dump-for-zip.txt"
        filler_dump(zipped, size_mb * MB * 6 // 10, copy)
        zip_members(zipped, root / "dump.zip", 40 * MB)
        multipart(dump, root / "body", "headstart-bench-boundary")
        from headstart.config.env import env_int  # noqa: F401 - only to fail early without src on the path

        limit = int(env.get("HEADSTART_INTAKE_MAX_TEXT_BYTES", "0")) or None
        cli = [sys.executable, "-m", "headstart.faces.cli.main", "investigate", "--json"]
        cases: list[dict[str, Any]] = []
        small = root / "dump-20mb.txt"
        filler_dump(small, 20 * MB, copy)
        whole = {"HEADSTART_INTAKE_MAX_TEXT_BYTES": str(small.stat().st_size)}
        for name, command, analysed_at_most, extra in [
            ("baseline", [*cli, str(root / "copy" / "writeup.md")], len(copy), {}),
            ("cli", [*cli, str(dump)], dump.stat().st_size, {}),
            ("cli-zip", [*cli, str(root / "dump.zip")], zipped.stat().st_size, {}),
            ("api", [sys.executable, "-c", API_CASE, str(root / "body"), "headstart-bench-boundary", token],
             dump.stat().st_size, {}),
            ("whole-20mb", [*cli, str(small)], small.stat().st_size, whole),
        ]:
            peak, out, wall = measured(command, env | extra)
            result = json.loads(out[out.index("{"):])
            result = result.get("body", result)
            accused = [a["partner"] for a in result.get("accused", [])]
            top = result["ranking"][0]["partner"] if result.get("ranking") else None
            cases.append({"case": name, "peak_rss_mb": round(peak / MB, 1), "wall_s": round(wall, 1),
                          "accused": accused, "top_ranked": top, "exact_match": result.get("exact_match"),
                          "upload_mb": round((len(copy) if name == "baseline" else analysed_at_most) / MB, 1),
                          "file_text_mb": round(analysed_at_most / MB, 2)})
            print(f"{name:9s} peak {peak / MB:8.1f} MB  {wall:6.1f} s  accused {accused}  top {top}", flush=True)
        base = cases[0]["peak_rss_mb"]
        text_limit = _text_limit(env)
        held = {"cli": dump.stat().st_size, "api": dump.stat().st_size, "whole-20mb": small.stat().st_size,
                "cli-zip": zipped.stat().st_size + (root / "dump.zip").stat().st_size}
        for case in cases:
            analysed = case["file_text_mb"]
            if text_limit and case["case"] != "whole-20mb":
                analysed = min(analysed, text_limit / MB)
            case["largest_text_analysed_mb"] = round(analysed, 2)
            case["above_baseline_mb"] = round(case["peak_rss_mb"] - base, 1)
            # The material is held once (an archive: itself and its members); the rest is the analysis.
            case["material_held_mb"] = round(held.get(case["case"], 0) / MB, 1)
            case["analysis_mb"] = round(case["above_baseline_mb"] - case["material_held_mb"], 1)
            case["analysis_over_largest_text"] = (round(case["analysis_mb"] / analysed, 1)
                                                  if case["case"] != "baseline" else None)
        print()
        print(f"{'case':10s} {'text MB':>8s} {'at once MB':>11s} {'peak MB':>8s} {'above base':>11s} "
              f"{'held MB':>8s} {'analysis MB':>12s} {'x at once':>10s}")
        for c in cases:
            print(f"{c['case']:10s} {c['upload_mb']:8.1f} {c['largest_text_analysed_mb']:11.2f} {c['peak_rss_mb']:8.1f} "
                  f"{c['above_baseline_mb']:11.1f} {c['material_held_mb']:8.1f} {c['analysis_mb']:12.1f} "
                  f"{c['analysis_over_largest_text'] or '':>10}")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "intake_memory.json").write_text(json.dumps({
            "quick": args.quick, "dump_mb": size_mb, "max_text_bytes": text_limit,
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
            "cases": cases, "limit": limit}, indent=2) + "\n")
    finally:
        if not args.keep_home:
            shutil.rmtree(root, ignore_errors=True)


def _text_limit(env: dict[str, str]) -> int | None:
    """The configured HEADSTART_INTAKE_MAX_TEXT_BYTES, as the settings read it (None: no such limit)."""
    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE']='headstart.config.settings'; django.setup(); "
            "from django.conf import settings; print(getattr(settings, 'HEADSTART_INTAKE_MAX_TEXT_BYTES', 0))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return int(out.strip()) or None


if __name__ == "__main__":
    main()
