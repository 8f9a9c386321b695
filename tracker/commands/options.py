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

    return wrapper


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
    """The Tracker for this invocation, opened on first use and closed when the command ends."""
    root = ctx.find_root()
    if root.obj.get("tracker") is None:
        root.obj["tracker"] = make_tracker(root.obj["database"], **kwargs)
        root.call_on_close(root.obj["tracker"].close)
    return root.obj["tracker"]


@contextmanager
def no_op() -> Iterator[None]:
    yield
