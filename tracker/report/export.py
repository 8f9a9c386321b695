"""Exporting a whole table or view as CSV, JSON or NDJSON, streamed in constant memory.

Rows are read in batches (a server-side cursor on PostgreSQL) and written one at a time, so a
database of any size exports with the memory of one batch. Tables come out in primary-key order
with their values typed by the models (dates, UTC timestamps, booleans) on every backend; views
come out as the database gives them, but for booleans, which are ``true``/``false`` on every
backend (SQLite gives 0/1) as in every other format of every command (``tracker.formats``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TextIO

from sqlalchemy import Boolean, Engine, inspect, select, text
from sqlalchemy.engine import Connection

from tracker.errors import TrackerError
from tracker.formats import json_default, text_value
from tracker.models import Base

FORMATS = ("csv", "json", "ndjson", "table")
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


#: Columns of tracker's views that are booleans computed by an expression (SQLite reports no
#: type for them; columns read straight from a table keep the table's BOOLEAN type).
_VIEW_BOOLEANS = {"in_force"}


def _booleans(conn: Connection, name: str, columns: list[str]) -> list[int]:
    """The positions of a view's boolean columns, when the database gives them as 0/1."""
    if conn.dialect.name != "sqlite":
        return []
    types = {c["name"]: c["type"] for c in inspect(conn).get_columns(name)}
    return [i for i, c in enumerate(columns) if c in _VIEW_BOOLEANS or isinstance(types.get(c), Boolean)]


def _rows(conn: Connection, name: str, kind: Kind) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The column names and a streamed iterator over the rows of ``name`` (booleans as
    booleans on every backend)."""
    table = Base.metadata.tables.get(name) if kind == "table" else None
    if table is not None:  # yield_per on the statement, not the connection (it would stay there)
        result = conn.execute(select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH))
    else:
        quote = conn.dialect.identifier_preparer.quote
        columns = [c["name"] for c in inspect(conn).get_columns(name)]
        order = [c for c in _VIEW_ORDER.get(name, columns[:1]) if c in columns]
        if kind == "table":  # a table tracker's models do not know: its primary key, if any
            order = inspect(conn).get_pk_constraint(name)["constrained_columns"] or order
        order_by = f" ORDER BY {', '.join(quote(c) for c in order)}" if order else ""
        result = conn.execute(text(f"SELECT * FROM {quote(name)}{order_by}").execution_options(yield_per=BATCH))
        keys = list(result.keys())
        flags = _booleans(conn, name, keys)
        if flags:
            return keys, (
                [bool(v) if i in flags and v is not None else v for i, v in enumerate(row)] for row in result
            )
    return list(result.keys()), iter(result)


def _write_table(columns: list[str], rows: Iterator[Sequence[Any]], out: TextIO) -> int:
    """Aligned columns for reading, streamed: the widths come from the first batch of rows (a
    longer cell later on pushes its own line only); a cell is cut at 40 characters."""
    from itertools import islice

    from tracker.formats import cell, table_line, table_widths

    widths: list[int] | None = None
    count = 0
    while batch := [[cell(v) for v in row] for row in islice(rows, BATCH)]:
        if widths is None:
            widths = table_widths(columns, batch)
            out.write(table_line([c.upper() for c in columns], widths) + "\n")
        out.writelines(table_line(r, widths) + "\n" for r in batch)
        count += len(batch)
    if widths is None:
        out.write(table_line([c.upper() for c in columns], table_widths(columns, [])) + "\n")
    return count


def export_relation(engine: Engine, name: str, kind: Kind, fmt: str, out: TextIO) -> int:
    """Write every row of the table or view ``name`` to ``out``; returns the number of rows.

    Args:
        engine: the database.
        name: a table or view name (``relations`` lists them).
        kind: ``"table"`` or ``"view"``.
        fmt: ``csv`` (a header line, then one line per row), ``json`` (one array of objects),
            ``ndjson`` (one object per line) or ``table`` (aligned columns for reading).
        out: a text stream; nothing is written to it when the name or format is wrong.

    Raises:
        ExportError: no such table or view, or an unknown format.
    """
    _check(engine, name, kind, fmt)
    count = 0
    with engine.connect() as conn:
        columns, rows = _rows(conn, name, kind)
        if fmt == "table":
            return _write_table(columns, rows, out)
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([text_value(v) for v in row])
                count += 1
            return count
        if fmt == "json":
            out.write("[")
        for row in rows:
            line = json.dumps(dict(zip(columns, row, strict=True)), default=json_default, ensure_ascii=False)
            if fmt == "json":
                out.write(("\n" if count == 0 else ",\n") + line)
            else:
                out.write(line + "\n")
            count += 1
        if fmt == "json":
            out.write("\n]\n" if count else "]\n")
    return count
