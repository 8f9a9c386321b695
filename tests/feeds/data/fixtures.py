"""Fixtures of the feed tests, loaded with ``pytest_plugins = ["tests.feeds.data.fixtures"]``:
a local HTTP server, a clock the test moves, and a Tracker wired to both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker.app import Tracker

from .builders import Clock, test_fetcher
from .localserver import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ftracker(db_url: str, clock: Clock) -> Iterator[Tracker]:
    """A Tracker on the test database with the movable clock and the test fetcher."""
    with Tracker(db_url, clock=clock, fetcher_factory=test_fetcher) as t:
        yield t
