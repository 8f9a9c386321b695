"""Feed bytes to entries, no I/O: golden files for every format (``data/*.expected.json``
beside each feed), plain text from hostile HTML, refusing non-feeds and entity bombs, and a
sample of feedparser's own test corpus when ``../shared/corpus`` is present."""

from __future__ import annotations

import json
import time

import pytest

from tracker.feeds.errors import FeedError, NotAFeedError
from tracker.feeds.feedparse import check_entities, compose_text, parse_feed, safe_link
from tracker.feeds.htmltext import html_to_text

from ..conftest import SHARED
from .data.builders import DATA

GOLDEN = sorted(p for p in DATA.iterdir() if p.suffix in (".xml", ".rdf"))
CORPUS = SHARED / "corpus" / "feedparser-tests"


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden(path):
    data = parse_feed(path.read_bytes(), str(path), {}, "http://news.example.org/feeds/" + path.name)
    got = {
        "title": data.title, "link": data.link, "repeated": data.repeated, "warning": data.warning,
        "entries": [
            {"entry_id": e.entry_id, "title": e.title, "link": e.link,
             "published": e.published.isoformat() if e.published else None, "text": e.text}
            for e in data.entries
        ],
    }
    assert got == json.loads(path.with_name(path.name + ".expected.json").read_text())


def test_the_fingerprint_changes_with_the_content_only():
    body = (DATA / "rss20.xml").read_bytes()
    first = parse_feed(body, "a").entries[0]
    assert parse_feed(body, "a").entries[0].entry_hash == first.entry_hash
    changed = parse_feed(body.replace(b"yearly audit", b"monthly audit"), "a").entries[0]
    assert (changed.entry_id, changed.entry_hash != first.entry_hash) == (first.entry_id, True)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"),
        ("<script>alert(1)</script><style>p{}</style><p>Kept</p>", "Kept"),
        ("<iframe src=x>hidden</iframe>after<!-- a comment -->", "after"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("plain &eacute;t&eacute; text", "plain été text"),
        ("<ul><li>x</li><li>y</li></ul>", "x\ny"),
        ("</div></body><p>still read</p>", "still read"),
        ("<b>unclosed <i>tags", "unclosed tags"),
        ("", ""),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


def test_deeply_nested_html_neither_recurses_nor_hangs():
    start = time.monotonic()
    html_to_text("<div>" * 100_000 + "x" + "</div>" * 100_000)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("title", "body", "text"),
    [("T", "Body.", "T\n\nBody."), ("T", "T says more.", "T says more."), (None, "B", "B"), ("T", None, "T"), (None, None, "")],
)
def test_compose_text(title, body, text):
    assert compose_text(title, body) == text


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        ("/a", "http://x.org/feed", "http://x.org/a"),
        ("https://y.org/b", None, "https://y.org/b"),
        ("javascript:alert(1)", "http://x.org/", None),
        ("file:///etc/passwd", None, None),
        ("data:text/html,hi", "http://x.org/", None),
        ("//evil.example/x", None, None),
        ("", "http://x.org/", None),
    ],
)
def test_only_http_links_are_kept(link, base, expected):
    assert safe_link(link, base) == expected


def test_entities_within_bounds_pass():
    check_entities(b'<!DOCTYPE rss [<!ENTITY co "Civic Camera">]><rss>&co; &co;</rss>', "ok")


def test_a_reference_cycle_is_refused():
    with pytest.raises(FeedError, match="entities"):
        check_entities(b'<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]><r>&a;</r>', "cycle")


def test_a_utf16_entity_bomb_is_refused():
    doc = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "' + "x" * 20_000 + '">]><r>' + "&a;" * 100 + "</r>"
    with pytest.raises(FeedError, match="entities"):
        check_entities(doc.encode("utf-16"), "utf16")


def test_feedparser_never_opens_a_path_or_url_it_is_given():
    with pytest.raises(NotAFeedError):
        parse_feed(b"/etc/passwd", "x")
    with pytest.raises(NotAFeedError):
        parse_feed(b"http://127.0.0.1:9/feed.xml", "x")


# -- feedparser's own corpus (read from ../shared at run time; never copied) ------------------
def _corpus_sample() -> list:
    if not CORPUS.is_dir():
        return []
    folders = ("illformed", "encoding", "entities", "wellformed/sanitize")
    return sorted(p for folder in folders for p in (CORPUS / folder).rglob("*") if p.is_file())


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/feedparser-tests is not present")
def test_a_corpus_sample_parses_or_fails_with_one_line():
    """Every file parses, or fails with a one-line reason (bench/feeds_corpus.py polls all)."""
    failures = {}
    for path in _corpus_sample():
        try:
            parse_feed(path.read_bytes(), str(path))
        except FeedError as e:
            assert e.reason and "\n" not in e.reason and len(e.reason) < 400, path
            failures[path.name] = e.reason
    assert len(_corpus_sample()) > 300
    assert len(failures) < len(_corpus_sample()) / 4, failures
