"""A literal of one of two look-alike functions is never read from the other.

CVE-2023-4623's PoC has ``init_qdisc_msg`` and ``init_rsc_class_msg``, alike line for line
(``m->tm.tcm_handle = 1 << 16;`` / ``m->tm.tcm_parent = 1 << 16;``), and their order is a
choice. Where a retyped leak does not settle that order, the ``16`` of one aligned with
the other's and read its spelling with full confidence (two bench partners' copies, every
clang-format style)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from headstart.carriers.base import ERASED
from headstart.carriers.c_source import CCarrier
from headstart.leaks.code import retype_c

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
POC = CORPUS / "CVE-2023-4623_lts_cos" / "exploit.c"

# Two copies that misread int:239:827 (bench/corpus.py's codebook, partners 3 and 11): each
# slot's symbol by key (the #define orders and every slot not listed: 0).
COPIES = [
    {
        "int:82:41": 1, "int:99:99": 1, "int:126:199": 1, "definitions:130:208": 1, "int:142:260": 1,
        "name:prefetch.p@146": 2, "name:kaslr_leak.base@164": 1, "int:168:364": 1, "increment:169:377": 3,
        "commute:190:501": 1, "commute:193:525": 1, "commute:197:547": 1, "commute:199:563": 1,
        "commute:201:579": 1, "commute:202:587": 1, "commute:204:595": 1, "increment:205:599": 2,
        "increment:206:602": 1, "commute:207:609": 1, "int:208:621": 1, "commute:210:635": 1,
        "commute:211:643": 1, "commute:212:651": 1, "name:add_rtattr.len@217": 3,
        "name:add_rtattr.data@217": 3, "commute:229:748": 1, "definitions:235:788": 1,
        "name:init_qdisc_msg.opts@242": 2, "int:251:965": 1, "augment:253:975": 1,
        "name:init_rsc_class_msg.opts@255": 2, "definitions:263:1113": 1, "augment:268:1151": 1,
        "commute:280:1309": 1, "definitions:331:1663": 1, "increment:333:1687": 2, "increment:333:1690": 2,
        "int:363:1852": 1, "commute:420:2120": 1, "int:430:2166": 1, "zero:450:2225": 1,
    },
    {
        "int:98:93": 1, "int:126:199": 1, "name:prefetch.p@146": 2, "name:kaslr_leak.base@164": 2,
        "int:168:364": 1, "name:kaslr_leak.i@169": 3, "increment:174:410": 1, "commute:176:433": 1,
        "commute:188:487": 1, "commute:191:509": 1, "commute:192:517": 1, "commute:197:547": 1,
        "commute:199:563": 1, "commute:201:579": 1, "commute:202:587": 1, "increment:205:599": 3,
        "commute:207:609": 1, "int:208:621": 1, "commute:209:627": 1, "commute:210:635": 1,
        "commute:212:651": 1, "definitions:235:788": 1, "int:239:827": 1, "augment:240:829": 1,
        "name:init_qdisc_msg.opts@242": 1, "name:init_rsc_class_msg.opts@255": 1, "definitions:263:1113": 1,
        "augment:268:1151": 1, "definitions:306:1520": 1, "zero:315:1593": 1,
        "name:spray_simple_xattrs.num_spray@331": 2, "increment:333:1687": 1, "increment:333:1690": 3,
        "polarity:362:1835": 1, "commute:382:1946": 1, "commute:419:2114": 1, "int:430:2166": 1,
        "zero:450:2225": 1,
    },
]


@pytest.mark.skipif(
    not (POC.exists() and shutil.which("gcc") and shutil.which("clang-format")),
    reason="../shared/corpus, gcc and clang-format are needed",
)
@pytest.mark.parametrize("copy", range(len(COPIES)))
def test_a_retyped_copy_never_reads_the_shift_literal_of_the_lookalike_function(copy):
    carrier = CCarrier(POC.read_text())
    codeword = [COPIES[copy].get(s.key, 0) % s.q for s in carrier.slots]
    slot = [s.key for s in carrier.slots].index("int:239:827")
    leak_source = carrier.render(codeword).decode()
    for seed in range(2):
        got = carrier.read(retype_c(leak_source, seed=seed)).symbols
        assert got[slot] in (ERASED, codeword[slot]), seed
        wrong = np.flatnonzero((got != ERASED) & (got != np.asarray(codeword)))
        assert [carrier.slots[i].key for i in wrong] == [], seed
