"""Rendering reports: a table for people, JSON and CSV for scripts (DESIGN.md section 3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap
from collections.abc import Iterable
from typing import Any, TextIO

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


_string = json.encoder.encode_basestring  # the C encoder, when there is one (as json.dumps)


def dumps_indented(value: Any, pad: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` with every line after the first
    indented by ``pad``: the same text, several times faster (the standard library encodes in
    Python whenever it indents)."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int) and type(value) is int:
        return int.__repr__(value)
    if isinstance(value, dict) and all(type(k) is str for k in value):
        if not value:
            return "{}"
        inner = pad + "  "
        items = [inner + _string(k) + ": " + dumps_indented(v, inner) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + dumps_indented(v, inner) for v in value) + "\n" + pad + "]"
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


def status_json(report: StatusReport) -> str:
    buffer = io.StringIO()
    write_status_json(report.as_of, report.rows, buffer)
    return buffer.getvalue().removesuffix("\n")


def write_status_json(as_of: dt.date, rows: Iterable[MeasureRow], out: TextIO) -> int:
    """Write the status report as the JSON object of DESIGN.md section 3, one measure at a time
    (the same text as ``json.dumps(..., indent=2)`` of the whole object, and a newline); returns
    the number of measures."""
    out.write('{\n  "as_of": ' + json.dumps(as_of.isoformat()) + ',\n  "measures": [')
    count = 0
    for row in rows:
        text = dumps_indented(measure_dict(row), "    ")
        out.write(("\n    " if count == 0 else ",\n    ") + text)
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


CSV_FIELDS = (
    "as_of", "subject_type", "subject", "ocd_id", "measure_id", "kind", "scope", "status",
    "since", "until", "uncertain", "sources",
)


def status_csv(report: StatusReport) -> str:
    buffer = io.StringIO()
    write_status_csv(report.as_of, report.rows, buffer)
    return buffer.getvalue()


def write_status_csv(as_of: dt.date, rows: Iterable[MeasureRow], out: TextIO) -> int:
    """Write the status report as CSV (a header, then a line per measure), streamed."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    day = as_of.isoformat()
    count = 0
    for row in rows:
        s = row.state
        writer.writerow([
            day, row.subject.type.value, row.subject.name,
            row.subject.ocd_id or "", row.measure_id, row.kind, row.scope, s.status.value,
            s.since.iso() if s.since else "", s.until.iso() if s.until else "",
            "true" if s.uncertain else "false", len({e.source for e in row.evidence}),
        ])
        count += 1
    return count


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
    buffer = io.StringIO()
    write_status_table(report.as_of, report.rows, buffer, include_all=include_all, width=width)
    return buffer.getvalue().removesuffix("\n")


def write_status_table(
    as_of: dt.date, rows: Iterable[MeasureRow], out: TextIO, *, include_all: bool = False, width: int = 80
) -> int:
    """``status_table``, streamed: rows must come grouped by subject (as reports give them)."""
    what = "All known measures" if include_all else "Facial-recognition measures in force"
    out.write(f"{what} as of {as_of.isoformat()}\n\n")
    current = None
    counts: dict[str, int] = {}
    total = 0
    for row in rows:
        lines = []
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
        lines.extend(textwrap.wrap(head, width, subsequent_indent="      ") if len(head) > width or not head.isprintable() else [head])
        out.write("\n".join(lines) + "\n")
        counts[row.state.status.value] = counts.get(row.state.status.value, 0) + 1
        total += 1
    if not total:
        out.write("  (none)\n")
    out.write(
        f"\n{total} measure{'s' if total != 1 else ''}"
        + ("" if not include_all else " (" + ", ".join(f"{n} {STATUS_LABEL[k]}" for k, n in sorted(counts.items())) + ")")
        + ". 'tracker show ID' prints a measure's history and evidence.\n"
    )
    return total


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


def evaluation_json(result: Any) -> str:
    return json.dumps(result.as_dict(), indent=2)


def evaluation_text(result: Any, *, details: bool = False) -> str:
    data = result.as_dict()
    f, st = data["facts"], data["status"]
    lines = [
        f"status changes: {f['found']}/{f['expected']} expected found (recall {f['recall']:.3f}), "
        f"{f['correct']}/{f['extracted']} extracted correct (precision {f['precision']:.3f}); "
        f"kind right for {f['kind_right_among_found']}/{f['found']} found",
        f"status --all on {st['dates']} dates: {st['found_in_force']}/{st['expected_in_force']} "
        f"expected in force found (recall {st['recall']:.3f}), {st['false_in_force']} false 'in force' claims",
    ]
    for day in st["by_date"]:
        line = f"  {day['as_of']}: {day['found_in_force']}/{day['expected_in_force']} in force found"
        if day["false_in_force"]:
            line += "; FALSE: " + ", ".join(day["false_in_force"])
        if day["missing"]:
            line += "; missing: " + ", ".join(day["missing"])
        lines.append(line)
    if details:
        lines.append("missed facts:")
        lines.extend(f"  {m['article']}: {m['subject']} {m['status']} {m['date']}" for m in data["misses"])
        lines.append("extra facts:")
        lines.extend(f"  {m['article']}: {m['subject']} {m['status']} {m['date']}" for m in data["extras"])
    return "\n".join(lines)
