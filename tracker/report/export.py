"""Exporting a whole table or view as CSV, JSON or NDJSON, streamed in constant memory.

Rows are read in batches (a server-side cursor on PostgreSQL) and written one at a time, so a
database of any size exports with the memory of one batch. Tables come out in primary-key order
with their values typed by the models (dates, UTC timestamps, booleans) on every backend; views
come out as the database gives them (on SQLite, booleans are 0/1 and dates ISO text).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TextIO

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import Connection

from tracker.errors import TrackerError
from tracker.models import Base

FORMATS = ("csv", "json", "ndjson")
Kind = Literal["table", "view"]
BATCH = 1000

#: Row order of the views tracker creates (other views come out in their first column's order).
_VIEW_ORDER = {
    "measure_status_periods": ("measure_id", "period"),
    "status_change_evidence": ("change_id",),
}


class ExportError(TrackerError):
    """The table or view does not exist, or the format is unknown."""


def relations(engine: Engine) -> dict[str, list[str]]:
    """The names of the tables and views that can be exported: ``{"table": [...], "view": [...]}``."""
    inspector = inspect(engine)
    return {"table": sorted(inspector.get_table_names()), "view": sorted(inspector.get_view_names())}


def _check(engine: Engine, name: str, kind: Kind, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    known = relations(engine)[kind]
    if name not in known:
        raise ExportError(f"no {kind} is called {name!r}; the {kind}s are: {', '.join(known)}")


def _rows(conn: Connection, name: str, kind: Kind) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The column names and a streamed iterator over the rows of ``name``."""
    streamed = conn.execution_options(yield_per=BATCH)
    table = Base.metadata.tables.get(name) if kind == "table" else None
    if table is not None:
        result = streamed.execute(select(table).order_by(*table.primary_key.columns))
    else:
        quote = conn.dialect.identifier_preparer.quote
        columns = [c["name"] for c in inspect(conn).get_columns(name)]
        order = [c for c in _VIEW_ORDER.get(name, columns[:1]) if c in columns]
        if kind == "table":  # a table tracker's models do not know: its primary key, if any
            order = inspect(conn).get_pk_constraint(name)["constrained_columns"] or order
        order_by = f" ORDER BY {', '.join(quote(c) for c in order)}" if order else ""
        result = streamed.execute(text(f"SELECT * FROM {quote(name)}{order_by}"))
    return list(result.keys()), iter(result)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


_PLAIN = (str, int, float)  # written as they are (exact types: a bool is not plain)


def _csv_row(row: Sequence[Any]) -> list[Any]:
    return [v if type(v) in _PLAIN else _csv_value(v) for v in row]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def export_relation(engine: Engine, name: str, kind: Kind, fmt: str, out: TextIO) -> int:
    """Write every row of the table or view ``name`` to ``out``; returns the number of rows.

    Args:
        engine: the database.
        name: a table or view name (``relations`` lists them).
        kind: ``"table"`` or ``"view"``.
        fmt: ``csv`` (a header line, then one line per row), ``json`` (one array of objects) or
            ``ndjson`` (one object per line).
        out: a text stream; nothing is written to it when the name or format is wrong.

    Raises:
        ExportError: no such table or view, or an unknown format.
    """
    _check(engine, name, kind, fmt)
    count = 0
    with engine.connect() as conn:
        columns, rows = _rows(conn, name, kind)
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(_csv_row(row))
                count += 1
            return count
        if fmt == "json":
            out.write("[")
        for row in rows:
            line = json.dumps(dict(zip(columns, row, strict=True)), default=_json_default, ensure_ascii=False)
            if fmt == "json":
                out.write(("\n" if count == 0 else ",\n") + line)
            else:
                out.write(line + "\n")
            count += 1
        if fmt == "json":
            out.write("\n]\n" if count else "]\n")
    return count
