"""Run untrusted YARA rules or ClamAV signatures in a child process with CPU, memory and wall limits.

Called by the worker's job (never by the web process): it writes the request to the child
(``scanner.py``) and reads its answer. Compiling and scanning happen there, under RLIMIT_CPU and
RLIMIT_AS set before the rule text is read, with no includes and no modules (yara-x) or the
partner's database only (clamscan). A child that runs past the wall timeout is killed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
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
        # The caller reads at most one byte past the limit: the file's real size is not known.
        raise RulesRefused(f"the rules file is too large: at most {limit:,} bytes are accepted")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesRefused("the rules file is not UTF-8 text") from None


def wall_seconds() -> int:
    """How long a test's child process may run in all before it is killed."""
    return int(settings.HEADSTART_READINESS_CPU_SECONDS) * 2 + 5


def scan(rules: str, files: Mapping[str, bytes], *, engine: str = "yara", suffix: str = "") -> dict[str, list[str]]:
    """The rule (signature) names that match each file, by the caller's file id."""
    cpu = settings.HEADSTART_READINESS_CPU_SECONDS
    wall = wall_seconds()
    # A child starved of memory may hang rather than exit: the wall timeout ends it too.
    stopped = (f"testing the rules was stopped: they needed more than {cpu} s of CPU time, {wall} s in all, or "
               f"{settings.HEADSTART_READINESS_MEMORY_BYTES // (1024 * 1024)} MB of memory")
    request = json.dumps({"engine": engine, "suffix": suffix, "rules": rules,
                          "files": {k: base64.b64encode(v).decode() for k, v in files.items()}})
    argv = [sys.executable, "-m", "headstart.apps.readiness.scanner", str(cpu),
            str(settings.HEADSTART_READINESS_MEMORY_BYTES), str(settings.HEADSTART_READINESS_SCAN_SECONDS)]
    # A session of its own, so the wall timeout ends clamscan (its child) as well.
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    try:
        stdout, _ = child.communicate(request.encode(), timeout=wall)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise RulesRefused(stopped) from None
    done = subprocess.CompletedProcess(argv, child.returncode, stdout)
    if done.returncode != 0:
        raise RulesRefused(stopped)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise RulesRefused("testing the rules failed: the scanner gave no answer") from None
    if "error" in answer:
        raise RulesRefused(str(answer["error"]))
    return {str(k): [str(r) for r in v] for k, v in answer["matches"].items()}
