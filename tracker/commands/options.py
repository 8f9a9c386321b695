"""What the commands share: context settings, parameter types, the Tracker for this
invocation, the output-format option and the error handler (sqlite-utils' ``output_options``).

Nothing heavy is imported here at module level: ``--help`` must stay fast.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.app import Tracker

CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "TRACKER", "max_content_width": 100}

#: the report formats: a table for people, JSON and CSV for scripts (tracker.formats)
REPORT_FORMATS = ("table", "json", "csv")
#: the report formats of commands whose rows stream: NDJSON too, one object per line
STREAMED_FORMATS = ("table", "json", "csv", "ndjson")
#: the summary formats of long-running commands (ingest, feeds poll)
SUMMARY_FORMATS = ("text", "json")


class Group(click.Group):
    """A command group whose help lists each command's whole one-line summary, never cut off
    (Click cuts them at the width left beside the names)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def log_formatter() -> logging.Formatter:
    """Log lines on stderr, each led by its ISO 8601 UTC time, as the feed log lines are:
    ``2026-11-22T12:00:00Z WARNING tracker.feeds.poller: feed 3: HTTP 404``."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    return formatter


def terminal_width(default: int = 80) -> int:
    """The width tables are drawn to: ``$COLUMNS``, else the terminal's when stdout is one,
    else ``default`` (so that piped output does not depend on the window); at least 40."""
    import os

    width = default
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    elif sys.stdout.isatty():
        with suppress(OSError, ValueError):
            width = os.get_terminal_size(sys.stdout.fileno()).columns
    return max(40, width)


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
        except Exception as e:
            message = database_error(e)
            if message is None:
                raise  # a bug: let it trace
            fail(message)

    return wrapper


def database_error(error: BaseException) -> str | None:
    """One line for a database failure that reached the command (a lock held past the busy
    timeout, a connection the server dropped), or None when ``error`` is something else."""
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return None
    reason = " ".join(str(getattr(error, "orig", None) or error).split())
    if "database is locked" in reason:
        return (
            "database error: the database is locked: another process kept it busy for longer "
            "than the busy timeout; nothing was half-written, run the command again when it is done"
        )
    return f"database error: {reason[:300]} (nothing was half-written; run the command again)"


def format_option(choices: tuple[str, ...] = REPORT_FORMATS, default: str | None = None, **kwargs: Any) -> Callable[..., Any]:
    """The shared ``--format`` option: the same names in every command."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default or choices[0], show_default=True, **kwargs
    )


