"""Property-based fuzzing (issue 11, item 9): random bytes and random text through the article
parser, the feed parser, the time-expression reader and the extractor. No exception escapes
but the documented ones, and every result is well-formed.

The budget is bounded (``FUZZ_EXAMPLES`` examples per property, default 60, derandomized so
that CI is repeatable); ``TRACKER_FUZZ_EXAMPLES=2000 pytest tests/robust/test_fuzz.py``
searches harder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.app import Tracker
from tracker.data import Article
from tracker.errors import InputError
from tracker.extract import extract
from tracker.extract.timex import find_times
from tracker.feeds.errors import FeedError
from tracker.feeds.feedparse import parse_feed
from tracker.ingest.parse import parse_bytes
from tracker.vocab import DateSource, MeasureKind, Status

from ..conftest import fixed_clock, pg_url

FUZZ_EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_EXAMPLES <= 200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Words the extractor and the time reader react to, so random text reaches their rules.
VOCABULARY = [
    "Portland", "Oakland", "Boston", "Maine", "Oregon", "Amazon", "Microsoft", "IBM", "city",
    "council", "voted", "banned", "ban", "moratorium", "facial", "recognition", "police",
    "extended", "repealed", "expired", "until", "further", "notice", "for", "one", "year",
    "two", "years", "in", "on", "May", "June", "2019", "2020", "2021", "January", "1,", "16,",
    "last", "this", "month", "week", "later", "after", "before", "since", "the", "a", "act",
    "Congress", "senators", "bill", "proposed", "failed", "takes", "effect", "Gov.", "signed",
    "Sen.", "Ore.", "\u201c", "\u201d", "(", ")", ",", ".", ";", "-", "\u2014", "\n\n",
]
words = st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=8)), max_size=80).map(" ".join)
any_text = st.one_of(st.text(max_size=600), words)


@pytest.fixture(scope="module")
def gazetteer(_template, tmp_path_factory):
    if pg_url():
        url = _template
    else:
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
        shutil.copyfile(_template, path)
        url = f"sqlite:///{path}"
    with Tracker(url, clock=fixed_clock) as tracker:
        yield tracker.gazetteer


def well_formed_article(article: Article) -> None:
    assert isinstance(article.text, str) and article.text.strip()
    assert article.title is None or isinstance(article.title, str)
    assert article.published is None or isinstance(article.published, dt.date)
    assert isinstance(article.published_how, DateSource)
    assert article.encoding is None or isinstance(article.encoding, str)


@FUZZ
@example(b"\x1c", None)  # found by this test: an "article" of separators, stored empty
@given(st.binary(max_size=3000), st.sampled_from([None, True, False]))
def test_parse_bytes_on_random_bytes(data, html):
    try:
        article = parse_bytes(data, "fuzz.txt", html=html)
    except InputError as e:
        assert e.where == "fuzz.txt" and e.reason and "\n" not in e.reason
        return
    well_formed_article(article)


@FUZZ
@given(any_text, st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]), st.booleans())
def test_parse_bytes_on_random_text(text, codec, as_html):
    data = text.encode(codec, errors="replace")
    if as_html:
        data = b"<html><body><article><p>" + data + b"</p></article></body></html>"
    try:
        article = parse_bytes(data, "fuzz.html" if as_html else "fuzz.txt", html=as_html)
    except InputError as e:
        assert e.reason and "\n" not in e.reason
        return
    well_formed_article(article)


def rss_document(title: str, entries: list[tuple[str, str, str]], cut: int | None) -> bytes:
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><description>{escape(d)}</description></item>"
        for t, link, d in entries
    )
    doc = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{escape(title)}</title>{items}</channel></rss>"
    data = doc.encode("utf-8", errors="replace")
    return data[:cut] if cut is not None else data


links = st.one_of(st.text(max_size=30), st.sampled_from(["http://example.org/a", "javascript:alert(1)", "/relative", "ftp://x/"]))


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.builds(
            rss_document, st.text(max_size=40),
            st.lists(st.tuples(any_text, links, any_text), max_size=5),
            st.one_of(st.none(), st.integers(0, 3000)),
        ),
    )
)
def test_the_feed_parser_on_random_input(data):
    try:
        feed = parse_feed(data, "fuzz.xml", base_url="http://example.org/feed.xml")
    except FeedError as e:
        assert e.where == "fuzz.xml" and e.reason and "\n" not in e.reason
        return
    ids = [entry.entry_id for entry in feed.entries]
    assert len(ids) == len(set(ids)) and all(ids)
    for entry in feed.entries:
        assert entry.text.strip()
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or isinstance(entry.published, dt.date)


@FUZZ
@given(any_text, st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))))
def test_time_expressions_on_random_text(text, published):
    previous_end = 0
    for mention in find_times(text, published):
        assert previous_end <= mention.start <= mention.end <= len(text)
        assert mention.role in ("event", "end", "since")
        previous_end = mention.end


@FUZZ
@given(words, st.one_of(st.none(), words), st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))))
def test_the_extractor_on_random_text(gazetteer, text, title, published):
    article = Article(
        text="facial recognition " + text, title=title, published=published,
        published_how=DateSource.GIVEN if published else DateSource.UNKNOWN, path="fuzz.txt",
    )
    article = extract.infer_published(article)
    for fact in extract.extract(article, gazetteer):
        assert isinstance(fact.status, Status) and isinstance(fact.kind, MeasureKind)
        assert fact.evidence and fact.subject.key
        assert 0 <= fact.confidence <= 1
        assert fact.date is None or fact.date.start.year >= 1900
