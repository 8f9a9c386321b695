"""Rendering reports: a table for people, JSON and CSV for scripts (the JSON contract is in docs/cli.md)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
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


def status_json(report: StatusReport) -> str:
    return json.dumps(
        {"as_of": report.as_of.isoformat(), "measures": [measure_dict(r) for r in report.rows]},
        indent=2,
        ensure_ascii=False,
    )


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


def _by_level(report: StatusReport) -> list[tuple[str | None, MeasureRow]]:
    from tracker.geography import LEVEL_TITLES, LEVELS

    order = sorted(report.rows, key=lambda r: LEVELS.get(r.level or "", 9))
    return [(LEVEL_TITLES.get(r.level or "", r.level), r) for r in order]


def status_table(report: StatusReport, *, include_all: bool = False, width: int = 80, by_level: bool = False) -> str:
    """Grouped by subject: the subject on its own line, then one line per measure. With
    ``by_level`` (a roll-up), the subjects are grouped under their level (State, Counties,
    Cities and towns...)."""
    what = "All known measures" if include_all else "Facial-recognition measures in force"
    lines = [*textwrap.wrap(f"{what} as of {report.as_of.isoformat()}", width), ""]
    if not report.rows:
        lines.append("  (none)")
    current = None
    level_now: str | None = None
    rows = _by_level(report) if by_level else [(None, r) for r in report.rows]
    for level, row in rows:
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
    counts = {}
    for row in report.rows:
        counts[row.state.status.value] = counts.get(row.state.status.value, 0) + 1
    lines.append("")
    n = len(report.rows)
    breakdown = ", ".join(f"{c} {STATUS_LABEL[k]}" for k, c in sorted(counts.items()))
    lines.extend(textwrap.wrap(
        f"{n} measure{'s' if n != 1 else ''}"
        + (f" ({breakdown})" if include_all and breakdown else "")
        + ". 'tracker show ID' prints a measure's history and evidence.",
        width,
    ))
    return "\n".join(lines)


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
