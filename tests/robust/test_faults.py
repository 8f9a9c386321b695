"""Fault injection (issue 11, item 8), on SQLite and, with TRACKER_TEST_DATABASE_URL, on
PostgreSQL: kill -9 during ``feeds poll`` and ``ingest`` at random moments (a bounded, seeded
loop), the database connection dropped mid-run (PostgreSQL), a database locked for longer than
the busy timeout (SQLite). After each fault the run reports it on one line, nothing is
half-written, and the next run completes: the database then matches a clean run's, source
for source and fact for fact.

``tracker reextract``'s kill test, test_reextract_faults, reuses this module's helpers.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import cli
from tracker import db, feeds, maintenance
from tracker.app import Tracker

from ..conftest import DATA_TABLES, ROOT, fixed_clock, pg_url, requires_postgres
from ..feeds.data.builders import rss, test_fetcher
from ..feeds.data.localserver import FeedServer

KILLS = 3  # kill -9 moments per scenario: bounded, so the suite stays fast
SEED = 11
CITIES = ["Oakland", "Boston", "Somerville", "Berkeley", "Cambridge", "Brookline", "San Francisco", "Northampton"]
MONTHS = ["January", "March", "May", "June", "July", "October"]


def entry(feed: int, n: int) -> str:
    city = CITIES[(feed * 5 + n) % len(CITIES)]
    month = MONTHS[(feed + n) % len(MONTHS)]
    year = 2019 + (feed + n) % 3
    body = (
        f"The {city} City Council voted on {month} {1 + n % 27}, {year} to ban city agencies from "
        f"using facial recognition technology. Story {n} of feed {feed}."
    )
    published = format_datetime(dt.datetime(year, 12, 1 + n % 27, tzinfo=dt.UTC), usegmt=True)
    return (
        f"<item><title>{city} council story {feed}-{n}</title><link>http://news.example.org/{feed}/{n}</link>"
        f"<guid>urn:fault:{feed}:{n}</guid><pubDate>{published}</pubDate><description>{body}</description></item>"
    )


# -- databases -------------------------------------------------------------------------------
def fresh(template: str, tmp_path, name: str) -> str:
    """An empty migrated, seeded database: a copy of the template file, or the PostgreSQL test
    database emptied."""
    if pg_url():
        engine = create_engine(template)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template
    path = tmp_path / f"{name}.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """The sources, facts and cached periods, by what identifies them (not by row ids)."""
    queries = {
        "sources": "SELECT entry_id, url, path, content_hash, title, published_date FROM sources",
        "facts": (
            "SELECT s.content_hash, m.natural_key, c.status, c.effective_date, c.precision, c.end_date, "
            "c.known_by, c.evidence_hash, c.origin FROM status_changes c "
            "JOIN sources s ON s.id = c.source_id JOIN measures m ON m.id = c.measure_id"
        ),
        "measures": "SELECT natural_key, kind, scope FROM measures",
        "periods": (
            "SELECT m.natural_key, p.seq, p.status, p.start_date, p.end_date, p.since, p.until "
            "FROM measure_periods p JOIN measures m ON m.id = p.measure_id"
        ),
    }
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(map(str, row)) for row in conn.execute(text(sql)))
                for name, sql in queries.items()
            }
    finally:
        engine.dispose()


def integrity(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def add_feeds(url: str, feed_urls: list[str]) -> None:
    with Tracker(url, clock=fixed_clock) as tracker:
        for feed_url in feed_urls:
            feeds.add_feed(tracker, feed_url)


def checked(url: str) -> bool:
    """``tracker db check``: sound, and the periods cache agrees with the facts."""
    with Tracker(url, clock=fixed_clock) as tracker:
        return maintenance.check(tracker.engine, tracker.sessions).ok


# -- subprocesses ----------------------------------------------------------------------------
def command(url: str, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "--database", url, *args]


def run_to_end(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(url, *args), capture_output=True, text=True, timeout=180)


def run_and_kill(url: str, delay: float, *args: str) -> bool:
    """Start ``tracker ARGS``, SIGKILL it after ``delay`` seconds; True if it was still running."""
    process = subprocess.Popen(command(url, *args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        children = children_of(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert_no_orphans(children)
        return True


def children_of(pid: int) -> list[str]:
    """The pids whose parent is ``pid`` (Linux: read from /proc; elsewhere none)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                found.append(entry.name)
        except (OSError, IndexError):
            continue
    return found


