"""The status report and ``show`` read the periods cache and ``measure_evidence``; they must say
what the reference definition, ``status.state_on`` over the stored changes, says: the same
measures, status, since, until, uncertainty and evidence, in the report's order. The streamed
renderers write the same text as rendering the whole report at once."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict

import pytest
from sqlalchemy import select

from tracker.models import Measure, StatusChange
from tracker.report import render
from tracker.report.report import to_change
from tracker.report.status import state_on, undated_state
from tracker.vocab import ReportStatus

from .test_views import interesting_days, load_tricky


def _reference(tracker, day: dt.date, include_all: bool) -> list[tuple]:
    """(measure id, status, since, until, uncertain, evidence change ids) by ``state_on``."""
    with tracker.sessions() as session:
        changes = defaultdict(list)
        for sc in session.scalars(select(StatusChange).order_by(StatusChange.id)):
            changes[sc.measure_id].append(to_change(sc))
        measures = list(session.scalars(select(Measure).order_by(Measure.id)))
    found = []
    for m in measures:
        state = state_on(changes[m.id], day)
        if state is None and include_all:
            state = undated_state(changes[m.id])
        if state is None or (not include_all and state.status is not ReportStatus.IN_FORCE):
            continue
        found.append((m.id, state.status.value, state.since, state.until, state.uncertain, tuple(sorted(state.change_ids))))
    return sorted(found)


def _cached(tracker, day: dt.date, include_all: bool) -> list[tuple]:
    rows = list(tracker.status_rows(day, include_all=include_all))
    return sorted(
        (r.measure_id, r.state.status.value, r.state.since, r.state.until, r.state.uncertain, r.state.change_ids)
        for r in rows
    )


@pytest.mark.parametrize("include_all", [False, True])
def test_report_from_the_cache_is_state_on(tracker, include_all):
    load_tricky(tracker)
    days = interesting_days(tracker)
    assert len(days) > 100
    for day in days:
        assert _cached(tracker, day, include_all) == _reference(tracker, day, include_all), day


def test_report_order_and_evidence(tracker):
    load_tricky(tracker)
    report = tracker.status(dt.date(2021, 6, 1), include_all=True)
    keys = [(r.subject.type.value != "jurisdiction", r.subject.name, r.kind, r.scope) for r in report.rows]
    assert keys == sorted(keys) and len(keys) > 5
    for row in report.rows:
        assert len(row.evidence) == len(row.state.change_ids) > 0
        assert list(row.state.change_ids) == sorted(row.state.change_ids)


def test_show_matches_the_report(tracker):
    load_tricky(tracker)
    day = dt.date(2021, 6, 1)
    for row in tracker.status(day, include_all=True).rows:
        history = tracker.history(row.measure_id, day)
        assert (history.row.state.status, history.row.state.since, history.row.state.until) == (
            row.state.status, row.state.since, row.state.until)
        assert history.row.subject == row.subject
        days = [e.evidence.date for e in history.entries]
        assert len(history.entries) >= len(row.evidence) and days  # every change, oldest first


@pytest.mark.parametrize("include_all", [False, True])
def test_streamed_json_is_the_whole_document(tracker, include_all):
    load_tricky(tracker)
    for day in (dt.date(2000, 1, 1), dt.date(2020, 7, 1), dt.date(2022, 1, 1)):
        report = tracker.status(day, include_all=include_all)
        whole = json.dumps(
            {"as_of": day.isoformat(), "measures": [render.measure_dict(r) for r in report.rows]},
            indent=2, ensure_ascii=False,
        )
        out = io.StringIO()
        count = render.write_status_json(day, tracker.status_rows(day, include_all=include_all), out)
        assert out.getvalue() == whole + "\n"
        assert count == len(report.rows)
        assert render.status_json(report) == whole


def test_streamed_rows_close_their_connection(tracker):
    load_tricky(tracker)
    rows = tracker.status_rows(dt.date(2021, 6, 1), include_all=True)
    next(rows)
    rows.close()  # an abandoned stream gives its connection back
    assert tracker.engine.pool.checkedout() == 0


def _random_json(rng, depth=0):
    pick = rng.randrange(9 if depth < 4 else 5)
    if pick == 0:
        return rng.choice(["", "plain", "quote \" and \\ slash", "line\nbreak\ttab", "caf\u00e9 \u201cq\u201d \U0001f600", "\x00\x1f"])
    if pick == 1:
        return rng.choice([None, True, False])
    if pick == 2:
        return rng.randrange(-10**6, 10**6)
    if pick == 3:
        return rng.choice([0.5, 1e-7, 3.0, -2.25, 1e300])
    if pick == 4:
        return rng.choice(["a", "b"])
    if pick in (5, 6):
        return {rng.choice(["k", "key \u00e9", "x\"y", f"n{i}"]) + str(i): _random_json(rng, depth + 1) for i in range(rng.randrange(4))}
    if pick == 7:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {1: "non-string key", "z": [1, 2]}


def test_fast_indented_json_is_json_dumps():
    import random

    rng = random.Random(3)
    for _ in range(2000):
        value = _random_json(rng)
        assert render.dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False), value
        assert render.dumps_indented(value, "    ") == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n    ")
