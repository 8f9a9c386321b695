"""A measure's status over time, as a sequence of periods, and the table that caches them.

``status.state_on`` answers "what was this measure's status on day D?". ``compute_periods`` asks
it on every day where the answer can change (the days its changes count from, and the first and
day-after-last days of every ``since`` and ``until`` it reports) and cuts the time line there, so
that on every day of a period ``state_on`` gives the period's status, since, until and
uncertainty. The periods are stored in ``measure_periods``; the SQL views read them, so the views
and the CLI cannot disagree. ``refresh`` recomputes the periods of some measures (``store``
calls it after storing facts) and ``rebuild`` those of every measure (``tracker db refresh``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.curate.rules import counting
from tracker.data import Change
from tracker.dates import PartialDate
from tracker.models import Measure, MeasurePeriod, StatusChange
from tracker.report.report import to_change
from tracker.report.status import MeasureState, timeline, undated_state

_ONE_DAY = dt.timedelta(days=1)
_BATCH = 500


@dataclass(frozen=True)
class Period:
    """The days ``start`` (inclusive) to ``end`` (exclusive) over which a measure's status is
    ``state``. ``end`` is None while the period lasts; ``start`` is None only for a measure
    none of whose changes can be placed in time (its status is then the same on every day,
    as ``status --all`` reports it)."""

    start: dt.date | None
    end: dt.date | None
    state: MeasureState

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def _key(state: MeasureState) -> tuple[object, ...]:
    return (state.status, state.since, state.until, state.uncertain, state.known_by)


def _after(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + _ONE_DAY


def compute_periods(changes: Sequence[Change]) -> list[Period]:
    """Cut a measure's time line into the periods over which ``status.state_on(changes, day)``
    reports the same status, since, until and uncertainty (the evidence may grow inside a
    period). Days before the first period have no status (nothing was known yet)."""
    candidates: set[dt.date] = set()
    for change in changes:  # every day a change can count from (status._usable)
        if change.date is not None:
            candidates.add(change.date.start)
        elif change.known_by is not None:
            candidates.add(change.known_by)
    state_of = timeline(changes)  # status.state_on, with the changes sorted once
    states: dict[dt.date, MeasureState | None] = {}
    pending = sorted(candidates)
    while pending:
        day = pending.pop()
        state = states[day] = state_of(day)
        if state is None:
            continue
        for edge in (state.since, state.until):
            if edge is None:
                continue
            for boundary in (edge.start, _after(edge.last)):
                if boundary is not None and boundary not in candidates:
                    candidates.add(boundary)
                    pending.append(boundary)
    periods: list[Period] = []
    for day in sorted(states):
        state = states[day]
        if periods and periods[-1].end is None:
            last = periods[-1]
            if state is not None and _key(state) == _key(last.state):
                continue
            periods[-1] = Period(last.start, day, last.state)
        if state is not None:
            periods.append(Period(day, None, state))
    if not periods and (state := undated_state(changes)) is not None:
        periods.append(Period(None, None, state))
    return periods


def state_from_periods(periods: Iterable[Period], day: dt.date) -> MeasureState | None:
    """The state of the period containing ``day`` (what the SQL views look up)."""
    return next((p.state for p in periods if p.contains(day)), None)


# -- the cache table -------------------------------------------------------------------------
# Core statements on the session's connection: the refresh runs once per stored article, and
# the ORM's per-statement work (autoflush, entity loading) would double its cost.
_PERIODS = MeasurePeriod.__table__
_CHANGES = StatusChange.__table__
_MEASURES = Measure.__table__
_CHANGE_COLUMNS = [
    _CHANGES.c[name] for name in (
        "measure_id", "id", "status", "effective_date", "precision", "known_by", "end_date",
        "end_precision", "duration_months", "duration_days", "open_ended", "origin", "review",
    )
]


def _edge(date: PartialDate | None, prefix: str) -> dict[str, object]:
    return {
        prefix: date.iso() if date else None,
        f"{prefix}_date": date.start if date else None,
        f"{prefix}_precision": date.precision.value if date else None,
    }


def period_rows(measure_id: int, periods: Sequence[Period]) -> list[dict[str, object]]:
    """``measure_periods`` rows for one measure's periods."""
    return [
        {
            "measure_id": measure_id,
            "seq": seq,
            "status": p.state.status.value,
            "start_date": p.start,
            "end_date": p.end,
            **_edge(p.state.since, "since"),
            **_edge(p.state.until, "until"),
            "uncertain": p.state.uncertain,
            "known_by": p.state.known_by,
            "effective_assumed": p.state.effective_assumed,
        }
        for seq, p in enumerate(periods)
    ]


def _chunks(ids: Iterable[int], size: int = _BATCH) -> Iterable[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _store(conn: Connection, measure_ids: list[int]) -> int:
    """Compute and insert the periods of ``measure_ids`` (whose old rows are gone)."""
    changes: dict[int, list[Change]] = defaultdict(list)
    query = (
        select(*_CHANGE_COLUMNS)
        .where(_CHANGES.c.measure_id.in_(measure_ids))
        .order_by(_CHANGES.c.measure_id, _CHANGES.c.id)
    )
    for row in counting(conn.execute(query)):  # people's decisions apply (tracker.curate)
        changes[row.measure_id].append(to_change(row))
    rows = [r for mid in measure_ids for r in period_rows(mid, compute_periods(changes[mid]))]
    if rows:
        conn.execute(insert(_PERIODS), rows)
    return len(rows)


def refresh(session: Session, measure_ids: Iterable[int]) -> int:
    """Recompute the cached periods of ``measure_ids`` inside the caller's transaction (after
    its pending changes are flushed); returns how many periods they now have.

    On PostgreSQL the measures' rows are locked first (``SELECT ... FOR UPDATE``), so two
    transactions that add facts to the same measure recompute its periods one after the other
    (SQLite runs one writing transaction at a time anyway).
    """
    conn = session.connection() if isinstance(session, Session) else session
    total = 0
    for chunk in _chunks(sorted(set(measure_ids))):
        if conn.dialect.name != "sqlite":
            conn.execute(select(_MEASURES.c.id).where(_MEASURES.c.id.in_(chunk)).with_for_update())
        conn.execute(delete(_PERIODS).where(_PERIODS.c.measure_id.in_(chunk)))
        total += _store(conn, chunk)
    return total


def refresh_all(session: Session) -> int:
    """Recompute the periods of every measure inside the caller's transaction (the cache is
    emptied first); returns how many periods were stored."""
    conn = session.connection()
    conn.execute(delete(_PERIODS))
    ids = conn.execute(select(_MEASURES.c.id).order_by(_MEASURES.c.id)).scalars().all()
    return sum(_store(conn, chunk) for chunk in _chunks(ids))


def rebuild(sessions: sessionmaker[Session]) -> int:
    """``refresh_all`` in a transaction of its own: what ``tracker db refresh`` runs."""
    with sessions.begin() as session:
        return refresh_all(session)
