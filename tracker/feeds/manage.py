"""Adding, listing, changing and removing feeds (the ``feeds`` table; polling is ``poller``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.errors import InputError
from tracker.models import Feed, Source

from .errors import FeedExistsError, FeedNotFoundError
from .retrieve import is_http
from .schedule import DEFAULT_INTERVAL, MIN_INTERVAL

#: The lengths of the ``feeds.url`` and ``feeds.name`` columns (PostgreSQL enforces them).
MAX_ADDRESS = 2000
MAX_NAME = 300


@dataclass(frozen=True)
class FeedRow:
    """A feed as ``feeds list`` shows it."""

    id: int
    url: str
    name: str | None
    title: str | None
    interval_seconds: int
    fetch_articles: bool
    last_poll_at: dt.datetime | None
    next_poll_at: dt.datetime | None
    last_success_at: dt.datetime | None
    entries: int
    error_count: int
    last_error: str | None
    disabled: bool
    disabled_reason: str | None


def normalize_location(location: str, *, must_exist: bool = True) -> str:
    """A feed's stored address: an http(s) URL as given, a local path made absolute
    (``file://`` URLs too).

    Raises:
        InputError: another scheme, a URL without a host, a path that is no file (when
        ``must_exist``).
    """
    location = location.strip()
    if is_http(location):
        if not urlsplit(location).netloc:
            raise InputError(location, "not a URL: it has no host")
        return location
    if location.startswith("file://"):
        location = unquote(urlsplit(location).path)
    elif "://" in location or location.startswith(("javascript:", "data:", "mailto:")):
        raise InputError(location, "not a feed address: only http(s) URLs and local files")
    path = os.path.abspath(os.path.expanduser(location))
    if must_exist and not os.path.isfile(path):
        raise InputError(location, "no such file")
    return path


def add_feed(
    tracker,  # type: ignore[no-untyped-def]
    location: str,
    *,
    interval_seconds: int = DEFAULT_INTERVAL,
    name: str | None = None,
    fetch_articles: bool = False,
) -> FeedRow:
    """Add a feed (an http(s) URL or a local file); its first poll is due at once.

    Raises:
        InputError: not a feed address (see ``normalize_location``).
        FeedExistsError: the address is a feed already.
    """
    url = normalize_location(location)
    if len(url) > MAX_ADDRESS:
        raise InputError(location[:100] + "...", f"address too long ({len(url):,} characters; the limit is {MAX_ADDRESS:,})")
    if name is not None and len(name) > MAX_NAME:
        raise InputError(url, f"name too long ({len(name):,} characters; the limit is {MAX_NAME})")
    if interval_seconds < MIN_INTERVAL:
        raise InputError(location, f"interval too short (the shortest is {MIN_INTERVAL} s)")
    now = tracker.clock()
    try:
        with tracker.sessions.begin() as session:
            existing = session.scalar(select(Feed.id).where(Feed.url == url))
            if existing is not None:
                raise FeedExistsError(url, existing)
            feed = Feed(
                url=url, name=name, interval_seconds=interval_seconds,
                fetch_articles=fetch_articles, next_poll_at=now, error_count=0,
                disabled=False, created_at=now,
            )
            session.add(feed)
            session.flush()
            feed_id = feed.id
    except IntegrityError:  # added by a concurrent run between the check and the insert
        with tracker.sessions() as session:
            raise FeedExistsError(url, session.scalar(select(Feed.id).where(Feed.url == url)) or 0) from None
    return get_feed(tracker, str(feed_id))


def _lookup(session, key: str) -> Feed:  # type: ignore[no-untyped-def]
    """A feed by id, or by URL or path as given to ``feeds add``."""
    feed = None
    if key.isdigit():
        feed = session.get(Feed, int(key))
    if feed is None:
        candidates = [key]
        with contextlib.suppress(InputError):
            candidates.append(normalize_location(key, must_exist=False))
        feed = session.scalars(select(Feed).where(Feed.url.in_(candidates))).first()
    if feed is None:
        raise FeedNotFoundError(key)
    return feed


def get_feed(tracker, key: str) -> FeedRow:  # type: ignore[no-untyped-def]
    """One feed by id or address. Raises FeedNotFoundError."""
    with tracker.sessions() as session:
        feed = _lookup(session, key)
        count = session.scalar(select(func.count()).select_from(Source).where(Source.feed_id == feed.id))
        return _row(feed, count or 0)


def list_feeds(tracker) -> list[FeedRow]:  # type: ignore[no-untyped-def]
    """Every feed, by id, with the number of entries stored from it."""
    counts = (
        select(Source.feed_id, func.count().label("n"))
        .where(Source.feed_id.is_not(None))
        .group_by(Source.feed_id)
        .subquery()
    )
    with tracker.sessions() as session:
        rows = session.execute(
            select(Feed, counts.c.n).outerjoin(counts, counts.c.feed_id == Feed.id).order_by(Feed.id)
        ).all()
        return [_row(feed, n or 0) for feed, n in rows]


def update_feed(
    tracker,  # type: ignore[no-untyped-def]
    key: str,
    *,
    interval_seconds: int | None = None,
    name: str | None = None,
    enabled: bool | None = None,
) -> FeedRow:
    """Change a feed (by id or address) without removing it; None leaves a setting as it is.

    A new interval counts from the last poll (a feed that is backing off after failures keeps
    its retry time); an empty ``name`` clears the name; enabling a feed clears why it was
    disabled and makes it due at once, disabling it takes it out of ``poll --due``.

    Raises:
        FeedNotFoundError: no such feed.
        InputError: an interval shorter than the shortest allowed.
    """
    if interval_seconds is not None and interval_seconds < MIN_INTERVAL:
        raise InputError(key, f"interval too short (the shortest is {MIN_INTERVAL} s)")
    now = tracker.clock()
    with tracker.sessions.begin() as session:
        feed = _lookup(session, key)
        if interval_seconds is not None:
            feed.interval_seconds = interval_seconds
            if not feed.disabled and not feed.error_count:
                base = feed.last_poll_at or now
                feed.next_poll_at = base + dt.timedelta(seconds=interval_seconds)
        if name is not None:
            feed.name = name or None
        if enabled is True and feed.disabled:
            feed.disabled, feed.disabled_reason, feed.next_poll_at = False, None, now
        elif enabled is False and not feed.disabled:
            feed.disabled, feed.disabled_reason, feed.next_poll_at = True, "by 'feeds set --disable'", None
        feed_id = feed.id
    return get_feed(tracker, str(feed_id))


def remove_feed(tracker, key: str) -> FeedRow:  # type: ignore[no-untyped-def]
    """Remove a feed by id or address; the sources it brought stay (they no longer name it).

    Raises:
        FeedNotFoundError: no such feed.
    """
    with tracker.sessions.begin() as session:
        feed = _lookup(session, key)
        count = session.scalar(select(func.count()).select_from(Source).where(Source.feed_id == feed.id))
        row = _row(feed, count or 0)
        session.delete(feed)
    return row


def _row(feed: Feed, entries: int) -> FeedRow:
    return FeedRow(
        id=feed.id, url=feed.url, name=feed.name, title=feed.title,
        interval_seconds=feed.interval_seconds, fetch_articles=feed.fetch_articles,
        last_poll_at=feed.last_poll_at, next_poll_at=feed.next_poll_at,
        last_success_at=feed.last_success_at, entries=entries, error_count=feed.error_count,
        last_error=feed.last_error, disabled=feed.disabled, disabled_reason=feed.disabled_reason,
    )
