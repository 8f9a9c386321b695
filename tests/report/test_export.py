"""``tracker export``: whole tables and views as CSV, JSON or NDJSON, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, text

from cli import cli
from tracker.models import Source
from tracker.report.export import ExportError, export_relation, relations

from ..conftest import FIXED_NOW
from .test_views import VIEWS, load_tricky


def export(tracker, name: str, kind: str = "view", fmt: str = "csv") -> str:
    out = io.StringIO()
    export_relation(tracker.engine, name, kind, fmt, out)  # type: ignore[arg-type]
    return out.getvalue()


def count(tracker, name: str) -> int:
    with tracker.engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()


def test_relations_lists_tables_and_views(tracker):
    names = relations(tracker.engine)
    assert {"measures", "status_changes", "sources", "measure_periods"} <= set(names["table"])
    assert set(VIEWS) <= set(names["view"])


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_exports_in_every_format(tracker, view):
    load_tricky(tracker)
    rows = list(csv.DictReader(io.StringIO(export(tracker, view))))
    as_json = json.loads(export(tracker, view, fmt="json"))
    as_ndjson = [json.loads(line) for line in export(tracker, view, fmt="ndjson").splitlines()]
    assert len(rows) == len(as_json) == len(as_ndjson) == count(tracker, view) > 0
    assert as_json == as_ndjson
    assert list(rows[0]) == list(as_json[0])
    assert [r[list(r)[0]] for r in rows] == [str(r[list(r)[0]]) for r in as_json]


def test_tables_come_out_typed_and_in_key_order(tracker):
    load_tricky(tracker)
    changes = json.loads(export(tracker, "status_changes", "table", "json"))
    assert [c["id"] for c in changes] == sorted(c["id"] for c in changes)
    amazon = next(c for c in changes if c["status"] == "extended" and c["effective_date"] == "2021-05-01")
    assert amazon["open_ended"] is True  # a boolean on SQLite too
    assert amazon["created_at"] == FIXED_NOW.isoformat()
    assert amazon["known_by"] == "2021-05-19"
    lines = export(tracker, "status_changes", "table").splitlines()
    assert lines[0].split(",")[:3] == ["id", "measure_id", "status"]
    assert ",true," in next(line for line in lines if ",extended," in line)


def test_an_empty_view_is_an_empty_array(tracker):
    assert export(tracker, "measures_current", fmt="json") == "[]\n"
    assert export(tracker, "measures_current", fmt="ndjson") == ""
    assert export(tracker, "measures_current").startswith("measure_id,subject_type,subject,")


@pytest.mark.parametrize(("name", "kind"), [("nope", "view"), ("measures", "view"), ("measures_current", "table")])
def test_unknown_names_are_errors_and_write_nothing(tracker, name, kind):
    out = io.StringIO()
    with pytest.raises(ExportError, match=f"no {kind} is called '{name}'"):
        export_relation(tracker.engine, name, kind, "csv", out)
    assert out.getvalue() == ""


def test_a_large_table_exports_in_constant_memory(tracker, tmp_path):
    """12 MB of articles export with a peak of Python memory of about one batch (1,000 rows,
    4 MB here), not the whole table."""
    body = "x" * 4000
    rows = [
        {"path": f"big/{i}.txt", "published_how": "given", "content_hash": f"{i:064d}",
         "text": f"{i} {body}", "ingested_at": FIXED_NOW}
        for i in range(3000)
    ]
    with tracker.engine.begin() as conn:
        conn.execute(insert(Source), rows)
    del rows
    for fmt in ("csv", "ndjson", "json"):
        target = tmp_path / f"sources.{fmt}"
        tracemalloc.start()
        try:
            with target.open("w", encoding="utf-8") as out:
                assert export_relation(tracker.engine, "sources", "table", fmt, out) == 3000
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert target.stat().st_size > 12_000_000
        assert peak < 8_000_000, f"{fmt}: peak {peak / 1e6:.1f} MB"


# -- the command -----------------------------------------------------------------------------
def invoke(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--database", db_url, *args], catch_exceptions=False)


def test_cli_exports_a_view_to_stdout(tracker, db_url):
    load_tricky(tracker)
    result = invoke(db_url, "export", "--view", "measures_in_force_today", "--format", "ndjson")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    today = dt.datetime.now(dt.UTC).date()
    assert {r["measure_id"] for r in rows} == {r.measure_id for r in tracker.status(today).rows}


def test_cli_exports_a_table_to_a_file(tracker, db_url, tmp_path):
    load_tricky(tracker)
    target = tmp_path / "measures.csv"
    result = invoke(db_url, "export", "--table", "measures", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"{count(tracker, 'measures')} rows written to {target}\n"
    assert target.read_text().startswith("id,jurisdiction_id,company_id,kind,scope,title,")


@pytest.mark.parametrize("args", [[], ["--table", "measures", "--view", "measures_current"]])
def test_cli_needs_exactly_one_of_table_and_view(db_url, args):
    result = invoke(db_url, "export", *args)
    assert result.exit_code == 2
    assert "give one of --table NAME or --view NAME" in result.stderr
    assert "measures_current" in result.stderr


def test_cli_unknown_view_is_a_clean_error(db_url, tmp_path):
    target = tmp_path / "out.csv"
    result = invoke(db_url, "export", "--view", "nope", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no view is called 'nope'; the views are: measure_status_periods,")
    assert not target.exists()
