"""What is in force on a date: a pure function of a measure's status changes.

The rules (docs/analysts.md shows them in SQL):

- changes are taken in date order, up to and including the day asked about; a change whose date
  is unknown counts from the day its source was published (``known_by``), and only when no dated
  change of the same kind (a start, an end, a proposal) says more;
- enacted / in_force / extended put a measure in force; expired / failed / repealed / suspended
  end it; proposed counts only while it is not in force;
- a duration sets the end from the start (an extension's from the old end); an extension
  "until further notice" removes the end; a measure past its end is ``expired``;
- an imprecise date counts from the earliest day it allows, and a day inside its window is
  reported as uncertain; when a finer date of the same kind of event lies inside it ("2020"
  and "2020-06-08"), the finer one decides;
- adopted is not yet in force: an ``enacted`` change followed by a later ``in_force`` one (the
  text gave an effective date) leaves the measure ``enacted`` until then; an adoption with no
  effective date counts as in force from adoption, and the state says the date is assumed;
- a state that starts from an undated change has no ``since``: it says by when the change was
  known (``known_by``) instead.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tracker.data import Change
from tracker.dates import PartialDate, add_duration
from tracker.vocab import ENDS, STARTS, Precision, ReportStatus, Status

_ORDER = {s: i for i, s in enumerate(Status)}


@dataclass(frozen=True)
class MeasureState:
    """A measure's status on a date."""

    status: ReportStatus
    since: PartialDate | None
    until: PartialDate | None
    uncertain: bool
    change_ids: tuple[int, ...] = ()
    #: When the state starts from an undated change: the day the tracker could know it
    #: (``since`` is then None: "date unknown, reported by known_by").
    known_by: dt.date | None = None
    #: In force from an adoption whose effective date no text gives.
    effective_assumed: bool = False
    #: For an ``enacted`` measure: the day it takes effect.
    in_force_from: PartialDate | None = None

    @property
    def in_force(self) -> bool:
        return self.status is ReportStatus.IN_FORCE


def _group(status: Status) -> str:
    if status is Status.EXTENDED:
        return "extension"  # an undated extension says more than a dated start
    if status in STARTS:
        return "start"
    if status in ENDS:
        return "end"
    return "proposal"


def _usable(changes: Iterable[Change]) -> list[tuple[PartialDate, Change]]:
    """The changes that can be placed in time, each with the date it counts from."""
    changes = list(changes)
    dated_groups = {_group(c.status) for c in changes if c.date is not None}
    placed: list[tuple[PartialDate, Change]] = []
    for change in changes:
        if change.date is not None:
            placed.append((change.date, change))
        elif change.known_by is not None and _group(change.status) not in dated_groups:
            placed.append((PartialDate(change.known_by, Precision.DAY), change))
    # A coarse date ("2020") says no more than a finer one inside it ("2020-06-08") for the same
    # kind of event: the finer one decides, so the measure is not in force from January 1.
    starts: dict[str, list[dt.date]] = {}
    for when, change in placed:
        if when.precision is not Precision.YEAR:
            starts.setdefault(_group(change.status), []).append(when.start)
    for days in starts.values():
        days.sort()
    finer = []
    for when, change in placed:
        if when.precision is not Precision.DAY:
            days = starts.get(_group(change.status), [])
            i = bisect.bisect_right(days, when.start)
            if i < len(days) and days[i] <= when.last:
                continue
        finer.append((when, change))
    finer.sort(key=lambda p: (p[0].start, _ORDER[p[1].status]))
    return finer


def _end_of(change: Change, start: PartialDate, previous_end: PartialDate | None):
    """The end a change sets: (changed?, new end)."""
    if change.open_ended:
        return True, None
    if change.end is not None:
        return True, change.end
    if change.duration_days or change.duration_months:
        base = previous_end if change.status is Status.EXTENDED and previous_end else start
        return True, add_duration(base, change.duration_days, change.duration_months)
    return False, previous_end


def state_on(changes: Sequence[Change], day: dt.date) -> MeasureState | None:
    """The status of a measure on ``day``, or None when nothing is known of it by then."""
    return timeline(changes)(day)


def timeline(changes: Sequence[Change]) -> Callable[[dt.date], MeasureState | None]:
    """``state_on`` for one measure on many days: its changes are sorted and sifted once."""
    placed = _usable(changes)
    effects = effective_dates(placed)
    return lambda day: _walk(placed, day, effects)


def _takes_effect(effects: list[PartialDate], adopted: PartialDate) -> PartialDate | None:
    """The first stated effective date after an adoption, if the text gives one."""
    return next((e for e in effects if e.start > adopted.last), None)


