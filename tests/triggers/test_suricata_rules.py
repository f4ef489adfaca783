"""Suricata rules generated from the trigger specification of a network PoC, run by Suricata 7.

The PoC is a pcap of one UDP datagram to a fictional service (tests/fixtures/pcap_ctrelay).
Each rule must load (suricata -T), alert on the PoC and on every partner's marked copy,
agree with the specification's own evaluator on datagrams of the format, and stay silent on
near misses of the trigger and on valid datagrams that do not trigger it. Suricata starts
once per test: the captures of a test are merged into one pcap (suricata_engine).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from headstart.carriers.binary import BinaryCarrier
from headstart.triggers import Spec, TriggerError, build, check, evaluate, load_spec, parse, patch
from headstart.triggers.corpus import near_misses
from headstart.triggers.suricata_engine import EngineError, Suricata, merge_pcaps
from headstart.triggers.suricata_rules import SID_COUNT, SID_FIRST, RuleError, rule_sid, suricata_rule

FIXTURE = Path(__file__).parents[1] / "fixtures" / "pcap_ctrelay"
SPEC_TEXT = (FIXTURE / "ctrelay.ksy.yaml").read_text()
POC = (FIXTURE / "poc.pcap").read_bytes()
SPEC = load_spec(SPEC_TEXT)
ADVISORY = "HS-2026-0003"

needs_suricata = pytest.mark.skipif(shutil.which("suricata") is None, reason="suricata is not installed "
                                    "(scripts/install-system-deps.sh installs it from bookworm-backports)")
needs_tcpdump = pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")


def capture(spec: Spec, *, kind: int = 7, slot_count: int = 2, data: bytes = bytes(range(0x41, 0x59)) * 3,
            dst_port: int = 7311, sensor_id: int = 0x5EED0001, ident: int = 0x1234, ts_usec: int = 250000,
            message: dict[str, Any] | None = None) -> bytes:
    """A capture of one datagram to the relay, laid out by the specification (lengths consistent)."""
    msg = message or {"kind": kind, "flags": 0, "sensor_id": sensor_id, "slot_count": slot_count,
                      "data_length": len(data), "data": data}
    size = 14 + len(data)
    frame = {"eth_dst": bytes.fromhex("020000000002"), "eth_src": bytes.fromhex("020000000001"),
             "ip": {"dscp_ecn": 0, "total_length": 28 + size, "ident": ident, "flags_fragment": 0x4000,
                    "ttl": 64, "src_addr": bytes([192, 0, 2, 10]), "dst_addr": bytes([198, 51, 100, 20])},
             "udp": {"src_port": 40000, "dst_port": dst_port, "length": 8 + size}, "message": msg}
    return build(spec, {"snaplen": 65535, "records": [
        {"ts_sec": 1767225600, "ts_usec": ts_usec, "incl_len": 42 + size, "orig_len": 42 + size, "frame": frame}]})


def triggers(spec: Spec, data: bytes) -> bool:
    return all(r.holds for r in evaluate(spec, parse(spec, data)))


def partner_copies(n: int, seed: int) -> list[bytes]:
    carrier = BinaryCarrier(SPEC_TEXT, POC)
    rng = random.Random(seed)
    return [carrier.render([rng.randrange(len(s.alternatives)) for s in carrier.slots]) for _ in range(n)]


def rule_text(spec: Spec = SPEC) -> str:
    return suricata_rule(spec, advisory=ADVISORY, artifact="poc.pcap").text


def tcpdump(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pcap"
    path.write_bytes(data)
    done = subprocess.run(["tcpdump", "-r", str(path), "-nn", "-vv"], capture_output=True, text=True, check=True)
    return done.stdout


# --- the network PoC fixture -------------------------------------------------------------


def test_the_poc_is_what_the_specification_builds_and_meets_its_trigger():
    assert capture(SPEC) == POC
    check(SPEC, POC)
    assert len(BinaryCarrier(SPEC_TEXT, POC).slots) >= 64


@needs_tcpdump
def test_tcpdump_reads_the_poc_as_one_udp_datagram_to_the_relay_with_a_correct_ip_checksum(tmp_path):
    out = tcpdump(POC, tmp_path)
    assert "192.0.2.10.40000 > 198.51.100.20.7311: [no cksum] UDP, length 86" in out
    assert "proto UDP (17), length 114" in out and "bad cksum" not in out
    broken = bytearray(POC)
    broken[64] ^= 0x01  # the IPv4 header checksum: tcpdump notices
    assert "bad cksum" in tcpdump(bytes(broken), tmp_path)


@needs_tcpdump
def test_every_partners_copy_is_a_datagram_with_a_correct_ip_checksum(tmp_path):
    copies = partner_copies(30, seed=3)
    assert len(set(copies)) == 30
    out = tcpdump(merge_pcaps(copies)[0], tmp_path)
    assert out.count("198.51.100.20.7311: [no cksum] UDP, length 86") == 30
    assert "bad cksum" not in out


# --- the rule ------------------------------------------------------------------------------


def test_the_rule_keys_on_the_condition_not_on_the_pocs_marked_values():
    text = rule_text()
    rule = text.splitlines()[-1]
    assert rule.startswith("alert udp any any -> any 7311 (")
    assert 'content:"CTR1"; offset:0; depth:4;' in rule and "byte_test:1,=,7,4,big;" in rule
    assert "byte_extract:2,10,hs_v1,big,multiplier 8; byte_test:2,>,hs_v1,12,big;" in rule
    # nothing the marks vary: the sensor id, the data, the IP id, the data length's value
    for marked in ("5eed", "5EED", "ABCDEF", "1234", "72"):
        assert marked not in rule.split("metadata:")[0].split("msg:")[1].split('";', 1)[1]


def test_the_sid_is_stable_in_headstarts_range_and_the_msg_names_the_advisory():
    rule = suricata_rule(SPEC, advisory=ADVISORY, artifact="poc.pcap")
    assert rule.sid == rule_sid(ADVISORY, "poc.pcap") == suricata_rule(SPEC, advisory=ADVISORY, artifact="poc.pcap").sid
    assert SID_FIRST <= rule.sid < SID_FIRST + SID_COUNT
    assert rule_sid("HS-2026-0004", "poc.pcap") != rule.sid
    assert f"sid:{rule.sid}; rev:1;)" in rule.text
    assert 'msg:"HEADSTART HS-2026-0003 Corvid Telemetry Relay - heap overflow in ctr_read_batch()";' in rule.text


@needs_suricata
def test_suricata_accepts_the_rule_and_refuses_a_broken_one():
    engine = Suricata()
    engine.check(rule_text())
    title = SPEC_TEXT.replace('title: "Corvid', 'title: "A; \\"quoted\\" Corvid')
    engine.check(rule_text(load_spec(title)))  # msg escaping
    with pytest.raises(EngineError, match=r"refused the rules: .*byte_test"):
        engine.check(rule_text().replace("byte_test:1,=,7,4,big;", "byte_test:1,=,7,4,nonsense;"))


@needs_suricata
def test_the_rule_alerts_on_the_original_and_every_partners_copy():
    copies = partner_copies(40, seed=1)
    assert len(set(copies)) == 40
    rule = suricata_rule(SPEC, advisory=ADVISORY, artifact="poc.pcap")
    alerts = Suricata().alerts(rule.text, [POC, *copies])
    assert alerts == [{rule.sid}] * 41


def benign_captures() -> list[bytes]:
    """Valid datagrams of the relay's protocol that do not trigger the bug."""
    out = [capture(SPEC, kind=1, data=b""), capture(SPEC, kind=2, data=b"temperature=21.5"),
           capture(SPEC, kind=2, slot_count=0, data=bytes(200))]
    out += [capture(SPEC, slot_count=n, data=bytes(d)) for n, d in [(2, 16), (2, 0), (9, 72), (0, 0), (100, 800)]]
    out += [capture(SPEC, dst_port=p) for p in (7310, 7312, 53, 1)]  # the PoC's message, to another service
    return out


