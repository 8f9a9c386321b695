"""Builders shared by the feed tests: a clock the test moves, tracker's HTTP client with test-sized
limits, RSS documents, and small queries."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
from sqlalchemy import func, select

from tracker.app import Tracker
from tracker.ingest.fetch import Fetcher
from tracker.models import Feed, Source

from ...conftest import FIXED_NOW

DATA = Path(__file__).resolve().parent
SMALL_CAP = 200_000


class Clock:
    """A clock that stays where the test puts it."""

    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def test_fetcher() -> Fetcher:
    """Tracker's client with test-sized limits: 1 s timeouts, a 200 KB cap; the local server is
    on 127.0.0.1, so private hosts are allowed (tests/robust check the address policy)."""
    return Fetcher(timeout=httpx.Timeout(1.0, connect=1.0), max_bytes=SMALL_CAP, allow_private_hosts=True)


test_fetcher.__test__ = False  # type: ignore[attr-defined]


# -- builders --------------------------------------------------------------------------------
def item(
    n: int,
    *,
    guid: str | None = None,
    link: str | None = None,
    title: str | None = None,
    text: str | None = None,
    published: dt.datetime | None = None,
) -> str:
    """One RSS 2.0 item, numbered ``n``."""
    guid = guid if guid is not None else f"urn:test:item:{n}"
    link = link if link is not None else f"http://news.example.org/story/{n}"
    title = title or f"Story number {n} about the city budget"
    text = text or f"Item {n}: the council met to discuss parking meters and library hours."
    published = published or dt.datetime(2021, 3, 1 + n % 28, 9, 0, tzinfo=dt.UTC)
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid isPermaLink=\"false\">{escape(guid)}</guid>"
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<description>{escape(text)}</description></item>"
    )


def rss(*items: str, title: str = "Test feed") -> bytes:
    """An RSS 2.0 document holding ``items``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://news.example.org/</link>"
        f"<description>A feed for tests</description>{''.join(items)}</channel></rss>"
    ).encode()


def count(tracker: Tracker, model: type = Source, *where: object) -> int:
    with tracker.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def feed_row(tracker: Tracker, feed_id: int) -> Feed:
    with tracker.sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        return feed
