"""Rendering reports: a table for people, JSON and CSV for scripts (DESIGN.md section 3)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from typing import Any

from tracker.data import IngestSummary
from tracker.report.report import MeasureHistory, MeasureRow, StatusReport
from tracker.vocab import SubjectType

FORMATS = ("table", "json", "csv")
STATUS_LABEL = {
    "in_force": "in force",
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
        "evidence": [
            {"source": e.source, "published": e.published, "quote": e.quote} for e in row.evidence
        ],
    }
    if state.uncertain:
        out["uncertain"] = True
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
    text = f"since {s.since.iso()}" if s.since else "date unknown"
    if s.until:
        text += f", until {s.until.iso()}"
    if s.uncertain:
        text += " (uncertain)"
    return text


def status_table(report: StatusReport, *, include_all: bool = False, width: int = 80) -> str:
    """Grouped by subject: the subject on its own line, then one line per measure."""
    what = "All known measures" if include_all else "Facial-recognition measures in force"
    lines = [f"{what} as of {report.as_of.isoformat()}", ""]
    if not report.rows:
        lines.append("  (none)")
    current = None
    for row in report.rows:
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
        lines.extend(textwrap.wrap(head, width, subsequent_indent="      "))
    counts = {}
    for row in report.rows:
        counts[row.state.status.value] = counts.get(row.state.status.value, 0) + 1
    lines.append("")
    lines.append(
        f"{len(report.rows)} measure{'s' if len(report.rows) != 1 else ''}"
        + ("" if not include_all else " (" + ", ".join(f"{n} {STATUS_LABEL[k]}" for k, n in sorted(counts.items())) + ")")
        + ". 'tracker show ID' prints a measure's history and evidence."
    )
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
        lines.append(f"  {when}  {entry.status}{extra}  (confidence {entry.confidence:.2f}, {entry.origin})")
        quote = textwrap.wrap(f"\u201c{entry.evidence.quote}\u201d", width - 6)
        lines.extend("      " + q for q in quote)
        src = entry.evidence.source or "(no source)"
        pub = f", published {entry.evidence.published}" if entry.evidence.published else ""
        lines.append(f"      -- {src}{pub}")
    return "\n".join(lines)


def history_json(history: MeasureHistory) -> str:
    data = measure_dict(history.row)
    data["history"] = [
        {
            "id": e.change_id, "status": e.status, "date": e.date, "until": e.until,
            "open_ended": e.open_ended, "origin": e.origin, "confidence": e.confidence,
            "source": e.evidence.source, "published": e.evidence.published, "quote": e.evidence.quote,
        }
        for e in history.entries
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)


def summary_line(summary: IngestSummary) -> str:
    return (
        f"{summary.new} new, {summary.duplicate} duplicate, {summary.updated} updated, "
        f"{summary.failed} failed; {summary.facts} facts extracted"
    )


def summary_json(summary: IngestSummary) -> str:
    return json.dumps(summary.as_dict(), indent=2)
