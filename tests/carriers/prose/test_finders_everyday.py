"""Choices that ordinary technical English offers without any author markup: each rule is
shown on a sentence where it fires and on sentences where its word has another role and
it must not."""

from __future__ import annotations

import pytest

from headstart.carriers.base import NoSlotsError
from headstart.carriers.prose import ProseCarrier

TAIL = " in the decoder of the viewer today.\n"


def alternatives(md: str) -> list[tuple[str, ...]]:
    try:
        return [s.alternatives for s in ProseCarrier(md).slots]
    except NoSlotsError:
        return []


def offered(md: str, word: str) -> bool:
    return any(word in a for alts in alternatives(md) for a in alts[1:])


@pytest.mark.parametrize(
    "md, alts",
    [
        # A call in the passive, before a preposition, an adverb or a stop.
        ("We know that `qfq_enqueue()` is called from the softirq" + TAIL, ("called", "invoked")),
        ("The handler `tp->classify` is called twice for every packet" + TAIL, ("called", "invoked")),
        ("After the free, the destructor will be called, and the rule dangles" + TAIL, ("called", "invoked")),
        # A call between a code subject and its object.
        (
            "In this phase `nft_immediate_deactivate` calls `nf_tables_unbind_chain` first" + TAIL,
            ("calls", "invokes"),
        ),
        # The purpose of "use": "to" with a plain verb after the object.
        ("We use the `msg_msg` object to spray the slab" + TAIL, ("to", "in order to", "so as to")),
        ("A `simple_xattr` is used to store the target address" + TAIL, ("to", "in order to", "so as to")),
        # "the vulnerability" of a write-up is its bug.
        ("We need a second packet to trigger the vulnerability" + TAIL, ("vulnerability", "bug", "flaw")),
        ("The vulnerability is triggered by a second packet" + TAIL, ("vulnerability", "bug", "flaw")),
        # Making it possible, before a person and "to".
        ("This primitive allows us to leak the heap address" + TAIL, ("allows", "enables", "permits")),
        # A pointer points to or at what it addresses.
        ("The freed pointer still points to the old table" + TAIL, ("to", "at")),
        ("We make it point to the fake object in the slab" + TAIL, ("to", "at")),
        # The same pro-form.
        ("To do this, we free the chain before the rule" + TAIL, ("this", "so")),
        # "as follows" after a verb of doing.
        (
            "We can trigger the bug in the kernel as follows:\n\n1. free the chain\n",
            ("as follows", "in the following way"),
        ),
        # "this results in": singular "this" makes "results" the verb.
        ("This results in a double free of the chain object" + TAIL, ("results in", "leads to")),
        # A verb before inline code: the code is its object.
        ("We place `nft_rule` in the freed name of the victim chain" + TAIL, ("place", "put")),
        # Three-way word choices, each a WordNet sense of the other.
        (
            "The kernel modifies the width of the chunk before the call" + TAIL,
            ("modifies", "alters", "changes"),
        ),
        ("A crash occurs when the chain is bound to the rule" + TAIL, ("occurs", "happens", "takes place")),
    ],
)
def test_an_everyday_choice_is_offered_where_its_role_is_certain(md, alts):
    assert alts in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md, never",
    [
        # "called" naming something, not a call.
        ("This technique is called heap spraying by most people" + TAIL, "invoked"),
        ("The second function is called `foo` in the source" + TAIL, "invoked"),
        ("The structure is called a classifier in the kernel" + TAIL, "invoked"),
        # "calls" as a noun.
        ("The calls to `kfree` are made from the worker" + TAIL, "invokes"),
        # "used to" as habit, or "to" that belongs to the object ("a pointer to").
        ("The kernel used to free the chain before the rule" + TAIL, "in order to"),
        ("We use a pointer to free memory in the slab" + TAIL, "in order to"),
        ("We use it to the full extent in the slab" + TAIL, "in order to"),
        # "the vulnerability" as a modifier of another noun.
        ("We filed the vulnerability report with the maintainers" + TAIL, "bug"),
        ("A use-after-free vulnerability exists in the scheduler" + TAIL, "bug"),
        # "allow" with no person and "to", or "allow for".
        ("The layout must allow for a second object in the slab" + TAIL, "enable"),
        ("The firewall allows traffic from the host to the guest" + TAIL, "enables"),
        # "point" as a noun; "points" counted.
        ("The point to note is that the chain is freed twice" + TAIL, " at "),
        ("There are two points to consider before the call" + TAIL, " at "),
        # "is as follows", "looks as follows": the phrase is the complement.
        ("The layout of the chain is as follows:\n\n1. free the chain\n", "in the following way"),
        ("The layout of the chain looks as follows:\n\n1. free the chain\n", "in the following way"),
        # "these results in" is a noun; "happens that" has no "takes place that".
        ("The results in the table are from the first run" + TAIL, "leads to"),
        ("It happens that the chain is freed twice in a row" + TAIL, "takes place"),
        # "keep" takes no code object: "keep `x` alive" is no "retain `x` alive".
        ("We keep `refcnt` above zero until the end of the run" + TAIL, "retain"),
    ],
)
def test_an_everyday_choice_is_left_alone_where_its_role_is_not_certain(md, never):
    assert not offered(md, never), alternatives(md)


@pytest.mark.parametrize(
    "md, alts",
    [
        (
            "- Fixed by: https://example.com/commit/1234\n- Cause: Use-After-Free of the chain\n",
            ("Fixed by", "Fixed in"),
        ),
        (
            "- Kernel configuration: CONFIG_NF_TABLES in the build\n- Cause: Use-After-Free of the chain\n",
            ("Kernel configuration", "Kernel config"),
        ),
        (
            "## Commit which fixed the vulnerability in the kernel tree\n\nThe commit is merged.\n",
            ("Commit which fixed", "Commit that fixed"),
        ),
    ],
)
def test_the_labels_of_a_key_value_list_or_heading_have_equivalent_wordings(md, alts):
    assert alts in alternatives(md), alternatives(md)


