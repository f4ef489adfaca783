"""Rules that delete or change a word decide by the word's grammatical role: each is shown
where it fires and where it must not."""

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


@pytest.mark.parametrize(
    "md",
    [
        "The kernel kills processes that all share ports with the socket" + TAIL,
        "It frees the objects that each hold a reference to the chain" + TAIL,
        "We looked at the states that both point to the same table" + TAIL,
        "The rules that some of the chains use are freed early" + TAIL,
    ],
)
def test_that_which_is_the_subject_of_its_relative_clause_is_never_dropped(md):
    assert ("that ", "") not in alternatives(md)


@pytest.mark.parametrize(
    "md",
    [
        "Report any false positives that you observe in traffic" + TAIL,
        "We kill the processes that the socket shares with others" + TAIL,
        "We believe that the flaw is exploitable by anyone" + TAIL,
    ],
)
def test_that_which_introduces_a_clause_with_its_own_subject_may_be_dropped(md):
    assert ("that ", "") in alternatives(md)


@pytest.mark.parametrize(
    "md, alts",
    [
        ("We modified the width of the chunk before the call" + TAIL, ("modified", "altered", "changed")),
        ("This eventually leads to a double free of the chain" + TAIL, ("leads to", "results in")),
        ("The bug led to a crash of the whole machine" + TAIL, ("led to", "resulted in")),
        ("We need to free the object before the call" + TAIL, ("need to", "have to", "must")),
        ("The object has to be freed before the call" + TAIL, ("has to", "needs to", "must")),
        ("We needed to free the object before the call" + TAIL, ("needed to", "had to")),
        ("We will free the object before the call" + TAIL, ("We will", "We'll", "We are going to")),
        ("It frees the chain, because the rule is bound to it" + TAIL, (",", "")),
        ("We send a packet to the interface before the call" + TAIL, ("send", "transmit")),
        ("We simply overwrite the pointer before the call" + TAIL, ("simply", "just")),
        (
            "We free it and finally jump to the gadget in the slab" + TAIL,
            ("finally", "eventually", "ultimately"),
        ),
        ("The message provides a primitive for the write" + TAIL, ("provides", "offers", "supplies")),
        ("A use-after-free in the scheduler is reached" + TAIL, ("use-after-free", "use after free")),
        ("What is left is the return to the caller" + TAIL, ("What is", "What's")),
        ("We know the chain is freed before the call" + TAIL, ("", "that ")),
        ("It ensures that the chain is freed before the call" + TAIL, ("that ", "")),
        ("The pointer is reached via the socket of the child" + TAIL, ("via", "through")),
        ("Thanks to the hardening, the caches are quiet" + TAIL, ("Thanks to", "Owing to", "Because of")),
        ("Due to the hardening, the caches are quiet" + TAIL, ("Due to", "Because of")),
        ("Stack pivot has three stages using different gadgets" + TAIL, ("three", "3")),
        ("In `qfq_enqueue`, the qdisc reads the aggregate twice" + TAIL, (",", "")),
        ("We need a pointer that contains the address of the chain" + TAIL, ("that", "which")),
        ("The capability is required for the call" + TAIL, ("is required", "is needed")),
        ("The crash happens due to a race in the scheduler" + TAIL, ("due to", "because of")),
        ("We tried to free the object before the call" + TAIL, ("tried to", "attempted to")),
        ("It seems to be freed before the second call" + TAIL, ("seems to", "appears to")),
        ("We can overwrite the pointer before the call" + TAIL, ("can", "are able to")),
        ("The kernel checks if the chain is bound before the call" + TAIL, ("if", "whether")),
        ("We allocate a table for each qdisc before the call" + TAIL, ("each", "every")),
        ("We spray objects so that the chain is reused" + TAIL, ("so that", "so")),
        ("A global variable called `real_mode_header` is allocated" + TAIL, ("called", "named")),
        (
            "The kernel frees it. Then we spray the heap again" + TAIL,
            ("Then we", "We then", "Next, we", "After that, we"),
        ),
        ("The kernel frees it. Then the worker sprays the heap" + TAIL, ("Then", "Next,", "After that,")),
        ("To trigger the bug, we send two packets to the socket" + TAIL, ("To", "In order to")),
        ("Let's free the object before the call" + TAIL, ("Let's", "Let us")),
        ("This is an incorrect value for the width field" + TAIL, ("an incorrect", "a wrong")),
        ("We usually spray the heap before the call" + TAIL, ("usually", "normally")),
        ("Tools like `syzkaller` find bugs of this kind quickly" + TAIL, ("like", "such as")),
        (
            "When the rule is created by the user, the chain is bound" + TAIL,
            (",", ""),
        ),
    ],
)
def test_word_choice_is_offered_where_its_role_is_certain(md, alts):
    assert alts in alternatives(md), alternatives(md)


