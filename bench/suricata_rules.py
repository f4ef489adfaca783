"""Benchmark: the Suricata rule generated from a network PoC's trigger specification, run by Suricata 7.

The specification is the pcap fixture in tests/fixtures/pcap_ctrelay (a UDP datagram to a
fictional relay whose BATCH data overruns its slots). The rule
`headstart.triggers.suricata_rules` writes is checked with `suricata -T` and run over:

  copies   the PoC as N partners receive it: each partner's codeword from the program's
           codebook (headstart.marking.Codebook, a random key), rendered by the binary
           carrier. Target: every copy alerted on, and the original.
  benign   datagrams of the relay's protocol that do not trigger the bug:
             near misses   the PoC with one tested field moved across its condition
                           (headstart.triggers.corpus.near_misses), and with the slot count
                           raised to hold the data; checksums recomputed
             built         valid captures built from the specification (build) with random
                           kinds, ports, slot counts and data lengths on both sides of the
                           condition, kept when the specification's own evaluator says they
                           miss the trigger
           Target: no alert.

Each set runs through one Suricata process (the captures merged into one pcap; each alert's
packet number names its capture). Also measured: the run's wall time and packets per second
(indicative: the machine is shared, and start-up is most of a small run).

    PYTHONPATH=src .venv/bin/python bench/suricata_rules.py --quick   # 200 copies, 300 built captures
    PYTHONPATH=src .venv/bin/python bench/suricata_rules.py           # 1,000 copies, 2,000 built captures

Prints a table and writes bench/results/suricata_rules.json; exits non-zero when a row fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

from headstart.carriers.binary import BinaryCarrier
from headstart.marking import Codebook
from headstart.triggers import Spec, TriggerError, build, evaluate, load_spec, parse, patch
from headstart.triggers.corpus import near_misses
from headstart.triggers.suricata_engine import Suricata
from headstart.triggers.suricata_rules import suricata_rule

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
FIXTURE = REPO / "tests" / "fixtures" / "pcap_ctrelay"
ADVISORY = "HS-2026-0003"


def triggers(spec: Spec, data: bytes) -> bool | None:
    try:
        return all(r.holds for r in evaluate(spec, parse(spec, data)))
    except TriggerError:
        return None


def built_capture(spec: Spec, rng: random.Random) -> bytes:
    """One datagram to (or near) the relay, lengths consistent, tested values on both sides."""
    slots = rng.choice([0, 1, 2, 8, 255, rng.randrange(0, 0x1000)])
    length = min(0xFFFF - 64, max(0, slots * 8 + rng.choice([-1, 0, 1, -slots * 8, rng.randrange(-40, 40)])))
    data = rng.randbytes(length)
    size = 14 + length
    message = {"kind": rng.choice([7, 7, 1, 2, 6, 8]), "flags": rng.randrange(256), "sensor_id": rng.randrange(1 << 32),
               "slot_count": slots, "data_length": length, "data": data}
    frame = {"eth_dst": rng.randbytes(6), "eth_src": rng.randbytes(6),
             "ip": {"dscp_ecn": 0, "total_length": 28 + size, "ident": rng.randrange(1 << 16), "flags_fragment": 0x4000,
                    "ttl": rng.choice([1, 64, 128, 255]), "src_addr": bytes([192, 0, 2, rng.randrange(1, 255)]),
                    "dst_addr": bytes([198, 51, 100, rng.randrange(1, 255)])},
             "udp": {"src_port": rng.randrange(1024, 65536), "dst_port": rng.choice([7311, 7311, 7310, 7312, 53]),
                     "length": 8 + size}, "message": message}
    return build(spec, {"snaplen": 65535, "records": [
        {"ts_sec": 1767225600 + rng.randrange(86400), "ts_usec": rng.randrange(1_000_000), "incl_len": 42 + size,
         "orig_len": 42 + size, "frame": frame}]})


def partner_copies(spec_text: str, poc: bytes, scope: str, n: int) -> list[bytes]:
    carrier = BinaryCarrier(spec_text, poc)
    partners = [f"partner-{i:05d}" for i in range(n)]
    book = Codebook(key=os.urandom(32), scope=scope, alphabet_sizes=[len(s.alternatives) for s in carrier.slots],
                    partners=partners)
    return [carrier.render(book.codeword(p).tolist()) for p in partners]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 copies, 300 built captures")
    ap.add_argument("--copies", type=int, help="partners' copies (default 1,000; 200 with --quick)")
    args = ap.parse_args()
    n_copies = args.copies or (200 if args.quick else 1000)
    n_built = 300 if args.quick else 2000
    rng = random.Random(23)

    spec_text, poc = (FIXTURE / "ctrelay.ksy.yaml").read_text(), (FIXTURE / "poc.pcap").read_bytes()
    spec = load_spec(spec_text)
    engine = Suricata()
    started = time.perf_counter()
    rule = suricata_rule(spec, advisory=ADVISORY, artifact="poc.pcap")
    engine.check(rule.text)
    check_s = time.perf_counter() - started

    copies = partner_copies(spec_text, poc, f"{ADVISORY}/poc.pcap/v1", n_copies)
    misses = near_misses(spec, poc, rng)
    misses += [patch(spec, poc, {"records[0].frame.message.slot_count": n}) for n in (9, 10, 0xFFFF)]
    built: list[bytes] = []
    while len(built) < n_built:
        data = built_capture(spec, rng)
        if triggers(spec, data) is False:
            built.append(data)

    started = time.perf_counter()
    alerts = engine.alerts(rule.text, [poc, *copies])
    copies_s = time.perf_counter() - started
    original = bool(alerts[0])
    matched_copies = sum(rule.sid in a for a in alerts[1:])
    started = time.perf_counter()
    benign_alerts = engine.alerts(rule.text, misses + built)
    benign_s = time.perf_counter() - started
    groups = {"near misses": benign_alerts[:len(misses)], "built": benign_alerts[len(misses):]}
    per_group: dict[str, dict[str, Any]] = {
        name: {"matched": sum(bool(a) for a in found), "total": len(found),
               "examples": [i for i, a in enumerate(found) if a][:5]} for name, found in groups.items()}
    benign_matched = sum(g["matched"] for g in per_group.values())
    benign_total = sum(g["total"] for g in per_group.values())
    ok = matched_copies == len(copies) and original and benign_matched == 0

    print(f"{'rule':<12} {'copies matched':>16} {'original':>9} " + " ".join(f"{g:>13}" for g in per_group)
          + f" {'benign matched':>16}  target  result")
    print(f"{'pcap_ctrelay':<12} {f'{matched_copies} / {len(copies)}':>16} {'yes' if original else 'NO':>9} "
          + " ".join(f"{str(g['matched']) + ' / ' + str(g['total']):>13}" for g in per_group.values())
          + f" {f'{benign_matched} / {benign_total}':>16}  all / 0  {'PASS' if ok else 'FAIL'}")
    packets = len(copies) + 1 + benign_total
    print(f"\nsid {rule.sid}; suricata -T in {check_s * 1000:.0f} ms; copies run {copies_s:.2f} s, benign run "
          f"{benign_s:.2f} s ({packets / (copies_s + benign_s):.0f} captures/s with start-up)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "suricata_rules.json").write_text(json.dumps({
        "quick": args.quick, "engine": engine.version(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rows": [{"rule": "pcap_ctrelay", "sid": rule.sid, "copies_matched": matched_copies, "copies": len(copies),
                  "original_matched": original, "benign": per_group, "benign_matched": benign_matched,
                  "benign_total": benign_total, "target": "every copy and the original alerted on, no benign capture",
                  "result": "PASS" if ok else "FAIL", "rule_chars": len(rule.text), "check_s": round(check_s, 3),
                  "copies_run_s": round(copies_s, 3), "benign_run_s": round(benign_s, 3)}]}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
