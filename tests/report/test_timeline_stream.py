"""``tracker timeline`` streamed from the periods cache prints, byte for byte, what the time
line computed in memory printed: every measure and fact loaded as ORM objects and the periods
recomputed in Python (kept below as the reference), in every format, on the sample corpus with
people's decisions applied, with small batches as with large ones."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import textwrap
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

import cli as cli_module
from tracker import formats, geography
from tracker.app import Tracker
from tracker.commands import options
from tracker.curate.rules import counting
from tracker.models import Measure, StatusChange
from tracker.report import rows, timeline
from tracker.report.periods import compute_periods
from tracker.report.report import SOURCE_FOR_EVIDENCE, measures_query, to_change
from tracker.report.timeline import Event, MeasureLine, Timeline, measure_events
from tracker.vocab import SubjectType

from ..conftest import ROOT

SEEDS = ROOT / "seeds" / "articles"
MISREPORT = ROOT / "tests" / "curate" / "data" / "misreport-portland-maine.txt"
TODAY = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)


def ticking_clock(step: dt.timedelta = dt.timedelta(seconds=7)):
    """A clock that moves ``step`` per reading: facts and decisions are learned at different
    times (with 7 seconds, several fall within one second of the report's resolution now
    and then)."""
    ticks = itertools.count()
    return lambda: dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC) + step * next(ticks)


def invoke(db_url: str, *args: str, clock=lambda: TODAY) -> str:
    options.make_tracker = functools.partial(Tracker, clock=clock)
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def curated_corpus(db_url: str, monkeypatch: pytest.MonkeyPatch, step: dt.timedelta = dt.timedelta(seconds=7)) -> None:
    """The sample articles and a misreport, then a reviewer's decisions: a fact rejected, one
    confirmed, one corrected (a new manual fact replaces it) and one added by hand."""
    monkeypatch.setattr(options, "make_tracker", options.make_tracker)  # restored after the test
    clock = ticking_clock(step)
    invoke(db_url, "ingest", str(SEEDS), str(MISREPORT), clock=clock)
    with Tracker(db_url).engine.connect() as conn:
        ids = list(conn.scalars(text("SELECT id FROM status_changes ORDER BY id")))
    assert len(ids) > 20, "the extractor found too few facts in the sample articles"
    invoke(db_url, "facts", "reject", str(ids[3]), "--by", "ed", "--reason", "a misreading", clock=clock)
    invoke(db_url, "facts", "confirm", str(ids[5]), "--by", "ann", clock=clock)
    invoke(db_url, "facts", "correct", str(ids[8]), "--date", "2020-09-09", "--by", "ed", clock=clock)
    invoke(db_url, "facts", "add", "--subject", "Teaneck, NJ", "--kind", "ban", "--scope", "police use",
           "--status", "enacted", "--date", "2021-06", "--source", "https://example.org/teaneck",
           "--quote", "The council in Teaneck voted for a ban.", "--by", "ed", clock=clock)


# -- the reference: the time line as it was computed before it read the cache ------------------
def _flat(sc: StatusChange) -> SimpleNamespace:
    """An ORM status change as the flat row ``measure_events`` reads."""
    source = sc.source
    return SimpleNamespace(
        **{c.key: getattr(sc, c.key) for c in StatusChange.__table__.columns},
        source_url=source.url if source else None, source_path=source.path if source else None,
        published_date=source.published_date if source else None,
        published_how=source.published_how if source else None,
    )


def reference_timeline(session, today, *, jurisdiction=None, company=None, within=None, since=None) -> Timeline:
    query = measures_query(session, jurisdiction, company).order_by(Measure.id)
    if within:  # as status --within rolls up (tracker.geography)
        query = query.where(Measure.jurisdiction_id.in_(geography.within(session, geography.resolve(session, within))))
    measures = list(session.scalars(query))
    changes: dict[int, list[StatusChange]] = {m.id: [] for m in measures}
    for sc in session.scalars(select(StatusChange).options(SOURCE_FOR_EVIDENCE).order_by(StatusChange.id)):
        if sc.measure_id in changes:
            changes[sc.measure_id].append(sc)
    lines = []
    for m in measures:
        mine = counting(changes[m.id])
        if not mine:
            continue
        periods = tuple(compute_periods([to_change(sc) for sc in mine]))
        j = m.jurisdiction
        if j is not None:
            local = j.kind in ("place", "county") and j.state_code
            subject, kind = (f"{j.name}, {j.state_code}" if local else j.name), SubjectType.JURISDICTION
        else:
            subject, kind = m.company.name, SubjectType.COMPANY
        events = measure_events([_flat(sc) for sc in mine], periods)
        lines.append(MeasureLine(m.id, subject, kind, m.kind, m.scope, m.title, periods, tuple(events)))
    return Timeline(today, since, tuple(lines))


def reference_text(tl: Timeline, width: int = 80) -> str:
    events = tl.events
    head = "Timeline of facial-recognition measures, newest first"
    if tl.since:
        head += f", since {tl.since.isoformat()}"
    lines = [head, ""]
    if not events:
        lines.append("  (no events)")
    indent = " " * 4
    for event in events:
        m = tl.by_id[event.measure_id]
        subject = m.subject + (" (company)" if m.subject_type is SubjectType.COMPANY else "")
        line = f"{timeline._when(event)}  {subject} \u2014 {m.kind} on {m.scope} [{m.measure_id}]: {timeline._what(event, tl.today)}"
        lines.extend(textwrap.wrap(line, width, subsequent_indent=indent))
        for ev in event.evidence:
            lines.extend(textwrap.wrap(f"\u201c{ev.quote}\u201d", width, initial_indent=indent, subsequent_indent=indent + " "))
            published = f", published {ev.published}" + (" (guessed)" if ev.published_guessed else "") if ev.published else ""
            lines.extend(textwrap.wrap(f"-- {ev.source or '(no source)'}{published}", width,
                                       initial_indent=indent + "  ", subsequent_indent=indent + "     "))
        lines.append("")
    n, k = len(events), len(tl.measures)
    lines.append(f"{n} event{'s' if n != 1 else ''}, {k} measure{'s' if k != 1 else ''}. 'tracker show ID' prints one measure.")
    return "\n".join(lines)


def reference_output(tl: Timeline, fmt: str) -> str:
    """What ``tracker timeline --format FMT`` printed for ``tl``."""
    if fmt == "table":
        return reference_text(tl) + "\n"
    if fmt == "json":
        return formats.to_json(timeline_object(tl)) + "\n"
    if fmt == "csv":
        return formats.csv_text(rows.TIMELINE_COLUMNS, timeline_flat(tl))
    return "".join(formats.ndjson_line(o) + "\n" for o in timeline_ndjson(tl))


#: the command's options, and what they mean to the reference
WINDOWS = [
    ([], {}),
    (["--jurisdiction", "San Francisco, CA"], {"jurisdiction": "San Francisco, CA"}),
    (["--company", "Amazon"], {"company": "Amazon"}),
    (["--since", "2020-01-01"], {"since": dt.date(2020, 1, 1)}),
    (["--since", "2021"], {"since": dt.date(2021, 1, 1)}),
    (["--since", "1y"], {"since": dt.date(2025, 11, 22)}),
    (["--since", "2019-06", "--jurisdiction", "Massachusetts"], {"since": dt.date(2019, 6, 1), "jurisdiction": "Massachusetts"}),
    (["--within", "Massachusetts"], {"within": "Massachusetts"}),
    (["--within", "CA", "--since", "2019-06"], {"within": "CA", "since": dt.date(2019, 6, 1)}),
    (["--since", "2030-01-01"], {"since": dt.date(2030, 1, 1)}),
]


@pytest.mark.parametrize("batch", [3, 500])
def test_streamed_timeline_prints_what_the_in_memory_one_printed(db_url, monkeypatch, batch):
    monkeypatch.delenv("COLUMNS", raising=False)
    curated_corpus(db_url, monkeypatch)
    monkeypatch.setattr(timeline, "BATCH", batch)  # several batches of measures, or one
    tracker = Tracker(db_url)
    checked = 0
    for args, meaning in WINDOWS:
        with tracker.sessions() as session:
            reference = reference_timeline(session, TODAY.date(), **meaning)
        for fmt in ("table", "json", "csv", "ndjson"):
            assert invoke(db_url, "timeline", *args, "--format", fmt) == reference_output(reference, fmt), (args, fmt)
        checked += len(reference.events)
    assert checked > 40  # the windows hold events: the comparison is not of empty reports
    # a roll-up holds the state's cities, and no other state's
    rolled = invoke(db_url, "timeline", "--within", "Massachusetts", "--format", "csv")
    assert "Somerville, MA" in rolled and "San Francisco, CA" not in rolled
    # a people's decision shows: the added fact is an event of its own
    assert "The council in Teaneck voted for a ban." in invoke(db_url, "timeline", "--since", "2021-06-01")


def test_the_chart_reads_the_same_time_line(db_url, monkeypatch):
    curated_corpus(db_url, monkeypatch)
    tracker = Tracker(db_url)
    with tracker.sessions() as session:
        reference = reference_timeline(session, TODAY.date())
    loaded = timeline.load_timeline(tracker.sessions, TODAY.date())
    assert [(m.measure_id, m.events) for m in loaded.measures] == [(m.measure_id, m.events) for m in reference.measures]
    # the periods come from the cache: the same days and statuses as recomputed in Python
    assert [[(p.start, p.end, p.state.status, p.state.since) for p in m.periods] for m in loaded.measures] == \
        [[(p.start, p.end, p.state.status, p.state.since) for p in m.periods] for m in reference.measures]


def test_a_stream_left_unread_drops_its_table_and_connection(db_url, monkeypatch):
    curated_corpus(db_url, monkeypatch)
    tracker = Tracker(db_url)
    stream = timeline.open_timeline(tracker.engine, tracker.sessions, TODAY.date())
    first = next(stream.events)
    assert first[0].day is not None and stream.measures > 10
    stream.events.close()  # the reader stopped (a closed pipe): the connection is closed
    assert tracker.engine.pool.checkedout() == 0


def test_include_federal_goes_with_within(db_url):
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "timeline", "--include-federal"])
    assert result.exit_code == 2 and "--include-federal goes with --within NAME" in result.stderr


# -- the reference for scripts' formats: the in-memory Timeline as it was printed ---------------
def _evidence(e) -> dict:
    return {"source": e.source, "published": e.published, "quote": e.quote}


def event_object(event: Event, timeline: Timeline) -> dict:
    """One event of the time line, with all its evidence."""
    m = timeline.by_id[event.measure_id]
    return {
        "date": event.date.iso() if event.date else None,
        "reported_by": event.reported_by.isoformat() if event.reported_by else None,
        "measure_id": m.measure_id, "subject_type": m.subject_type.value, "subject": m.subject,
        "kind": m.kind, "scope": m.scope, "status": event.status,
        "until": event.until.iso() if event.until else None,
        "open_ended": event.open_ended, "end_of_term": event.end_of_term,
        "evidence": [_evidence(e) for e in event.evidence],
    }


def timeline_object(timeline: Timeline) -> dict:
    """``timeline --format json``: the window and its events, newest first."""
    return {
        "today": timeline.today.isoformat(),
        "since": timeline.since.isoformat() if timeline.since else None,
        "events": [event_object(e, timeline) for e in timeline.events],
    }


def timeline_ndjson(timeline: Timeline) :
    for event in timeline.events:
        yield event_object(event, timeline)


def timeline_flat(timeline: Timeline) :
    """One flat row per event (``TIMELINE_COLUMNS``): its first evidence and how many sources."""
    for event in timeline.events:
        row = event_object(event, timeline)
        evidence = row.pop("evidence")
        first = evidence[0] if evidence else {}
        row.update(
            sources=len({e["source"] for e in evidence}),
            source=first.get("source"), published=first.get("published"), quote=first.get("quote"),
        )
        yield row
