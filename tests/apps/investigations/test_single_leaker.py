"""A leak by one partner, through each leak path of the battery, names that partner and nobody else."""

from __future__ import annotations

import pytest
from investigation_helpers import accused, forum_page

from headstart.leaks import binary as binary_leaks
from headstart.leaks.code import transforms_for
from headstart.leaks.text import TEXT_TRANSFORMS, forum_repost, rewrap
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db
LEAKER = "Charlie EDR"
TOO_SHORT_TO_CARRY_EVIDENCE = 60  # words


@pytest.mark.slow
@pytest.mark.parametrize("file_name", ["writeup.md", "guidance.md", "tim-procedure.md"])
def test_a_leaked_prose_file_names_its_partner_and_nobody_else_after_every_text_leak_path(
        delivered, investigate_leak, file_name):
    text = delivered.text(LEAKER, file_name)
    for path, transform in TEXT_TRANSFORMS.items():
        leaked = transform(text)
        result = investigate_leak(("post.txt", leaked))
        if path.startswith("excerpt") and len(leaked.split()) < TOO_SHORT_TO_CARRY_EVIDENCE:
            # A few dozen words (the title and a heading of the short procedure) hold fewer
            # marks than any code needs to name one of 6 at 1e-6 (22.5 bits): nobody, never an innocent.
            assert accused(result) in ([], [LEAKER]), path
            continue
        assert result["advisory"] == "HS-2026-0001", path
        assert accused(result) == [LEAKER], path
        assert [a["file"] for a in result["artifacts"]] == [file_name], path
        assert result["partners_considered"] == 6


def test_leaked_guidance_names_its_partner_after_rewrap_and_a_forum_repost(delivered, investigate_leak):
    guidance = delivered.text(LEAKER, "guidance.md")
    for leaked in (rewrap(guidance), forum_repost(guidance)):
        result = investigate_leak(("guidance.txt", leaked))
        assert accused(result) == [LEAKER]
        # It names the TIM1 magic and quotes a YARA rule, but it is not the binary PoC.
        assert [a["file"] for a in result["artifacts"]] == ["guidance.md"]


def test_a_saved_forum_page_quoting_the_writeup_and_the_c_poc_names_the_leaker_from_both(delivered, investigate_leak):
    page = forum_page(delivered.text(LEAKER, "writeup.md"), delivered.text(LEAKER, "poc_tim_overflow.c"))
    result = investigate_leak(("thread-4411.html", page))
    assert accused(result) == [LEAKER]
    files = {a["file"]: a for a in result["artifacts"]}
    assert files["writeup.md"]["read"] > 200 and files["poc_tim_overflow.c"]["read"] > 80
    code_matches = [{m["file"] for m in p["matches"]} for p in result["pieces"] if p["origin"] == "html-code"]
    assert {"poc_tim_overflow.c"} in code_matches  # the <pre> block, read on its own
    agreement = files["poc_tim_overflow.c"]["agreement"][0]
    assert agreement["partner"] == LEAKER and agreement["agreeing"] == agreement["of_read"]


@pytest.mark.slow
@pytest.mark.parametrize("language, file_name", [("python", "poc_tim_overflow.py"), ("c", "poc_tim_overflow.c")])
def test_a_leaked_source_poc_names_its_partner_after_every_code_leak_path(delivered, investigate_leak,
                                                                           language, file_name):
    source = delivered.text(LEAKER, file_name)
    transforms = transforms_for(language)
    assert ("black" if language == "python" else "clang-format-llvm") in transforms
    for path, transform in transforms.items():
        result = investigate_leak(("exploit" + file_name[-3:], transform(source)))
        assert accused(result) == [LEAKER], path
        assert [a["file"] for a in result["artifacts"]] == [file_name], path


@pytest.mark.slow
def test_a_leaked_binary_poc_names_its_partner_after_every_binary_leak_path(delivered, investigate_leak):
    poc = delivered.copy(LEAKER, "poc.tim")
    for path, transform in binary_leaks.battery((SAMPLE_DIR / "tim.ksy.yaml").read_text()).items():
        result = investigate_leak(("crash.tim", transform(poc)))
        assert accused(result) == [LEAKER], path
        assert [a["file"] for a in result["artifacts"]] == ["poc.tim"], path


def test_a_binary_poc_with_a_damaged_magic_still_names_its_partner(delivered, investigate_leak):
    poc = bytearray(delivered.copy(LEAKER, "poc.tim"))
    poc[1] ^= 0x20  # "TIM1" -> "TiM1"
    result = investigate_leak(("crash.tim", bytes(poc)))
    assert accused(result) == [LEAKER]
    assert [a["file"] for a in result["artifacts"]] == ["poc.tim"]


def test_a_hex_dump_pasted_inside_a_forum_post_is_read_as_the_binary_poc(delivered, investigate_leak):
    dump = binary_leaks.hex_dump(delivered.copy(LEAKER, "poc.tim"))
    post = f"Here is the crasher, convert it back with xxd -r:\n\n{dump}\n\nWorks on 4.7.3.\n"
    result = investigate_leak(("post.txt", post))
    assert accused(result) == [LEAKER]
    assert result["artifacts"][0]["pieces"][0]["method"] == "hex-or-base64 dump"
