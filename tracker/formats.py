"""Writing rows the same way in every command: CSV, JSON, NDJSON and a plain-text table.

Every report command offers ``--format table|json|csv`` (and ``ndjson`` where rows stream;
``tracker.commands.options`` names the formats); this module is what makes the formats agree: booleans are ``true``/``false`` everywhere (JSON's
own literals, the same words in CSV and tables), a missing value is JSON ``null`` and an empty
CSV cell, dates and timestamps are ISO 8601.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO


def json_default(value: Any) -> Any:
    """``json.dumps``' ``default`` for the values rows carry."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "iso"):  # tracker.dates.PartialDate
        return value.iso()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def text_value(value: Any) -> str:
    """A value as CSV and tables write it: ``true``/``false``, ISO dates, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if hasattr(value, "iso"):
        return value.iso()
    return str(value)


def to_json(data: Any) -> str:
    """A whole document, indented (``--format json``)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=json_default)


def ndjson_line(row: Mapping[str, Any]) -> str:
    """One object on one line (``--format ndjson``), without the newline."""
    return json.dumps(row, ensure_ascii=False, default=json_default)


def write_ndjson(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write one object per line; returns the number of rows."""
    count = 0
    for row in rows:
        out.write(ndjson_line(row) + "\n")
        count += 1
    return count


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write a header line, then one line per row (values by ``text_value``); returns the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([text_value(row.get(c)) for c in columns])
        count += 1
    return count


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    import io

    buffer = io.StringIO()
    write_csv(columns, rows, buffer)
    return buffer.getvalue()


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 measure``, ``2 measures`` (``words`` for an irregular plural)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def cell(value: Any, max_cell: int = 40) -> str:
    """A value as a table cell: one line, cut at ``max_cell`` characters with '…'."""
    text = " ".join(text_value(value).split())
    return text if len(text) <= max_cell else text[: max_cell - 1] + "\u2026"


def table_widths(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width: its longest cell or its header."""
    return [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]


def table_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def table_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A plain column table: a header in capitals, then one line per row."""
    cells = [[cell(v) for v in row] for row in rows]
    widths = table_widths(columns, cells)
    return [table_line([c.upper() for c in columns], widths)] + [table_line(r, widths) for r in cells]
