"""``status`` and ``show`` read the periods cache (``measure_periods``) and ``measure_evidence``;
they must say what the Python path says (``report.python_status_report``: ``status.state_on``
over the facts that count once people's decisions apply): the same measures, status, since,
until, uncertainty, known_by, in_force_from, effective_assumed, reviewed, level and evidence,
in the report's order, on every period boundary. The streamed renderers write the same text as
rendering the whole report at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections import defaultdict

import pytest
from sqlalchemy import select, update

from tracker.curate import decisions
from tracker.curate.rules import counting
from tracker.dates import PartialDate
from tracker.models import Jurisdiction, Measure, Source, StatusChange
from tracker.report import render
from tracker.report import rows as report_rows
from tracker.report.report import python_status_report, status_rows, to_change
from tracker.report.status import state_on, undated_state
from tracker.vocab import MeasureKind, Status

from ..conftest import FIXED_NOW
from ..curate import helpers as curated
from ..curate.helpers import SEEDS, facts_of, fixed_cli, run  # noqa: F401
from ..curate.test_decisions import TEANECK
from .test_views import add_article, fact, interesting_days, load_tricky, place

PORTLAND_OR = place("ocd-division/country:us/state:or/place:portland", "Portland")
BROOKLINE = place("ocd-division/country:us/state:ma/place:brookline", "Brookline")
PORTLAND_ME = place("ocd-division/country:us/state:me/place:portland", "Portland")


def _change(session, ocd_id: str, status: str, evidence_like: str | None = None) -> int:
    query = (
        select(StatusChange.id)
        .join(Measure, StatusChange.measure_id == Measure.id)
        .join(Jurisdiction, Measure.jurisdiction_id == Jurisdiction.id)
        .where(Jurisdiction.ocd_id == ocd_id, StatusChange.status == status)
        .order_by(StatusChange.id)
    )
    if evidence_like:
        query = query.where(StatusChange.evidence.like(f"%{evidence_like}%"))
    return session.scalars(query).first()


def load_curated(tracker) -> None:
    """``load_tricky``, effective dates (stated and assumed), a guessed publication date, and
    each kind of decision: reject, confirm, correct, add."""
    load_tricky(tracker)
    # adopted, in force from a stated later day: enacted until then
    add_article(tracker, [fact(PORTLAND_OR, "enacted", "2020-09-09", scope="private use in public places"),
                          fact(PORTLAND_OR, "in_force", "2021-01-01", scope="private use in public places")],
                "2020-09-10")
    # adopted, no effective date: in force from adoption, assumed
    guessed = add_article(tracker, [fact(PORTLAND_ME, "enacted", "2020-11-03")], "2020-11-04")
    # undated: "date unknown, reported by" the publication
    add_article(tracker, [fact(BROOKLINE, "enacted", None)], "2021-02-01")
    with tracker.sessions.begin() as session:
        session.execute(update(Source).where(Source.id == guessed).values(published_how="inferred"))
        sf_undated = _change(session, "ocd-division/country:us/state:ca/place:san_francisco", "enacted", "SF has a ban")
        decisions.reject(session, sf_undated, by="editor", reason="a restatement", now=FIXED_NOW)
        berkeley = _change(session, "ocd-division/country:us/state:ca/place:berkeley", "in_force")
        decisions.confirm(session, berkeley, by="editor", reason=None, now=FIXED_NOW)
        oakland = _change(session, "ocd-division/country:us/state:ca/place:oakland", "repealed")
        decisions.correct(session, oakland, decisions.Correction(date=PartialDate.parse("2022-08-01")),
                          by="editor", reason="the vote was in August", now=FIXED_NOW)
        decisions.add(session, decisions.ManualFact(
            subject="Boston, MA", kind=MeasureKind.BAN, status=Status.ENACTED, date=PartialDate.parse("2020-08"),
            source="https://example.org/boston-ban", quote="Boston's council banned the city's use of it.",
        ), by="editor", reason="the article gives no date", now=FIXED_NOW)


def _normal(row):
    """A row with its change ids in id order (the Python path gives them in date order)."""
    return dataclasses.replace(row, state=dataclasses.replace(row.state, change_ids=tuple(sorted(row.state.change_ids))))


def _both(tracker, day: dt.date, include_all: bool, **filters):
    with tracker.sessions() as session:
        python = [_normal(r) for r in python_status_report(session, day, include_all=include_all, **filters).rows]
        cached = [_normal(r) for r in status_rows(session, day, include_all=include_all, **filters)]
    return cached, python


@pytest.mark.parametrize("include_all", [False, True])
def test_report_from_the_cache_is_the_python_path_on_every_boundary(tracker, include_all):
    load_curated(tracker)
    days = interesting_days(tracker)
    assert len(days) > 100
    seen = set()
    for day in days:
        cached, python = _both(tracker, day, include_all)
        assert cached == python, day
        seen |= {(r.state.status.value, r.reviewed, r.state.effective_assumed, r.state.in_force_from is not None,
                  r.state.known_by is not None, any(e.published_guessed for e in r.evidence)) for r in cached}
    # the curated features were exercised, not only the plain ones
    assert any(s[1] for s in seen) and any(s[2] for s in seen) and any(s[5] for s in seen)
    if include_all:
        assert any(s[0] == "enacted" and s[3] for s in seen) and any(s[4] for s in seen)


def test_report_from_the_cache_is_state_on(tracker):
    """The reference definition itself: ``state_on`` over the counting facts."""
    load_curated(tracker)
    with tracker.sessions() as session:
        changes = defaultdict(list)
        for sc in counting(session.scalars(select(StatusChange).order_by(StatusChange.id))):
            changes[sc.measure_id].append(to_change(sc))
        measures = list(session.scalars(select(Measure.id).order_by(Measure.id)))
    for day in interesting_days(tracker)[::3]:
        expected = []
        for mid in measures:
            state = state_on(changes[mid], day) or undated_state(changes[mid])
            if state is not None:
                expected.append((mid, state.status, state.since, state.until, state.uncertain, state.known_by,
                                 state.in_force_from, state.effective_assumed, tuple(sorted(state.change_ids))))
        got = sorted(
            (r.measure_id, r.state.status, r.state.since, r.state.until, r.state.uncertain, r.state.known_by,
             r.state.in_force_from, r.state.effective_assumed, r.state.change_ids)
            for r in tracker.status_rows(day, include_all=True)
        )
        assert got == sorted(expected), day


@pytest.mark.parametrize("filters", [
    {"jurisdiction": "San Francisco"}, {"company": "Amazon"}, {"within": "California"},
    {"within": "California", "include_federal": True}, {"within": "Massachusetts"},
])
def test_filters_from_the_cache(tracker, filters):
    load_curated(tracker)
    for day in (dt.date(2019, 12, 1), dt.date(2020, 10, 1), dt.date(2021, 6, 1), dt.date(2023, 1, 1)):
        for include_all in (False, True):
            cached, python = _both(tracker, day, include_all, **filters)
            assert cached == python, (day, include_all)


def test_within_gives_levels(tracker):
    load_curated(tracker)
    rows = list(tracker.status_rows(dt.date(2021, 6, 1), include_all=True, within="California", include_federal=True))
    assert {r.level for r in rows} == {"country", "state", "place"}


def test_report_order_and_evidence(tracker):
    load_curated(tracker)
    report = tracker.status(dt.date(2021, 6, 1), include_all=True)
    keys = [(r.subject.type.value != "jurisdiction", r.subject.name, r.kind, r.scope) for r in report.rows]
    assert keys == sorted(keys) and len(keys) > 5
    for row in report.rows:
        assert len(row.evidence) == len(row.state.change_ids) > 0


def test_show_from_the_cache(tracker):
    load_curated(tracker)
    for day in (dt.date(2020, 10, 1), dt.date(2021, 6, 1), dt.date(2023, 1, 1)):
        with tracker.sessions() as session:
            everything = defaultdict(list)
            for sc in session.scalars(select(StatusChange).order_by(StatusChange.id)):
                everything[sc.measure_id].append(sc)
        for row in tracker.status(day, include_all=True).rows:
            history = tracker.history(row.measure_id, day)
            assert dataclasses.replace(history.row, evidence=()) == dataclasses.replace(_normal(row), evidence=())
            mine = counting(everything[row.measure_id])
            assert len(history.row.evidence) == len(mine)  # every fact that counts, oldest first
            assert [e.change_id for e in history.entries] == [
                sc.id for sc in sorted(everything[row.measure_id],
                                       key=lambda s: (s.effective_date or s.known_by or dt.date.max, s.id))
            ]
    with tracker.sessions() as session:
        rejected = session.scalars(select(StatusChange).where(StatusChange.review == "rejected")).first()
    entry = next(e for e in tracker.history(rejected.measure_id, dt.date(2021, 6, 1)).entries if e.change_id == rejected.id)
    assert entry.review == "rejected"


@pytest.mark.parametrize("include_all", [False, True])
def test_streamed_json_is_the_whole_document(tracker, include_all):
    load_curated(tracker)
    for day in (dt.date(2000, 1, 1), dt.date(2020, 7, 1), dt.date(2022, 1, 1)):
        report = tracker.status(day, include_all=include_all)
        whole = json.dumps(
            {"as_of": day.isoformat(), "measures": [render.measure_dict(r) for r in report.rows]},
            indent=2, ensure_ascii=False,
        )
        streamed = "".join(render.status_json_chunks(day, tracker.status_rows(day, include_all=include_all)))
        assert streamed == whole + "\n"
        assert render.status_json(report) == whole


def test_streamed_rows_close_their_connection(tracker):
    load_curated(tracker)
    rows = tracker.status_rows(dt.date(2021, 6, 1), include_all=True)
    next(rows)
    rows.close()  # an abandoned stream gives its connection back
    assert tracker.engine.pool.checkedout() == 0


# -- the sample corpus: the cache and the Python path give the same bytes ----------------------
def _python_outputs(tracker, day: dt.date) -> dict[str, str]:
    """What the status command printed before it read the cache, in every format."""
    from tracker import formats

    with tracker.sessions() as session:
        report = python_status_report(session, day, include_all=True)
    out = io.StringIO()
    formats.write_ndjson(report_rows.status_ndjson(day, report.rows), out)
    return {
        "json": json.dumps(
            {"as_of": day.isoformat(), "measures": [render.measure_dict(r) for r in report.rows]},
            indent=2, ensure_ascii=False,
        ) + "\n",
        "table": render.status_table(report, include_all=True) + "\n",
        "csv": formats.csv_text(report_rows.STATUS_COLUMNS, report_rows.status_flat(day, report.rows)),
        "ndjson": out.getvalue(),
    }


def test_sample_corpus_cache_and_python_path_identical(db_url, tracker, fixed_cli, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COLUMNS", "80")
    run(db_url, "ingest", str(SEEDS))
    # people's decisions, as the curation tests make them
    for fact_id in facts_of(tracker, curated.PORTLAND_ME, curated.PRIVATE):
        run(db_url, "facts", "reject", str(fact_id), "--by", "editor")
    run(db_url, "facts", "confirm", str(facts_of(tracker, curated.SAN_FRANCISCO)[0]), "--by", "editor")
    run(db_url, *TEANECK)
    days = ("2019-06-01", "2020-01-01", "2020-07-01", "2021-03-01", "2021-06-01", "2022-06-01", "2026-11-22")
    counts = []
    for text in days:
        day = dt.date.fromisoformat(text)
        expected = _python_outputs(tracker, day)
        for fmt, want in expected.items():
            got = run(db_url, "status", "--all", "--as-of", text, "--format", fmt).output
            assert got == want, (text, fmt)
        counts.append(len(json.loads(expected["json"])["measures"]))
    assert max(counts) > 5 and len(set(counts)) > 1
    # a roll-up: the table grouped by level, in force and --all
    day = dt.date(2021, 3, 1)
    for extra in ((), ("--all",)):
        with tracker.sessions() as session:
            report = python_status_report(session, day, include_all=bool(extra), within="Massachusetts")
        assert len(report.rows) > 2
        table = render.status_table(report, include_all=bool(extra), by_level=True) + "\n"
        assert "== State ==" in table and "== Cities and towns ==" in table
        assert run(db_url, "status", "--within", "Mass.", "--as-of", "2021-03-01", *extra).output == table
        document = render.status_json(report) + "\n"
        assert run(db_url, "status", "--within", "MA", "--as-of", "2021-03-01", *extra, "--format", "json").output == document


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