class DateParam(click.ParamType):
    """A day: YYYY-MM-DD (or YYYY-MM / YYYY, meaning its first day)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        from tracker.dates import PartialDate

        if isinstance(value, dt.date):
            return value
        try:
            return PartialDate.parse(str(value)).start
        except ValueError as e:
            self.fail(str(e), param, ctx)


DATE = DateParam()

#: The largest id: the id columns are INTEGER, a signed 32-bit number on PostgreSQL (SQLite's
#: are 64-bit, but its ids count up from 1 too). A larger number would reach the server as an
#: "integer out of range" error, or on SQLite as an OverflowError past 2**63 - 1.
ID_MAX = 2**31 - 1


class IdParam(click.ParamType):
    """A database id: a whole number from 1 to ``ID_MAX`` (anything else is a usage error,
    exit 2, before the database sees it)."""

    name = "ID"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not text.isdigit() or not text.isascii():
                self.fail(f"{value!r} is not an id (a whole number such as 3)", param, ctx)
            number = int(text)
        if not 1 <= number <= ID_MAX:
            self.fail(f"{value} is out of range (ids run from 1 to {ID_MAX})", param, ctx)
        return number


ID = IdParam()


class IdOrTextParam(IdParam):
    """An id (checked as ``ID``) or another key such as a URL or path: digits are an id."""

    name = "ID_OR_URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        text = str(value).strip()
        if text.lstrip("+-").isdigit():
            return str(super().convert(text.lstrip("+"), param, ctx))
        return value


ID_OR_TEXT = IdOrTextParam()


class SizeParam(click.ParamType):
    """A size in bytes: 1000000, 500K, 20M, 1G (powers of 1024)."""

    name = "SIZE"
    _UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        import re

        match = re.fullmatch(r"\s*(\d{1,15})\s*([a-zA-Z]{0,2})\s*", str(value))
        unit = match.group(2).lower() if match else None
        if not match or unit not in self._UNITS:
            self.fail(f"{value!r} is not a size (bytes, or a number with K, M or G: 20M)", param, ctx)
        size = int(match.group(1)) * self._UNITS[unit]
        if size < 1:
            self.fail("the size must be at least 1 byte", param, ctx)
        return size


SIZE = SizeParam()


def quiet_third_parties(verbose: int) -> None:
    """Keep third-party libraries' log lines (trafilatura's, htmldate's warnings about the
    pages they read) off stderr unless -v is given."""
    import logging

    for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL if verbose < 1 else logging.NOTSET)


@dataclass(frozen=True)
class Since:
    """The start of a window: a day, or a duration back from today (``--since``)."""

    day: dt.date | None = None
    amount: int = 0
    unit: str = "d"  # d(ays), w(eeks), m(onths), y(ears)

    def on(self, today: dt.date) -> dt.date:
        """The first day of the window when today is ``today``."""
        if self.day is not None:
            return self.day
        from dateutil.relativedelta import relativedelta

        step = {"d": relativedelta(days=1), "w": relativedelta(weeks=1), "m": relativedelta(months=1), "y": relativedelta(years=1)}
        return today - step[self.unit] * self.amount


_DURATION = re.compile(r"^\s*(\d+)\s*(d|w|m|y)\s*$", re.I)


class SinceParam(click.ParamType):
    """A day (YYYY-MM-DD, YYYY-MM, YYYY) or a duration back from today: 7d, 2w, 1m, 1y.

    Converts to a ``Since``; the command asks ``since.on(tracker.today())`` for the day, so
    that tests can fix the clock.
    """

    name = "DATE|DURATION"

    def convert(self, value: Any, param: Any, ctx: Any) -> Since:
        if isinstance(value, Since):
            return value
        if isinstance(value, dt.date):
            return Since(day=value)
        match = _DURATION.match(str(value))
        if match:
            return Since(amount=int(match.group(1)), unit=match.group(2).lower())
        from tracker.dates import PartialDate

        try:
            return Since(day=PartialDate.parse(str(value)).start)
        except ValueError:
            self.fail(f"{value!r} is neither a date (2020-07-01, 2020-07, 2020) nor a duration (7d, 2w, 1m, 1y)", param, ctx)


SINCE = SinceParam()


class IntervalParam(click.ParamType):
    """A duration: 90s, 15m, 1h, 1h30m, 1d, 1w (or seconds)."""

    name = "INTERVAL"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        from tracker.feeds.schedule import parse_interval

        if isinstance(value, int):
            return value
        try:
            return parse_interval(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


#: The collector's first threshold while the command starts (CPython's default is 700).
START_UP_GC_THRESHOLD = 100_000
_gc_thresholds: tuple[int, ...] | None = None


def start_up_gc() -> None:
    """Collect garbage rarely while the command starts: the imports, the ORM's mappers and the
    engine make some 70,000 objects that all live as long as the process, and the collector's
    default (a pass every 700 new objects, a full one as the heap grows by a quarter) scans them
    over and over, about 50 ms of CPU a command. ``settle_gc`` restores the default once the
    Tracker is open; a command that opens none still collects, every 100,000 objects."""
    global _gc_thresholds
    if _gc_thresholds is None:
        _gc_thresholds = gc.get_threshold()
        gc.set_threshold(START_UP_GC_THRESHOLD, *_gc_thresholds[1:])


def settle_gc() -> None:
    """End of start-up (``start_up_gc``): move the objects made so far, which live as long as
    the process, out of the collector's sight (``gc.freeze``), so that later passes do not scan
    them, and restore the default thresholds. Does nothing when start-up did not change them
    (tests, the library)."""
    global _gc_thresholds
    if _gc_thresholds is not None:
        gc.freeze()
        gc.set_threshold(*_gc_thresholds)
        _gc_thresholds = None


def database_url(ctx: click.Context) -> str | None:
    """The ``--database`` value given to the top-level group (None: the default)."""
    return ctx.find_root().obj["database"]


def make_tracker(database: str | None, **kwargs: Any) -> Tracker:
    """Open a Tracker; tests replace this to inject a clock or a fetcher."""
    from tracker.app import Tracker

    return Tracker(database, **kwargs)


def get_tracker(ctx: click.Context, **kwargs: Any) -> Tracker:
    """The Tracker for this invocation, opened on first use and closed when the command ends
    (with the global limits: ``--timeout``, ``--max-bytes``, ``--allow-private-hosts``)."""
    root = ctx.find_root()
    if root.obj.get("tracker") is None:
        kwargs = {**root.obj.get("limits", {}), **kwargs}
        root.obj["tracker"] = make_tracker(root.obj["database"], **kwargs)
        root.call_on_close(root.obj["tracker"].close)
        settle_gc()
    return root.obj["tracker"]


@contextmanager
def no_op() -> Iterator[None]:
    yield


class EchoStream:
    """A text stream over ``click.echo`` (which writes what the terminal can show), buffered:
    streamed reports are written a measure at a time, and echo flushes on every call."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.size = size

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.length += len(text)
        if self.length >= self.size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            click.echo("".join(self.parts), nl=False)
            self.parts, self.length = [], 0


def _echo(text: Any) -> None:
    """Print a report's text: a string (and a newline), or an iterator of chunks that carry
    their own newlines (a streamed report), written as they come."""
    if isinstance(text, str):
        click.echo(text)
        return
    out = EchoStream()
    for chunk in text:
        out.write(chunk)
    out.flush()


def emit(
    fmt: str,
    *,
    table: Callable[[], str | Iterator[str]],
    document: Callable[[], Any],
    columns: tuple[str, ...] = (),
    rows: Callable[[], Iterable[dict[str, Any]]] | None = None,
    objects: Callable[[], Iterable[dict[str, Any]]] | None = None,
) -> None:
    """Print a report in ``fmt``, the same way in every command: ``table`` (text for people),
    ``json`` (one ``document``: an object, or its JSON text), ``csv`` (a header of ``columns``, then the flat ``rows``),
    ``ndjson`` (one of ``objects``, else of ``rows``, per line). ``table`` and ``document`` may
    give an iterator of text chunks instead (with their newlines): a report streamed as it is
    read."""
    from tracker import formats

    out = sys.stdout
    if fmt == "json":
        doc = document()
        _echo(doc if isinstance(doc, str | Iterator) else formats.to_json(doc))
    elif fmt == "csv":
        assert rows is not None
        formats.write_csv(columns, rows(), out)
    elif fmt == "ndjson":
        source = objects or rows
        assert source is not None
        formats.write_ndjson(source(), out)
    else:
        _echo(table())
