"""Dates that keep their precision: parsing, ISO text cut to the precision, windows, arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.dates import PartialDate, add_duration, add_months
from tracker.vocab import Precision

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "precision", "iso"),
    [
        ("2019", D(2019, 1, 1), Precision.YEAR, "2019"),
        ("2019-05", D(2019, 5, 1), Precision.MONTH, "2019-05"),
        ("2019-5", D(2019, 5, 1), Precision.MONTH, "2019-05"),
        ("2019-05-14", D(2019, 5, 14), Precision.DAY, "2019-05-14"),
        (" 2019-05-14 ", D(2019, 5, 14), Precision.DAY, "2019-05-14"),
        ("2020-02-29", D(2020, 2, 29), Precision.DAY, "2020-02-29"),
    ],
)
def test_parse(text: str, start: dt.date, precision: Precision, iso: str) -> None:
    date = PartialDate.parse(text)
    assert (date.start, date.precision, date.iso(), str(date)) == (start, precision, iso, iso)


@pytest.mark.parametrize(
    "text",
    ["", "19", "May 2019", "2019/05/14", "2019-05-14-01", "2019-13", "2019-02-30", "2021-02-29"],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_parse_error_says_what_to_use() -> None:
    with pytest.raises(ValueError, match=r"YYYY, YYYY-MM or YYYY-MM-DD"):
        PartialDate.parse("May 2019")


@pytest.mark.parametrize(
    ("date", "iso", "last"),
    [
        (PartialDate.day(2019, 5, 14), "2019-05-14", D(2019, 5, 14)),
        (PartialDate.month(2019, 5), "2019-05", D(2019, 5, 31)),
        (PartialDate.month(2020, 2), "2020-02", D(2020, 2, 29)),
        (PartialDate.month(2021, 2), "2021-02", D(2021, 2, 28)),
        (PartialDate.quarter(2020, 1), "2020-01", D(2020, 3, 31)),
        (PartialDate.quarter(2020, 4), "2020-10", D(2020, 12, 31)),
        (PartialDate(D(2020, 6, 1), Precision.QUARTER), "2020-06", D(2020, 8, 31)),  # summer
        (PartialDate.year(2019), "2019", D(2019, 12, 31)),
    ],
)
def test_iso_and_last_day(date: PartialDate, iso: str, last: dt.date) -> None:
    assert date.iso() == iso
    assert date.last == last


@pytest.mark.parametrize(
    ("date", "day", "inside"),
    [
        (PartialDate.month(2019, 5), D(2019, 4, 30), False),
        (PartialDate.month(2019, 5), D(2019, 5, 1), True),
        (PartialDate.month(2019, 5), D(2019, 5, 31), True),
        (PartialDate.month(2019, 5), D(2019, 6, 1), False),
        (PartialDate.day(2019, 5, 14), D(2019, 5, 14), True),
        (PartialDate.day(2019, 5, 14), D(2019, 5, 15), False),
        (PartialDate.year(2019), D(2019, 12, 31), True),
        (PartialDate.year(2019), D(2020, 1, 1), False),
        (PartialDate.quarter(2019, 2), D(2019, 6, 30), True),
        (PartialDate.quarter(2019, 2), D(2019, 7, 1), False),
    ],
)
def test_contains(date: PartialDate, day: dt.date, inside: bool) -> None:
    assert date.contains(day) is inside


def test_ordering_is_by_start_day() -> None:
    dates = [PartialDate.day(2020, 6, 8), PartialDate.year(2020), PartialDate.month(2019, 5)]
    assert sorted(dates) == [
        PartialDate.month(2019, 5),
        PartialDate.year(2020),
        PartialDate.day(2020, 6, 8),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2020, 6, 10), 12, D(2021, 6, 10)),
        (D(2020, 1, 31), 1, D(2020, 2, 29)),
        (D(2021, 1, 31), 1, D(2021, 2, 28)),
        (D(2020, 11, 15), 3, D(2021, 2, 15)),
        (D(2020, 3, 31), -1, D(2020, 2, 29)),
        (D(2020, 1, 15), -1, D(2019, 12, 15)),
        (D(2020, 2, 29), 12, D(2021, 2, 28)),
        (D(2020, 5, 5), 0, D(2020, 5, 5)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "days", "months", "expected"),
    [
        (PartialDate.day(2020, 6, 10), None, 12, PartialDate.day(2021, 6, 10)),
        (PartialDate.month(2020, 6), None, 12, PartialDate.month(2021, 6)),
        (PartialDate.year(2019), None, 36, PartialDate.year(2022)),
        (PartialDate.day(2020, 1, 1), 90, None, PartialDate.day(2020, 3, 31)),
        (PartialDate.day(2020, 6, 10), None, 18, PartialDate.day(2021, 12, 10)),
    ],
)
def test_add_duration_keeps_the_start_precision(
    start: PartialDate, days: int | None, months: int | None, expected: PartialDate
) -> None:
    assert add_duration(start, days, months) == expected


@pytest.mark.parametrize("months", [1, 2, 4, 5, 11, 14])
def test_a_quarter_moved_by_months_still_spans_three_months(months: int) -> None:
    """"late 2020" (the fourth quarter) plus a duration in months that is not a whole number of
    quarters starts off a quarter's first month; its last day is three months on, never a
    month 13."""
    moved = add_duration(PartialDate.quarter(2020, 4), None, months)
    assert moved.precision is Precision.QUARTER
    assert moved.start == add_months(dt.date(2020, 10, 1), months)
    assert moved.last == add_months(moved.start, 3) - dt.timedelta(days=1)
    assert moved.contains(moved.start) and not moved.contains(moved.last + dt.timedelta(days=1))
