"""The ``tracker feeds`` commands through Click's runner: exact output, exit codes, help."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

import cli
from tracker.app import Tracker
from tracker.commands import options

from ..conftest import fixed_clock
from .data.builders import item, rss, test_fetcher

pytest_plugins = ["tests.feeds.data.fixtures"]


@pytest.fixture
def run(db_url, monkeypatch):
    """Invoke ``tracker --database DB ARGS...`` with the fixed clock and the test fetcher."""
    monkeypatch.setattr(options, "make_tracker", functools.partial(Tracker, clock=fixed_clock, fetcher_factory=test_fetcher))
    monkeypatch.setenv("COLUMNS", "80")  # tables are drawn to this width, whatever the terminal
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli.cli, ["--database", db_url, *args], catch_exceptions=False)

    return invoke


def test_add_list_poll_remove(run, server):
    url = server.route("/news.xml", rss(item(1), item(2), title="City news"), etag='"1"')

    added = run("feeds", "add", url, "--interval", "30m", "--name", "News")
    assert (added.exit_code, added.stdout) == (0, f"added feed 1: {url} (every 30m)\n")

    polled = run("feeds", "poll", "--no-progress")
    assert polled.exit_code == 0
    assert polled.stdout == (
        "feeds: 1 polled (1 new, 0 updated, 0 unchanged, 0 failed); entries: 2 new, 0 updated, "
        "0 unchanged, 0 duplicate, 0 failed; 0 facts extracted\n"
    )
    assert polled.stderr == f"time=2026-11-22T12:00:00Z feed=1 result=new url={url} status=200 new=2 next_poll=2026-11-22T12:30:00Z\n"

    listed = run("feeds", "list")
    assert listed.stdout == (
        "  ID  EVERY  LAST POLL (UTC)   NEXT POLL (UTC)   ENTRIES  FEED\n"
        "   1  30m    2026-11-22 12:00  2026-11-22 12:30        2\n"  # 80 columns: the feed below
        f"      {url}  (News)\n"
    )
    data = json.loads(run("feeds", "list", "--format", "json").stdout)
    assert data[0] | {"url": None} == {
        "id": 1, "url": None, "name": "News", "title": "City news", "interval": "30m",
        "fetch_articles": False, "last_poll": "2026-11-22T12:00:00Z",
        "last_success": "2026-11-22T12:00:00Z", "next_poll": "2026-11-22T12:30:00Z",
        "entries": 2, "errors": 0, "last_error": None, "disabled": False, "disabled_reason": None,
    }
    assert run("feeds", "list", "--format", "csv").stdout.splitlines()[0].startswith("id,url,name,title,interval")

    removed = run("feeds", "remove", "1")
    assert (removed.exit_code, removed.stdout) == (0, f"removed feed 1: {url} (2 entries kept)\n")
    assert run("feeds", "list").stdout == "No feeds. Add one with: tracker feeds add URL_OR_PATH\n"


def test_a_failed_feed_gives_exit_code_1_and_shows_in_the_list(run, server):
    run("feeds", "add", server.route("/ok.xml", rss(item(1))))
    run("feeds", "add", server.url("/missing.xml"))

    polled = run("feeds", "poll", "--due", "--no-progress", "--format", "json")

    assert polled.exit_code == 1
    summary = json.loads(polled.stdout)
    assert summary["feeds"] == {"new": 1, "updated": 0, "unchanged": 0, "failed": 1, "skipped": 0}
    assert summary["errors"] == [{"feed": 2, "url": server.url("/missing.xml"), "error": "HTTP 404"}]
    assert 'result=failed' in polled.stderr and 'error="HTTP 404"' in polled.stderr
    assert "      last error: HTTP 404\n" in run("feeds", "list").stdout


def test_a_progress_bar_then_the_errors(run, server):
    run("feeds", "add", server.url("/missing.xml"))
    polled = run("feeds", "poll", "--progress")
    assert "polling feeds" in polled.stderr
    assert f"error: feed 1 {server.url('/missing.xml')}: HTTP 404\n" in polled.stderr


def test_nothing_due_is_a_quiet_success(run, server):
    run("feeds", "add", server.route("/a.xml", rss(item(1))))
    run("feeds", "poll")
    polled = run("feeds", "poll", "--due")
    assert (polled.exit_code, polled.stderr) == (0, "")
    assert polled.stdout.startswith("feeds: 0 polled")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("feeds", "add", "ftp://example.org/x.xml"), "error: ftp://example.org/x.xml: not a feed address: only http(s) URLs and local files\n"),
        (("feeds", "remove", "9"), "error: no feed 9 (see 'tracker feeds list')\n"),
        (("feeds", "poll", "--feed", "9"), "error: no feed 9 (see 'tracker feeds list')\n"),
    ],
)
def test_errors_are_one_line_with_exit_code_1(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stderr) == (1, message)


def test_adding_twice_is_an_error(run, server):
    url = server.url("/a.xml")
    run("feeds", "add", url)
    result = run("feeds", "add", url)
    assert (result.exit_code, result.stderr) == (1, f"error: {url}: already feed 1\n")


def test_a_bad_interval_is_a_usage_error(run):
    result = run("feeds", "add", "http://example.org/feed.xml", "--interval", "5s")
    assert result.exit_code == 2 and "interval too short" in result.stderr


@pytest.mark.parametrize("command", ["add", "list", "set", "remove", "poll"])
def test_every_feeds_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli.cli, ["feeds", command, "--help"])
    assert result.exit_code == 0 and "tracker feeds" in result.stdout


def test_feeds_set_changes_a_feed_without_removing_it(run, server):
    url = server.route("/news.xml", rss(item(1), title="City news"))
    run("feeds", "add", url, "--interval", "30m")
    run("feeds", "poll", "--no-progress")  # polled at 12:00, next at 12:30

    changed = run("feeds", "set", "1", "--interval", "6h", "--name", "News")
    assert (changed.exit_code, changed.stdout) == (0, f"feed 1: {url} (News), every 6h\n")
    (row,) = json.loads(run("feeds", "list", "--format", "json").stdout)
    assert (row["interval"], row["name"], row["next_poll"], row["entries"]) == ("6h", "News", "2026-11-22T18:00:00Z", 1)

    disabled = run("feeds", "set", url, "--disable")
    assert disabled.stdout == f"feed 1: {url} (News), disabled\n"
    (row,) = json.loads(run("feeds", "list", "--format", "json").stdout)
    assert (row["disabled"], row["next_poll"], row["entries"]) == (True, None, 1)
    assert "disabled" in run("feeds", "list").stdout.splitlines()[1]

    enabled = run("feeds", "set", "1", "--enable", "--name", "")
    assert enabled.stdout == f"feed 1: {url}, every 6h\n"
    (row,) = json.loads(run("feeds", "list", "--format", "json").stdout)
    assert (row["disabled"], row["disabled_reason"], row["name"], row["next_poll"]) == (False, None, None, "2026-11-22T12:00:00Z")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("feeds", "set", "1"), 2, "give at least one of --interval, --name, --enable or --disable"),
        (("feeds", "set", "9", "--disable"), 1, "error: no feed 9 (see 'tracker feeds list')"),
        (("feeds", "set", "1", "--interval", "5s"), 2, "interval too short"),
    ],
)
def test_feeds_set_errors(run, server, args, code, message):
    run("feeds", "add", server.url("/a.xml"))
    result = run(*args)
    assert result.exit_code == code and message in result.stderr


def test_feed_log_lines_start_with_an_iso_time(run, server):
    run("feeds", "add", server.route("/a.xml", rss(item(1))))
    run("feeds", "add", server.url("/missing.xml"))
    lines = run("feeds", "poll", "--no-progress").stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("time=2026-11-22T12:00:00Z feed=") for line in lines)


def test_log_lines_start_with_an_iso_time():
    import logging

    record = logging.LogRecord("tracker.feeds.poller", logging.WARNING, __file__, 1, "feed %s: %s", (3, "HTTP 404"), None)
    record.created = 1795867200.0  # 2026-11-28T12:00:00Z
    assert options.log_formatter().format(record) == "2026-11-28T12:00:00Z WARNING tracker.feeds.poller: feed 3: HTTP 404"
