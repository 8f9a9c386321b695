"""Deadlines and size caps (issue 11, items 1 and 2): a response that trickles fails at its
total deadline; files, stdin and HTTP bodies share one size cap, checked as bytes arrive."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import cli
from tracker import feeds
from tracker.app import Tracker
from tracker.errors import FetchError
from tracker.ingest.fetch import Fetcher

from ..conftest import fixed_clock
from ..feeds.data.builders import feed_row, item, rss

pytest_plugins = ["tests.feeds.data.fixtures"]

ARTICLE = (
    "City news\n\nThe Oakland City Council voted on July 16, 2019 to ban city agencies from "
    "using facial recognition technology.\n"
)


def quick_fetcher(deadline: float = 1.0) -> Fetcher:
    return Fetcher(timeout=httpx.Timeout(2.0, connect=1.0), deadline=deadline, allow_private_hosts=True)


# -- deadlines ---------------------------------------------------------------------------------
def test_a_trickling_body_fails_at_the_deadline(server):
    # 64 bytes every 0.2 s: each read is quick, the whole body would take about 10 s
    url = server.route("/trickle.txt", b"x" * 3200, trickle=0.2, headers={"Content-Type": "text/plain"})
    started = time.monotonic()
    with quick_fetcher(1.0) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert time.monotonic() - started < 4
    assert caught.value.reason == "timed out (no complete response within 1 s)"


class _HeaderTrickler:
    """A server that sends its status line and headers one byte at a time."""

    def __init__(self, pause: float) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.pause = pause
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        conn.recv(4096)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"y" * 200:
                if self.stop.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.pause)
        except OSError:
            pass
        finally:
            conn.close()


def test_trickling_headers_fail_at_the_deadline():
    trickler = _HeaderTrickler(pause=0.05)  # about 11 s in all, never 2 s without a byte
    started = time.monotonic()
    try:
        with quick_fetcher(1.0) as fetcher, pytest.raises(FetchError) as caught:
            fetcher.get(trickler.url)
    finally:
        trickler.stop.set()
    assert time.monotonic() - started < 4
    assert caught.value.reason.startswith("timed out")


def test_a_slow_feed_fails_with_its_reason_and_backs_off(db_url, server, clock):
    url = server.route("/slow.xml", rss(*(item(n) for n in range(12))), trickle=0.1)
    with Tracker(db_url, clock=clock, fetcher_factory=lambda: quick_fetcher(0.5)) as tracker:
        feed = feeds.add_feed(tracker, url)
        [outcome] = feeds.poll(tracker, feed_ids=[feed.id]).outcomes
        row = feed_row(tracker, feed.id)
    assert (outcome.result, outcome.error) == ("failed", "timed out (no complete response within 0.5 s)")
    assert row.error_count == 1 and row.next_poll_at > clock.now


# -- size caps ---------------------------------------------------------------------------------
def write(path: Path, size: int) -> Path:
    path.write_bytes(ARTICLE.encode() + b"More words about the budget. " * (size // 29))
    return path


def test_an_oversized_file_fails_and_the_run_goes_on(db_url, tmp_path):
    big = write(tmp_path / "big.txt", 300_000)
    small = tmp_path / "small.txt"
    small.write_text(ARTICLE)
    with Tracker(db_url, clock=fixed_clock, max_bytes=100_000) as tracker:
        summary = tracker.ingest([str(big), str(small)])
    assert (summary.new, summary.failed) == (1, 1)
    [failed] = [o for o in summary.outcomes if o.result == "failed"]
    assert (failed.where, failed.error) == (str(big), "too large (over 100,000 bytes; --max-bytes raises the limit)")


def test_the_cap_is_checked_while_reading(tmp_path, monkeypatch):
    """A file that grows past the cap, or lies about its size (a FIFO, /proc), is stopped after
    the cap: never read to its end."""
    from tracker.ingest import fetch

    class Endless:
        read_total = 0

        def read(self, n: int) -> bytes:
            Endless.read_total += n
            return b"a" * n

    with pytest.raises(Exception) as caught:
        fetch.read_capped(Endless(), "<endless>", 1_000_000)  # type: ignore[arg-type]
    assert "too large" in str(caught.value)
    assert Endless.read_total <= 1_000_001


def test_stdin_has_the_same_cap(db_url):
    runner = CliRunner()
    data = ARTICLE + "More words about the budget. " * 200
    result = runner.invoke(cli.cli, ["--database", db_url, "--max-bytes", "2K", "ingest", "-"], input=data)
    assert result.exit_code == 1
    assert "error: <stdin>: too large (over 2,048 bytes; --max-bytes raises the limit)" in result.stderr
    ok = runner.invoke(cli.cli, ["--database", db_url, "--max-bytes", "1M", "ingest", "-"], input=data)
    assert (ok.exit_code, ok.stdout) == (0, "1 new, 0 duplicate, 0 updated, 0 failed; 1 fact extracted\n")


def test_the_environment_sets_the_limits(db_url, tmp_path):
    big = write(tmp_path / "big.txt", 5000)
    runner = CliRunner()
    result = runner.invoke(cli.cli, ["--database", db_url, "ingest", str(big)], env={"TRACKER_MAX_BYTES": "4000"})
    assert result.exit_code == 1 and "too large (over 4,000 bytes" in result.stderr


@pytest.mark.parametrize("value", ["ten", "5X", "0", "-3"])
def test_a_bad_size_is_a_usage_error(db_url, value):
    result = CliRunner().invoke(cli.cli, ["--database", db_url, "--max-bytes", value, "status"])
    assert result.exit_code == 2 and "--max-bytes" in result.stderr


def test_the_global_options_reach_the_fetcher(db_url, monkeypatch):
    from tracker.commands import options

    made: list[Tracker] = []

    def make(database, **kwargs):
        made.append(Tracker(database, clock=fixed_clock, **kwargs))
        return made[-1]

    monkeypatch.setattr(options, "make_tracker", make)
    result = CliRunner().invoke(
        cli.cli, ["--database", db_url, "--timeout", "7", "--max-bytes", "3M", "feeds", "list"],
        env={"TRACKER_ALLOW_PRIVATE_HOSTS": "1"},
    )
    assert result.exit_code == 0, result.output
    fetcher = made[0].fetcher_factory()
    assert (fetcher.deadline, fetcher.max_bytes, fetcher.allow_private_hosts) == (7.0, 3 * 1024**2, True)
    assert made[0].max_bytes == 3 * 1024**2
