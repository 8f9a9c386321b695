"""The extractor's fast paths find exactly what their plain versions find.

Each shortcut (capitalized runs found by one pattern, the word-trie walk over the gazetteer's
names, the lower-cased measure verbs, the prefix tries) has a slow, obvious version beside it;
these tests feed both the same sentences, written for the test or generated, and compare.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.app import Tracker
from tracker.extract import cues, vocabulary
from tracker.extract.gazetteer import Gazetteer, _key, _spans_by_tokens, capitalized_spans

from ..conftest import fixed_clock, pg_url

SENTENCES = [
    "The Parks Department of Springfield met on June 4, and the Mayor's Office said more would follow.",
    "Portland, Maine's city council voted 7-2 on Monday to ban the use of facial recognition.",
    "The Seattle Times reported that King County's sheriff paused the program in 2021.",
    "Officials in New York City and St. Louis, Mo., said the Bank of America branch would close.",
    "AMAZON said on June 10, 2020 that it would stop selling Rekognition to police for one year.",
    "A.C.L.U. lawyers in San Francisco's Mission District asked the Board of Supervisors to act.",
    "Texas City and Dallas-Fort Worth residents met at the O'Hare Hilton on 5th Avenue.",
    "Lawmakers in the U.S. House let the ban lapse; the Senate never voted on it.",
    "The City Council Of Oakland And The County Of Alameda Signed The Measure Into Law.",
    "",
    "no capitals here at all, just words and 12 numbers.",
]

WORDS = [
    "The", "the", "of", "Of", "and", "de", "la", "del", "New", "York", "City", "Portland", "Maine",
    "Maine's", "Oregon.", "St.", "Louis", "Mo.", "U.S.", "Bank", "America", "IBM", "Amazon's",
    "council", "voted", "ban", "12", "2020", "O'Brien", "-", "&", "Co.", "San", "Francisco", "Texas",
]


@pytest.fixture(scope="module")
def gazetteer(_template: str) -> Gazetteer:
    url = _template if pg_url() else f"sqlite:///{_template}"
    with Tracker(url, clock=fixed_clock) as t, t.sessions() as session:
        return Gazetteer.load(session)


def generated(seed: int, count: int) -> list[str]:
    """Sentences of known names, joiners, possessives, abbreviations and filler, with the
    spacing and punctuation that break runs."""
    rng = random.Random(seed)
    glue = [" ", " ", " ", ", ", "  ", ". ", " (", ") "]
    return [
        "".join(rng.choice(WORDS) + rng.choice(glue) for _ in range(rng.randint(1, 14))).strip()
        for _ in range(count)
    ]


@pytest.mark.parametrize("max_words", [1, 3, 8])
def test_capitalized_runs_match_the_token_walk(max_words: int) -> None:
    for sentence in SENTENCES + generated(1, 400):
        assert capitalized_spans(sentence, max_words) == list(_spans_by_tokens(sentence, max_words)), sentence


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("aAzZ09 .,'&-") + ["of", "and", "Of", "de", "la"]), max_size=30).map("".join))
def test_capitalized_runs_on_any_ascii(sentence: str) -> None:
    for max_words in (1, 2, 5):
        assert capitalized_spans(sentence, max_words) == list(_spans_by_tokens(sentence, max_words))


def test_non_ascii_text_takes_the_token_walk() -> None:
    sentence = "Émile Durand of Zürich met São Paulo officials"
    spans = [text for _, _, text in capitalized_spans(sentence, 3)]
    assert "Émile Durand" in spans and "São Paulo" in spans


def test_name_walk_matches_every_span_looked_up(gazetteer: Gazetteer) -> None:
    names = sorted(gazetteer.names)
    rng = random.Random(2)
    sentences = SENTENCES + generated(3, 300)
    for _ in range(300):  # known names, title-cased, with a possessive or a full stop, in filler
        name = rng.choice(names).title() + rng.choice(["", "'s", ".", " of", "'s."])
        words = rng.choice(SENTENCES).split()
        at = rng.randrange(len(words) + 1)
        sentences.append(" ".join(words[:at] + [name] + words[at:]))
    found = 0
    for sentence in sentences:
        spans = capitalized_spans(sentence, gazetteer.max_words)
        named = any(_key(text) in gazetteer.names for _, _, text in spans)
        assert gazetteer.may_name(sentence) == named, sentence
        sole = [gazetteer.sole_places[_key(t)] for _, _, t in capitalized_spans(sentence, 3) if _key(t) in gazetteer.sole_places]
        assert gazetteer.sole_places_in(sentence) == sole, sentence
        found += named
    assert found > 300  # the comparison saw names, not only their absence


def test_name_walk_on_non_ascii_text_looks_in_full(gazetteer: Gazetteer) -> None:
    assert gazetteer.may_name("Ça ne dit rien")  # not ASCII: the full look decides
    assert [p.name for p in gazetteer.sole_places_in("Café owners in Seattle")] == ["Seattle"]


def test_folded_verbs_find_what_case_insensitive_ones_do() -> None:
    sentences = SENTENCES + [
        "The Council VOTED to Extend its moratorium; the Mayor Vetoed it.",
        "Voters REPEALED the Ban, which had Lapsed in May.",
        "Le conseil a prolongé: the board Extended the pause.",  # not ASCII
    ] + generated(4, 200)
    for section, folded in cues._VERB_RES:
        plain = re.compile(folded.pattern, re.I)
        for sentence in sentences:
            assert [m.span() for m in folded.finditer(sentence)] == [m.span() for m in plain.finditer(sentence)], (section, sentence)
    for sentence in sentences:
        assert (cues._ANY_VERB.search(sentence) is None) == all(
            re.compile(f.pattern, re.I).search(sentence) is None for _, f in cues._VERB_RES
        )


def test_a_folded_pattern_must_be_written_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower case"):
        vocabulary.Folded(r"\bBan\b")


@pytest.mark.parametrize(
    "words",
    [
        ["new york", "new hampshire", "new", "newark", "nevada"],
        ["vot", "voted", "veto", "a", "ab", "abc"],
        ["a.b", "a+b", "(x)", "x|y"],  # characters that mean something in a pattern
    ],
)
def test_a_trie_matches_what_the_alternation_does(words: list[str]) -> None:
    flat = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")
    factored = re.compile(r"\b" + vocabulary.trie(words) + r"\b")
    rng = random.Random(6)
    for _ in range(500):
        text = " ".join(rng.choice(words + ["x", "newer", "vo", "a.bc"]) for _ in range(rng.randint(0, 6)))
        assert [m.span() for m in factored.finditer(text)] == [m.span() for m in flat.finditer(text)], text


def test_sentence_breaks_match_the_lookbehind_definition() -> None:
    """A break is the white space after ".", "!", "?" or "…" (or one of the first three closing
    a quotation or parenthesis) before a capital or a digit."""
    plain = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])")
    rng = random.Random(7)
    pieces = list("aA .!?…\"')]([ \t\n9") + ["Mr.", "U.S.", " The", '." He', "…\" So", ".) 4"]
    texts = SENTENCES + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert [m.span(1) for m in cues.SENTENCE.finditer(text)] == [m.span() for m in plain.finditer(text)], text
