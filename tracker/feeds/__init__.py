"""Scheduled feed ingestion: RSS and Atom feeds (URLs or local files) polled on a schedule,
their new and changed entries ingested like articles. It takes feed addresses and gives stored
sources (one per entry) and each feed's state (its last poll, next poll and last error).

    add_feed / get_feed / list_feeds / update_feed / remove_feed    manage
    poll                                                             poller (its docstring draws the stages)

Modules: ``retrieve`` (I/O), ``feedparse`` and ``htmltext`` (bytes to entries; no I/O),
``parallel`` (parsing in worker processes), ``schedule`` (when to poll next; pure),
``entries`` (the database), ``claims`` (overlapping runs), ``render`` (reports).

The names below are imported on first use, so that a parser process, which needs only
``feedparse``, does not load the database layers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .data import FeedOutcome, PollSummary
    from .errors import (
        FeedError,
        FeedExistsError,
        FeedNotFoundError,
        NotAFeedError,
        PollLockedError,
    )
    from .manage import FeedRow, add_feed, get_feed, list_feeds, remove_feed, update_feed
    from .poller import DEFAULT_WORKERS, poll

_EXPORTS = {
    "FeedOutcome": "data", "PollSummary": "data",
    "FeedError": "errors", "FeedExistsError": "errors", "FeedNotFoundError": "errors",
    "NotAFeedError": "errors", "PollLockedError": "errors",
    "FeedRow": "manage", "add_feed": "manage", "get_feed": "manage", "list_feeds": "manage",
    "remove_feed": "manage", "update_feed": "manage",
    "DEFAULT_WORKERS": "poller", "poll": "poller",
}

__all__ = [
    "DEFAULT_WORKERS", "FeedError", "FeedExistsError", "FeedNotFoundError", "FeedOutcome",
    "FeedRow", "NotAFeedError", "PollLockedError", "PollSummary", "add_feed", "get_feed",
    "list_feeds", "poll", "remove_feed", "update_feed",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
