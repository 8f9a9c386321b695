"""Linear-time text handling (issue 11, item 3): hostile inputs (no full stops, one word
repeated, deep nesting, endless dates and places) cost at most a fixed amount per megabyte.

The bound is a ratio to reading the same bytes as an article (decoding, the header scan,
splitting into words), measured in CPU time on the same machine in the same run, so that it
holds on a slow CI machine as on a fast laptop. Before the sentence cap, a 16 KB sentence of
"ban ban ban..." took about 19 s (quadratic: 4.6 s at 8 KB); a 64 KB paragraph with no full
stop did not finish; and 24 KB of "Gov. Sen. Ore. " took 27 s in ``split_sentences`` alone
(each skipped abbreviation made it search a longer prefix).
"""

from __future__ import annotations

import resource

import pytest

from tracker.extract import extract
from tracker.ingest import parse
from tracker.limits import MAX_SENTENCE, cap_sentences

#: Extraction may cost this many times the CPU time of reading the same bytes. Ordinary news
#: text measures about 250; the worst input below about 6,000 (a verb in every word).
MAX_RATIO = 20_000

WORDS = (
    "the city council of Portland voted to ban facial recognition and the senators said the "
    "moratorium act bill in May 2019 for one year would"
)
ADVERSARIAL = {
    "no full stops": lambda n: (WORDS + " ") * (n // (len(WORDS) + 1)),
    "a verb in every word": lambda n: "facial recognition " + "ban " * (n // 4),
    "one word repeated": lambda n: "facial recognition " + "moratorium " * (n // 11),
    "moratorium act": lambda n: "facial recognition " + "federal moratorium " * (n // 19) + "act",
    "deep parentheses": lambda n: "facial recognition ban " + "(" * (n // 2) + ")" * (n // 2),
    "nested quotes": lambda n: "facial recognition ban " + "\"'" * (n // 2),
    "nested tags as text": lambda n: "facial recognition ban " + "<b>" * (n // 6) + "</b>" * (n // 8),
    "endless dates": lambda n: "facial recognition ban " + "May 2019, " * (n // 10),
    "endless places": lambda n: "facial recognition ban in " + "Portland, Oakland, Boston and " * (n // 30),
    "one long token": lambda n: "facial recognition ban " + "x" * n,
    "abbreviations": lambda n: "facial recognition ban " + "Gov. Sen. Ore. " * (n // 15),
}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_time(data: bytes, repeat: int = 30) -> float:
    started = cpu()
    for _ in range(repeat):
        article = parse.parse_bytes(data, "x.txt")
        article.text.split()
    return (cpu() - started) / repeat


def extract_time(data: bytes, gazetteer) -> float:
    started = cpu()
    article = extract.infer_published(parse.parse_bytes(data, "x.txt"))
    extract.extract(article, gazetteer)
    return cpu() - started


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_hostile_text_costs_a_bounded_amount_per_megabyte(tracker, name):
    make = ADVERSARIAL[name]
    gazetteer = tracker.gazetteer
    small, large = (make(n).encode() for n in (6_000, 24_000))
    small_time = extract_time(small, gazetteer)
    large_time = extract_time(large, gazetteer)
    # linear: four times the bytes, about four times the work (twice that, for noise)
    assert large_time <= 8 * small_time + 0.2, (small_time, large_time)
    ratio = large_time / max(read_time(large), 1e-5)
    assert ratio <= MAX_RATIO, f"{name}: {ratio:.0f} x reading ({large_time:.2f} s for {len(large)} bytes)"


def test_a_64k_paragraph_without_a_full_stop_finishes(tracker):
    data = ADVERSARIAL["no full stops"](64_000).encode()
    assert extract_time(data, tracker.gazetteer) < 15  # it never finished before


@pytest.mark.parametrize("text", ["word " * 1000, "x" * 2500, "a " + "y" * 700 + " b", "short"])
def test_cap_sentences_keeps_every_word(text):
    pieces = list(cap_sentences([text.strip()]))
    assert all(0 < len(p) <= MAX_SENTENCE for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert all(" " not in (p[0], p[-1]) for p in pieces)


def test_split_sentences_bounds_every_sentence():
    sentences = extract.split_sentences("Portland banned it. " + "And then " * 2000 + "the end.")
    assert sentences[0] == "Portland banned it."
    assert max(len(s) for s in sentences) <= MAX_SENTENCE
