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

from tracker import __version__, db, render
from tracker.app import Tracker
from tracker.dates import PartialDate
from tracker.errors import TrackerError

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


def main() -> None:
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
