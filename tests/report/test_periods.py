"""The one-sweep ``compute_periods`` and ``evidence_rows`` against the per-day definition,
``status.state_on``, on randomised histories: every day, status, since, until, uncertainty and
evidence."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tracker.data import Change
from tracker.dates import PartialDate
from tracker.report import periods
from tracker.report.status import Fold, state_on, undated_state
from tracker.vocab import Status

BASE = dt.date(2019, 1, 1)


def _a_date(rng: random.Random, span: int) -> PartialDate:
    day = BASE + dt.timedelta(days=rng.randrange(span))
    return rng.choice([
        PartialDate(day), PartialDate(day), PartialDate.month(day.year, day.month),
        PartialDate.quarter(day.year, (day.month - 1) // 3 + 1), PartialDate.year(day.year),
    ])


def _history(rng: random.Random, size: int, span: int = 900) -> list[Change]:
    """A random measure history: any statuses, dates of every precision or none, known-by
    days, ends, durations and open-ended extensions, several changes on one day."""
    days = [_a_date(rng, span) for _ in range(max(1, size // 2))]
    return [
        Change(
            status=rng.choice(list(Status)),
            date=(rng.choice(days) if rng.random() < 0.5 else _a_date(rng, span)) if rng.random() < 0.8 else None,
            known_by=BASE + dt.timedelta(days=rng.randrange(span + 60)) if rng.random() < 0.9 else None,
            end=_a_date(rng, span + 400) if rng.random() < 0.2 else None,
            duration_months=rng.choice([None, None, 6, 12, 24]),
            duration_days=rng.choice([None, None, None, 1, 30]),
            open_ended=rng.random() < 0.2,
            change_id=i,
        )
        for i in range(1, size + 1)
    ]


def _key(state):
    return state and periods._key(state)


@pytest.mark.parametrize("seed", range(6))
def test_sweep_agrees_with_state_on_every_day(seed):
    rng = random.Random(seed)
    for _ in range(25):
        changes = _history(rng, rng.randrange(1, 25))
        found = periods.compute_periods(changes)
        undated = undated_state(changes)
        evidence = periods.evidence_rows(7, changes)
        for offset in range(-30, 1450):
            day = BASE + dt.timedelta(days=offset)
            expected = state_on(changes, day) or undated
            got = periods.state_from_periods(found, day)
            assert _key(got) == _key(expected), (changes, day)
            if expected is not None:
                counted = {r["change_id"] for r in evidence if r["counts_from"] is None or r["counts_from"] <= day}
                assert counted == set(expected.change_ids), (changes, day)


@pytest.mark.parametrize("seed", range(3))
def test_periods_are_maximal_and_ordered(seed):
    """Adjacent periods differ (one row per status run), and they tile the time line."""
    rng = random.Random(100 + seed)
    for _ in range(50):
        found = periods.compute_periods(_history(rng, rng.randrange(1, 40)))
        for before, after in zip(found, found[1:], strict=False):
            assert before.end == after.start is not None
            assert periods._key(before.state) != periods._key(after.state)
        if found:
            assert found[-1].end is None


def test_undated_measure_rests_on_all_its_changes():
    changes = [Change(Status.ENACTED, None, change_id=1), Change(Status.PROPOSED, None, change_id=2)]
    assert [(p.start, p.end, p.state.status.value) for p in periods.compute_periods(changes)] == [(None, None, "in_force")]
    assert [(r["change_id"], r["counts_from"]) for r in periods.evidence_rows(3, changes)] == [(1, None), (2, None)]


def test_a_long_history_is_swept_in_one_pass():
    """A thousand changes: the sweep calls the per-change step once per change (the old
    per-day walk was quadratic)."""
    rng = random.Random(5)
    changes = _history(rng, 1000, span=20000)
    calls = 0
    step = Fold.step

    def counting(self, *args):
        nonlocal calls
        calls += 1
        return step(self, *args)

    Fold.step = counting  # type: ignore[method-assign]
    try:
        found = periods.compute_periods(changes)
    finally:
        Fold.step = step  # type: ignore[method-assign]
    assert found and calls <= len(changes)
    for day in (BASE + dt.timedelta(days=d) for d in range(0, 20000, 97)):
        assert _key(periods.state_from_periods(found, day)) == _key(state_on(changes, day) or undated_state(changes))
