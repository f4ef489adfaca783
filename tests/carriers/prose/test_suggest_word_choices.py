"""`advisory suggest`'s WordNet proposals: the original's part of speech and form, common
words only, and nothing where the everyday sense is not the technical one."""

from __future__ import annotations

from pathlib import Path

import lemminflect
import pytest
import wordfreq

from headstart.carriers.prose import wordnet
from headstart.carriers.prose.suggest import suggest
from headstart.carriers.prose.word_choices import MIN_FORM_ZIPF, word_choice

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not wordnet.available(), reason="Debian's wordnet-base is not installed")


def test_wordnet_lists_a_lemma_s_senses_most_frequent_first_with_tag_counts():
    [first, *_] = wordnet.senses("achieve", "VERB")

    assert first.words[:1] == ("achieve",) and {"attain", "accomplish"} <= set(first.words)
    assert first.counts[first.words.index("achieve")] > 0
    assert wordnet.senses("no-such-word", "VERB") == []


def test_without_the_wordnet_data_there_are_no_senses_rather_than_an_error(tmp_path):
    assert not wordnet.available(tmp_path)
    assert wordnet.senses("achieve", "VERB", tmp_path) == []


def test_a_past_participle_is_offered_as_past_participles_and_a_past_tense_as_past_tenses():
    participle = word_choice("concealed", "was", "the")
    past = word_choice("concealed", "we", "the")

    assert participle is not None and participle.alternatives == ("concealed", "hidden")
    assert past is not None and past.alternatives == ("concealed", "hid")


def test_a_form_that_may_be_either_gets_nothing_when_the_alternative_s_forms_differ():
    assert word_choice("concealed", "that", "the") is None


def test_every_form_of_a_regular_verb_is_kept():
    cases = {("achieves", "it"): "attains", ("achieve", "to"): "attain", ("achieving", "by"): "attaining",
             ("achieved", "been"): "attained"}
    for (word, previous), expected in cases.items():
        choice = word_choice(word, previous, "the")
        assert choice is not None and choice.alternatives[:2] == (word, expected)


def test_a_verb_before_its_own_preposition_is_left_alone():
    """'consists of' would be 'dwells of'."""
    assert word_choice("consists", "it", "of") is None


@pytest.mark.parametrize("word,previous", [("freed", "is"), ("leaked", "is"), ("allocate", "to"), ("sprays", "it"),
                                           ("triggered", "was"), ("using", "by"), ("way", "the")])
def test_a_word_whose_technical_sense_is_not_its_everyday_one_is_left_alone(word, previous):
    assert word_choice(word, previous, "the") is None


def test_a_capitalised_word_keeps_its_capital():
    choice = word_choice("Eventually", None, "the")

    assert choice is not None and all(a[0].isupper() for a in choice.alternatives)


def test_an_article_is_never_left_wrong():
    """'a' before a vowel-initial alternative would need 'an'."""
    for word in ("goal", "restriction", "technique"):
        choice = word_choice(word, "a", "is")
        assert choice is None or all(a[0] not in "aeiou" for a in choice.alternatives)


def _tags(word: str) -> set[str]:
    return {tag for pos, lemmas in lemminflect.getAllLemmas(word).items() for lemma in lemmas
            for tag, forms in lemminflect.getAllInflections(lemma, upos=pos).items() if word in forms}


@pytest.mark.parametrize("name", ["bleedingtooth/writeup.md", "CVE-2023-4569_lts/exploit.md",
                                  "CVE-2023-6817_mitigation/exploit.md"])
def test_every_wordnet_proposal_on_a_corpus_write_up_is_a_common_word_in_the_original_s_form(name):
    proposals = [p for p in suggest((CORPUS / name).read_text(), covered_keys=[]).proposals
                 if p.reason.startswith("WordNet")]

    assert proposals
    for p in proposals:
        for alternative in p.alternatives[1:]:
            word = alternative.lower()
            assert wordfreq.zipf_frequency(word, "en") >= MIN_FORM_ZIPF, p
            assert _tags(word) & _tags(p.original.lower()), p
