"""``state_on``: what is in force on a day, from a measure's status changes (DESIGN.md section 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.data import Change
from tracker.dates import PartialDate
from tracker.report.status import state_on, undated_state
from tracker.vocab import ReportStatus, Status

D = dt.date


def change(status: Status, date: str | None, **kw: object) -> Change:
    """A change on a date written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (None: undated)."""
    return Change(status, PartialDate.parse(date) if date else None, **kw)  # type: ignore[arg-type]


def state(changes: list[Change], day: dt.date) -> tuple[str, str | None, str | None, bool] | None:
    """(status, since, until, uncertain) on ``day``, dates as ISO text cut to their precision."""
    s = state_on(changes, day)
    if s is None:
        return None
    return s.status.value, s.since and s.since.iso(), s.until and s.until.iso(), s.uncertain


ENACTED_THEN_REPEALED = [
    change(Status.ENACTED, "2020-12-02"),
    change(Status.REPEALED, "2022-07-21"),
]
ONE_YEAR = [change(Status.ENACTED, "2020-06-10", duration_months=12)]
EXTENDED_OPEN = [*ONE_YEAR, change(Status.EXTENDED, "2021-05-18", open_ended=True)]
EXTENDED_YEAR = [*ONE_YEAR, change(Status.EXTENDED, "2021-05-18", duration_months=12)]
FAILED = [change(Status.PROPOSED, "2021-01-20"), change(Status.FAILED, "2021-03-20")]
PROPOSED_THEN_ENACTED = [change(Status.PROPOSED, "2021-01"), change(Status.ENACTED, "2021-06-01")]
SINCE_MONTH = [change(Status.ENACTED, "2019-05")]
COARSE_AND_FINE = [change(Status.ENACTED, "2020"), change(Status.ENACTED, "2020-06-08")]


@pytest.mark.parametrize(
    ("changes", "day", "expected"),
    [
        # enacted, then repealed
        (ENACTED_THEN_REPEALED, D(2020, 12, 1), None),
        (ENACTED_THEN_REPEALED, D(2020, 12, 2), ("in_force", "2020-12-02", None, False)),
        (ENACTED_THEN_REPEALED, D(2022, 7, 20), ("in_force", "2020-12-02", None, False)),
        (ENACTED_THEN_REPEALED, D(2022, 7, 21), ("repealed", "2022-07-21", None, False)),
        (ENACTED_THEN_REPEALED, D(2030, 1, 1), ("repealed", "2022-07-21", None, False)),
        # a one-year moratorium nobody extended
        (ONE_YEAR, D(2020, 6, 10), ("in_force", "2020-06-10", "2021-06-10", False)),
        (ONE_YEAR, D(2021, 6, 9), ("in_force", "2020-06-10", "2021-06-10", False)),
        (ONE_YEAR, D(2021, 6, 11), ("expired", "2021-06-10", None, False)),
        (ONE_YEAR, D(2025, 1, 1), ("expired", "2021-06-10", None, False)),
        # extended until further notice: no end
        (EXTENDED_OPEN, D(2021, 5, 18), ("in_force", "2020-06-10", None, False)),
        (EXTENDED_OPEN, D(2021, 6, 11), ("in_force", "2020-06-10", None, False)),
        (EXTENDED_OPEN, D(2030, 1, 1), ("in_force", "2020-06-10", None, False)),
        # extended for a year: counted from the old end, not from the extension
        (EXTENDED_YEAR, D(2021, 6, 11), ("in_force", "2020-06-10", "2022-06-10", False)),
        (EXTENDED_YEAR, D(2022, 6, 9), ("in_force", "2020-06-10", "2022-06-10", False)),
        (EXTENDED_YEAR, D(2022, 6, 11), ("expired", "2022-06-10", None, False)),
        # a bill that failed
        (FAILED, D(2021, 1, 19), None),
        (FAILED, D(2021, 2, 1), ("proposed", "2021-01-20", None, False)),
        (FAILED, D(2021, 3, 20), ("failed", "2021-03-20", None, False)),
        (FAILED, D(2024, 1, 1), ("failed", "2021-03-20", None, False)),
        # proposed, then enacted
        (PROPOSED_THEN_ENACTED, D(2021, 2, 1), ("proposed", "2021-01", None, False)),
        (PROPOSED_THEN_ENACTED, D(2021, 5, 31), ("proposed", "2021-01", None, False)),
        (PROPOSED_THEN_ENACTED, D(2021, 6, 1), ("in_force", "2021-06-01", None, False)),
        # an imprecise start: uncertain inside its window, from its first day
        (SINCE_MONTH, D(2019, 4, 30), None),
        (SINCE_MONTH, D(2019, 5, 1), ("in_force", "2019-05", None, True)),
        (SINCE_MONTH, D(2019, 5, 10), ("in_force", "2019-05", None, True)),
        (SINCE_MONTH, D(2019, 5, 31), ("in_force", "2019-05", None, True)),
        (SINCE_MONTH, D(2019, 6, 1), ("in_force", "2019-05", None, False)),
        # a coarse date ("2020") is superseded by a finer one inside it ("2020-06-08")
        (COARSE_AND_FINE, D(2020, 1, 1), None),
        (COARSE_AND_FINE, D(2020, 6, 7), None),
        (COARSE_AND_FINE, D(2020, 6, 8), ("in_force", "2020-06-08", None, False)),
        # nothing at all
        ([], D(2020, 1, 1), None),
    ],
)
def test_state_on(changes: list[Change], day: dt.date, expected: tuple | None) -> None:
    assert state(changes, day) == expected


def test_a_month_precise_one_year_moratorium_is_uncertain_in_its_last_month() -> None:
    changes = [change(Status.ENACTED, "2020-06", duration_months=12)]
    assert state(changes, D(2021, 5, 31)) == ("in_force", "2020-06", "2021-06", False)
    assert state(changes, D(2021, 6, 15)) == ("expired", "2021-06", None, True)
    assert state(changes, D(2021, 7, 1)) == ("expired", "2021-06", None, False)


def test_an_explicit_expiry_after_the_end_counts_from_the_end() -> None:
    changes = [
        change(Status.ENACTED, "2020-01-01", duration_months=36),
        change(Status.EXPIRED, "2023-03"),
    ]
    assert state(changes, D(2022, 12, 31)) == ("in_force", "2020-01-01", "2023-01-01", False)
    assert state(changes, D(2023, 6, 1)) == ("expired", "2023-01-01", None, False)


def test_an_end_date_stated_outright() -> None:
    changes = [change(Status.ENACTED, "2020-01-01", end=PartialDate.day(2023, 1, 1))]
    assert state(changes, D(2022, 12, 31)) == ("in_force", "2020-01-01", "2023-01-01", False)
    assert state(changes, D(2023, 1, 2)) == ("expired", "2023-01-01", None, False)


def test_suspended() -> None:
    changes = [change(Status.ENACTED, "2020-01-01"), change(Status.SUSPENDED, "2021-04-01")]
    assert state(changes, D(2021, 4, 1)) == ("suspended", "2021-04-01", None, False)


def test_a_proposal_does_not_unseat_a_measure_in_force() -> None:
    changes = [change(Status.ENACTED, "2020-01-01"), change(Status.PROPOSED, "2021-01-01")]
    assert state(changes, D(2021, 6, 1)) == ("in_force", "2020-01-01", None, False)


def test_re_enacted_after_a_repeal_starts_again() -> None:
    changes = [
        change(Status.ENACTED, "2019-01-01"),
        change(Status.REPEALED, "2020-01-01"),
        change(Status.ENACTED, "2021-01-01"),
    ]
    assert state(changes, D(2020, 6, 1)) == ("repealed", "2020-01-01", None, False)
    assert state(changes, D(2021, 6, 1)) == ("in_force", "2021-01-01", None, False)


# -- undated changes ---------------------------------------------------------------------------
def test_an_undated_change_counts_from_when_it_was_known() -> None:
    changes = [change(Status.ENACTED, None, known_by=D(2021, 3, 1))]
    assert state(changes, D(2021, 2, 28)) is None
    # "date unknown, reported by 2021-03-01": no since, the day it was known instead
    assert state(changes, D(2021, 3, 1)) == ("in_force", None, None, False)
    assert state_on(changes, D(2021, 3, 1)).known_by == D(2021, 3, 1)


def test_an_undated_change_gives_way_to_a_dated_one_of_the_same_group() -> None:
    changes = [
        change(Status.ENACTED, None, known_by=D(2021, 3, 1)),
        change(Status.IN_FORCE, "2021-05-01"),
    ]
    assert state(changes, D(2021, 3, 1)) is None
    assert state(changes, D(2021, 5, 1)) == ("in_force", "2021-05-01", None, False)


def test_an_undated_change_of_another_group_still_counts() -> None:
    changes = [
        change(Status.ENACTED, "2021-05-01"),
        change(Status.REPEALED, None, known_by=D(2022, 3, 1)),
    ]
    assert state(changes, D(2022, 2, 28)) == ("in_force", "2021-05-01", None, False)
    assert state(changes, D(2022, 3, 1)) == ("repealed", None, None, False)  # reported by
    assert state_on(changes, D(2022, 3, 1)).known_by == D(2022, 3, 1)


def test_an_undated_change_without_known_by_is_not_placed() -> None:
    changes = [change(Status.ENACTED, None)]
    assert state_on(changes, D(2030, 1, 1)) is None
    undated = undated_state(changes)
    assert undated is not None
    assert (undated.status, undated.since, undated.uncertain) == (ReportStatus.IN_FORCE, None, True)


def test_undated_state_is_none_when_a_change_can_be_placed() -> None:
    assert undated_state(ONE_YEAR) is None
    assert undated_state([]) is None


def test_change_ids_and_in_force() -> None:
    changes = [
        Change(Status.ENACTED, PartialDate.day(2020, 1, 1), change_id=7),
        Change(Status.REPEALED, PartialDate.day(2021, 1, 1), change_id=9),
    ]
    before = state_on(changes, D(2020, 6, 1))
    after = state_on(changes, D(2021, 6, 1))
    assert before is not None and after is not None
    assert (before.in_force, before.change_ids) == (True, (7,))
    assert (after.in_force, after.change_ids) == (False, (7, 9))


def test_an_undated_extension_after_the_term_continues_the_measure():
    """A one-year moratorium, and an extension whose date is unknown but that was known by a
    later day: in force again from that day with no end, since the original start."""
    changes = [
        Change(Status.ENACTED, PartialDate.day(2020, 6, 10), duration_months=12),
        Change(Status.EXTENDED, None, known_by=dt.date(2021, 9, 1)),
    ]
    lapsed = state_on(changes, dt.date(2021, 7, 1))
    assert lapsed is not None and lapsed.status.value == "expired"
    later = state_on(changes, dt.date(2021, 9, 2))
    assert later is not None and later.in_force
    assert later.since == PartialDate.day(2020, 6, 10) and later.until is None


# -- adopted is not yet in force (DESIGN.md section 2) -------------------------------------------
def test_enacted_until_the_stated_effective_date() -> None:
    changes = [change(Status.ENACTED, "2020-09-09"), change(Status.IN_FORCE, "2021-01-01")]
    assert state(changes, D(2020, 9, 8)) is None
    assert state(changes, D(2020, 10, 1)) == ("enacted", "2020-09-09", None, False)
    s = state_on(changes, D(2020, 10, 1))
    assert s.in_force_from.iso() == "2021-01-01" and not s.in_force and not s.effective_assumed
    assert state(changes, D(2021, 1, 1)) == ("in_force", "2021-01-01", None, False)
    assert state_on(changes, D(2021, 1, 1)).effective_assumed is False


def test_with_no_effective_date_in_force_from_adoption_and_assumed() -> None:
    changes = [change(Status.ENACTED, "2020-09-09")]
    s = state_on(changes, D(2020, 10, 1))
    assert (s.status.value, s.since.iso(), s.effective_assumed) == ("in_force", "2020-09-09", True)


def test_an_effective_date_inside_the_adoption_month_does_not_wait() -> None:
    # "adopted in September 2020, in force September 9": nothing says it waited
    changes = [change(Status.ENACTED, "2020-09"), change(Status.IN_FORCE, "2020-09-09")]
    assert state(changes, D(2020, 9, 20))[0] == "in_force"


def test_repealed_before_it_took_effect() -> None:
    changes = [
        change(Status.ENACTED, "2020-09-09"), change(Status.IN_FORCE, "2021-01-01"),
        change(Status.REPEALED, "2020-12-01"),
    ]
    assert state(changes, D(2020, 12, 15)) == ("repealed", "2020-12-01", None, False)


def test_a_proposal_does_not_undo_an_adoption() -> None:
    changes = [
        change(Status.ENACTED, "2020-09-09"), change(Status.PROPOSED, "2020-10-01"),
        change(Status.IN_FORCE, "2021-01-01"),
    ]
    assert state(changes, D(2020, 10, 15))[0] == "enacted"


def test_a_term_stated_at_adoption_runs_from_the_effective_day() -> None:
    changes = [
        change(Status.ENACTED, "2020-09-01", duration_months=12),
        change(Status.IN_FORCE, "2020-10-01"),
    ]
    assert state(changes, D(2020, 9, 15)) == ("enacted", "2020-09-01", None, False)
    assert state(changes, D(2021, 5, 1)) == ("in_force", "2020-10-01", "2021-10-01", False)
    assert state(changes, D(2021, 10, 1))[0] == "expired"
