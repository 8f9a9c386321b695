"""The analyst views and the status periods behind them agree with ``tracker status``.

Also home of the plain builder functions the other analyst tests use (``add_article``,
``place``, ``company``, ``fact``, ``load_tricky``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Sequence

import pytest
from sqlalchemy import Date, bindparam, create_engine, func, select, text

from tracker.app import Tracker
from tracker.data import Article, Change, Fact, Subject
from tracker.dates import PartialDate
from tracker.ingest import store
from tracker.models import MeasurePeriod, StatusChange
from tracker.report import periods
from tracker.report.status import state_on, undated_state
from tracker.vocab import DateSource, MeasureKind, Status, SubjectType

from ..conftest import FIXED_NOW, ROOT, fixed_clock, pg_url, requires_postgres

VIEWS = (
    "measure_subjects",
    "measure_status_periods",
    "measures_current",
    "measures_in_force_today",
    "status_change_evidence",
    "status_change_reviews",
)

# -- builders --------------------------------------------------------------------------------
_counter = itertools.count(1)


def place(ocd_id: str, name: str) -> Subject:
    return Subject(SubjectType.JURISDICTION, ocd_id, name)


def company(slug: str, name: str) -> Subject:
    return Subject(SubjectType.COMPANY, slug, name)


SF = place("ocd-division/country:us/state:ca/place:san_francisco", "San Francisco")
OAKLAND = place("ocd-division/country:us/state:ca/place:oakland", "Oakland")
BERKELEY = place("ocd-division/country:us/state:ca/place:berkeley", "Berkeley")
BOSTON = place("ocd-division/country:us/state:ma/place:boston", "Boston")
CAMBRIDGE = place("ocd-division/country:us/state:ma/place:cambridge", "Cambridge")
SOMERVILLE = place("ocd-division/country:us/state:ma/place:somerville", "Somerville")
CALIFORNIA = place("ocd-division/country:us/state:ca", "California")
WASHINGTON = place("ocd-division/country:us/state:wa", "Washington")
VERMONT = place("ocd-division/country:us/state:vt", "Vermont")
US = place("ocd-division/country:us", "United States")
AMAZON = company("amazon", "Amazon")
MICROSOFT = company("microsoft", "Microsoft")
IBM = company("ibm", "IBM")
AXON = company("axon", "Axon")


def fact(
    subject: Subject,
    status: Status | str,
    date: str | PartialDate | None,
    *,
    kind: MeasureKind | str = MeasureKind.BAN,
    scope: str = "government use",
    evidence: str | None = None,
    **extra: object,
) -> Fact:
    """A fact; ``date`` as text is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if isinstance(date, str):
        date = PartialDate.parse(date)
    status = Status(status)
    if isinstance(extra.get("end"), str):
        extra["end"] = PartialDate.parse(extra["end"])  # type: ignore[arg-type]
    quote = evidence or f"{subject.name} {status.value} a {kind} ({date.iso() if date else 'no date'})."
    return Fact(subject, MeasureKind(kind), scope, status, date, quote, **extra)  # type: ignore[arg-type]


def add_article(
    tracker,
    facts: Sequence[Fact],
    published: str | dt.date | None,
    *,
    known: dt.date | None | str = "published",
    url: str | None = None,
    title: str | None = None,
) -> int:
    """Store one article (a source) and its facts, as the pipeline does; returns the source id.
    ``known`` is the day the facts were known by (default: the publication date)."""
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    n = next(_counter)
    article = Article(
        text=f"Test article {n}: " + " ".join(f.evidence for f in facts),
        title=title or f"Article {n}",
        published=published,
        published_how=DateSource.GIVEN if published else DateSource.UNKNOWN,
        url=url,
        path=None if url else f"tests/articles/{n:03d}.txt",
        publisher="Test Gazette",
    )
    known_by = published if known == "published" else known
    with tracker.sessions.begin() as session:
        source = store.add_source(session, article, FIXED_NOW)
        store.add_facts(session, source, facts, FIXED_NOW, known_by)  # type: ignore[arg-type]
        return source


