"""An undated fact is "date unknown, reported by P" (since null, known_by P), never "since P"
(DESIGN.md section 2), in the table, the JSON and the periods cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import select

from tracker import formats
from tracker.models import MeasurePeriod
from tracker.report import render, rows

from .test_views import CAMBRIDGE, add_article, fact


def test_undated_fact_is_reported_by_its_publication_date(tracker):
    add_article(tracker, [fact(CAMBRIDGE, "enacted", None)], "2020-03-02")
    assert tracker.status(dt.date(2020, 3, 1)).rows == ()
    report = tracker.status(dt.date(2020, 6, 1))
    table = render.status_table(report, width=200)
    assert "Cambridge, MA\n  [1] ban (government use): in force, date unknown, reported by 2020-03-02 [1 source]" in table
    assert "since 2020-03-02" not in table
    record = json.loads(render.status_json(report))["measures"][0]
    assert record["since"] is None and record["known_by"] == "2020-03-02"
    assert record["effective_assumed"] is True and record["reviewed"] is False
    with tracker.sessions() as session:
        cached = session.execute(select(MeasurePeriod.since, MeasurePeriod.known_by, MeasurePeriod.start_date)).all()
    assert cached == [(None, dt.date(2020, 3, 2), dt.date(2020, 3, 2))]
    (row,) = csv.DictReader(io.StringIO(formats.csv_text(rows.STATUS_COLUMNS, rows.status_flat(report.as_of, report.rows))))
    assert (row["since"], row["known_by"], row["effective_assumed"], row["reviewed"]) == ("", "2020-03-02", "true", "false")


def test_a_dated_fact_says_since(tracker):
    add_article(tracker, [fact(CAMBRIDGE, "enacted", "2020-01-13")], "2020-03-02")
    record = json.loads(render.status_json(tracker.status(dt.date(2020, 6, 1))))["measures"][0]
    assert record["since"] == "2020-01-13" and "known_by" not in record
    report = tracker.status(dt.date(2020, 6, 1))
    (row,) = rows.status_flat(report.as_of, report.rows)
    assert (row["since"].iso(), row["known_by"], row["effective_assumed"]) == ("2020-01-13", None, True)