def test_a_label_word_in_running_text_is_left_alone():
    md = "The fix was written by the maintainers, and the cause is known" + TAIL
    assert not offered(md, "Root cause") and not offered(md, "Fixed in")


def test_every_copy_of_a_three_way_choice_reads_back_its_own_alternative():
    c = ProseCarrier("We use the `msg_msg` object to spray the slab" + TAIL)
    i = next(i for i, s in enumerate(c.slots) if s.q == 3)
    for symbol in range(3):
        cw = [0] * len(c.slots)
        cw[i] = symbol
        assert int(c.read(c.render_text(cw)).symbols[i]) == symbol


@pytest.mark.parametrize(
    "md, alts",
    [
        (
            "Then we free the chain before the rule" + TAIL,
            ("Then we", "We then", "Next, we", "After that, we"),
        ),
        (
            "We then spray the slab with fake chains" + TAIL,
            ("We then", "Then we", "Next, we", "After that, we"),
        ),
        ("Now we change the size of the set element" + TAIL, ("Now we", "We now")),
        ("First, we create a root qdisc of the DRR type" + TAIL, ("First, we", "We first", "Firstly, we")),
    ],
)
def test_a_step_adverb_may_stand_before_or_after_its_pronoun_subject(md, alts):
    assert alts in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        # An auxiliary or modal wants the adverb after it: "we can now", not "we now can".
        "Now we can free the chain before the rule" + TAIL,
        "Then we are ready to free the chain before the rule" + TAIL,
        # Mid-sentence, or "finally" (which moved would mean "at long last").
        "The rule dangles and then we free the chain" + TAIL,
        "Finally we free the chain before the rule" + TAIL,
    ],
)
def test_a_step_adverb_stays_where_moving_it_would_change_the_reading(md):
    assert not any(
        any(a.startswith(("We then", "We now", "We first", "we then", "We finally")) for a in alts[1:])
        for alts in alternatives(md)
    ), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "In this exploit, we overwrite `core_pattern` to gain privileges on the host" + TAIL,
        "Then we send the vulnerable command to receive that data from the stack" + TAIL,
        "Free every second allocation to create holes in the slab" + TAIL,
    ],
)
def test_the_purpose_of_making_sending_or_freeing_may_say_in_order_to(md):
    assert ("to", "in order to", "so as to") in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        # The object does the infinitive, or "to be" makes the object its subject.
        "We modify the pointer to point to the fake object" + TAIL,
        "Finally, we send a network packet to be matched by the filter" + TAIL,
        # A degree complement: "enough ... to".
        "We just have to create enough partial slabs to go over the limit" + TAIL,
        # A noun, not the verb: "the exploit attempts to".
        "The spray attempts to fill the slab before the free" + TAIL,
    ],
)
def test_an_infinitive_that_is_no_purpose_of_the_subject_stays_to(md):
    assert not offered(md, "in order to"), alternatives(md)


def test_what_the_text_shows_may_be_seen_with_or_without_can():
    md = "Looking at `qfq_slot_insert`, we can see that the slot is written" + TAIL
    assert ("we can see that", "we see that") in alternatives(md), alternatives(md)


def test_seeing_whether_is_a_check_and_keeps_its_can():
    md = "Looking at `qfq_slot_insert`, we can see if the slot is written" + TAIL
    assert not offered(md, "we see"), alternatives(md)


@pytest.mark.parametrize("noun", ["scenarios", "phases", "structures", "problems"])
def test_a_small_count_of_things_may_be_written_in_digits(noun):
    md = f"The exploit goes through three {noun} before the free" + TAIL
    assert ("three", "3") in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "The element of the set is allocated in `kmalloc-cg-256` by the kernel" + TAIL,
        "The object is allocated from the kmalloc-96 cache by the kernel" + TAIL,
    ],
)
def test_memory_is_allocated_in_or_from_its_slab_cache(md):
    alts = alternatives(md)
    assert ("allocated in", "allocated from", "allocated within") in alts or (
        "allocated from",
        "allocated in",
        "allocated within",
    ) in alts, alts


@pytest.mark.parametrize(
    "md",
    [
        "The object is allocated in step 3 of the exploit" + TAIL,
        "The buffer is allocated in the kernel by the worker" + TAIL,
    ],
)
def test_allocated_in_a_place_or_a_step_stays_in(md):
    assert not offered(md, "allocated from"), alternatives(md)


def test_a_wish_may_be_wanted_or_would_be_liked():
    md = "The chain is bound. Next, we want to free our key payload through the bug" + TAIL
    assert ("want", "would like") in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "So why did we want to have a heap primitive in the first place" + TAIL,
        "The tools you may want to use are listed in the appendix" + TAIL,
    ],
)
def test_want_after_an_auxiliary_keeps_its_plain_form(md):
    assert not offered(md, "would like"), alternatives(md)


def test_the_short_word_for_an_nftables_expression_may_be_written_out():
    md = "Create a rule in the chain with an immediate expr referencing the victim" + TAIL
    assert ("expr", "expression") in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "Now we get a fake counter expr[1] in the freed chain of the victim" + TAIL,
        "The `nft_expr` object is sprayed before the free of the chain" + TAIL,
    ],
)
def test_expr_as_a_name_or_in_code_stays(md):
    assert not offered(md, "expression"), alternatives(md)