def load_tricky(tracker) -> None:
    """Measures that exercise every rule of DESIGN.md section 2."""
    # a day, then vaguer restatements of the same enactment, one of them undated
    add_article(tracker, [fact(SF, "enacted", "2019-05-14")], "2019-05-15")
    add_article(tracker, [fact(SF, "enacted", "2019-05", evidence="SF acted last month.")], "2019-06-20")
    add_article(tracker, [fact(SF, "enacted", None, evidence="SF has a ban.")], "2020-02-01")
    # a one-year moratorium from a month, never extended: expired after it
    add_article(tracker, [fact(CALIFORNIA, "enacted", "2019-10", kind="moratorium",
                               scope="police body cameras", duration_months=12)], "2019-10-09")
    # a moratorium with an end date, extended until further notice
    add_article(tracker, [fact(AMAZON, "enacted", "2020-06-10", kind="moratorium", scope="police use",
                               end="2021-06-10")], "2020-06-11")
    add_article(tracker, [fact(AMAZON, "extended", "2021-05", kind="moratorium", scope="police use",
                               open_ended=True)], "2021-05-19")
    # a proposal that failed, then a new proposal
    add_article(tracker, [fact(US, "proposed", "2020-06-25", kind="moratorium")], "2020-06-26")
    add_article(tracker, [fact(US, "failed", "2021-01", kind="moratorium"),
                          fact(US, "proposed", "2021-06-15", kind="moratorium")], "2021-06-16")
    # a year-precision ban, repealed on a day
    add_article(tracker, [fact(OAKLAND, "enacted", "2021")], "2021-03-01")
    add_article(tracker, [fact(OAKLAND, "repealed", "2022-07-21")], "2022-07-22")
    # suspended, then back in force
    add_article(tracker, [fact(BERKELEY, "enacted", "2020-01-01"),
                          fact(BERKELEY, "suspended", "2020-03")], "2020-04-01")
    add_article(tracker, [fact(BERKELEY, "in_force", "2020-09-01")], "2020-09-02")
    # undated: counts from the day it was known by
    add_article(tracker, [fact(BOSTON, "enacted", None)], "2020-07-01")
    # nothing can be dated at all: a status on every day, only for --all
    add_article(tracker, [fact(CAMBRIDGE, "enacted", None)], None, known=None)
    # an extension by a duration counted from the old end
    add_article(tracker, [fact(WASHINGTON, "enacted", "2020-03-31", kind="moratorium",
                               scope="police use", duration_months=6)], "2020-04-01")
    add_article(tracker, [fact(WASHINGTON, "extended", "2020-09-15", kind="moratorium",
                               scope="police use", duration_months=6)], "2020-09-16")
    # a quarter, and a company policy
    add_article(tracker, [fact(VERMONT, "enacted", PartialDate.quarter(2021, 3),
                               kind="moratorium", scope="police use")], "2021-10-01")
    add_article(tracker, [fact(MICROSOFT, "enacted", "2020-06-11", scope="sales to police")], "2020-06-12")
    # proposed while in force changes nothing; expired stated after its end
    add_article(tracker, [fact(SOMERVILLE, "enacted", "2019-06-27"),
                          fact(SOMERVILLE, "proposed", "2019-09-01")], "2019-09-02")
    add_article(tracker, [fact(IBM, "enacted", "2020-06-08", scope="general", end="2021-06-08"),
                          fact(IBM, "expired", "2021-09")], "2021-10-01")


# -- reading both sides ----------------------------------------------------------------------
AS_OF_SQL = text(
    "SELECT measure_id, status, since, until, uncertain, in_force FROM measure_status_periods"
    " WHERE (start_date IS NULL OR start_date <= :d) AND (end_date IS NULL OR :d < end_date)"
).bindparams(bindparam("d", type_=Date))


def cli_rows(tracker, day: dt.date, include_all: bool = True) -> set[tuple]:
    report = tracker.status(day, include_all=include_all)
    return {
        (r.measure_id, r.state.status.value, r.state.since.iso() if r.state.since else None,
         r.state.until.iso() if r.state.until else None, r.state.uncertain)
        for r in report.rows
    }


