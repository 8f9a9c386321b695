"""Curation commands: ``facts confirm|reject|correct|add`` and ``review``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from tracker.commands.options import (
    CONTEXT,
    DATE,
    ID,
    fail,
    format_option,
    get_tracker,
    handle_errors,
)

STATUSES = ("proposed", "enacted", "in_force", "extended", "suspended", "failed", "expired", "repealed")
KINDS = ("ban", "moratorium", "restriction")


class PartialDateParam(click.ParamType):
    """A date kept at its precision: 2021, 2021-05 or 2021-05-14."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from tracker.dates import PartialDate

        if not isinstance(value, str):
            return value
        try:
            return PartialDate.parse(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


PARTIAL_DATE = PartialDateParam()


def by_option(f: Any) -> Any:
    f = click.option("--reason", metavar="TEXT", help="Why (kept with the decision).")(f)
    return click.option("--by", metavar="NAME", help="Who decides (default: your login name).")(f)


def _echo_result(result: Any, fmt: str) -> None:
    import json

    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"decision {result.decision_id}: {result.summary}")


def _decide(ctx: click.Context, fn: Any, *args: Any, by: str | None, reason: str | None, **kwargs: Any) -> Any:
    from tracker.curate.decisions import default_person

    tracker = get_tracker(ctx)
    with tracker.sessions.begin() as session:
        return fn(session, *args, by=by or default_person(), reason=reason, now=tracker.clock(), **kwargs)


@click.group("facts", context_settings=CONTEXT)
def facts() -> None:
    """Confirm, reject, correct or add facts (status changes) by hand.

    Every decision is stored with who made it (--by), when and why (--reason), and survives
    re-ingesting and 'tracker reextract'. 'tracker show MEASURE' and 'tracker sources show ID'
    give the fact ids.

    \b
    Examples:
      tracker facts reject 106 --reason "this is Portland, Oregon's ban"
      tracker facts confirm 1
      tracker facts correct 45 --date 2020-09-09 --status enacted
      tracker facts add --subject "Teaneck, NJ" --kind ban --scope "police use" \\
          --status enacted --date 2021-06 --source https://example.org/teaneck \\
          --quote "Teaneck's council voted to ban police use of facial recognition."
    """


@facts.command("confirm", context_settings=CONTEXT)
@click.argument("fact_id", type=ID)
@by_option
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def confirm(ctx: click.Context, fact_id: int, by: str | None, reason: str | None, fmt: str) -> None:
    """Mark a fact as right: it counts, and 'status --reviewed' reports it.

    Example: tracker facts confirm 1 --by alice
    """
    from tracker.curate import decisions

    _echo_result(_decide(ctx, decisions.confirm, fact_id, by=by, reason=reason), fmt)


@facts.command("reject", context_settings=CONTEXT)
@click.argument("fact_id", type=ID)
@by_option
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def reject(ctx: click.Context, fact_id: int, by: str | None, reason: str | None, fmt: str) -> None:
    """Mark a fact as wrong: it never counts again, even when re-extraction finds it again.

    Example: tracker facts reject 106 --reason "belongs to Portland, Oregon"
    """
    from tracker.curate import decisions

    _echo_result(_decide(ctx, decisions.reject, fact_id, by=by, reason=reason), fmt)


@facts.command("correct", context_settings=CONTEXT)
@click.argument("fact_id", type=ID)
@click.option("--status", type=click.Choice(STATUSES), help="The right status.")
@click.option("--date", "date", type=PARTIAL_DATE, help="The right date: 2021, 2021-05 or 2021-05-14 (its precision is kept).")
@click.option("--end", type=PARTIAL_DATE, help="The right end date.")
@click.option("--no-end", is_flag=True, help="The measure has no end date.")
@click.option("--subject", metavar="NAME", help='The right subject: "Portland, Ore.", "MA", "Amazon"...')
@click.option("--kind", type=click.Choice(KINDS), help="The right kind of measure.")
@click.option("--scope", metavar="TEXT", help='The right scope ("police use", "private use in public places"...).')
@by_option
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def correct(ctx: click.Context, fact_id: int, status: str | None, date: Any, end: Any, no_end: bool,
            subject: str | None, kind: str | None, scope: str | None, by: str | None, reason: str | None, fmt: str) -> None:
    """Correct a fact: a manual fact with the right values replaces it (same source, same quote).

    Example: tracker facts correct 106 --subject "Portland, Ore."
    """
    from tracker.curate import decisions
    from tracker.vocab import MeasureKind, Status

    correction = decisions.Correction(
        status=Status(status) if status else None, date=date, end=end, subject=subject,
        kind=MeasureKind(kind) if kind else None, scope=scope, no_end=no_end,
    )
    _echo_result(_decide(ctx, decisions.correct, fact_id, correction, by=by, reason=reason), fmt)


