"""Compile a partner's YARA rules and scan files with them, in a process of its own.

Run only by ``sandbox.scan`` as ``python -m headstart.apps.readiness.scanner CPU_SECONDS
MEMORY_BYTES SCAN_TIMEOUT``: the limits are set before the untrusted text is read, so a rule
that takes too long or too much memory to compile or run kills this process, not the web
server. Reads JSON on stdin ({"rules": text, "files": {id: base64}}), writes JSON on stdout:
{"matches": {id: [rule identifiers]}} or {"error": message}. No Django: it imports yara_x only.
"""

from __future__ import annotations

import base64
import json
import resource
import sys


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(request: dict[str, object], scan_timeout: int) -> dict[str, object]:
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


def main() -> None:
    cpu_seconds, memory_bytes, scan_timeout = (int(a) for a in sys.argv[1:4])
    _limit(cpu_seconds, memory_bytes)
    request = json.loads(sys.stdin.read())
    json.dump(run(request, scan_timeout), sys.stdout)


if __name__ == "__main__":
    main()