def view_rows(tracker, day: dt.date, include_all: bool = True) -> set[tuple]:
    with tracker.engine.connect() as conn:
        rows = conn.execute(AS_OF_SQL, {"d": day}).all()
    return {
        (r.measure_id, r.status, r.since, r.until, bool(r.uncertain))
        for r in rows if include_all or r.in_force
    }


def interesting_days(tracker) -> list[dt.date]:
    """Every period boundary, the day before it, and a day a month."""
    with tracker.sessions() as session:
        bounds = {d for row in session.execute(select(MeasurePeriod.start_date, MeasurePeriod.end_date))
                  for d in row if d is not None}
    days = set(bounds) | {d - dt.timedelta(days=1) for d in bounds}
    days |= {dt.date(y, m, 15) for y in range(2018, 2028) for m in range(1, 13)}
    return sorted(days)


# -- periods: the pure function --------------------------------------------------------------
def _random_changes(rng: random.Random) -> list[Change]:
    base = dt.date(2019, 1, 1)

    def a_date() -> PartialDate:
        day = base + dt.timedelta(days=rng.randrange(1500))
        return rng.choice([
            PartialDate(day), PartialDate.month(day.year, day.month),
            PartialDate.quarter(day.year, (day.month - 1) // 3 + 1), PartialDate.year(day.year),
        ])

    return [
        Change(
            status=rng.choice(list(Status)),
            date=a_date() if rng.random() < 0.8 else None,
            known_by=base + dt.timedelta(days=rng.randrange(1600)) if rng.random() < 0.9 else None,
            end=a_date() if rng.random() < 0.2 else None,
            duration_months=rng.choice([None, None, 6, 12]),
            duration_days=rng.choice([None, None, None, 30]),
            open_ended=rng.random() < 0.2,
            change_id=i,
        )
        for i in range(1, rng.randrange(2, 8))
    ]


def _key(state):
    return state and (state.status, state.since, state.until, state.uncertain)


@pytest.mark.parametrize("seed", range(8))
def test_periods_agree_with_state_on_every_day(seed):
    rng = random.Random(seed)
    for _ in range(40):
        changes = _random_changes(rng)
        found = periods.compute_periods(changes)
        undated = undated_state(changes)
        for offset in range(-40, 1700, 3):
            day = dt.date(2019, 1, 1) + dt.timedelta(days=offset)
            expected = state_on(changes, day) or undated
            assert _key(periods.state_from_periods(found, day)) == _key(expected), (changes, day)


def test_periods_of_a_moratorium_that_runs_out():
    changes = [Change(Status.ENACTED, PartialDate.month(2020, 6), dt.date(2020, 6, 11), duration_months=12)]
    found = periods.compute_periods(changes)
    assert [(p.start, p.end, p.state.status.value, p.state.uncertain) for p in found] == [
        (dt.date(2020, 6, 1), dt.date(2020, 7, 1), "in_force", True),  # "June 2020": uncertain
        (dt.date(2020, 7, 1), dt.date(2021, 6, 1), "in_force", False),
        (dt.date(2021, 6, 1), dt.date(2021, 7, 1), "expired", True),  # "June 2021"
        (dt.date(2021, 7, 1), None, "expired", False),
    ]
    assert found[0].state.since == PartialDate.month(2020, 6)
    assert found[0].state.until == PartialDate.month(2021, 6)


def test_no_changes_no_periods():
    assert periods.compute_periods([]) == []


# -- the cache -------------------------------------------------------------------------------
def _period_table(tracker) -> list[tuple]:
    with tracker.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(MeasurePeriod.measure_id, MeasurePeriod.seq, MeasurePeriod.status,
                   MeasurePeriod.start_date, MeasurePeriod.end_date, MeasurePeriod.since,
                   MeasurePeriod.until, MeasurePeriod.uncertain)
            .order_by(MeasurePeriod.measure_id, MeasurePeriod.seq))]


