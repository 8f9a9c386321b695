"""The tracker command line: parse options, call the library, print. All behaviour lives in
the ``tracker`` package; this file only renders results and turns errors into exit codes.

Run ``python cli.py --help`` (or the installed ``tracker --help``).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click

from tracker import __version__, db
from tracker import feeds as feeds_lib
from tracker.app import Tracker
from tracker.dates import PartialDate
from tracker.errors import TrackerError
from tracker.feeds import render as feeds_render
from tracker.feeds.schedule import format_interval, parse_interval
from tracker.report import render
from tracker.report.chart import draw_chart
from tracker.report.export import FORMATS as EXPORT_FORMATS
from tracker.report.export import export_relation, relations
from tracker.report.periods import rebuild as rebuild_periods
from tracker.report.timeline import format_text, load_timeline

CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "TRACKER", "max_content_width": 100}


def fail(message: str) -> None:
    """Print a one-line error to stderr and exit with code 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def handle_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn tracker's errors into a one-line message and exit code 1 (bugs still trace)."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except TrackerError as e:
            fail(str(e))

    return wrapper


class DateParam(click.ParamType):
    """A day: YYYY-MM-DD (or YYYY-MM / YYYY, meaning its first day)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return PartialDate.parse(str(value)).start
        except ValueError as e:
            self.fail(str(e), param, ctx)


DATE = DateParam()


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tracker")
@click.option(
    "--database", "database", envvar="TRACKER_DATABASE_URL", metavar="URL",
    help="SQLAlchemy database URL [env TRACKER_DATABASE_URL; default: an SQLite file under "
    "$XDG_DATA_HOME/tracker, see 'tracker db path'].",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, database: str | None, verbose: int) -> None:
    """Track facial-recognition bans, moratoria and restrictions: who adopted what, since when,
    and which article says so.

    \b
    Typical use:
      tracker ingest seeds/articles          # load articles (files, folders, URLs, -)
      tracker status                         # what is in force today
      tracker status --as-of 2020-07-01 --all --format json
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = {"database": database}
    ctx.call_on_close(_close_tracker(ctx))


def _close_tracker(ctx: click.Context) -> Callable[[], None]:
    def close() -> None:
        tracker = ctx.obj.get("tracker") if ctx.obj else None
        if tracker is not None:
            tracker.close()

    return close


def get_tracker(ctx: click.Context, **kwargs: Any) -> Tracker:
    """The Tracker for this invocation, opened on first use."""
    root = ctx.find_root()
    if root.obj.get("tracker") is None:
        root.obj["tracker"] = Tracker(root.obj["database"], **kwargs)
    return root.obj["tracker"]


@contextmanager
def _no_op() -> Iterator[None]:
    yield


# -- db --------------------------------------------------------------------------------------
@cli.group(context_settings=CONTEXT)
def db_group() -> None:
    """Create, upgrade and inspect the database."""


cli.add_command(db_group, "db")


@db_group.command("upgrade", context_settings=CONTEXT)
@click.option("--no-seed", is_flag=True, help="Do not load the reference data.")
@click.pass_context
@handle_errors
def db_upgrade(ctx: click.Context, no_seed: bool) -> None:
    """Upgrade the schema to the newest revision and load the reference data.

    Example: tracker --database postgresql+psycopg://me@localhost/tracker db upgrade
    """
    engine = db.make_engine(ctx.find_root().obj["database"])
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    click.echo(f"schema: {before or 'empty'} -> {after}")
    if not no_seed:
        result = get_tracker(ctx, seed=False).seed()
        click.echo(
            f"reference data: {result.jurisdictions_added} jurisdictions and "
            f"{result.companies_added} companies added, {result.jurisdictions_updated + result.companies_updated} updated"
        )