@facts.command("add", context_settings=CONTEXT)
@click.option("--subject", required=True, metavar="NAME", help='Who adopted it: "Teaneck, NJ", "MA", "Amazon"...')
@click.option("--kind", required=True, type=click.Choice(KINDS), help="The kind of measure.")
@click.option("--scope", default="government use", show_default=True, metavar="TEXT", help="Whose use it restricts.")
@click.option("--status", required=True, type=click.Choice(STATUSES), help="What happened.")
@click.option("--date", "date", type=PARTIAL_DATE, help="When: 2021, 2021-06 or 2021-06-08 (omit if unknown).")
@click.option("--end", type=PARTIAL_DATE, help="When it ends, if it does.")
@click.option("--source", required=True, metavar="URL", help="The article or document that says so.")
@click.option("--quote", required=True, metavar="TEXT", help="The sentence that says so.")
@click.option("--published", type=DATE, help="The source's publication date.")
@click.option("--title", metavar="TEXT", help="The source's title.")
@by_option
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def add(ctx: click.Context, subject: str, kind: str, scope: str, status: str, date: Any, end: Any, source: str,
        quote: str, published: dt.date | None, title: str | None, by: str | None, reason: str | None, fmt: str) -> None:
    """Enter a fact by hand, with its source. It outranks what extraction says of the same measure.

    \b
    Example:
      tracker facts add --subject "Teaneck, NJ" --kind ban --scope "police use" \\
          --status enacted --date 2021-06 --source https://example.org/teaneck-ban \\
          --quote "The Teaneck council voted to ban police use of facial recognition."
    """
    from tracker.curate import decisions
    from tracker.vocab import MeasureKind, Status

    fact = decisions.ManualFact(
        subject=subject, kind=MeasureKind(kind), status=Status(status), date=date, source=source,
        quote=quote, scope=scope, end=end, published=published, title=title,
    )
    _echo_result(_decide(ctx, decisions.add, fact, by=by, reason=reason), fmt)


def stdin_is_terminal() -> bool:
    """Whether the review can ask its questions: stdin is open and a terminal (tests replace
    this to answer from a string)."""
    import sys

    stdin = sys.stdin
    try:
        return stdin is not None and not stdin.closed and stdin.isatty()
    except (OSError, ValueError):
        return False


@click.command("review", context_settings=CONTEXT)
@click.option("--limit", type=int, default=20, show_default=True, help="At most this many facts.")
@click.option("--as-of", type=DATE, help="'In force' means in force on this day (default: today).")
@click.option("--by", metavar="NAME", help="Who decides (default: your login name).")
@format_option(("table", "json"), help="table: review interactively; json: list the queue for scripts.")
@click.pass_context
@handle_errors
def review(ctx: click.Context, limit: int, as_of: dt.date | None, by: str | None, fmt: str) -> None:
    """Review unreviewed facts, those that matter most first (low confidence, in force, one source).

    For each fact: [c]onfirm, [r]eject, c[o]rrect, [s]kip or [q]uit.

    \b
    Examples:
      tracker review --by alice
      tracker review --format json --limit 100 > queue.json
    """
    import json

    from tracker.curate import queue

    if fmt != "json" and not stdin_is_terminal():
        fail("'tracker review' asks its questions in a terminal, and stdin is not one: "
             "list the queue with 'tracker review --format json', decide with 'tracker facts confirm|reject|correct ID'")
    tracker = get_tracker(ctx)
    with tracker.sessions() as session:
        items = queue.review_queue(session, as_of or tracker.today(), limit=limit)
    if fmt == "json":
        click.echo(json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False))
        return
    queue.interactive(tracker, items, by=by)