def test_storing_facts_fills_the_cache_and_rebuild_changes_nothing(tracker):
    load_tricky(tracker)
    stored = _period_table(tracker)
    with tracker.sessions() as session:
        measures = session.scalar(select(func.count(func.distinct(StatusChange.measure_id))))
    assert len({row[0] for row in stored}) == measures
    assert periods.rebuild(tracker.sessions) == len(stored)
    assert _period_table(tracker) == stored


def test_deleting_a_measure_deletes_its_periods(tracker):
    add_article(tracker, [fact(SF, "enacted", "2019-05-14")], "2019-05-15")
    with tracker.engine.begin() as conn:
        conn.execute(text("DELETE FROM measures"))
        assert conn.execute(text("SELECT COUNT(*) FROM measure_periods")).scalar() == 0


# -- the views -------------------------------------------------------------------------------
def test_views_agree_with_status_on_many_days(tracker):
    load_tricky(tracker)
    days = interesting_days(tracker)
    assert len(days) > 150
    for day in days:
        assert view_rows(tracker, day) == cli_rows(tracker, day), day
        assert view_rows(tracker, day, False) == cli_rows(tracker, day, False), day


def test_undated_measure_has_a_status_only_with_all(tracker):
    load_tricky(tracker)
    day = dt.date(2020, 7, 1)
    # since is null for a measure no change of which can be dated (uncertain), and for one
    # that counts from the day an undated change was known ("date unknown, reported by")
    undated = {r for r in view_rows(tracker, day) if r[2] is None and r[4]}
    assert [r[1:] for r in undated] == [("in_force", None, None, True)]  # Cambridge
    assert not undated & view_rows(tracker, day, False)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _today_views(tracker, sql: str) -> list:
    with tracker.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TIME ZONE 'UTC'"))
        return conn.execute(text(sql)).all()


def test_today_views_agree_with_status_today(tracker):
    load_tricky(tracker)
    today = _today()
    in_force = _today_views(tracker, "SELECT measure_id, since, until, uncertain FROM measures_in_force_today")
    expected = {(m, since, until, unc) for m, _, since, until, unc in cli_rows(tracker, today, False)}
    assert {(r[0], r[1], r[2], bool(r[3])) for r in in_force} == expected
    current = _today_views(tracker, "SELECT measure_id, status, since, until, uncertain, in_force, "
                                    "changes, sources FROM measures_current")
    expected_all = {r[0]: r[1:] for r in cli_rows(tracker, today)}
    assert {r[0]: (r[1], r[2], r[3], bool(r[4])) for r in current if r[1]} == expected_all
    assert {r[0] for r in current if r[5]} == {r[0] for r in in_force}
    with tracker.sessions() as session:
        counts = dict(session.execute(select(StatusChange.measure_id, func.count()).group_by(StatusChange.measure_id)).all())
    assert {r[0]: r[6] for r in current} == counts


def test_status_change_evidence_places_changes_as_status_does(tracker):
    load_tricky(tracker)
    with tracker.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM status_change_evidence ORDER BY change_id")).mappings().all()
    by_subject = {(r["subject"], r["status"], r["date"]): r for r in rows}
    with tracker.engine.connect() as conn:
        assert len(rows) == conn.execute(text("SELECT COUNT(*) FROM status_changes")).scalar_one()
    sf = by_subject[("San Francisco, CA", "enacted", "2019-05-14")]
    assert (sf["effect"], str(sf["counts_from"]), sf["source"], str(sf["published_date"])) == (
        "start", "2019-05-14", sf["source_path"], "2019-05-15")
    assert str(by_subject[("Vermont", "enacted", "2021-07")]["counts_from"]) == "2021-07-01"
    # an undated restatement of a dated start does not count; an undated start alone does
    assert by_subject[("San Francisco, CA", "enacted", None)]["counts_from"] is None
    assert str(by_subject[("Boston, MA", "enacted", None)]["counts_from"]) == "2020-07-01"
    assert by_subject[("Cambridge, MA", "enacted", None)]["counts_from"] is None
    assert by_subject[("Amazon", "enacted", "2020-06-10")]["until"] == "2021-06-10"
    assert by_subject[("Amazon", "extended", "2021-05")]["subject_type"] == "company"


