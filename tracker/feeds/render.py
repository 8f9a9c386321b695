"""Rendering feed reports: a table for people, JSON and CSV for scripts, and one logfmt line
per polled feed for logs."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from tracker.formats import csv_text, plural

from .data import FeedOutcome, PollSummary
from .manage import FeedRow
from .schedule import format_interval


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if value else "-"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def feed_dict(row: FeedRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "name": row.name,
        "title": row.title,
        "interval": format_interval(row.interval_seconds),
        "fetch_articles": row.fetch_articles,
        "last_poll": _iso(row.last_poll_at),
        "last_success": _iso(row.last_success_at),
        "next_poll": _iso(row.next_poll_at),
        "entries": row.entries,
        "errors": row.error_count,
        "last_error": row.last_error,
        "disabled": row.disabled,
        "disabled_reason": row.disabled_reason,
    }


def feeds_json(rows: Sequence[FeedRow]) -> str:
    return json.dumps([feed_dict(r) for r in rows], indent=2, ensure_ascii=False)


FEED_COLUMNS = (
    "id", "url", "name", "title", "interval", "fetch_articles", "last_poll", "last_success",
    "next_poll", "entries", "errors", "last_error", "disabled", "disabled_reason",
)


def feeds_csv(rows: Sequence[FeedRow]) -> str:
    """A header line, then one line per feed; booleans ``true``/``false`` (``tracker.formats``)."""
    return csv_text(FEED_COLUMNS, (feed_dict(r) for r in rows))


def feeds_table(rows: Sequence[FeedRow], width: int = 80) -> str:
    """One line per feed (times in UTC), and under it the last error or why it is disabled,
    wrapped to ``width``: a feed whose address does not fit goes on a line of its own."""
    if not rows:
        return "No feeds. Add one with: tracker feeds add URL_OR_PATH"
    lines = [
        f"{'ID':>4}  {'EVERY':<6} {'LAST POLL (UTC)':<16}  {'NEXT POLL (UTC)':<16}  {'ENTRIES':>7}  FEED"
    ]
    for row in rows:
        label = row.name or row.title
        next_poll = "disabled" if row.disabled else _when(row.next_poll_at)
        fixed = (
            f"{row.id:>4}  {format_interval(row.interval_seconds):<6} {_when(row.last_poll_at):<16}  "
            f"{next_poll:<16}  {row.entries:>7}  "
        )
        feed = row.url + (f"  ({label})" if label else "")
        if len(fixed) + len(feed) <= width:
            lines.append(fixed + feed)
        else:  # the address whole on the next line: a cut URL cannot be copied
            lines.append(fixed.rstrip())
            lines.extend(_wrapped(feed, width))
        if row.disabled and row.disabled_reason:
            lines.extend(_wrapped(f"disabled: {row.disabled_reason}", width))
        if row.last_error:
            times = f" ({row.error_count} failures in a row)" if row.error_count > 1 else ""
            lines.extend(_wrapped(f"last error: {row.last_error}{times}", width))
    return "\n".join(lines)


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` under a feed's line, indented, wrapped at spaces (never inside a URL)."""
    return textwrap.wrap(
        text, max(width, 40), initial_indent=" " * 6, subsequent_indent=" " * 8,
        break_long_words=False, break_on_hyphens=False,
    )


def summary_line(summary: PollSummary) -> str:
    f, e = summary.feeds, summary.entries
    polled = sum(f.values()) - f["skipped"]
    line = (
        f"feeds: {polled} polled ({f['new']} new, {f['updated']} updated, {f['unchanged']} "
        f"unchanged, {f['failed']} failed)"
    )
    if f["skipped"]:
        line += f", {f['skipped']} skipped"
    return (
        line + f"; entries: {e['new']} new, {e['updated']} updated, {e['unchanged']} unchanged, "
        f"{e['duplicate']} duplicate, {e['failed']} failed; {plural(summary.facts, 'fact')} extracted"
    )


def summary_json(summary: PollSummary) -> str:
    return json.dumps(summary.as_dict(), indent=2, ensure_ascii=False)


def _logfmt_value(value: object) -> str:
    text = str(value)
    if not text or any(c in text for c in ' ="\\'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def outcome_line(outcome: FeedOutcome, at: dt.datetime | None = None) -> str:
    """One structured (logfmt) line about a polled feed, led by its ISO 8601 UTC time ``at``."""
    fields: list[tuple[str, object]] = [("feed", outcome.feed_id), ("result", outcome.result)]
    if at is not None:
        fields.insert(0, ("time", _iso(at)))
    if outcome.url:
        fields.append(("url", outcome.url))
    if outcome.status is not None:
        fields.append(("status", outcome.status))
    for key in ("new", "updated", "unchanged", "duplicate", "failed", "facts"):
        if getattr(outcome, key):
            fields.append((key, getattr(outcome, key)))
    if outcome.next_poll_at:
        fields.append(("next_poll", _iso(outcome.next_poll_at)))
    if outcome.error:
        fields.append(("error", outcome.error))
    if outcome.note:
        fields.append(("note", outcome.note))
    return " ".join(f"{k}={_logfmt_value(v)}" for k, v in fields)


