"""What the commands share: context settings, parameter types, the Tracker for this
invocation, the output-format option and the error handler (sqlite-utils' ``output_options``).

Nothing heavy is imported here at module level: ``--help`` must stay fast.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.app import Tracker

CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "TRACKER", "max_content_width": 100}

#: the report formats: a table for people, JSON and CSV for scripts
REPORT_FORMATS = ("table", "json", "csv")
#: the summary formats of long-running commands (ingest, feeds poll)
SUMMARY_FORMATS = ("text", "json")


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
    return root.obj["tracker"]


@contextmanager
def no_op() -> Iterator[None]:
    yield
