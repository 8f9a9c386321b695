"""Reports as rows for scripts: the JSON objects, NDJSON lines and CSV lines of ``status``,
``show`` and ``timeline`` (``tracker.formats`` writes them; ``render`` draws the tables).

An NDJSON status row is the object of ``status --format json``'s ``measures`` list (docs/cli.md,
``render.measure_dict``) with the report's day; CSV flattens it. A history row is one status change of a measure; a timeline row is one
event. Booleans stay booleans here: the writers spell them ``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from tracker.report.render import measure_dict
from tracker.report.report import Evidence, MeasureHistory, MeasureRow

STATUS_COLUMNS = (
    "as_of", "subject_type", "subject", "ocd_id", "measure_id", "kind", "scope", "status",
    "since", "until", "uncertain", "sources",
    # the JSON record's scalar keys from curation (issue 9), after the older columns
    "reviewed", "known_by", "in_force_from", "effective_assumed",
)
HISTORY_COLUMNS = (
    "measure_id", "change_id", "status", "date", "until", "open_ended", "origin", "confidence",
    "source", "published", "quote",
)
TIMELINE_COLUMNS = (
    "date", "reported_by", "measure_id", "subject_type", "subject", "kind", "scope", "status",
    "until", "open_ended", "end_of_term", "sources", "source", "published", "quote",
)


def _evidence(e: Evidence) -> dict[str, Any]:
    return {"source": e.source, "published": e.published, "quote": e.quote}


def status_ndjson(as_of: dt.date, rows: Iterable[MeasureRow]) -> Iterator[dict[str, Any]]:
    """One object per measure, each with the report's day (``as_of``) first (``rows`` may be a
    stream: ``status_report``'s rows or ``Tracker.status_rows``)."""
    day = as_of.isoformat()
    for row in rows:
        yield {"as_of": day, **measure_dict(row)}


def status_flat(as_of: dt.date, rows: Iterable[MeasureRow]) -> Iterator[dict[str, Any]]:
    """One flat row per measure (``STATUS_COLUMNS``). The curation keys are read from the JSON
    record (``measure_dict``), so that CSV and JSON agree: a key the record leaves out is an
    empty cell, or ``false`` for a boolean."""
    for row in rows:
        s = row.state
        record = measure_dict(row)
        yield {
            "as_of": as_of, "subject_type": row.subject.type.value,
            "subject": row.subject.name, "ocd_id": row.subject.ocd_id, "measure_id": row.measure_id,
            "kind": row.kind, "scope": row.scope, "status": s.status.value,
            "since": s.since, "until": s.until, "uncertain": bool(s.uncertain),
            "sources": len({e.source for e in row.evidence}),
            "reviewed": bool(record.get("reviewed")), "known_by": record.get("known_by"),
            "in_force_from": record.get("in_force_from"),
            "effective_assumed": bool(record.get("effective_assumed")),
        }


def history_rows(history: MeasureHistory) -> Iterator[dict[str, Any]]:
    """One row per status change of the measure, oldest first (``HISTORY_COLUMNS``)."""
    for e in history.entries:
        yield {
            "measure_id": history.row.measure_id, "change_id": e.change_id, "status": e.status,
            "date": e.date, "until": e.until, "open_ended": e.open_ended, "origin": e.origin,
            "confidence": e.confidence, **_evidence(e.evidence),
        }
