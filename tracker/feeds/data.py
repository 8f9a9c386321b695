"""The frozen records that pass between the feed stages (retrieve, parse, plan, store), and
what a poll reports. ORM rows and feedparser's dicts never leave the module that made them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: What happened to one feed in a poll.
FEED_RESULTS = ("new", "updated", "unchanged", "failed", "skipped")


@dataclass(frozen=True)
class FeedState:
    """What polling needs to know about a feed, read from its row when the poll claims it."""

    id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    interval_seconds: int = 3600
    fetch_articles: bool = False
    error_count: int = 0
    first_poll: bool = True


@dataclass(frozen=True)
class Retrieved:
    """What fetching a feed brought back: the final URL, the status (200 for a file that
    changed, 304 for one that did not), lower-case headers and the body."""

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    content: bytes = b""
    #: The new address after permanent redirects (301/308) only.
    permanent_url: str | None = None


@dataclass(frozen=True)
class EntryData:
    """One feed entry, as plain text and ready to become an ``Article``."""

    entry_id: str
    title: str | None
    link: str | None
    text: str
    published: dt.date | None
    #: A fingerprint of what the feed says about the entry: it changes when the entry does.
    entry_hash: str


@dataclass(frozen=True)
class FeedData:
    """A parsed feed: its title and its entries (the first of each id), plain text."""

    title: str | None
    link: str | None
    entries: tuple[EntryData, ...]
    #: Entries that repeated the id of an earlier entry in the same document.
    repeated: int = 0
    #: Why feedparser had to recover (malformed XML, a wrong charset), when it did.
    warning: str | None = None
    #: Entries left out, with the reason for each (no text; cut off; unidentifiable in a
    #: malformed document). They are never stored.
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedOutcome:
    """What polling one feed did. ``result`` is one of ``FEED_RESULTS``."""

    feed_id: int
    url: str
    result: str
    status: int | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failed: int = 0
    facts: int = 0
    next_poll_at: dt.datetime | None = None
    error: str | None = None
    note: str | None = None


@dataclass
class PollSummary:
    """Counts of feeds and entries over a poll, and each feed's outcome."""

    feeds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEED_RESULTS, 0))
    entries: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("new", "updated", "unchanged", "duplicate", "failed"), 0)
    )
    facts: int = 0
    outcomes: list[FeedOutcome] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        self.outcomes.append(outcome)
        self.feeds[outcome.result] += 1
        for key in self.entries:
            self.entries[key] += getattr(outcome, key)
        self.facts += outcome.facts

    @property
    def failed(self) -> int:
        return self.feeds["failed"]

    def as_dict(self) -> dict[str, object]:
        return {
            "feeds": dict(self.feeds),
            "entries": dict(self.entries),
            "facts": self.facts,
            "errors": [
                {"feed": o.feed_id, "url": o.url, "error": o.error}
                for o in self.outcomes
                if o.error
            ],
        }
