"""Malformed feeds (issue 11, item 7): a document that is not well-formed and yields no usable
entry is a failure with its reason; a feed cut off mid-entry stores no ghost of that entry;
an entry with neither link, id nor text is skipped with a warning."""

from __future__ import annotations

import logging

import pytest

from tracker import feeds
from tracker.feeds.errors import FeedError
from tracker.feeds.feedparse import parse_feed
from tracker.models import Source, StatusChange

from .data.builders import count, feed_row, item, rss

pytest_plugins = ["tests.feeds.data.fixtures"]

BAN = "The Oakland City Council voted to ban city agencies from using facial recognition technology."
UNCLOSED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Ban passed</title><description>" + BAN.encode() + b"</description>"
    b"</channel></rss>"
)


def test_an_unclosed_item_is_a_failure_not_unchanged(ftracker, server, clock):
    url = server.route("/broken.xml", UNCLOSED)
    feed = feeds.add_feed(ftracker, url)
    [outcome] = feeds.poll(ftracker, feed_ids=[feed.id]).outcomes
    assert outcome.result == "failed"
    assert outcome.error.startswith("malformed feed with no usable entry: malformed XML (line 1, column")
    row = feed_row(ftracker, feed.id)
    assert row.error_count == 1 and row.next_poll_at > clock.now
    assert count(ftracker) == 0


def cuts(document: bytes, second_item: int) -> list[bytes]:
    """The document cut at every 7th byte from the start of its second item to its end."""
    return [document[:end] for end in range(second_item + 1, len(document) - len(b"</item></channel></rss>"), 7)]


def test_a_feed_cut_off_mid_entry_stores_no_ghost(ftracker, server):
    document = rss(item(1, text=BAN), item(2, text="The county " + BAN[4:]))
    second = document.index(b"<item>", document.index(b"<item>") + 1)
    for n, truncated in enumerate(cuts(document, second)):
        data = parse_feed(truncated, "cut")
        assert [e.entry_id for e in data.entries] == ["urn:test:item:1"], truncated[second:]
        # cut inside "<item>" itself, feedparser sees no second entry at all
        assert data.skipped in ((), ("entry 2: cut off where the document ends",))
        if n % 10 == 0:  # through the poller too, for a few of the cuts
            url = server.route(f"/cut{n}.xml", truncated)
            feed = feeds.add_feed(ftracker, url)
            [outcome] = feeds.poll(ftracker, feed_ids=[feed.id]).outcomes
            assert outcome.result == "new" and outcome.failed == 0
    assert count(ftracker) == 1  # item 1, once; item 2 never
    assert count(ftracker, Source, Source.url.is_(None)) == 0
    assert count(ftracker, Source, Source.text.contains("county")) == 0
    with ftracker.sessions() as session:  # every fact has item 1 as its evidence
        urls = {s.url for s in session.query(Source).join(StatusChange, StatusChange.source_id == Source.id)}
    assert urls == {"http://news.example.org/story/1"}


def test_a_whole_entry_before_the_cut_is_kept():
    document = rss(item(1), item(2))
    cut = document[: document.rindex(b"</item>") + len(b"</item>")]
    data = parse_feed(cut, "cut")
    assert data.warning is not None and [e.entry_id for e in data.entries] == ["urn:test:item:1", "urn:test:item:2"]


def test_an_empty_entry_is_skipped_with_a_warning(ftracker, server, caplog):
    empty = "<item><title></title><description></description></item>"
    url = server.route("/empty.xml", rss(item(1), empty))
    feed = feeds.add_feed(ftracker, url)
    with caplog.at_level(logging.WARNING):
        [outcome] = feeds.poll(ftracker, feed_ids=[feed.id], parse_processes=0).outcomes
    assert (outcome.result, outcome.new) == ("new", 1)
    assert f"{url}: entry 2: neither a link, an id nor any text: skipped, not stored" in caplog.messages
    assert count(ftracker) == 1


def test_an_unidentified_fragment_of_a_malformed_feed_is_skipped():
    document = rss(item(1), f"<item><title>Orphan</title><description>{BAN}</description></item>").replace(b"</channel>", b"")
    data = parse_feed(document, "x")
    assert [e.entry_id for e in data.entries] == ["urn:test:item:1"]
    assert data.skipped == ("entry 2: neither a link nor an id, in a malformed document",)


def test_a_well_formed_feed_without_entries_is_no_failure():
    assert parse_feed(rss(), "x").entries == ()


@pytest.mark.parametrize("body", [b"<rss version='2.0'><channel><title>x</title><item><ti", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>a"])
def test_garbage_with_no_entry_is_a_failure(body):
    with pytest.raises(FeedError) as caught:
        parse_feed(body, "x")
    assert "malformed" in caught.value.reason