@needs_suricata
def test_the_rule_is_silent_on_near_misses_and_valid_datagrams_that_do_not_trigger():
    misses = near_misses(SPEC, POC, random.Random(4))  # the port and the kind (the data length lays out data)
    misses += [patch(SPEC, POC, {"records[0].frame.message.slot_count": n}) for n in (9, 10, 0xFFFF)]
    benign = benign_captures()
    assert len(misses) >= 10
    assert not any(triggers(SPEC, c) for c in misses + benign)
    assert Suricata().alerts(rule_text(), misses + benign) == [set()] * (len(misses) + len(benign))


def random_capture(rng: random.Random) -> bytes:
    slots = rng.choice([0, 1, 2, 8, 255, rng.randrange(0, 0x2000)])
    length = min(0xFFFF - 64, max(0, slots * 8 + rng.choice([-1, 0, 1, 2, -slots * 8, rng.randrange(-40, 40)])))
    return capture(SPEC, kind=rng.choice([7, 7, 7, 1, 2, 6, 8]), slot_count=slots, data=rng.randbytes(length),
                   dst_port=rng.choice([7311, 7311, 7311, 7310]), sensor_id=rng.randrange(1 << 32),
                   ident=rng.randrange(1 << 16))


@needs_suricata
def test_the_rule_alerts_on_exactly_the_datagrams_the_specification_says_trigger():
    rng = random.Random(5)
    files = [random_capture(rng) for _ in range(300)]
    rule = suricata_rule(SPEC, advisory=ADVISORY, artifact="poc.pcap")
    alerts = Suricata().alerts(rule.text, files)
    verdicts = [triggers(SPEC, f) for f in files]
    assert [bool(a) for a in alerts] == verdicts
    assert 30 < sum(verdicts) < 270  # both sides were tried


