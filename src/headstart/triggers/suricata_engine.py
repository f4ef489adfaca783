"""Run Suricata (7) over captures with a rules text: check the rules, see which captures alert.

    engine = Suricata()                          # EngineError when suricata is not installed
    engine.check(rules_text)                     # suricata -T; EngineError with its messages
    engine.alerts(rules_text, [pcap, pcap, ...]) # for each capture, the set of sids that alerted

Suricata's start-up costs more than reading a packet, so ``alerts`` merges every capture
into one classic pcap and runs Suricata once; each alert's packet number (``pcap_cnt``)
names the capture it came from. Each run gets a private directory holding a minimal
configuration (alerts only, in eve.json; any rule that fails to load is fatal) and the log.
Suricata's directory mode (``-r DIR``) is not used: its alerts name the file being read
when they are logged, not always the one the packet came from.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import TriggerError

CONFIG = """\
%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
logging:
  default-log-level: error
  outputs:
    - console:
        enabled: yes
engine:
  init-failure-fatal: yes
stats:
  enabled: no
"""
_MAGIC = {b"\xd4\xc3\xb2\xa1": "little", b"\xa1\xb2\xc3\xd4": "big",
          b"\x4d\x3c\xb2\xa1": "little", b"\xa1\xb2\x3c\x4d": "big"}  # microsecond and nanosecond


class EngineError(TriggerError):
    """Suricata is missing, refused the rules, or failed on the captures."""


def split_pcap(data: bytes) -> tuple[bytes, list[bytes]]:
    """A classic pcap's global header and its records (each with its 16-byte header)."""
    if len(data) < 24 or data[:4] not in _MAGIC:
        raise EngineError("not a classic pcap file (no pcap magic)")
    order = _MAGIC[data[:4]]
    records, pos = [], 24
    while pos < len(data):
        if pos + 16 > len(data):
            raise EngineError(f"a record header is cut short at byte {pos}")
        size = int.from_bytes(data[pos + 8:pos + 12], order)  # type: ignore[arg-type]
        if pos + 16 + size > len(data):
            raise EngineError(f"a record is cut short at byte {pos}")
        records.append(data[pos:pos + 16 + size])
        pos += 16 + size
    return data[:24], records


def merge_pcaps(captures: Sequence[bytes]) -> tuple[bytes, list[range]]:
    """One pcap holding every capture's records in turn, and each capture's packet numbers (from 1)."""
    if not captures:
        raise EngineError("no captures to merge")
    header, _ = split_pcap(captures[0])
    out, spans, count = [header], [], 0
    for i, data in enumerate(captures):
        head, records = split_pcap(data)
        if head[:4] != header[:4] or head[20:24] != header[20:24]:
            raise EngineError(f"capture {i} has another byte order, timestamp unit or link type than the first")
        out += records
        spans.append(range(count + 1, count + len(records) + 1))
        count += len(records)
    return b"".join(out), spans


class Suricata:
    """The suricata program on this machine."""

    def __init__(self, program: str = "suricata", timeout: float = 120.0) -> None:
        found = shutil.which(program)
        if found is None:
            raise EngineError(f"{program} is not installed (Debian bookworm: apt-get install -t "
                              "bookworm-backports suricata)")
        self.program = found
        self.timeout = timeout

    def version(self) -> str:
        return self._run(["-V"], Path(tempfile.gettempdir())).stdout.strip()

    def _run(self, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([self.program, *args], cwd=cwd, capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"suricata ran longer than {self.timeout:g} s") from None

    def _prepare(self, work: Path, rules_text: str) -> list[str]:
        (work / "suricata.yaml").write_text(CONFIG)
        (work / "headstart.rules").write_text(rules_text)
        (work / "log").mkdir()
        return ["-c", str(work / "suricata.yaml"), "-S", str(work / "headstart.rules"), "-l", str(work / "log")]

    def check(self, rules_text: str) -> None:
        """``suricata -T``: EngineError with Suricata's messages when a rule does not load."""
        with tempfile.TemporaryDirectory(prefix="headstart-suricata-") as tmp:
            work = Path(tmp)
            done = self._run(["-T", *self._prepare(work, rules_text)], work)
            if done.returncode != 0:
                raise EngineError("suricata refused the rules: " + _messages(done))

    def alerts(self, rules_text: str, captures: Sequence[bytes]) -> list[set[int]]:
        """For each capture, the sids of the rules that alerted on one of its packets."""
        merged, spans = merge_pcaps(captures)
        owner = {n: i for i, span in enumerate(spans) for n in span}
        found: list[set[int]] = [set() for _ in captures]
        with tempfile.TemporaryDirectory(prefix="headstart-suricata-") as tmp:
            work = Path(tmp)
            (work / "input.pcap").write_bytes(merged)
            done = self._run(["-r", str(work / "input.pcap"), "-k", "none", *self._prepare(work, rules_text)], work)
            if done.returncode != 0:
                raise EngineError("suricata failed: " + _messages(done))
            eve = work / "log" / "eve.json"
            for line in eve.read_text().splitlines() if eve.exists() else []:
                event = json.loads(line)
                if event.get("event_type") == "alert":
                    found[owner[event["pcap_cnt"]]].add(int(event["alert"]["signature_id"]))
        return found


def _messages(done: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (done.stderr + "\n" + done.stdout).splitlines() if ln.strip()]
    return "; ".join(lines[-8:]) or f"exit status {done.returncode}"


__all__ = ["EngineError", "Suricata", "merge_pcaps", "split_pcap"]