@pytest.mark.parametrize(
    "md, never",
    [
        # A noun that looks like a verb: "the results in", "the need to", "the very beginning".
        ("The results in the table are from the first run" + TAIL, "leads to"),
        ("There is no need to free the object before the call" + TAIL, "have to"),
        ("Data is copied at the very beginning of the buffer" + TAIL, "starting"),
        ("It has to do with the order of the frees" + TAIL, "needs to"),
        # "can" as possibility, or before "be": no ability.
        ("It can happen that the chain is freed twice" + TAIL, "is able to"),
        ("We can be sure that the chain is freed twice" + TAIL, "are able to"),
        # "each" as a pronoun, "every" with an ordinal.
        ("We create child processes, each with a new namespace" + TAIL, "every"),
        ("Free every second allocation to create holes in the slab" + TAIL, "each"),
        ("Each of the chains holds a reference to the table" + TAIL, "Every"),
        # "so that" after a comma is a result; "To recap," comments on the text.
        ("The chain is freed, so that the rule dangles" + TAIL, "so"),
        ("To recap, the chain is freed before the rule" + TAIL, "In order to"),
        # "called" as a call, "like" as a comparison.
        ("Then we called `setsockopt` with a bad length" + TAIL, "named"),
        ("The layout looks like `A B C` in the slab" + TAIL, "such as"),
        # "allow for" and a link's text quoting a commit title.
        ("The layout must allow for a second object in the slab" + TAIL, "permit for"),
        ("See [io_uring: don't allow discontig pages](https://example.com/x) for the fix" + TAIL, "permit"),
        # "that" as a pronoun after a preposition, and after a noun that takes a clause.
        ("The code for that is adapted from the original exploit" + TAIL, "which"),
        ("We fixed the problem that leaks are reported twice" + TAIL, "which"),
        # "is required to" is an obligation; "is due to" is no cause.
        ("The user is required to sign in before the call" + TAIL, "is needed"),
        ("The crash is due to a race in the scheduler" + TAIL, "because of"),
        # After a noun, "we need to" may be "need" with that noun as its object.
        ("We now have all primitives we need to complete our RCE" + TAIL, "must"),
        ("These are the tools we have to work with in the kernel" + TAIL, "need to"),
        # "must" keeps no tense and no negation: "don't have to" is no "must not".
        ("We don't have to free the object before the call" + TAIL, "must"),
        ("We will need to free the object before the call" + TAIL, "must"),
        # "get ... back" is a phrasal verb; "get" before no object is no "obtain".
        ("We get the object back from the slab before the call" + TAIL, "obtain"),
        ("The object will get freed before the call" + TAIL, "obtained"),
        # A negated main clause changes its scope with a comma before "because".
        ("It did not fail because the rule is bound to it" + TAIL, ","),
        # "that, because ..." opens a parenthetical: one comma alone would not close it.
        ("One thing to note is that because it is freed we lose it" + TAIL, ","),
        # "Finally" opening a sentence may mean "lastly"; mid-sentence it is "eventually".
        ("Finally note that the exploit needs no namespace at all" + TAIL, "Eventually"),
        # "large" before a measure noun: "a big number of" is no idiom.
        ("A large number of objects is sprayed before the call" + TAIL, "big"),
        # "that" is added only before a certain clause: here "the address" is an object.
        ("We know the address the kernel uses for the call" + TAIL, "that "),
        ("We know the address of the chain in the slab" + TAIL, "that "),
        # Gratitude is no cause; "the 2 objects" reads oddly.
        ("Thanks to Tavis for the review of the chain" + TAIL, "Because of"),
        ("The exploit frees the two objects before the call" + TAIL, "2"),
        # "will" before no plain verb.
        ("We will not free the object before the call" + TAIL, "going to"),
        # "seems to" only before "be"/"have": "appears to the user" is being seen.
        ("The message appears to the user after the crash" + TAIL, "seems to"),
    ],
)
def test_word_choice_is_left_alone_where_its_role_is_not_certain(md, never):
    for alts in alternatives(md):
        assert not any(never in a for a in alts[1:]), alts


def test_a_list_comma_after_an_opening_phrase_is_no_optional_comma():
    c = ProseCarrier("With `foo`, `bar` and `baz` the chain is freed" + TAIL)
    for cw in ([0] * len(c.slots), [s.q - 1 for s in c.slots]):
        assert "`foo`, `bar`" in c.render_text(cw)