@db_group.command("current", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def db_current(ctx: click.Context) -> None:
    """Print the database URL, its schema revision and the newest one.

    Example: tracker db current
    """
    engine = db.make_engine(ctx.find_root().obj["database"])
    try:
        current, head = db.current_revision(engine), db.head_revision()
        click.echo(f"database: {db.safe_url(engine)}")
    finally:
        engine.dispose()
    click.echo(f"revision: {current or 'none (empty database)'}")
    click.echo(f"newest:   {head}" + ("  (up to date)" if current == head else "  (run 'tracker db upgrade')"))


@db_group.command("seed", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def db_seed(ctx: click.Context) -> None:
    """Load the reference data (jurisdictions, companies); a second load changes nothing.

    Example: tracker db seed
    """
    result = get_tracker(ctx, seed=False).seed()
    click.echo(
        f"jurisdictions: {result.jurisdictions_added} added, {result.jurisdictions_updated} updated; "
        f"aliases: {result.aliases_added} added; companies: {result.companies_added} added, "
        f"{result.companies_updated} updated"
    )


@db_group.command("path", context_settings=CONTEXT)
@click.pass_context
def db_path(ctx: click.Context) -> None:
    """Print the database URL in use (the default one when none is given).

    Example: sqlite3 "$(tracker db path | sed 's|sqlite:///||')"
    """
    click.echo(db.resolve_url(ctx.find_root().obj["database"]))


# -- ingest ----------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--published", type=DATE, help="Publication date of a single article (YYYY-MM-DD).")
@click.option("--url", help="The URL a single article (a file or stdin) was published at.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Summary format.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.pass_context
@handle_errors
def ingest(ctx: click.Context, inputs: tuple[str, ...], published: dt.date | None, url: str | None, fmt: str, progress: bool | None) -> None:
    """Load articles: .txt, .md and .html files, folders of them, - for stdin, http(s) URLs.

    Each article is stored in its own transaction; an article already stored (same text or
    URL) is a duplicate and changes nothing. Errors name the input and the run goes on; the
    exit code is 1 if any input failed.

    \b
    Examples:
      tracker ingest seeds/articles
      curl -s https://example.org/story.html | tracker ingest - --url https://example.org/story.html
      tracker ingest note.txt --published 2021-05-19
    """
    if (published or url) and len(inputs) != 1:
        raise click.UsageError("--published and --url apply to a single article")
    tracker = get_tracker(ctx)
    show = sys.stderr.isatty() if progress is None else progress
    bar_cm = click.progressbar(length=0, label="ingesting", file=sys.stderr) if show else _no_op()
    with bar_cm as bar:
        def step(outcome: Any) -> None:
            if outcome.error:
                click.echo(f"error: {outcome.where}: {outcome.error}", err=True)
            if bar is not None:
                bar.update(1)
        summary = tracker.ingest(inputs, published=published, url=url, progress=step)
    click.echo(render.summary_json(summary) if fmt == "json" else render.summary_line(summary))
    if summary.failed:
        sys.exit(1)


# -- feeds: scheduled feed ingestion (tracker/feeds, docs/feeds.md) ---------------------------


class IntervalParam(click.ParamType):
    """A duration: 90s, 15m, 1h, 1h30m, 1d, 1w (or seconds)."""

    name = "INTERVAL"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_interval(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


@cli.group("feeds", context_settings=CONTEXT)
def feeds_group() -> None:
    """Poll RSS and Atom feeds (URLs or local files) on a schedule and ingest their entries.

    \b
    Typical use:
      tracker feeds add https://example.org/news.rss --interval 30m
      tracker feeds poll --due     # what cron or a systemd timer runs every few minutes
      tracker feeds list
    """


@feeds_group.command("add", context_settings=CONTEXT)
@click.argument("location", metavar="URL_OR_PATH")
@click.option("--interval", type=IntervalParam(), default="1h", show_default=True, help="How often to poll it (30m, 1h, 1d...).")
@click.option("--name", help="A name to show in 'feeds list'.")
@click.option("--fetch-articles", is_flag=True, help="Fetch the page each new entry links to and ingest its text (for feeds that carry only summaries).")
@click.pass_context
@handle_errors
def feeds_add(ctx: click.Context, location: str, interval: int, name: str | None, fetch_articles: bool) -> None:
    """Add a feed: an http(s) URL or a local file. Its first poll is due at once.

    \b
    Examples:
      tracker feeds add https://example.org/news.rss
      tracker feeds add archive/2020.xml --name "2020 archive" --interval 1d
    """
    row = feeds_lib.add_feed(get_tracker(ctx), location, interval_seconds=interval, name=name, fetch_articles=fetch_articles)
    click.echo(f"added feed {row.id}: {row.url} (every {format_interval(row.interval_seconds)})")


@feeds_group.command("list", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(render.FORMATS), default="table", show_default=True)
@click.pass_context
@handle_errors
def feeds_list(ctx: click.Context, fmt: str) -> None:
    """Every feed: its interval, last and next poll (UTC), entries stored and last error.

    Example: tracker feeds list --format json
    """
    rows = feeds_lib.list_feeds(get_tracker(ctx))
    if fmt == "json":
        click.echo(feeds_render.feeds_json(rows))
    elif fmt == "csv":
        click.echo(feeds_render.feeds_csv(rows), nl=False)
    else:
        click.echo(feeds_render.feeds_table(rows))


@feeds_group.command("remove", context_settings=CONTEXT)
@click.argument("keys", nargs=-1, required=True, metavar="ID_OR_URL...")
@click.pass_context
@handle_errors
def feeds_remove(ctx: click.Context, keys: tuple[str, ...]) -> None:
    """Remove feeds (by id, URL or path). The entries already ingested stay.

    Example: tracker feeds remove 3
    """
    for key in keys:
        row = feeds_lib.remove_feed(get_tracker(ctx), key)
        click.echo(f"removed feed {row.id}: {row.url} ({row.entries} entries kept)")


@feeds_group.command("poll", context_settings=CONTEXT)
@click.option("--due", is_flag=True, help="Only the feeds whose next poll time has come (for cron and timers).")
@click.option("--feed", "feed_ids", type=int, multiple=True, metavar="ID", help="Only this feed, even a disabled one (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=feeds_lib.DEFAULT_WORKERS, show_default=True, help="Feeds fetched in parallel.")
@click.option("--fetch-articles", is_flag=True, help="Fetch the page each new entry links to and ingest its text.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Summary format.")
@click.option("--progress/--no-progress", default=None, help="A progress bar (default: on a terminal; otherwise one log line per feed on stderr).")
@click.pass_context
@handle_errors
def feeds_poll(ctx: click.Context, due: bool, feed_ids: tuple[int, ...], workers: int, fetch_articles: bool, fmt: str, progress: bool | None) -> None:
    """Poll feeds and ingest their new and changed entries.

    Prints a summary of feeds and entries (new, updated, unchanged, failed). The exit code is
    1 when any feed failed, so that a scheduler can alert; the error stays on the feed
    ('feeds list') and its next poll is pushed back.

    \b
    Examples:
      tracker feeds poll --due          # every few minutes, from cron or a systemd timer
      tracker feeds poll --feed 3 --fetch-articles
    """
    tracker = get_tracker(ctx)
    show_bar = sys.stderr.isatty() if progress is None else progress
    bars: list[Any] = []

    def step(outcome: feeds_lib.FeedOutcome, done: int, total: int) -> None:
        if not show_bar:
            click.echo(feeds_render.outcome_line(outcome), err=True)
            return
        if not bars:
            bars.append(click.progressbar(length=total, label="polling feeds", file=sys.stderr).__enter__())
        bars[0].update(1)

    try:
        summary = feeds_lib.poll(tracker, due=due, feed_ids=feed_ids, workers=workers, fetch_articles=fetch_articles, progress=step)
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    if show_bar:
        for outcome in summary.outcomes:
            if outcome.error:
                click.echo(f"error: feed {outcome.feed_id} {outcome.url}: {outcome.error}", err=True)
    click.echo(feeds_render.summary_json(summary) if fmt == "json" else feeds_render.summary_line(summary))
    if summary.failed:
        sys.exit(1)
# -- end of the feeds section --------------------------------------------------------------------


# -- reports ---------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@click.option("--as-of", type=DATE, help="The day to report on (default: today).")
@click.option("--all", "include_all", is_flag=True, help="Every known measure with its status on that day, not only those in force.")
@click.option("--jurisdiction", metavar="NAME", help='Only this jurisdiction: a name ("Portland, Oregon", "Portland, ME"), an alias or an OCD id.')
@click.option("--company", metavar="NAME", help="Only this company (name, alias or product).")
@click.option("--format", "fmt", type=click.Choice(render.FORMATS), default="table", show_default=True)
@click.pass_context
@handle_errors
def status(ctx: click.Context, as_of: dt.date | None, include_all: bool, jurisdiction: str | None, company: str | None, fmt: str) -> None:
    """What facial-recognition measures are in force where, as of a day.

    \b
    Examples:
      tracker status
      tracker status --as-of 2020-07-01 --all
      tracker status --jurisdiction "Portland, Maine" --format json
    """
    result = get_tracker(ctx).status(as_of, include_all=include_all, jurisdiction=jurisdiction, company=company)
    if fmt == "json":
        click.echo(render.status_json(result))
    elif fmt == "csv":
        click.echo(render.status_csv(result), nl=False)
    else:
        click.echo(render.status_table(result, include_all=include_all))


@cli.command(context_settings=CONTEXT)
@click.argument("measure_id", type=int)
@click.option("--as-of", type=DATE, help="The day its status is given for (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def show(ctx: click.Context, measure_id: int, as_of: dt.date | None, fmt: str) -> None:
    """A measure's full history, with every piece of evidence.

    Example: tracker show 3
    """
    history = get_tracker(ctx).history(measure_id, as_of)
    click.echo(render.history_json(history) if fmt == "json" else render.history_table(history))


# -- evaluate --------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@click.option("--articles", type=click.Path(exists=True, file_okay=False), default="seeds/articles", show_default=True, help="The folder of labelled articles.")
@click.option("--expected", type=click.Path(exists=True, dir_okay=False), default="seeds/evaluation.json", show_default=True, help="Their expected facts and status checks.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--details", is_flag=True, help="List every missed and every extra fact.")
def evaluate(articles: str, expected: str, fmt: str, details: bool) -> None:
    """Score extraction against a labelled corpus: precision and recall of the extracted status
    changes, and of 'status --all' on the corpus's check dates. Uses a temporary database.

    Example: tracker evaluate --details
    """
    from pathlib import Path

    from tracker.evaluate import evaluate as run

    result = run(Path(articles), Path(expected), lambda url: Tracker(url))
    click.echo(render.evaluation_json(result) if fmt == "json" else render.evaluation_text(result, details=details))


# -- for analysts: export, timeline, db refresh (docs/analysts.md) -----------------------------
@cli.command("export", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True,
              help="csv: a header, then a line per row; json: one array of objects; ndjson: an object per line.")
@click.option("--table", metavar="NAME", help="The table to export (e.g. status_changes).")
@click.option("--view", metavar="NAME", help="The view to export (e.g. measures_current; docs/schema.md lists them).")
@click.option("-o", "--output", metavar="PATH", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default: stdout).")
@click.pass_context
@handle_errors
def export_command(ctx: click.Context, fmt: str, table: str | None, view: str | None, output: str | None) -> None:
    """Export a whole table or view, streamed: a database of any size exports in constant memory.

    \b
    Examples:
      tracker export --view measures_current > measures.csv
      tracker export --view status_change_evidence --format ndjson -o evidence.ndjson
      tracker export --table measures --format json
    """
    engine = get_tracker(ctx).engine
    if bool(table) == bool(view):
        names = relations(engine)
        raise click.UsageError(f"give one of --table NAME or --view NAME (tables: {', '.join(names['table'])}; views: {', '.join(names['view'])})")
    with click.open_file(output or "-", "w", encoding="utf-8", lazy=True) as out:
        count = export_relation(engine, table or view or "", "table" if table else "view", fmt, out)
    if output:
        click.echo(f"{count} rows written to {output}", err=True)


@cli.command("timeline", context_settings=CONTEXT)
@click.option("--jurisdiction", metavar="NAME", help='Only this jurisdiction: a name ("Portland, Oregon"), an alias or an OCD id.')
@click.option("--company", metavar="NAME", help="Only this company (name, alias or product).")
@click.option("--since", type=DATE, help="Only what happened on or after this day.")
@click.option("--chart", "chart_path", metavar="PATH", type=click.Path(dir_okay=False),
              help="Draw a chart to PATH.svg or PATH.png instead of printing the text (needs matplotlib: pip install 'tracker[chart]').")
@click.pass_context
@handle_errors
def timeline_command(ctx: click.Context, jurisdiction: str | None, company: str | None, since: dt.date | None, chart_path: str | None) -> None:
    """The history of measures, newest first, with the evidence for each status change.

    \b
    Examples:
      tracker timeline
      tracker timeline --jurisdiction "Portland, Oregon" --since 2020-01-01
      tracker timeline --chart timeline.png
    """
    if jurisdiction and company:
        raise click.UsageError("give --jurisdiction or --company, not both")
    tracker = get_tracker(ctx)
    result = load_timeline(tracker.sessions, tracker.today(), jurisdiction=jurisdiction, company=company, since=since)
    if chart_path:
        click.echo(f"chart written to {draw_chart(result, chart_path)} ({len(result.measures)} measures)", err=True)
    else:
        click.echo(format_text(result))


@db_group.command("refresh", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def db_refresh(ctx: click.Context) -> None:
    """Recompute the status periods that the analyst views read (table measure_periods).

    Storing facts keeps them up to date; run this after changing status_changes by hand, or
    once after upgrading a database that already held facts.

    Example: tracker db refresh
    """
    count = rebuild_periods(get_tracker(ctx).sessions)
    click.echo(f"status periods: {count} computed")
# -- end of the analysts' section --------------------------------------------------------------


def main() -> None:
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
