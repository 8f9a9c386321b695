"""A measure's status over time, as a sequence of periods, and the table that caches them.

``status.state_on`` answers "what was this measure's status on day D?". ``compute_periods`` cuts
the time line, in one sweep over the measure's sorted changes, into periods over every day of
which ``state_on`` gives the period's status, since, until and uncertainty; ``evidence_rows``
records from which day each change counts as evidence. Both are stored (``measure_periods``,
``measure_evidence``); the reports and the SQL views read them, so the views and the CLI cannot
disagree. ``refresh`` recomputes the periods of some measures (``store`` calls it once per batch
of stored articles, for the measures the batch touched) and ``rebuild`` those of every measure
(``tracker db refresh``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.curate.rules import counting
from tracker.data import Change
from tracker.dates import PartialDate
from tracker.models import Measure, MeasureEvidence, MeasurePeriod, StatusChange
from tracker.report.report import to_change
from tracker.report.status import Fold, MeasureState, _usable, effective_dates, undated_state

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
    return (state.status, state.since, state.until, state.uncertain, state.known_by,
            state.effective_assumed, state.in_force_from)


def _after(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + _ONE_DAY


def compute_periods(changes: Sequence[Change]) -> list[Period]:
    """Cut a measure's time line into the periods over which ``status.state_on(changes, day)``
    reports the same status, since, until and uncertainty (the evidence may grow inside a
    period: ``evidence_rows`` says from which day each change counts). Days before the first
    period have no status (nothing was known yet).

    One sweep over the changes sorted once (O(n log n)): between two days on which changes
    count, the fold of the changes so far is fixed, and the report can change only where the
    day enters or leaves the window of its ``since`` or ``until`` or reaches the end of term.
    ``tests/report/test_periods.py`` checks it against ``state_on`` day by day.
    """
    placed = _usable(changes)
    if not placed:
        state = undated_state(changes)
        return [] if state is None else [Period(None, None, state)]
    periods: list[Period] = []
    fold = Fold(effective_dates(placed))
    i, n = 0, len(placed)
    while i < n:
        day = placed[i][0].start
        while i < n and placed[i][0].start == day:
            fold.step(*placed[i])
            i += 1
        following = placed[i][0].start if i < n else None
        cuts = {day}
        for edge in (fold.since, fold.until):
            if edge is not None:
                for boundary in (edge.start, _after(edge.last)):
                    if boundary is not None and day < boundary and (following is None or boundary < following):
                        cuts.add(boundary)
        for cut in sorted(cuts):
            state = fold.state(cut)
            assert state is not None  # every change gives a measure a status
            if periods:
                last = periods[-1]
                if _key(state) == _key(last.state):
                    continue
                periods[-1] = Period(last.start, cut, last.state)
            periods.append(Period(cut, None, state))
    return periods


def evidence_rows(measure_id: int, changes: Sequence[Change]) -> list[dict[str, object]]:
    """``measure_evidence`` rows: the changes that count as evidence for the measure's status,
    each with the day from which it counts (``counts_from``; NULL for a measure none of whose
    changes can be placed in time, whose status rests on all of them). The evidence for day D
    is exactly the rows with ``counts_from <= D`` (or NULL): ``MeasureState.change_ids``."""
    placed = _usable(changes)
    if placed:
        pairs = [(c.change_id, when.start) for when, c in placed]
    elif undated_state(changes) is not None:
        pairs = [(c.change_id, None) for c in changes]
    else:
        pairs = []
    return [
        {"measure_id": measure_id, "change_id": cid, "counts_from": day}
        for cid, day in pairs if cid is not None
    ]


def state_from_periods(periods: Iterable[Period], day: dt.date) -> MeasureState | None:
    """The state of the period containing ``day`` (what the SQL views look up)."""
    return next((p.state for p in periods if p.contains(day)), None)


# -- the cache table -------------------------------------------------------------------------
# Core statements on the session's connection: the refresh runs once per stored article, and
# the ORM's per-statement work (autoflush, entity loading) would double its cost.
_PERIODS = MeasurePeriod.__table__
_EVIDENCE = MeasureEvidence.__table__
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
            "in_force_from_date": p.state.in_force_from.start if p.state.in_force_from else None,
            "in_force_from_precision": p.state.in_force_from.precision.value if p.state.in_force_from else None,
        }
        for seq, p in enumerate(periods)
    ]


def _chunks(ids: Iterable[int], size: int = _BATCH) -> Iterable[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, size)):
        yield chunk


#: Changes as ``status`` sees them, by their row (id and every column the fold reads): a batch
#: of ingested articles refreshes busy measures again and again, and most of their rows are the
#: ones it read last time. Keyed by the whole row, so an edited row is read afresh; bounded.
_CHANGE_CACHE: dict[tuple[object, ...], Change] = {}
_CHANGE_CACHE_SIZE = 20_000  # about 10 MB


def _changes(conn: Connection, measure_ids: list[int], cache: bool = False) -> dict[int, list[Change]]:
    """The changes that count (tracker.curate's rules applied) of each of ``measure_ids``."""
    changes: dict[int, list[Change]] = defaultdict(list)
    query = (
        select(*_CHANGE_COLUMNS)
        .where(_CHANGES.c.measure_id.in_(measure_ids))
        .order_by(_CHANGES.c.measure_id, _CHANGES.c.id)
    )
    rows = counting(conn.execute(query).all())  # people's decisions apply (tracker.curate)
    if not cache:
        for row in rows:
            changes[row.measure_id].append(to_change(row))
        return changes
    if len(_CHANGE_CACHE) > _CHANGE_CACHE_SIZE:
        _CHANGE_CACHE.clear()
    for row in rows:
        key = tuple(row)
        change = _CHANGE_CACHE.get(key)
        if change is None:
            change = _CHANGE_CACHE[key] = to_change(row)
        changes[row.measure_id].append(change)
    return changes


def _store(conn: Connection, measure_ids: list[int]) -> int:
    """Compute and insert the periods of ``measure_ids`` (whose old rows are gone)."""
    changes = _changes(conn, measure_ids)
    rows: list[dict[str, object]] = []
    evidence: list[dict[str, object]] = []
    for mid in measure_ids:
        rows.extend(period_rows(mid, compute_periods(changes[mid])))
        evidence.extend(evidence_rows(mid, changes[mid]))
    if rows:
        conn.execute(insert(_PERIODS), rows)
    if evidence:
        conn.execute(insert(_EVIDENCE), evidence)
    return len(rows)


_PERIOD_COLUMNS = [c.name for c in _PERIODS.columns]
_DELETE_PERIODS_FROM = delete(_PERIODS).where(
    _PERIODS.c.measure_id == bindparam("m"), _PERIODS.c.seq >= bindparam("s")
)
_DELETE_EVIDENCE = delete(_EVIDENCE).where(
    _EVIDENCE.c.measure_id == bindparam("m"), _EVIDENCE.c.change_id == bindparam("c")
)


def _update(conn: Connection, measure_ids: list[int]) -> int:
    """Recompute the periods and evidence of ``measure_ids`` and write only what differs from
    the stored rows: a measure's periods from the first one that changed, the evidence rows
    that are new, gone or count from another day. (A few facts added to a measure with a long
    history leave most of its rows as they were.)"""
    changes = _changes(conn, measure_ids, cache=True)
    stored: dict[int, list[dict[str, object]]] = defaultdict(list)
    query = select(_PERIODS).where(_PERIODS.c.measure_id.in_(measure_ids))
    for row in conn.execute(query.order_by(_PERIODS.c.measure_id, _PERIODS.c.seq)).all():
        stored[row.measure_id].append(dict(row._mapping))
    had: set[tuple[object, ...]] = {
        tuple(row) for row in conn.execute(
            select(_EVIDENCE.c.measure_id, _EVIDENCE.c.change_id, _EVIDENCE.c.counts_from)
            .where(_EVIDENCE.c.measure_id.in_(measure_ids))
        ).all()
    }
    cut: list[dict[str, object]] = []
    rows: list[dict[str, object]] = []
    want: set[tuple[object, ...]] = set()
    total = 0
    for mid in measure_ids:
        new = period_rows(mid, compute_periods(changes[mid]))
        total += len(new)
        old = stored.get(mid, [])
        same = 0
        while same < min(len(old), len(new)) and all(old[same][k] == new[same][k] for k in _PERIOD_COLUMNS):
            same += 1
        if same < len(old):
            cut.append({"m": mid, "s": same})
        rows.extend(new[same:])
        want.update((e["measure_id"], e["change_id"], e["counts_from"]) for e in evidence_rows(mid, changes[mid]))
    if cut:
        conn.execute(_DELETE_PERIODS_FROM, cut)
    if rows:
        conn.execute(insert(_PERIODS), rows)
    if gone := [{"m": m, "c": c} for m, c, _ in had - want]:
        conn.execute(_DELETE_EVIDENCE, gone)
    if added := [{"measure_id": m, "change_id": c, "counts_from": d} for m, c, d in want - had]:
        conn.execute(insert(_EVIDENCE), added)
    return total


def refresh(session: Session, measure_ids: Iterable[int]) -> int:
    """Recompute the cached periods of ``measure_ids`` inside the caller's transaction (after
    its pending changes are flushed); returns how many periods they now have. Only the rows
    that differ from the stored ones are rewritten.

    On PostgreSQL the measures' rows are locked first (``SELECT ... FOR UPDATE``), so two
    transactions that add facts to the same measure recompute its periods one after the other
    (SQLite runs one writing transaction at a time anyway).
    """
    conn = session.connection() if isinstance(session, Session) else session
    total = 0
    for chunk in _chunks(sorted(set(measure_ids))):
        if conn.dialect.name != "sqlite":
            conn.execute(select(_MEASURES.c.id).where(_MEASURES.c.id.in_(chunk)).with_for_update())
        total += _update(conn, chunk)
    return total


def refresh_all(session: Session) -> int:
    """Recompute the periods of every measure inside the caller's transaction (the cache is
    emptied first); returns how many periods were stored."""
    conn = session.connection()
    conn.execute(delete(_PERIODS))
    conn.execute(delete(_EVIDENCE))
    ids = conn.execute(select(_MEASURES.c.id).order_by(_MEASURES.c.id)).scalars().all()
    return sum(_store(conn, chunk) for chunk in _chunks(ids))


def rebuild(sessions: sessionmaker[Session]) -> int:
    """``refresh_all`` in a transaction of its own: what ``tracker db refresh`` runs."""
    with sessions.begin() as session:
        return refresh_all(session)
