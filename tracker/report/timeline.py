"""The history of measures as a time line: events newest first, each with its evidence.

A measure's status changes become *events*: the restatements of one event (San Francisco's ban
"on May 14, 2019", "in May 2019", "in 2019") are merged into the most precise one, with all their
evidence; a change without a date joins the event it restates, or stands alone at the day it was
known by. An end of term that no article reports (a one-year moratorium nobody extended) is an
event too, derived from the measure's status periods (``tracker.report.periods``).

``open_timeline`` streams a time line (what ``tracker timeline`` prints): measures are read a
batch at a time from the periods cache and the facts that count, and their events come back
newest first through a temporary table, so memory stays flat whatever the database's size;
``text_chunks``, ``json_chunks``, ``records`` and ``flat_records`` write it. ``load_timeline``
holds a whole ``Timeline`` in memory for ``tracker.report.chart`` to draw.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import sys
import textwrap
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tracker.curate.rules import counting
from tracker.dates import PartialDate
from tracker.models import Company, Jurisdiction, Measure, MeasurePeriod, Source, StatusChange
from tracker.report.periods import Period
from tracker.report.report import Evidence, subject_filter, to_change
from tracker.report.status import MeasureState
from tracker.vocab import ENDS, STARTS, Precision, ReportStatus, Status, SubjectType

_FINENESS = {p: i for i, p in enumerate(Precision)}


def _effect(status: str) -> str:
    if status in STARTS:
        return "start"
    if status in ENDS:
        return "end"
    return "proposal"


@dataclass(frozen=True)
class Event:
    """Something that happened to a measure, with the evidence that says so."""

    measure_id: int
    status: str  # a Status value ("expired" for an end of term)
    date: PartialDate | None  # None: no article says when
    reported_by: dt.date | None = None  # for an undated event: the day it was known by
    until: PartialDate | None = None
    open_ended: bool = False
    end_of_term: bool = False  # derived from the periods: no article reports it
    evidence: tuple[Evidence, ...] = ()

    @property
    def day(self) -> dt.date | None:
        """The day the event counts from (its earliest possible day)."""
        return self.date.start if self.date else self.reported_by


@dataclass(frozen=True)
class MeasureLine:
    """One measure: what it is, its status periods and its events (oldest first)."""

    measure_id: int
    subject: str
    subject_type: SubjectType
    kind: str
    scope: str
    title: str
    periods: tuple[Period, ...]
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Timeline:
    today: dt.date
    since: dt.date | None
    measures: tuple[MeasureLine, ...]
    by_id: dict[int, MeasureLine] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {m.measure_id: m for m in self.measures})

    @property
    def events(self) -> list[Event]:
        """Every event on or after ``since``, newest first (undated ones last)."""
        events = [
            e for m in self.measures for e in m.events
            if self.since is None or (e.day is not None and e.day >= self.since)
        ]
        return sorted(
            events,
            key=lambda e: (e.day is not None, e.day or dt.date.min, e.measure_id),
            reverse=True,
        )


def _evidence(row: Any) -> Evidence:
    """Evidence from a row of ``_CHANGE_COLUMNS`` (its source's columns flattened)."""
    published = row.published_date
    return Evidence(
        source=row.source_url or row.source_path,
        published=published.isoformat() if published else None,
        quote=row.evidence,
        status=row.status,
        date=PartialDate(row.effective_date, Precision(row.precision)).iso() if row.effective_date else None,
        published_guessed=bool(published and row.published_how == "inferred"),
    )


def measure_events(changes: Sequence[Any], periods: Sequence[Period]) -> list[Event]:
    """A measure's events, oldest first (see the module docstring). ``changes`` are the rows
    of ``_CHANGE_COLUMNS`` that count (``curate.rules.counting``), in id order."""
    records = [(sc, to_change(sc)) for sc in changes]
    dated_effects = {_effect(c.status) for _, c in records if c.date is not None}
    events: list[dict] = []

    def add(status: str, date: PartialDate | None, sc: Any, **extra: object) -> None:
        events.append({"status": status, "date": date, "evidence": [_evidence(sc)], **extra})

    # dated changes, the most precise first: a vaguer restatement joins the event it contains
    dated = sorted((r for r in records if r[1].date is not None),
                   key=lambda r: (_FINENESS[r[1].date.precision], r[1].date.start, r[0].id))
    for sc, change in dated:
        assert change.date is not None
        same = next((e for e in events if e["status"] == change.status
                     and change.date.contains(e["date"].start)), None)
        if same is None:
            add(change.status, change.date, sc, until=change.end, open_ended=change.open_ended)
            continue
        same["evidence"].append(_evidence(sc))
        same["until"] = same["until"] or change.end
        same["open_ended"] = same["open_ended"] or change.open_ended
    # undated changes: placed at their known_by day (status.py), or restating a dated event
    for sc, change in records:
        if change.date is not None:
            continue
        if _effect(change.status) in dated_effects:  # a restatement: the latest event it can be
            known = change.known_by or dt.date.max
            earlier = sorted((e for e in events if e["date"] is not None and e["date"].start <= known),
                             key=lambda e: e["date"].start, reverse=True)
            same = next((e for e in earlier if e["status"] == change.status), None) or next(
                (e for e in earlier if _effect(e["status"]) == _effect(change.status)), None)
        else:  # placed at its known_by day: one event for all the undated reports of it
            same = next((e for e in events if e["date"] is None and e["status"] == change.status), None)
        if same is None:
            add(change.status, None, sc, reported_by=change.known_by, until=change.end,
                open_ended=change.open_ended)
        else:
            same["evidence"].append(_evidence(sc))
            if same["date"] is None and change.known_by:
                same["reported_by"] = min(same.get("reported_by") or dt.date.max, change.known_by)
    result = [
        Event(
            measure_id=changes[0].measure_id, status=e["status"], date=e["date"],
            reported_by=e.get("reported_by"), until=e.get("until"),
            open_ended=e.get("open_ended", False),
            evidence=tuple(sorted(e["evidence"], key=lambda v: (v.published is None, v.published or "", v.source or ""))),
        )
        for e in events
    ]
    # ends of term that no article reports: in force, then expired on its until day
    for before, after in zip(periods, periods[1:], strict=False):
        if not (before.state.status is ReportStatus.IN_FORCE
                and after.state.status is ReportStatus.EXPIRED and after.state.since):
            continue
        end = after.state.since
        if any(e.status == Status.EXPIRED and e.date and e.date.contains(end.start) for e in result):
            continue
        result.append(Event(changes[0].measure_id, Status.EXPIRED.value, end, end_of_term=True))
    result.sort(key=lambda e: (e.day is None, e.day or dt.date.max))
    return result


# -- reading the cache -------------------------------------------------------------------------
# Measures are read in batches of ``BATCH`` through Core: their subjects, their periods from
# ``measure_periods`` (kept by ``tracker.report.periods`` from the facts that count) and the
# facts that count, with their sources. A streamed time line orders its events in a temporary
# table (the database sorts them, on disk when it must), so memory stays flat whatever the size
# of the database.
_M = Measure.__table__
_J = Jurisdiction.__table__
_C = Company.__table__
_P = MeasurePeriod.__table__
_SC = StatusChange.__table__
_SRC = Source.__table__
#: measures per batch
BATCH = 500
_CHANGE_COLUMNS = (
    _SC.c.id, _SC.c.measure_id, _SC.c.status, _SC.c.effective_date, _SC.c.precision, _SC.c.known_by,
    _SC.c.end_date, _SC.c.end_precision, _SC.c.duration_months, _SC.c.duration_days, _SC.c.open_ended,
    _SC.c.evidence, _SC.c.origin, _SC.c.review, _SRC.c.url.label("source_url"),
    _SRC.c.path.label("source_path"), _SRC.c.published_date, _SRC.c.published_how,
)
_PERIOD_COLUMNS = (
    _P.c.measure_id, _P.c.start_date, _P.c.end_date, _P.c.status, _P.c.since_date, _P.c.since_precision,
    _P.c.until_date, _P.c.until_precision, _P.c.uncertain, _P.c.known_by, _P.c.effective_assumed,
    _P.c.in_force_from_date, _P.c.in_force_from_precision,
)


def _partial(day: dt.date | None, precision: str | None) -> PartialDate | None:
    return PartialDate(day, Precision(precision or "day")) if day is not None else None


def _period(row: Any) -> Period:
    return Period(row.start_date, row.end_date, MeasureState(
        ReportStatus(row.status), _partial(row.since_date, row.since_precision),
        _partial(row.until_date, row.until_precision), bool(row.uncertain), (), row.known_by,
        bool(row.effective_assumed), _partial(row.in_force_from_date, row.in_force_from_precision),
    ))


def _subject(row: Any) -> tuple[str, SubjectType]:
    if row.jurisdiction_id is not None:
        local = row.j_kind in ("place", "county") and row.state_code
        return (f"{row.j_name}, {row.state_code}" if local else row.j_name), SubjectType.JURISDICTION
    return row.c_name, SubjectType.COMPANY


def _has_periods() -> Any:
    """A measure with a fact that counts has periods (``periods.compute_periods``)."""
    return exists().where(_P.c.measure_id == _M.c.id)


def _active_since(since: dt.date) -> Any:
    """A measure that may have an event on or after ``since``: an event's day is a fact's
    date, an undated fact's known_by day, or the start of an expired period (end of term)."""
    return or_(
        exists().where(_SC.c.measure_id == _M.c.id, _SC.c.effective_date >= since),
        exists().where(_SC.c.measure_id == _M.c.id, _SC.c.effective_date.is_(None), _SC.c.known_by >= since),
        exists().where(_P.c.measure_id == _M.c.id, _P.c.status == ReportStatus.EXPIRED.value, _P.c.since_date >= since),
    )


def _id_batches(conn: Connection, where: list[Any]) -> Iterator[list[int]]:
    """The ids of the measures that match ``where``, ``BATCH`` at a time in id order (each
    batch its own query, so no cursor stays open while the caller writes)."""
    last = 0
    while True:
        ids = list(conn.scalars(
            select(_M.c.id).where(_M.c.id > last, _has_periods(), *where).order_by(_M.c.id).limit(BATCH)
        ))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _lines(conn: Connection, ids: list[int]) -> Iterator[MeasureLine]:
    """The time lines of the measures ``ids`` (in id order): subject, periods and events."""
    heads = conn.execute(
        select(_M.c.id, _M.c.kind, _M.c.scope, _M.c.title, _M.c.jurisdiction_id, _J.c.name.label("j_name"),
               _J.c.kind.label("j_kind"), _J.c.state_code, _C.c.name.label("c_name"))
        .select_from(_M.outerjoin(_J, _J.c.id == _M.c.jurisdiction_id).outerjoin(_C, _C.c.id == _M.c.company_id))
        .where(_M.c.id.in_(ids)).order_by(_M.c.id)
    ).all()
    periods: dict[int, list[Period]] = defaultdict(list)
    for row in conn.execute(select(*_PERIOD_COLUMNS).where(_P.c.measure_id.in_(ids)).order_by(_P.c.measure_id, _P.c.seq)):
        periods[row.measure_id].append(_period(row))
    changes: dict[int, list[Any]] = defaultdict(list)
    query = (
        select(*_CHANGE_COLUMNS).select_from(_SC.outerjoin(_SRC, _SRC.c.id == _SC.c.source_id))
        .where(_SC.c.measure_id.in_(ids)).order_by(_SC.c.measure_id, _SC.c.id)
    )
    for row in counting(conn.execute(query)):  # people's decisions apply (tracker.curate)
        changes[row.measure_id].append(row)
    for head in heads:
        mine = changes.get(head.id)
        if not mine:
            continue
        subject, subject_type = _subject(head)
        mine_periods = tuple(periods[head.id])
        yield MeasureLine(head.id, subject, subject_type, head.kind, head.scope, head.title,
                          mine_periods, tuple(measure_events(mine, mine_periods)))


def build_timeline(
    session: Session,
    today: dt.date,
    *,
    jurisdiction: str | None = None,
    company: str | None = None,
    within: str | None = None,
    include_federal: bool = False,
    since: dt.date | None = None,
) -> Timeline:
    """The time line of every measure (or those of one jurisdiction, one company, or a
    jurisdiction with everything under it: ``within``), in memory (what the chart draws;
    ``open_timeline`` streams it).

    Raises:
        NotFoundError: no jurisdiction or company has that name.
    """
    where = subject_filter(session, jurisdiction, company, within, include_federal)
    conn = session.connection()
    lines = [line for ids in _id_batches(conn, where) for line in _lines(conn, ids)]
    return Timeline(today, since, tuple(lines))


def load_timeline(
    sessions: sessionmaker[Session],
    today: dt.date,
    *,
    jurisdiction: str | None = None,
    company: str | None = None,
    within: str | None = None,
    include_federal: bool = False,
    since: dt.date | None = None,
) -> Timeline:
    """``build_timeline`` in a session of its own (what ``tracker timeline --chart`` draws)."""
    with sessions() as session:
        return build_timeline(session, today, jurisdiction=jurisdiction, company=company, within=within,
                              include_federal=include_federal, since=since)


@dataclass(frozen=True)
class TimelineStream:
    """A time line read as it is written: ``events`` gives each event on or after ``since``
    with its measure, newest first (undated ones last), once; ``measures`` is how many
    measures the time line covers (those with a fact that counts)."""

    today: dt.date
    since: dt.date | None
    measures: int
    events: Iterator[tuple[Event, MeasureLine]]


def _pack_date(date: PartialDate | None) -> tuple[int, str] | None:
    return (date.start.toordinal(), date.precision.value) if date else None


def _unpack_date(packed: tuple[int, str] | None) -> PartialDate | None:
    return PartialDate(dt.date.fromordinal(packed[0]), Precision(packed[1])) if packed else None


def _pack(event: Event, line: MeasureLine) -> bytes:
    """An event and its measure's subject as plain values (``marshal``: several times faster
    than pickling the dataclasses), for the temporary table."""
    return marshal.dumps((
        (line.measure_id, line.subject, line.subject_type.value, line.kind, line.scope, line.title),
        str(event.status), _pack_date(event.date), event.reported_by.toordinal() if event.reported_by else None,
        _pack_date(event.until), event.open_ended, event.end_of_term,
        tuple((e.source, e.published, e.quote, str(e.status), e.date, e.published_guessed) for e in event.evidence),
    ))


def _unpack(payload: bytes) -> tuple[Event, MeasureLine]:
    head, status, date, reported_by, until, open_ended, end_of_term, evidence = marshal.loads(payload)
    mid, subject, subject_type, kind, scope, title = head
    event = Event(
        mid, status, _unpack_date(date), dt.date.fromordinal(reported_by) if reported_by else None,
        _unpack_date(until), open_ended, end_of_term, tuple(Evidence(*e) for e in evidence),
    )
    return event, MeasureLine(mid, subject, SubjectType(subject_type), kind, scope, title, (), ())



def _sorted_events(conn: Connection, where: list[Any], since: dt.date | None) -> Iterator[tuple[Event, MeasureLine]]:
    """The events of the matching measures in ``Timeline.events`` order: computed a batch of
    measures at a time, written to a temporary table, read back in order."""
    table = Table(
        f"timeline_events_{uuid.uuid4().hex[:12]}", MetaData(),
        Column("day", Date), Column("measure_id", Integer), Column("seq", Integer), Column("payload", LargeBinary),
        prefixes=["TEMPORARY"],
    )
    table.create(conn)
    result = None
    try:
        for ids in _id_batches(conn, [*where, _active_since(since)] if since else where):
            rows = []
            for line in _lines(conn, ids):
                for seq, event in enumerate(line.events):
                    if since is None or (event.day is not None and event.day >= since):
                        rows.append({"day": event.day, "measure_id": line.measure_id, "seq": seq,
                                     "payload": _pack(event, line)})
            if rows:
                conn.execute(insert(table), rows)
        # Timeline.events' order: newest first, undated last, ties by measure (highest first)
        # then in the measure's own order
        query = select(table.c.payload).order_by(
            table.c.day.is_(None), table.c.day.desc(), table.c.measure_id.desc(), table.c.seq
        )
        # yield_per on the statement, not the connection (which would keep it for the DROP below)
        result = conn.execute(query.execution_options(yield_per=BATCH))
        for partition in result.partitions():
            for (payload,) in partition:
                yield _unpack(payload)
    finally:
        if result is not None:
            result.close()  # a reader that stopped early leaves the cursor open (PostgreSQL)
        # after a database error the transaction is done for, and the table goes with it
        with suppress(DBAPIError) if sys.exc_info()[0] not in (None, GeneratorExit) else nullcontext():
            table.drop(conn, checkfirst=True)


def stream_timeline(
    session: Session,
    today: dt.date,
    *,
    jurisdiction: str | None = None,
    company: str | None = None,
    within: str | None = None,
    include_federal: bool = False,
    since: dt.date | None = None,
) -> TimelineStream:
    """The time line streamed (``TimelineStream``): the same events as ``build_timeline``'s
    ``Timeline.events``, in the same order, a batch of measures in memory at a time. Names are
    looked up before this returns, so a bad one fails before any output.

    Raises:
        NotFoundError: no jurisdiction or company has that name.
    """
    where = subject_filter(session, jurisdiction, company, within, include_federal)
    conn = session.connection()
    count = conn.scalar(select(func.count()).select_from(_M).where(_has_periods(), *where)) or 0
    return TimelineStream(today, since, count, _sorted_events(conn, where, since))


def open_timeline(
    engine: Engine,
    sessions: sessionmaker[Session],
    today: dt.date,
    **kwargs: Any,
) -> TimelineStream:
    """``stream_timeline`` on a connection of its own, closed when the events are read to
    the end (or the iterator is closed): what ``tracker timeline`` prints."""
    # a read: on SQLite, do not take the write lock (BEGIN IMMEDIATE) for its whole length
    session = sessions(bind=engine.connect().execution_options(sqlite_begin="DEFERRED"))
    try:
        stream = stream_timeline(session, today, **kwargs)
    except BaseException:
        _close(session)
        raise

    def events() -> Iterator[tuple[Event, MeasureLine]]:
        try:
            yield from stream.events
        finally:
            _close(session)

    return TimelineStream(stream.today, stream.since, stream.measures, events())


def _close(session: Session) -> None:
    bind = session.get_bind()
    session.close()
    bind.close()  # type: ignore[union-attr]


# -- text --------------------------------------------------------------------------------------
def _when(event: Event) -> str:
    if event.date is not None:
        return event.date.iso()
    if event.reported_by is not None:
        return f"by {event.reported_by.isoformat()}"
    return "undated"


def _what(event: Event, today: dt.date) -> str:
    status = event.status.replace("_", " ")
    if event.end_of_term:
        return "ends (end of its term)" if event.date and event.date.start > today else \
            "expired (end of its term; no article reports it)"
    extra = ""
    if event.until is not None:
        extra = f" until {event.until.iso()}"
    elif event.open_ended:
        extra = " until further notice"
    if event.date is None:
        extra += " (no date given)"
    return status + extra


def text_chunks(stream: TimelineStream, width: int = 80) -> Iterator[str]:
    """The time line for people, a line at a time (each with its newline): one paragraph per
    event, newest first, quoting the evidence, then a count."""
    head = "Timeline of facial-recognition measures, newest first"
    if stream.since:
        head += f", since {stream.since.isoformat()}"
    yield head + "\n\n"
    indent = " " * 4
    n = 0
    for event, m in stream.events:
        n += 1
        lines = []
        subject = m.subject + (" (company)" if m.subject_type is SubjectType.COMPANY else "")
        text = f"{_when(event)}  {subject} \u2014 {m.kind} on {m.scope} [{m.measure_id}]: {_what(event, stream.today)}"
        lines.extend(textwrap.wrap(text, width, subsequent_indent=indent))
        for ev in event.evidence:
            lines.extend(textwrap.wrap(f"\u201c{ev.quote}\u201d", width, initial_indent=indent,
                                       subsequent_indent=indent + " "))
            where = ev.source or "(no source)"
            published = f", published {ev.published}" + (" (guessed)" if ev.published_guessed else "") if ev.published else ""
            lines.extend(textwrap.wrap(f"-- {where}{published}",
                                       width, initial_indent=indent + "  ", subsequent_indent=indent + "     "))
        lines.append("")
        yield "\n".join(lines) + "\n"
    if not n:
        yield "  (no events)\n"
    yield (f"{n} event{'s' if n != 1 else ''}, {stream.measures} measure"
           f"{'s' if stream.measures != 1 else ''}. 'tracker show ID' prints one measure.\n")


def in_memory(timeline: Timeline) -> TimelineStream:
    """A ``Timeline`` read as a stream (its events, each with its measure)."""
    return TimelineStream(timeline.today, timeline.since, len(timeline.measures),
                          ((e, timeline.by_id[e.measure_id]) for e in timeline.events))


def format_text(timeline: Timeline, width: int = 80) -> str:
    """The time line for people (``text_chunks``), as one string without the last newline."""
    return "".join(text_chunks(in_memory(timeline), width)).removesuffix("\n")


# -- for scripts -------------------------------------------------------------------------------
def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"source": e.source, "published": e.published, "quote": e.quote}


