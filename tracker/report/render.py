"""Rendering reports: a table for people, JSON and CSV for scripts (the JSON contract is in docs/cli.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from tracker.data import IngestSummary
from tracker.formats import plural
from tracker.report.report import MeasureHistory, MeasureRow, StatusReport
from tracker.vocab import SubjectType

FORMATS = ("table", "json", "csv")
STATUS_LABEL = {
    "in_force": "in force",
    "enacted": "enacted",
    "proposed": "proposed",
    "failed": "failed",
    "expired": "expired",
    "suspended": "suspended",
    "repealed": "repealed",
}


def measure_dict(row: MeasureRow) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": row.subject.type.value, "name": row.subject.name}
    subject["ocd_id"] = row.subject.ocd_id if row.subject.type is SubjectType.JURISDICTION else None
    state = row.state
    out: dict[str, Any] = {
        "subject": subject,
        "measure": {"id": row.measure_id, "kind": row.kind, "scope": row.scope, "title": row.title},
        "status": state.status.value,
        "since": state.since.iso() if state.since else None,
        "until": state.until.iso() if state.until else None,
        "evidence": [_evidence_dict(e) for e in row.evidence],
    }
    if state.uncertain:
        out["uncertain"] = True
    if state.known_by is not None:
        out["known_by"] = state.known_by.isoformat()
    if state.in_force_from is not None:
        out["in_force_from"] = state.in_force_from.iso()
    if state.effective_assumed:
        out["effective_assumed"] = True
    out["reviewed"] = row.reviewed
    return out


def _evidence_dict(e: Any) -> dict[str, Any]:
    out = {"source": e.source, "published": e.published, "quote": e.quote}
    if e.published_guessed:
        out["published_guessed"] = True
    return out


_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # the C encoder, as json.dumps


def dumps_indented(value: Any, pad: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` with every line after the first
    indented by ``pad``: the same text, several times faster (the standard library encodes in
    Python whenever it indents). Exact types are tested first: they are nearly all there is."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        items = []
        for k, v in value.items():
            if type(k) is not str:
                return _dumps(value, pad)
            items.append(inner + _string(k) + ": " + dumps_indented(v, inner))
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join([inner + dumps_indented(v, inner) for v in value]) + "\n" + pad + "]"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return dumps_indented(dict(value), pad)
    if isinstance(value, list | tuple):
        return dumps_indented(list(value), pad)
    return _dumps(value, pad)


def _dumps(value: Any, pad: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


def status_json(report: StatusReport) -> str:
    return "".join(status_json_chunks(report.as_of, report.rows)).removesuffix("\n")


def status_json_chunks(as_of: dt.date, rows: Iterable[MeasureRow]) -> Iterator[str]:
    """The status report as the JSON object of docs/cli.md, a measure at a time: the same text
    as ``json.dumps(..., indent=2, ensure_ascii=False)`` of the whole object, and a newline."""
    yield '{\n  "as_of": ' + json.dumps(as_of.isoformat()) + ',\n  "measures": ['
    first = True
    for row in rows:
        yield ("\n    " if first else ",\n    ") + dumps_indented(measure_dict(row), "    ")
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"


CSV_FIELDS = (
    "as_of", "subject_type", "subject", "ocd_id", "measure_id", "kind", "scope", "status",
    "since", "until", "uncertain", "sources",
)


def status_csv(report: StatusReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in report.rows:
        s = row.state
        writer.writerow([
            report.as_of.isoformat(), row.subject.type.value, row.subject.name,
            row.subject.ocd_id or "", row.measure_id, row.kind, row.scope, s.status.value,
            s.since.iso() if s.since else "", s.until.iso() if s.until else "",
            "true" if s.uncertain else "false", len({e.source for e in row.evidence}),
        ])
    return buffer.getvalue()


def _period(row: MeasureRow) -> str:
    s = row.state
    if s.since:
        text = f"since {s.since.iso()}"
    elif s.known_by:
        text = f"date unknown, reported by {s.known_by.isoformat()}"
    else:
        text = "date unknown"
    if s.in_force_from:
        text += f" (in force from {s.in_force_from.iso()})"
    if s.until:
        text += f", until {s.until.iso()}"
    if s.uncertain:
        text += " (uncertain)"
    return text


def _by_level(rows: Iterable[MeasureRow]) -> list[MeasureRow]:
    from tracker.geography import LEVELS

    return sorted(rows, key=lambda r: LEVELS.get(r.level or "", 9))


def status_table(report: StatusReport, *, include_all: bool = False, width: int = 80, by_level: bool = False) -> str:
    """Grouped by subject: the subject on its own line, then one line per measure. With
    ``by_level`` (a roll-up), the subjects are grouped under their level (State, Counties,
    Cities and towns...)."""
    chunks = status_table_chunks(report.as_of, report.rows, include_all=include_all, width=width, by_level=by_level)
    return "".join(chunks).removesuffix("\n")


def status_table_chunks(
    as_of: dt.date, rows: Iterable[MeasureRow], *, include_all: bool = False, width: int = 80, by_level: bool = False
) -> Iterator[str]:
    """``status_table``'s text and a newline, a measure at a time: ``rows`` come in report order
    (grouped by subject). ``by_level`` regroups them, so it holds them all (a roll-up is one
    state's measures)."""
    from tracker.geography import LEVEL_TITLES

    what = "All known measures" if include_all else "Facial-recognition measures in force"
    yield "\n".join([*textwrap.wrap(f"{what} as of {as_of.isoformat()}", width), ""]) + "\n"
    if by_level:
        rows = _by_level(rows)
    current = None
    level_now: str | None = None
    counts: dict[str, int] = {}
    n = 0
    for row in rows:
        lines = []
        level = LEVEL_TITLES.get(row.level or "", row.level) if by_level else None
        if by_level and level != level_now:
            if level_now is not None:
                lines.append("")
            lines.append(f"== {level} ==")
            level_now, current = level, None
        key = (row.subject.type, row.subject.name)
        if key != current:
            if current is not None:
                lines.append("")
            kind = "company" if row.subject.type is SubjectType.COMPANY else ""
            lines.append(f"{row.subject.name}" + (f" ({kind})" if kind else ""))
            current = key
        label = STATUS_LABEL[row.state.status.value]
        head = f"  [{row.measure_id}] {row.kind} ({row.scope}): {label}, {_period(row)}"
        sources = len({e.source for e in row.evidence})
        head += f" [{sources} source{'s' if sources != 1 else ''}]"
        if row.reviewed:
            head += " [reviewed]"
        lines.extend(textwrap.wrap(head, width, subsequent_indent="      "))
        counts[row.state.status.value] = counts.get(row.state.status.value, 0) + 1
        n += 1
        yield "".join(line + "\n" for line in lines)
    if not n:
        yield "  (none)\n"
    breakdown = ", ".join(f"{c} {STATUS_LABEL[k]}" for k, c in sorted(counts.items()))
    yield "\n" + "\n".join(textwrap.wrap(
        f"{n} measure{'s' if n != 1 else ''}"
        + (f" ({breakdown})" if include_all and breakdown else "")
        + ". 'tracker show ID' prints a measure's history and evidence.",
        width,
    )) + "\n"


def history_table(history: MeasureHistory, width: int = 80) -> str:
    row = history.row
    lines = [
        f"Measure {row.measure_id}: {row.title}",
        f"  subject: {row.subject.name}" + (f" ({row.subject.ocd_id})" if row.subject.ocd_id else " (company)"),
        f"  kind: {row.kind}   scope: {row.scope}",
        f"  status: {STATUS_LABEL[row.state.status.value]}, {_period(row)}",
        "",
        "History (oldest first):",
    ]
    for entry in history.entries:
        when = entry.date or "date unknown"
        extra = f", until {entry.until}" if entry.until else ""
        extra += ", until further notice" if entry.open_ended else ""
        review = f", {entry.review}" if entry.review else ""
        lines.append(f"  [{entry.change_id}] {when}  {entry.status}{extra}  (confidence {entry.confidence:.2f}, {entry.origin}{review})")
        quote = textwrap.wrap(f"\u201c{entry.evidence.quote}\u201d", width - 6)
        lines.extend("      " + q for q in quote)
        src = entry.evidence.source or "(no source)"
        pub = f", published {entry.evidence.published}" if entry.evidence.published else ""
        pub += " (guessed)" if entry.evidence.published_guessed else ""
        lines.append(f"      -- {src}{pub}")
    return "\n".join(lines)


def history_json(history: MeasureHistory) -> str:
    data = measure_dict(history.row)
    data["history"] = [
        {
            "id": e.change_id, "status": e.status, "date": e.date, "until": e.until,
            "open_ended": e.open_ended, "origin": e.origin, "confidence": e.confidence,
            "source": e.evidence.source, "published": e.evidence.published, "quote": e.evidence.quote,
            "published_guessed": e.evidence.published_guessed, "review": e.review,
        }
        for e in history.entries
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)


def summary_line(summary: IngestSummary) -> str:
    return (
        f"{summary.new} new, {summary.duplicate} duplicate, {summary.updated} updated, "
        f"{summary.failed} failed; {plural(summary.facts, 'fact')} extracted"
    )


def summary_json(summary: IngestSummary) -> str:
    return json.dumps(summary.as_dict(), indent=2)
