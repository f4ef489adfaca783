"""Run untrusted YARA rules in a child process with CPU, memory and wall-clock limits.

The web process only writes the request to the child (``scanner.py``) and reads its answer:
compiling and scanning happen there, under RLIMIT_CPU and RLIMIT_AS set before the rule text
is read, with no includes and no modules. A child that runs past the wall timeout is killed.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Mapping

from django.conf import settings

from headstart.errors import Invalid


class RulesRefused(Invalid):
    """The rules cannot be tested: they do not compile, are too large, too slow or too hungry."""


def check_text(raw: bytes) -> str:
    """The rule file as text, refused when too large or not UTF-8 (before any process starts)."""
    limit = settings.HEADSTART_READINESS_MAX_RULES_BYTES
    if len(raw) > limit:
        raise RulesRefused(f"the rules file is {len(raw):,} bytes; at most {limit:,} are accepted")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesRefused("the rules file is not UTF-8 text") from None


def scan(rules: str, files: Mapping[str, bytes]) -> dict[str, list[str]]:
    """The rule identifiers that match each file, by the caller's file id."""
    cpu = settings.HEADSTART_READINESS_CPU_SECONDS
    wall = cpu * 2 + 5
    # A child starved of memory may hang rather than exit: the wall timeout ends it too.
    stopped = (f"testing the rules was stopped: they needed more than {cpu} s of CPU time, {wall} s in all, or "
               f"{settings.HEADSTART_READINESS_MEMORY_BYTES // (1024 * 1024)} MB of memory")
    request = json.dumps({"rules": rules, "files": {k: base64.b64encode(v).decode() for k, v in files.items()}})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "headstart.apps.readiness.scanner", str(cpu),
             str(settings.HEADSTART_READINESS_MEMORY_BYTES), str(settings.HEADSTART_READINESS_SCAN_SECONDS)],
            input=request.encode(), capture_output=True, timeout=wall, check=False)
    except subprocess.TimeoutExpired:
        raise RulesRefused(stopped) from None
    if done.returncode != 0:
        raise RulesRefused(stopped)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise RulesRefused("testing the rules failed: the scanner gave no answer") from None
    if "error" in answer:
        raise RulesRefused(str(answer["error"]))
    return {str(k): [str(r) for r in v] for k, v in answer["matches"].items()}