def test_views_are_valid_for_sqlite_itself(tracker, backend):
    """What Datasette, the sqlite3 shell or pandas see: the plain sqlite3 module, no SQLAlchemy."""
    if backend != "sqlite":
        pytest.skip("SQLite only")
    load_tricky(tracker)
    path = tracker.engine.url.database
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        assert set(VIEWS) <= names
        for name in VIEWS:
            conn.execute(f"EXPLAIN SELECT * FROM {name}").fetchall()
            assert conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] > 0, name
    finally:
        conn.close()


@requires_postgres()
def test_postgres_function_measures_as_of(tracker):
    load_tricky(tracker)
    for day in interesting_days(tracker)[::7]:
        with tracker.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT measure_id, status, since, until, uncertain, in_force FROM measures_as_of(:d)")
                .bindparams(bindparam("d", type_=Date)), {"d": day}).all()
        assert {(r.measure_id, r.status, r.since, r.until, r.uncertain) for r in rows} == cli_rows(tracker, day)
        assert {r.measure_id for r in rows if r.in_force} == {r[0] for r in cli_rows(tracker, day, False)}


@requires_postgres()
def test_concurrent_facts_for_one_measure_leave_fresh_periods(tracker):
    """A second transaction adding a fact to the same measure waits for the first one's lock,
    then recomputes the periods with both facts."""
    add_article(tracker, [fact(SF, "enacted", "2019-05-14")], "2019-05-15")

    def add(session, status: str, day: str) -> None:
        article = Article(text=f"SF {status} on {day}.", path=f"tests/concurrent-{status}.txt")
        source = store.add_source(session, article, FIXED_NOW)
        store.add_facts(session, source, [fact(SF, status, day)], FIXED_NOW, dt.date(2023, 1, 1))

    first = tracker.sessions()
    first.begin()
    add(first, "repealed", "2022-01-01")
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with tracker.sessions.begin() as session:
                add(session, "suspended", "2021-01-01")
        except BaseException as e:  # reported below
            errors.append(e)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), "the second transaction should wait for the first one's lock"
    first.commit()
    first.close()
    thread.join(30)
    assert not errors, errors
    assert [r[2] for r in _period_table(tracker)] == ["in_force", "suspended", "repealed"]
    stored = _period_table(tracker)
    periods.rebuild(tracker.sessions)
    assert _period_table(tracker) == stored


# -- the sample articles ----------------------------------------------------------------------
SAMPLE_DAYS = ("2019-06-01", "2020-01-01", "2020-07-01", "2021-06-15", "2022-08-01", "2023-06-01")


def ingest_samples(tracker) -> int:
    """Ingest seeds/articles through the real pipeline; returns the number of measures."""
    summary = tracker.ingest([str(ROOT / "seeds" / "articles")])
    assert summary.failed == 0, summary.as_dict()
    with tracker.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM measures")).scalar_one()


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory, _template) -> Iterable[str]:
    """A database with the sample articles ingested (SQLite: its own copy, kept for the
    module; PostgreSQL: the shared test database, emptied by the next test's fixture)."""
    if pg_url():
        engine = create_engine(_template)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE status_changes, measures, sources, feeds, ingest_runs "
                              "RESTART IDENTITY CASCADE"))
        engine.dispose()
        url = _template
    else:
        path = tmp_path_factory.mktemp("samples") / "samples.sqlite"
        shutil.copyfile(_template, path)
        url = f"sqlite:///{path}"
    with Tracker(url, clock=fixed_clock) as t:
        ingest_samples(t)
    yield url


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_cli_and_views_agree_on_the_sample_articles(day, sample_url):
    with Tracker(sample_url, clock=fixed_clock) as t:
        with t.engine.connect() as conn:
            if not conn.execute(text("SELECT COUNT(*) FROM measures")).scalar_one():
                pytest.skip("the extractor found no facts in seeds/articles")
        when = dt.date.fromisoformat(day)
        assert view_rows(t, when) == cli_rows(t, when)
        assert view_rows(t, when, False) == cli_rows(t, when, False)