def event_record(event: Event, m: MeasureLine) -> dict[str, Any]:
    """One event with all its evidence: an NDJSON line, an entry of the JSON document's
    ``events`` (``rows.event_object`` gives the same for an in-memory ``Timeline``)."""
    return {
        "date": event.date.iso() if event.date else None,
        "reported_by": event.reported_by.isoformat() if event.reported_by else None,
        "measure_id": m.measure_id, "subject_type": m.subject_type.value, "subject": m.subject,
        "kind": m.kind, "scope": m.scope, "status": event.status,
        "until": event.until.iso() if event.until else None,
        "open_ended": event.open_ended, "end_of_term": event.end_of_term,
        "evidence": [_evidence_dict(e) for e in event.evidence],
    }


def records(stream: TimelineStream) -> Iterator[dict[str, Any]]:
    """``timeline --format ndjson``: one object per event, newest first."""
    for event, m in stream.events:
        yield event_record(event, m)


def flat_records(stream: TimelineStream) -> Iterator[dict[str, Any]]:
    """``timeline --format csv``: one flat row per event (``rows.TIMELINE_COLUMNS``), with its
    first evidence and how many sources it has."""
    for row in records(stream):
        evidence = row.pop("evidence")
        first = evidence[0] if evidence else {}
        row.update(
            sources=len({e["source"] for e in evidence}),
            source=first.get("source"), published=first.get("published"), quote=first.get("quote"),
        )
        yield row


def json_chunks(stream: TimelineStream) -> Iterator[str]:
    """``timeline --format json``, an event at a time: the same text as ``json.dumps(...,
    indent=2, ensure_ascii=False)`` of the whole object (``rows.timeline_object``), and a
    newline."""
    from tracker.report.render import dumps_indented

    since = json.dumps(stream.since.isoformat()) if stream.since else "null"
    yield '{\n  "today": ' + json.dumps(stream.today.isoformat()) + ',\n  "since": ' + since + ',\n  "events": ['
    first = True
    for event, m in stream.events:
        yield ("\n    " if first else ",\n    ") + dumps_indented(event_record(event, m), "    ")
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"
