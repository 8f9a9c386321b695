"""Scheduled feed ingestion: RSS and Atom feeds (URLs or local files) polled on a schedule,
their new and changed entries ingested like articles.

    add_feed / list_feeds / remove_feed     manage
    poll                                    poller (its docstring draws the stages)

Modules: ``retrieve`` (I/O), ``feedparse`` and ``htmltext`` (bytes to entries; no I/O),
``schedule`` (when to poll next; pure), ``entries`` (the database), ``claims`` (overlapping
runs), ``render`` (reports).
"""

from __future__ import annotations

from .data import FeedOutcome, PollSummary
from .errors import FeedError, FeedExistsError, FeedNotFoundError, NotAFeedError, PollLockedError
from .manage import FeedRow, add_feed, get_feed, list_feeds, remove_feed
from .poller import poll

__all__ = [
    "FeedError",
    "FeedExistsError",
    "FeedNotFoundError",
    "FeedOutcome",
    "FeedRow",
    "NotAFeedError",
    "PollLockedError",
    "PollSummary",
    "add_feed",
    "get_feed",
    "list_feeds",
    "poll",
    "remove_feed",
]