def assert_no_orphans(children: list[str], seconds: float = 10.0) -> None:
    """The children a killed run had do not live on: an orphaned worker would hold the run's
    database connection, and on a server its transaction and locks."""
    deadline = time.monotonic() + seconds
    alive = children
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [c for c in children if Path("/proc", c).exists()
                 and Path("/proc", c, "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not alive, f"processes {alive} outlived the killed run"


def kill_loop(url: str, args: tuple[str, ...], clean_seconds: float) -> list[float]:
    """Kill runs at KILLS seeded random moments inside a clean run's duration; the moments
    at which a run was really killed."""
    rng = random.Random(SEED)
    killed = []
    for _ in range(KILLS):
        delay = rng.uniform(0.15, 0.95) * clean_seconds
        if run_and_kill(url, delay, *args):
            killed.append(round(delay, 2))
        integrity(url)
    return killed


# -- kill -9 ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_kill_9_during_feeds_poll(_template, tmp_path):
    with FeedServer() as server:
        urls = [
            server.route(f"/f{i}.xml", rss(*(entry(i, n) for n in range(12)), title=f"Feed {i}"), trickle=0.003)
            for i in range(4)
        ]
        args = ("--allow-private-hosts", "feeds", "poll", "--no-progress", "--workers", "2")

        clean = fresh(_template, tmp_path, "clean")
        add_feeds(clean, urls)
        started = time.monotonic()
        result = run_to_end(clean, *args)
        clean_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        expected = snapshot(clean)
        assert len(expected["sources"]) == 48 and expected["facts"]

        faulty = fresh(_template, tmp_path, "faulty")
        add_feeds(faulty, urls)
        killed = kill_loop(faulty, args, clean_seconds)
        assert killed, "no run was killed: the moments missed every run"
        result = run_to_end(faulty, *args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(faulty) == expected
        assert checked(faulty)


@pytest.mark.slow
def test_kill_9_during_ingest(_template, tmp_path):
    folder = ROOT / "seeds" / "articles"
    clean = fresh(_template, tmp_path, "clean")
    started = time.monotonic()
    assert run_to_end(clean, "ingest", str(folder)).returncode == 0
    clean_seconds = time.monotonic() - started
    expected = snapshot(clean)

    faulty = fresh(_template, tmp_path, "faulty")
    killed = kill_loop(faulty, ("ingest", str(folder)), clean_seconds)
    assert killed
    result = run_to_end(faulty, "ingest", str(folder))
    assert result.returncode == 0, result.stderr
    assert snapshot(faulty) == expected
    assert checked(faulty)


# -- the connection dropped (PostgreSQL) -------------------------------------------------------
def terminate_other_backends(url: str) -> int:
    """From a connection of its own, end every other client connection to the database."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
    return len(rows)


@requires_postgres()
def test_a_dropped_connection_during_a_poll(_template, tmp_path):
    calls = []

    def killer(handler):  # the feed's server ends tracker's connections while it is being read
        if not calls:
            calls.append(terminate_other_backends(_template))
        return 200, {"Content-Type": "application/rss+xml"}, rss(*(entry(0, n) for n in range(5)))

    with FeedServer() as server:
        good = server.route("/good.xml", rss(*(entry(1, n) for n in range(5))))
        bad = server.route("/bad.xml", handler=killer)
        clean_url = fresh(_template, tmp_path, "clean")
        with Tracker(clean_url, clock=fixed_clock, fetcher_factory=test_fetcher) as tracker:
            for url in (good, server.route("/bad-clean.xml", rss(*(entry(0, n) for n in range(5))))):
                feeds.add_feed(tracker, url)
            feeds.poll(tracker, workers=1)
        expected = snapshot(clean_url)

        url = fresh(_template, tmp_path, "faulty")
        with Tracker(url, clock=fixed_clock, fetcher_factory=test_fetcher) as tracker:
            first = feeds.add_feed(tracker, good)
            second = feeds.add_feed(tracker, bad)
            summary = feeds.poll(tracker, workers=1)
            assert calls and calls[0] >= 1
            errors = [o.error for o in summary.outcomes if o.error]
            assert all("\n" not in e for e in errors)
            # nothing half-written: a feed's entries are there whole or not at all
            got = snapshot(url)["sources"]
            for feed_no in (0, 1):
                count = sum(1 for s in got if s[0].startswith(f"urn:fault:{feed_no}:"))
                assert count in (0, 5)
            # the next run completes
            again = feeds.poll(tracker, feed_ids=[first.id, second.id], workers=1)
            assert again.failed == 0
    assert snapshot(url)["facts"] == expected["facts"]


@requires_postgres()
def test_a_dropped_connection_during_ingest(_template, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    for n in range(3):
        (articles / f"a{n}.txt").write_text(f"Story {n}\n\n{entry(2, n).split('<description>')[1].split('</')[0]}\n")
    calls = []

    def killer(handler):
        calls.append(terminate_other_backends(_template))
        return 200, {"Content-Type": "text/plain"}, f"Late story\n\n{entry(3, 0).split('<description>')[1].split('</')[0]}\n".encode()

    with FeedServer() as server:
        page = server.route("/page.txt", handler=killer)
        inputs = [str(articles / "a0.txt"), page, str(articles / "a1.txt"), str(articles / "a2.txt")]
        url = fresh(_template, tmp_path, "faulty")
        runner = CliRunner()
        first = runner.invoke(cli.cli, ["--database", url, "--allow-private-hosts", "ingest", *inputs])
        assert "Traceback" not in first.output
        stored = len(snapshot(url)["sources"])
        reported = first.stdout.split(" new")[0] if first.stdout else "0"
        assert stored == int(reported or 0), (first.stdout, stored)  # what it says is what it did
        second = runner.invoke(cli.cli, ["--database", url, "--allow-private-hosts", "ingest", *inputs])
        assert second.exit_code == 0, second.output
        assert len(snapshot(url)["sources"]) == 4


# -- a lock held past the busy timeout (SQLite) ------------------------------------------------
class LockHolder:
    """Another writer: takes the database's write lock and keeps it for ``seconds``."""

    def __init__(self, path: str, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.taken = threading.Event()

    def take(self) -> None:
        if self.taken.is_set():
            return
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN EXCLUSIVE")
        self.taken.set()

        def release() -> None:
            conn.execute("ROLLBACK")
            conn.close()

        self.timer = threading.Timer(self.seconds, release)
        self.timer.start()


@pytest.mark.skipif(bool(pg_url()), reason="SQLite's database lock")
@pytest.mark.parametrize("when", ["ingest, while a page is fetched", "feeds poll, while the feed is fetched", "db refresh, from the start"])
def test_a_database_locked_past_the_busy_timeout(db_url, tmp_path, monkeypatch, when):
    original = db._sqlite_pragmas

    def short_busy_timeout(dbapi_connection, record):  # 0.3 s instead of 30 s
        original(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA busy_timeout=300")

    monkeypatch.setattr(db, "_sqlite_pragmas", short_busy_timeout)
    holder = LockHolder(db_url.removeprefix("sqlite:///"), seconds=2.0)
    body = "Story\n\n" + entry(4, 1).split("<description>")[1].split("</")[0] + "\n"

    def page(handler):  # the lock is taken mid-run, after tracker opened the database
        holder.take()
        return 200, {"Content-Type": "text/plain"}, body.encode()

    def feed(handler):
        holder.take()
        return 200, {"Content-Type": "application/rss+xml"}, rss(entry(4, 2))

    runner = CliRunner()
    with FeedServer() as server:
        if when.startswith("ingest"):
            argv = ["ingest", server.route("/page.txt", handler=page)]
        elif when.startswith("feeds"):
            url = server.route("/feed.xml", handler=feed)
            assert runner.invoke(cli.cli, ["--database", db_url, "feeds", "add", url]).exit_code == 0
            argv = ["feeds", "poll", "--no-progress"]
        else:
            argv = ["db", "refresh"]
            holder.take()
        argv = ["--database", db_url, "--allow-private-hosts", *argv]
        try:
            locked = runner.invoke(cli.cli, argv)
        finally:
            holder.timer.join()
        assert holder.taken.is_set()
        assert locked.exit_code == 1, locked.output
        assert locked.exception is None or isinstance(locked.exception, SystemExit), repr(locked.exception)
        lines = [line for line in locked.stderr.splitlines() if line.startswith("error:")]
        assert lines and all("locked" in line for line in lines), locked.stderr
        assert "Traceback" not in locked.output
        done = runner.invoke(cli.cli, argv)  # the lock is gone: the same command completes
        assert done.exit_code == 0, done.output