class Fold:
    """A measure's status as its placed changes are read in order: ``step`` takes the next
    change, ``state`` says what that gives on a day on or after the last change read.
    ``_walk`` folds the changes up to one day; ``periods.compute_periods`` folds them once and
    asks ``state`` only on the days where the answer can change."""

    __slots__ = ("status", "since", "until", "undated", "started_by", "pending", "adopted", "used", "effects")

    def __init__(self, effects: list[PartialDate] | None = None) -> None:
        self.status: ReportStatus | None = None
        self.since: PartialDate | None = None
        self.until: PartialDate | None = None
        self.undated = False  # since comes from an undated change (its known_by)
        self.started_by: Status | None = None
        self.pending: PartialDate | None = None  # the effective date an enacted measure waits for
        self.adopted: Change | None = None  # the adoption that waits for it
        self.used: list[int] = []
        self.effects = effects or []

    def step(self, when: PartialDate, change: Change) -> None:
        if change.change_id is not None:
            self.used.append(change.change_id)
        status, until = self.status, self.until
        lapsed = status is ReportStatus.IN_FORCE and until is not None and until.start <= when.start
        in_force = status is ReportStatus.IN_FORCE and not lapsed
        if change.status in STARTS:
            waits = _takes_effect(self.effects, when) if change.status is Status.ENACTED else None
            if not in_force and waits is not None:
                # adopted, and a text says when it takes effect: enacted until then
                if status is not ReportStatus.ENACTED:
                    self.since, self.until, self.undated = when, None, change.date is None
                self.status, self.pending, self.adopted = ReportStatus.ENACTED, waits, change
                return
            if change.status is Status.EXTENDED and lapsed:
                until = None  # extended past its term, to an end the evidence does not give
            elif not in_force:
                self.since, until, self.undated, self.started_by = when, None, change.date is None, change.status
            sets, new_end = _end_of(change, when, until)
            if not sets and status is ReportStatus.ENACTED and self.adopted is not None:
                # the term the adoption stated ("a one-year moratorium") runs from the effective day
                sets, new_end = _end_of(self.adopted, when, until)
            if sets or not in_force:
                until = new_end
            self.until = until
            self.status, self.pending, self.adopted = ReportStatus.IN_FORCE, None, None
        elif change.status in ENDS:
            if change.status is Status.EXPIRED and until is not None and until.start < when.start:
                when = until
            self.status, self.since, self.until = ReportStatus(change.status.value), when, None
            self.undated, self.pending = change.date is None, None
        elif not in_force and status is not ReportStatus.ENACTED:
            self.status, self.since, self.until = ReportStatus.PROPOSED, when, None
            self.undated = change.date is None

    def state(self, day: dt.date) -> MeasureState | None:
        status, since, until = self.status, self.since, self.until
        if status is None:
            return None
        used = tuple(self.used)
        known_by = since.start if self.undated and since is not None else None
        if self.undated:
            since = None
        uncertain = since is not None and since.precision != Precision.DAY and since.contains(day)
        if status is ReportStatus.IN_FORCE and until is not None and until.start <= day:
            return MeasureState(ReportStatus.EXPIRED, until, None, until.contains(day), used)
        if until is not None and until.precision != Precision.DAY and until.contains(day):
            uncertain = True
        assumed = status is ReportStatus.IN_FORCE and self.started_by is Status.ENACTED
        return MeasureState(
            status, since, until, uncertain, used, known_by, assumed,
            self.pending if status is ReportStatus.ENACTED else None,
        )


def _walk(
    placed: list[tuple[PartialDate, Change]], day: dt.date, effects: list[PartialDate] | None = None
) -> MeasureState | None:
    fold = Fold(effects)
    for when, change in placed:
        if when.start > day:
            break
        fold.step(when, change)
    return fold.state(day)


def effective_dates(placed: list[tuple[PartialDate, Change]]) -> list[PartialDate]:
    """The stated effective dates among a measure's placed changes (``_takes_effect``)."""
    return [when for when, change in placed if change.status is Status.IN_FORCE and change.date]


def undated_state(changes: Sequence[Change]) -> MeasureState | None:
    """For a measure none of whose changes can be placed in time: the latest thing said."""
    if not changes or _usable(changes):
        return None
    last = max(changes, key=lambda c: _ORDER[c.status])
    status = (
        ReportStatus.IN_FORCE if last.status in STARTS else ReportStatus(last.status.value)
    )
    return MeasureState(status, None, None, True, tuple(c.change_id for c in changes if c.change_id))
