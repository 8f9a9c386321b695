"""``tracker feeds``: scheduled feed ingestion (``tracker.feeds``, docs/feeds.md)."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from tracker.commands.options import (
    CONTEXT,
    ID,
    ID_OR_TEXT,
    STREAMED_FORMATS,
    SUMMARY_FORMATS,
    Group,
    IntervalParam,
    emit,
    format_option,
    get_tracker,
    handle_errors,
    terminal_width,
)

DEFAULT_WORKERS = 4  # tracker.feeds.DEFAULT_WORKERS, repeated so that --help imports nothing


@click.group("feeds", cls=Group, context_settings=CONTEXT)
def group() -> None:
    """Poll RSS and Atom feeds (URLs or local files) on a schedule and ingest their entries.

    \b
    Typical use:
      tracker feeds add https://example.org/news.rss --interval 30m
      tracker feeds poll --due     # what cron or a systemd timer runs every few minutes
      tracker feeds list
    """


@group.command("add", context_settings=CONTEXT)
@click.argument("location", metavar="URL_OR_PATH")
@click.option("--interval", type=IntervalParam(), default="1h", show_default=True, help="How often to poll it (30m, 1h, 1d...).")
@click.option("--name", help="A name to show in 'feeds list'.")
@click.option("--fetch-articles", is_flag=True, help="Fetch the page each new entry links to and ingest its text (for feeds that carry only summaries).")
@click.pass_context
@handle_errors
def add(ctx: click.Context, location: str, interval: int, name: str | None, fetch_articles: bool) -> None:
    """Add a feed: an http(s) URL or a local file. Its first poll is due at once.

    \b
    Examples:
      tracker feeds add https://example.org/news.rss
      tracker feeds add archive/2020.xml --name "2020 archive" --interval 1d
    """
    from tracker import feeds
    from tracker.feeds.schedule import format_interval

    row = feeds.add_feed(get_tracker(ctx), location, interval_seconds=interval, name=name, fetch_articles=fetch_articles)
    click.echo(f"added feed {row.id}: {row.url} (every {format_interval(row.interval_seconds)})")


@group.command("list", context_settings=CONTEXT)
@format_option(STREAMED_FORMATS, help="table for people; json: one array; csv: a line per feed; ndjson: an object per feed.")
@click.pass_context
@handle_errors
def list_(ctx: click.Context, fmt: str) -> None:
    """Every feed: its interval, last and next poll (UTC), entries stored and last error.

    Example: tracker feeds list --format json
    """
    from tracker import feeds
    from tracker.feeds import render

    rows = feeds.list_feeds(get_tracker(ctx))
    emit(
        fmt,
        table=lambda: render.feeds_table(rows, width=terminal_width()),
        document=lambda: render.feeds_json(rows),
        columns=render.FEED_COLUMNS, rows=lambda: (render.feed_dict(r) for r in rows),
    )


@group.command("set", context_settings=CONTEXT)
@click.argument("key", metavar="ID_OR_URL")
@click.option("--interval", type=IntervalParam(), help="How often to poll it (30m, 1h, 1d...); counts from its last poll.")
@click.option("--name", help='A name to show in \'feeds list\' ("" clears it).')
@click.option("--enable/--disable", "enabled", default=None, help="Poll it again (due at once), or stop polling it without removing it.")
@click.pass_context
@handle_errors
def set_(ctx: click.Context, key: str, interval: int | None, name: str | None, enabled: bool | None) -> None:
    """Change a feed (by id, URL or path) without removing it: its interval, name, or whether
    it is polled.

    \b
    Examples:
      tracker feeds set 3 --interval 6h
      tracker feeds set 3 --disable
      tracker feeds set https://example.org/news.rss --enable --name "City news"
    """
    from tracker import feeds
    from tracker.feeds.schedule import format_interval

    if interval is None and name is None and enabled is None:
        raise click.UsageError("give at least one of --interval, --name, --enable or --disable")
    row = feeds.update_feed(get_tracker(ctx), key, interval_seconds=interval, name=name, enabled=enabled)
    state = "disabled" if row.disabled else f"every {format_interval(row.interval_seconds)}"
    click.echo(f"feed {row.id}: {row.url}" + (f" ({row.name})" if row.name else "") + f", {state}")


@group.command("remove", context_settings=CONTEXT)
@click.argument("keys", nargs=-1, required=True, type=ID_OR_TEXT, metavar="ID_OR_URL...")
@click.pass_context
@handle_errors
def remove(ctx: click.Context, keys: tuple[str, ...]) -> None:
    """Remove feeds (by id, URL or path). The entries already ingested stay.

    Example: tracker feeds remove 3
    """
    from tracker import feeds

    for key in keys:
        row = feeds.remove_feed(get_tracker(ctx), key)
        click.echo(f"removed feed {row.id}: {row.url} ({row.entries} entries kept)")


@group.command("poll", context_settings=CONTEXT)
@click.option("--due", is_flag=True, help="Only the feeds whose next poll time has come (for cron and timers).")
@click.option("--feed", "feed_ids", type=ID, multiple=True, metavar="ID", help="Only this feed, even a disabled one (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULT_WORKERS, show_default=True, help="Feeds fetched in parallel.")
@click.option("--fetch-articles", is_flag=True, help="Fetch the page each new entry links to and ingest its text.")
@format_option(SUMMARY_FORMATS, help="Summary format.")
@click.option("--progress/--no-progress", default=None, help="A progress bar with the count, the rate and the time left (default: when stderr is a terminal; otherwise one log line per feed on stderr).")
@click.pass_context
@handle_errors
def poll(ctx: click.Context, due: bool, feed_ids: tuple[int, ...], workers: int, fetch_articles: bool, fmt: str, progress: bool | None) -> None:
    """Poll feeds and ingest their new and changed entries.

    Prints a summary of feeds and entries (new, updated, unchanged, failed). The exit code is
    1 when any feed failed, so that a scheduler can alert; the error stays on the feed
    ('feeds list') and its next poll is pushed back.

    \b
    Examples:
      tracker feeds poll --due          # every few minutes, from cron or a systemd timer
      tracker feeds poll --feed 3 --fetch-articles
    """
    from tracker import feeds
    from tracker.feeds import render

    tracker = get_tracker(ctx)
    show_bar = sys.stderr.isatty() if progress is None else progress
    started = time.monotonic()
    bars: list[Any] = []

    def step(outcome: feeds.FeedOutcome, done: int, total: int) -> None:
        if not show_bar:
            click.echo(render.outcome_line(outcome, at=tracker.clock()), err=True)
            return
        if not bars:  # the number of feeds is known once the first one is done
            from tracker.commands.progress import ProgressBar

            bar = ProgressBar(total, "polling feeds", sys.stderr)
            bar.started = started  # the rate and the time left count from the start of the poll
            bars.append(bar.__enter__())
        bars[0].update(1)

    try:
        summary = feeds.poll(tracker, due=due, feed_ids=feed_ids, workers=workers, fetch_articles=fetch_articles, progress=step)
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    if show_bar:
        for outcome in summary.outcomes:
            if outcome.error:
                click.echo(f"error: feed {outcome.feed_id} {outcome.url}: {outcome.error}", err=True)
    click.echo(render.summary_json(summary) if fmt == "json" else render.summary_line(summary))
    if summary.failed:
        sys.exit(1)
