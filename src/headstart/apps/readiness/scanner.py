"""Compile a partner's rules and scan files with them, in a process of its own.

Run only by ``sandbox.scan`` as ``python -m headstart.apps.readiness.scanner CPU_SECONDS
MEMORY_BYTES SCAN_TIMEOUT``: the limits are set before the untrusted text is read, so a rule
that takes too long or too much memory to compile or run kills this process, not the worker.
Reads JSON on stdin ({"engine": "yara"|"clamav", "rules": text, "suffix": ".ndb", "files":
{id: base64}}), writes JSON on stdout: {"matches": {id: [rule identifiers]}} or {"error":
message}. No Django: it imports yara_x, or runs clamscan (which inherits the limits).
"""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

# The ClamAV database kinds a partner may upload: hashes, body signatures, logical signatures.
# Bytecode (.cbc) and container or YARA-in-ClamAV databases are not accepted.
CLAMAV_SUFFIXES = (".hdb", ".hsb", ".ndb", ".ldb")


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_yara(request: dict[str, object], scan_timeout: int) -> dict[str, object]:
    import yara_x  # after the limits: its allocations count against them

    compiler = yara_x.Compiler()
    compiler.enable_includes(False)  # a rule must not read files of the server
    try:
        compiler.add_source(str(request["rules"]))
        rules = compiler.build()
    except yara_x.CompileError as exc:
        return {"error": f"the rules do not compile: {exc}"}
    if rules.imports():
        # Modules parse files for the rules (pe, elf, dotnet...) or print (console): none is
        # needed to test a rule on a PoC, and each is code the rule's author would choose to run.
        return {"error": "modules are not allowed: remove the import of " + ", ".join(map(repr, rules.imports()))}
    scanner = yara_x.Scanner(rules)
    scanner.set_timeout(scan_timeout)
    matches: dict[str, list[str]] = {}
    files = request["files"]
    assert isinstance(files, dict)
    for ident, encoded in files.items():
        try:
            result = scanner.scan(base64.b64decode(encoded))
        except yara_x.TimeoutError:
            return {"error": f"a scan took longer than {scan_timeout} s: the rules are too slow"}
        except yara_x.ScanError as exc:
            return {"error": f"a scan failed: {exc}"}
        matches[ident] = sorted(rule.identifier for rule in result.matching_rules)
    return {"matches": matches}


def run_clamav(request: dict[str, object], timeout: int) -> dict[str, object]:
    """clamscan with the partner's database only (-d): no official database, no freshclam, no network."""
    suffix = str(request["suffix"])
    if suffix not in CLAMAV_SUFFIXES:
        return {"error": f"ClamAV signatures must be a {', '.join(CLAMAV_SUFFIXES)} file"}
    files = request["files"]
    assert isinstance(files, dict)
    with tempfile.TemporaryDirectory(prefix="headstart-readiness-") as tmp:
        root = Path(tmp)
        database = root / f"signatures{suffix}"
        database.write_text(str(request["rules"]), encoding="utf-8")
        scanned = root / "files"
        scanned.mkdir()
        names: dict[str, str] = {}
        for i, (ident, encoded) in enumerate(files.items()):
            name = f"f{i:05d}"  # our names, never the caller's: nothing to escape in clamscan's output
            (scanned / name).write_bytes(base64.b64decode(encoded))
            names[name] = ident
        argv = ["clamscan", "--no-summary", "--stdout", "--infected", "--bytecode=no", "--recursive=no",
                "-d", str(database), *sorted(str(scanned / n) for n in names)]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp,
                                  env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C"})
        except FileNotFoundError:
            return {"error": "ClamAV is not installed on the server (clamscan not found)"}
        except subprocess.TimeoutExpired:
            return {"error": f"clamscan took longer than {timeout} s: the signatures are too slow"}
        if done.returncode not in (0, 1):
            said = [line.replace(tmp + "/", "") for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            return {"error": "the ClamAV signatures do not load: " + ("; ".join(said[:3]) or f"exit {done.returncode}")}
        matches: dict[str, list[str]] = {ident: [] for ident in names.values()}
        for line in done.stdout.splitlines():
            path, _, verdict = line.rpartition(": ")
            if verdict.endswith(" FOUND") and Path(path).name in names:
                matches[names[Path(path).name]].append(verdict.removesuffix(" FOUND").removesuffix(".UNOFFICIAL"))
        return {"matches": {k: sorted(v) for k, v in matches.items()}}


def main() -> None:
    cpu_seconds, memory_bytes, scan_timeout = (int(a) for a in sys.argv[1:4])
    _limit(cpu_seconds, memory_bytes)
    request = json.loads(sys.stdin.read())
    if request.get("engine") == "clamav":
        answer = run_clamav(request, cpu_seconds * 2)
    else:
        answer = run_yara(request, scan_timeout)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
