"""The history of measures as a time line: events newest first, each with its evidence.

A measure's status changes become *events*: the restatements of one event (San Francisco's ban
"on May 14, 2019", "in May 2019", "in 2019") are merged into the most precise one, with all their
evidence; a change without a date joins the event it restates, or stands alone at the day it was
known by. An end of term that no article reports (a one-year moratorium nobody extended) is an
event too, derived from the measure's status periods (``tracker.report.periods``). ``format_text``
renders a time line for people; ``tracker.report.chart`` draws one.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.curate.rules import counting
from tracker.dates import PartialDate
from tracker.models import Measure, StatusChange
from tracker.report.periods import Period, compute_periods
from tracker.report.report import SOURCE_FOR_EVIDENCE, Evidence, measures_query, to_change
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


def _subject(measure: Measure) -> tuple[str, SubjectType]:
    j = measure.jurisdiction
    if j is not None:
        local = j.kind in ("place", "county") and j.state_code
        return (f"{j.name}, {j.state_code}" if local else j.name), SubjectType.JURISDICTION
    assert measure.company is not None
    return measure.company.name, SubjectType.COMPANY


def _evidence(sc: StatusChange) -> Evidence:
    source = sc.source
    published = source.published_date if source else None
    return Evidence(
        source=(source.url or source.path) if source else None,
        published=published.isoformat() if published else None,
        quote=sc.evidence,
        status=sc.status,
        date=PartialDate(sc.effective_date, Precision(sc.precision)).iso() if sc.effective_date else None,
        published_guessed=bool(published and source and source.published_how == "inferred"),
    )


def measure_events(changes: Sequence[StatusChange], periods: Sequence[Period]) -> list[Event]:
    """A measure's events, oldest first (see the module docstring)."""
    records = [(sc, to_change(sc)) for sc in changes]
    dated_effects = {_effect(c.status) for _, c in records if c.date is not None}
    events: list[dict] = []

    def add(status: str, date: PartialDate | None, sc: StatusChange, **extra: object) -> None:
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


def build_timeline(
    session: Session,
    today: dt.date,
    *,
    jurisdiction: str | None = None,
    company: str | None = None,
    since: dt.date | None = None,
) -> Timeline:
    """The time line of every measure (or those of one jurisdiction or one company).

    Raises:
        NotFoundError: no jurisdiction or company has that name.
    """
    query = measures_query(session, jurisdiction, company)
    measures = list(session.scalars(query.order_by(Measure.id)))
    changes: dict[int, list[StatusChange]] = {m.id: [] for m in measures}
    if measures:
        sc_query = select(StatusChange).options(SOURCE_FOR_EVIDENCE).order_by(StatusChange.id)
        if jurisdiction or company:
            sc_query = sc_query.where(StatusChange.measure_id.in_(list(changes)))
        for sc in session.scalars(sc_query):
            changes[sc.measure_id].append(sc)
    lines = []
    for measure in measures:
        mine = counting(changes[measure.id])  # people's decisions apply (tracker.curate)
        if not mine:
            continue
        periods = tuple(compute_periods([to_change(sc) for sc in mine]))
        subject, subject_type = _subject(measure)
        lines.append(MeasureLine(
            measure.id, subject, subject_type, measure.kind, measure.scope, measure.title,
            periods, tuple(measure_events(mine, periods)),
        ))
    return Timeline(today, since, tuple(lines))


def load_timeline(
    sessions: sessionmaker[Session],
    today: dt.date,
    *,
    jurisdiction: str | None = None,
    company: str | None = None,
    since: dt.date | None = None,
) -> Timeline:
    """``build_timeline`` in a session of its own (what ``tracker timeline`` runs)."""
    with sessions() as session:
        return build_timeline(session, today, jurisdiction=jurisdiction, company=company, since=since)


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


def format_text(timeline: Timeline, width: int = 80) -> str:
    """The time line for people: one paragraph per event, newest first, quoting the evidence."""
    events = timeline.events
    head = "Timeline of facial-recognition measures, newest first"
    if timeline.since:
        head += f", since {timeline.since.isoformat()}"
    lines = [head, ""]
    if not events:
        lines.append("  (no events)")
    indent = " " * 4
    for event in events:
        m = timeline.by_id[event.measure_id]
        subject = m.subject + (" (company)" if m.subject_type is SubjectType.COMPANY else "")
        text = f"{_when(event)}  {subject} \u2014 {m.kind} on {m.scope} [{m.measure_id}]: {_what(event, timeline.today)}"
        lines.extend(textwrap.wrap(text, width, subsequent_indent=indent))
        for ev in event.evidence:
            lines.extend(textwrap.wrap(f"\u201c{ev.quote}\u201d", width, initial_indent=indent,
                                       subsequent_indent=indent + " "))
            where = ev.source or "(no source)"
            published = f", published {ev.published}" + (" (guessed)" if ev.published_guessed else "") if ev.published else ""
            lines.extend(textwrap.wrap(f"-- {where}{published}",
                                       width, initial_indent=indent + "  ", subsequent_indent=indent + "     "))
        lines.append("")
    n = len(events)
    lines.append(f"{n} event{'s' if n != 1 else ''}, {len(timeline.measures)} measure"
                 f"{'s' if len(timeline.measures) != 1 else ''}. 'tracker show ID' prints one measure.")
    return "\n".join(lines)
