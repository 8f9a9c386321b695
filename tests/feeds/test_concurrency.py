"""Overlapping polls (cron starting a run before the last one finished): no duplicate sources,
no lock errors, every entry stored once. On SQLite the second run waits for the run lock; on
PostgreSQL the runs share the feeds (``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from tracker import feeds
from tracker.app import Tracker
from tracker.models import Source

from ..conftest import ROOT
from .data.builders import count, item, rss, test_fetcher

pytest_plugins = ["tests.feeds.data.fixtures"]

FEEDS, PER_FEED = 12, 5


def serve_overlapping_feeds(server, delay: float) -> int:
    """FEEDS feeds; feeds 2k and 2k+1 share one story. Returns the number of distinct stories."""
    for n in range(FEEDS):
        shared = item(5000 + n // 2, guid=f"feed{n}-shared", link=f"http://news.example.org/shared/{n // 2}")
        own = [item(n * 100 + i) for i in range(PER_FEED - 1)]
        server.route(f"/feed{n}.xml", rss(shared, *own, title=f"Feed {n}"), delay=delay)
    return FEEDS * (PER_FEED - 1) + FEEDS // 2


def test_two_overlapping_polls_store_every_entry_once(db_url, server, clock):
    stories = serve_overlapping_feeds(server, delay=0.05)
    runs = [Tracker(db_url, clock=clock, fetcher_factory=test_fetcher) for _ in range(2)]
    for n in range(FEEDS):
        feeds.add_feed(runs[0], server.url(f"/feed{n}.xml"))
    summaries, errors = [], []

    def poll(tracker: Tracker) -> None:
        try:
            summaries.append(feeds.poll(tracker, workers=3))
        except Exception as e:  # the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=poll, args=(t,)) for t in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for tracker in runs:
        tracker.close()

    assert errors == []
    assert [s.failed for s in summaries] == [0, 0]
    assert sum(s.entries["new"] for s in summaries) == stories
    assert count(runs[0]) == stories
    with runs[0].sessions() as session:
        urls = session.execute(select(Source.url, func.count()).group_by(Source.url).having(func.count() > 1)).all()
    assert urls == []


@pytest.mark.slow
def test_two_overlapping_poll_processes(db_url, server):
    """The same with two real ``tracker feeds poll`` processes, as cron would start them."""
    stories = serve_overlapping_feeds(server, delay=0.1)
    with Tracker(db_url) as tracker:
        for n in range(FEEDS):
            feeds.add_feed(tracker, server.url(f"/feed{n}.xml"))
    command = [sys.executable, str(ROOT / "cli.py"), "--database", db_url, "feeds", "poll", "--no-progress", "--format", "json"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0, 0], results
    assert all("Traceback" not in err and "locked" not in err for _, err in results)
    with Tracker(db_url) as tracker:
        assert count(tracker) == stories


def test_a_run_that_cannot_get_the_lock_gives_up_with_a_message(db_url, server, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL runs share the feeds instead of waiting")
    from tracker.feeds import claims

    with Tracker(db_url) as tracker:
        feeds.add_feed(tracker, server.route("/a.xml", rss(item(1))))
        with claims.run_lock(tracker.engine, 1), pytest.raises(feeds.PollLockedError, match="another feeds poll"):
            feeds.poll(tracker, lock_timeout=0.2)