# --- other conditions a message may have ------------------------------------------------------

ARITH_SPEC = SPEC_TEXT.split("x-headstart:")[0] + """\
x-headstart:
  trigger:
    - {field: "records[0].frame.udp.dst_port", op: in, value: [7311, 7312]}
    - {field: "records[0].frame.message.kind", op: not-in, value: [1, 2]}
    - {field: "records[0].frame.message.flags", op: "!=", value: 0x80}
    - {field: "records[0].frame.message.sensor_id", op: ">=", value: "records[0].frame.message.slot_count / 3"}
    - {field: "records[0].frame.message.slot_count", op: "<", value: "records[0].frame.message.data_length - 2"}
    - {field: "records[0].frame.message.data_length", op: "<=", value: "records[0].frame.message.flags + 300"}
  checksums:
    - field: "records[*].frame.ip.header_checksum"
      algorithm: inet16
      over: [version_ihl, dscp_ecn, total_length, ident, flags_fragment, ttl, protocol, src_addr, dst_addr]
"""


def random_arith(spec: Spec, rng: random.Random) -> bytes:
    length = rng.choice([0, 1, 2, 3, 4, 10, 100, 300, 301, 555, rng.randrange(0, 600)])
    slots = max(0, min(0xFFFF, length - 2 + rng.choice([-1, 0, 1, -length, 50])))
    flags = rng.choice([0, 0x80, 0x7F, 0xFF, rng.randrange(256)])
    msg = {"kind": rng.choice([0, 1, 2, 3, 7]), "flags": flags,
           "sensor_id": rng.choice([0, 1, slots // 3, slots // 3 - 1, slots // 3 + 1, rng.randrange(1 << 32)]) % (1 << 32),
           "slot_count": slots, "data_length": length, "data": rng.randbytes(length)}
    return capture(spec, data=msg["data"], dst_port=rng.choice([7311, 7312, 7313]), message=msg)


@needs_suricata
def test_in_not_in_division_sums_and_differences_agree_with_the_specification():
    spec = load_spec(ARITH_SPEC)
    rule = suricata_rule(spec, advisory="HS-T", artifact="arith.pcap")
    assert "-> any [7311,7312] (" in rule.text and "oper /, rvalue 3" in rule.text and "oper +, rvalue 2" in rule.text
    rng = random.Random(7)
    files = [random_arith(spec, rng) for _ in range(400)]
    alerts = Suricata().alerts(rule.text, files)
    verdicts = [triggers(spec, f) for f in files]
    assert [bool(a) for a in alerts] == verdicts
    assert 15 < sum(verdicts) < 385


def test_a_text_condition_on_the_message_becomes_content_at_its_offset():
    spec = load_spec(SPEC_TEXT.replace("""      - {id: magic, contents: "CTR1"}""",
                                       """      - {id: magic, type: str, size: 4, encoding: ASCII}""").replace(
        "  trigger:\n", "  trigger:\n    - {field: 'records[0].frame.message.magic', op: '!=', value: \"'CTR0'\"}\n"))
    text = rule_text(spec)
    assert 'isdataat:3; content:!"CTR0"; offset:0; depth:4;' in text
    assert 'content:"CTR1"' not in text


# --- what the generator refuses ---------------------------------------------------------------


def refused(text: str) -> str:
    with pytest.raises(RuleError) as caught:
        suricata_rule(load_spec(text), advisory=ADVISORY)
    return str(caught.value)


def test_a_condition_on_the_ip_header_is_refused_by_name_and_line():
    text = SPEC_TEXT.replace("  trigger:\n", "  trigger:\n    - {field: 'records[0].frame.ip.ttl', op: '<', value: 5}\n")
    message = refused(text)
    assert message.startswith("line ") and "records[0].frame.ip.ttl < 5" in message
    assert "tests the UDP ports and the message after the UDP header, not ip" in message


def test_a_condition_on_the_capture_itself_is_refused():
    text = SPEC_TEXT.replace("  trigger:\n", "  trigger:\n    - {field: 'records[0].ts_sec', op: '>', value: 5}\n")
    assert "not the capture's own fields" in refused(text)


def test_conditions_on_two_different_datagrams_are_refused():
    text = SPEC_TEXT.replace("field: records[0].frame.message.kind", "field: records[1].frame.message.kind")
    assert "more than one datagram (records[0].frame and records[1].frame)" in refused(text)


def test_a_field_after_one_of_varying_size_is_refused():
    text = SPEC_TEXT.replace("      - {id: data, size: data_length}",
                             "      - {id: data, size: data_length}\n      - {id: tail, type: u1}").replace(
        "  trigger:\n", "  trigger:\n    - {field: 'records[0].frame.message.tail', op: '==', value: 1}\n")
    assert "its offset in the message depends on data, whose size varies" in refused(text)


def test_one_of_several_values_of_a_message_field_is_refused():
    text = SPEC_TEXT.replace("op: \"==\"\n      value: 7\n", "op: in\n      value: [7, 8]\n")
    assert "one rule cannot test one of several values" in refused(text)


def test_tcp_and_a_specification_without_udp_or_without_a_trigger_are_refused():
    assert "only UDP datagrams" in refused(SPEC_TEXT.replace("type: udp}", "type: tcp}").replace("  udp:\n", "  tcp:\n"))
    assert "no field of type udp" in refused("meta: {id: plain, endian: le}\nseq:\n  - {id: n, type: u4}\n"
                                             "x-headstart:\n  trigger:\n    - {field: n, op: '>', value: 5}\n")
    with pytest.raises(RuleError, match="no trigger conditions"):
        suricata_rule(load_spec("meta: {id: plain, endian: le}\nseq:\n  - {id: n, type: u4}\n"), advisory=ADVISORY)


def test_a_capture_that_is_not_a_pcap_is_refused_before_suricata_runs():
    with pytest.raises(EngineError, match="not a classic pcap"):
        merge_pcaps([POC, b"PK\x03\x04 not a capture at all"])
    with pytest.raises(TriggerError, match="cut short"):
        merge_pcaps([POC[:-3]])


def test_the_rule_shown_in_the_suricata_document_is_the_one_the_generator_writes():
    doc = (Path(__file__).parents[2] / "docs" / "suricata.md").read_text()
    assert rule_text() in doc
