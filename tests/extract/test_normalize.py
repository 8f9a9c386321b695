"""Undoing machine paraphrase ("spinning") before matching, and leaving ordinary text alone."""

from __future__ import annotations

import pytest

from tracker.extract.normalize import normalize


@pytest.mark.parametrize(
    ("spun", "expected"),
    [
        # facial recognition
        ("facial acknowledgment", "facial recognition"),
        ("facial acknowledgement", "facial recognition"),
        ("Facial Acknowledgment software", "Facial recognition software"),
        ("face recognizing tools", "face recognition tools"),
        ("facial popularity", "facial recognition"),
        ("facial reputation systems", "facial recognition systems"),
        ("facial-recognition cameras", "facial recognition cameras"),
        ("face coordinating", "face matching"),
        ("Face Coordinates", "face matching"),
        ("the Police Office said", "the police department said"),
        ("a police agency", "a police department"),
        # law enforcement, artificial intelligence
        ("legislation enforcement", "law enforcement"),
        ("regulation enforcement agencies", "law enforcement agencies"),
        ("computerized reasoning", "artificial intelligence"),
        ("synthetic intelligence", "artificial intelligence"),
        ("man-made intelligence", "artificial intelligence"),
        # months
        ("Could 2019", "May 2019"),
        ("in Could 2019", "in May 2019"),
        ("on Could 14, 2019", "on May 14, 2019"),
        ("on Could 14th 2019", "on May 14th 2019"),
        ("on Could 14", "on May 14"),
        ("since Could 5 the ban", "since May 5 the ban"),
        ("might 2020", "May 2020"),
        ("from Might 3", "from May 3"),
        ("Marching 2020", "March 2020"),
        ("Julie 2019", "July 2019"),
        # the words of a measure
        ("until additional notice", "until further notice"),
        ("until further notification", "until further notice"),
        ("the metropolis council", "the city council"),
        ("the town board", "the City Council"),
        pytest.param(
            "the metropolis gathering",
            "the City Council",
        ),
        ("a prohibition on", "a ban on"),
        ("two prohibitions", "two bans"),
        ("voted to disallow", "voted to ban"),
        ("the ordinance produced results", "the ordinance took effect"),
        ("it will become effective", "it take effect"),
        ("the firm expanded its moratorium", "the firm extended its moratorium"),
        ("cast their ballots", "voted"),
        ("city divisions", "city agencies"),
        # typography
        ("\u201cquoted\u201d", '"quoted"'),
        ("it\u2019s", "it's"),
        ("2019\u20132020", "2019-2020"),
        ("a\u00a0b", "a b"),
    ],
)
def test_spun_phrases_are_put_back(spun: str, expected: str) -> None:
    assert normalize(spun) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The council could vote on the ban next week.",
        "Could the city act?",
        "It could 14 days from now.",
        "could 20 people attend",
        "The mayor might sign it.",
        "Julie Smith, a council member, said so.",
        "Protesters were marching downtown.",
        "law enforcement",
        "facial recognition",
        "The ban took effect in May 2019.",
        "He may have voted in 2019.",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert normalize(text) == text


@pytest.mark.parametrize(
    ("spun", "expected"),
    [
        (
            "The town board voted in Could 2019 to disallow facial acknowledgment by legislation enforcement.",
            "The City Council voted in May 2019 to ban facial recognition by law enforcement.",
        ),
        (
            "Amazon expanded its moratorium on facial popularity until additional notice.",
            "Amazon extended its moratorium on facial recognition until further notice.",
        ),
        pytest.param(
            "The metropolis gathering voted to disallow facial acknowledgment.",
            "The City Council voted to ban facial recognition.",
        ),
    ],
)
def test_normalize_is_idempotent(spun: str, expected: str) -> None:
    once = normalize(spun)
    assert normalize(once) == once
    assert once == expected
