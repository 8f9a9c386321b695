"""Time expressions: absolute and seasonal dates, dates relative to the publication date or to
the last date an article stated, their roles (event, since, end), durations and open ends."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.dates import PartialDate
from tracker.extract.timex import Duration, find_duration, find_times, is_open_ended
from tracker.vocab import Precision

DAY, MONTH, QUARTER, YEAR = Precision.DAY, Precision.MONTH, Precision.QUARTER, Precision.YEAR
#: A Tuesday.
PUB = dt.date(2021, 6, 15)
#: The last date an article stated, for "a day later".
PREV = PartialDate.day(2020, 6, 10)


def first(text: str, published: dt.date | None = PUB, prev: PartialDate | None = None):  # type: ignore[no-untyped-def]
    times = find_times(text, published, prev)
    assert times, f"no time expression found in {text!r}"
    return times[0]


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("on May 14, 2019", "2019-05-14", DAY),
        ("on May 14th, 2019", "2019-05-14", DAY),
        ("on 14 May 2019", "2019-05-14", DAY),
        ("on Sept. 3, 2020", "2020-09-03", DAY),
        ("on Dec 1 2020", "2020-12-01", DAY),
        ("2019-05-14", "2019-05-14", DAY),
        ("in May 2019", "2019-05", MONTH),
        ("in May, 2019", "2019-05", MONTH),
        ("in Feb. 2020", "2020-02", MONTH),
        ("in 2019", "2019", YEAR),
        ("the 2019 ordinance", "2019", YEAR),
        ("in spring 2020", "2020-03", QUARTER),
        ("in the summer of 2020", "2020-06", QUARTER),
        ("in the fall of 2020", "2020-09", QUARTER),
        ("in winter 2020", "2020-12", QUARTER),
        ("early 2020", "2020-01", QUARTER),
        ("in the second half of 2020", "2020-07", QUARTER),
        ("by the end of 2020", "2020-12", MONTH),
        ("at the start of 2021", "2021-01", MONTH),
    ],
)
def test_absolute_dates_keep_their_precision(text: str, iso: str, precision: Precision) -> None:
    for published in (PUB, None):  # an absolute date needs no anchor
        t = first(text, published)
        assert t.date is not None
        assert (t.date.iso(), t.date.precision) == (iso, precision)
        assert t.relative is False


@pytest.mark.parametrize(
    ("text", "published", "iso", "precision"),
    [
        ("last year", PUB, "2020", YEAR),
        ("this year", PUB, "2021", YEAR),
        ("earlier this year", PUB, "2021", YEAR),
        ("next year", PUB, "2022", YEAR),
        ("a year ago", PUB, "2020", YEAR),
        ("last month", PUB, "2021-05", MONTH),
        ("this month", PUB, "2021-06", MONTH),
        ("earlier this month", PUB, "2021-06", MONTH),
        ("last month", dt.date(2021, 1, 10), "2020-12", MONTH),
        ("last June", PUB, "2020-06", MONTH),
        ("this June", PUB, "2021-06", MONTH),
        ("in March", PUB, "2021-03", MONTH),
        ("in June", dt.date(2021, 5, 3), "2020-06", MONTH),
        ("last May", dt.date(2021, 5, 3), "2020-05", MONTH),
        ("in May", dt.date(2021, 5, 3), "2021-05", MONTH),
        ("this past March", dt.date(2021, 5, 3), "2021-03", MONTH),
        ("March 3", PUB, "2021-03-03", DAY),
        ("yesterday", PUB, "2021-06-14", DAY),
        ("today", PUB, "2021-06-15", DAY),
        ("on Tuesday", PUB, "2021-06-15", DAY),
        ("on Monday", PUB, "2021-06-14", DAY),
        ("on Wednesday", PUB, "2021-06-09", DAY),
        ("on Sunday", PUB, "2021-06-13", DAY),
        ("last week", PUB, "2021-06", MONTH),
        ("recently", PUB, "2021-06", MONTH),
        ("this summer", PUB, "2021-06", QUARTER),
        ("last summer", PUB, "2020-06", QUARTER),
        ("last fall", PUB, "2020-09", QUARTER),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(
    text: str, published: dt.date, iso: str, precision: Precision
) -> None:
    t = first(text, published)
    assert t.date is not None
    assert (t.date.iso(), t.date.precision) == (iso, precision)
    assert t.relative is True


@pytest.mark.parametrize(
    "text",
    [
        "last year",
        "this month",
        "last June",
        "on Tuesday",
        "yesterday",
        "recently",
        "March 3",
        "last summer",
    ],
)
def test_relative_dates_without_an_anchor_stay_unknown(text: str) -> None:
    t = first(text, None)
    assert t.date is None
    assert t.relative is True


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("late 2020", id="late-2020"),
        pytest.param("late last year", id="late-last-year"),
    ],
)
def test_late_in_a_year_does_not_start_in_january(text: str) -> None:
    t = first(text, PUB)
    assert t.date is not None
    assert t.date.start >= dt.date(2020, 9, 1)
    assert t.date.last == dt.date(2020, 12, 31)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("a day later", "2020-06-11"),
        ("the next day", "2020-06-11"),
        ("the following day", "2020-06-11"),
        ("two days later", "2020-06-12"),
        ("a week later", "2020-06-17"),
        ("two months later", "2020-08-10"),
        ("two days earlier", "2020-06-08"),
        ("that day", "2020-06-10"),
        ("the same day", "2020-06-10"),
        pytest.param(
            "3 days later",
            "2020-06-13",
        ),
    ],
)
def test_later_counts_from_the_previous_date(text: str, iso: str) -> None:
    t = first(text, PUB, PREV)
    assert t.date is not None
    assert t.date.iso() == iso
    assert t.date.precision is DAY


def test_later_without_a_previous_date_is_unknown() -> None:
    assert first("a day later", PUB, None).date is None


@pytest.mark.parametrize(
    ("text", "prev"),
    [
        pytest.param("soon after", PartialDate.month(2019, 5), id="soon-after-month"),
        pytest.param("months later", PartialDate.month(2019, 5), id="months-later-month"),
        *[
            pytest.param(
                text,
                PREV,
                id=f"{text.replace(' ', '-')}-day",
            )
            for text, reason in [
                (
                    "soon after",
                    "'soon after' a day-precise date gives its month, from the 1st: 2020-06 starts before 2020-06-10",
                ),
                (
                    "shortly afterwards",
                    "gives the anchor's month from the 1st: starts before 2020-06-10",
                ),
                ("days later", "gives the anchor's month from the 1st: starts before 2020-06-10"),
                ("months later", "gives the anchor's month from the 1st: starts before 2020-06-10"),
                (
                    "weeks later",
                    "gives exactly one week later at day precision (2020-06-17): an invented day",
                ),
            ]
        ],
    ],
)
def test_vague_later_is_no_earlier_than_its_anchor_and_no_finer_than_a_month(
    text: str, prev: PartialDate
) -> None:
    t = first(text, PUB, prev)
    assert t.date is not None
    assert t.date.start >= prev.start
    assert t.date.precision is not DAY


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        pytest.param(
            "the following year",
            "2021",
        ),
        pytest.param(
            "the following month",
            "2020-07",
        ),
    ],
)
def test_the_following_year_or_month_is_no_finer_than_it_says(text: str, iso: str) -> None:
    t = first(text, PUB, PREV)
    assert t.date is not None
    assert t.date.iso() == iso


def test_the_day_after_a_stated_date_counts_from_that_date() -> None:
    t = first("the day after Amazon's June 10 pledge", dt.date(2020, 6, 20))
    assert t.date == PartialDate.day(2020, 6, 11)
    undated = first("the day after Amazon's June 10 pledge", None)
    assert undated.date is None


def test_n_days_after_keeps_the_date_of_the_earlier_event() -> None:
    t = first("two days after IBM said it was leaving", PUB, PREV)
    assert t.date == PartialDate.day(2020, 6, 12)
    assert t.inverse == PartialDate.day(2020, 6, 8)


@pytest.mark.parametrize(
    ("text", "iso", "role"),
    [
        ("The ban runs until June 30, 2021.", "2021-06-30", "end"),
        ("The moratorium expires in July 2022.", "2022-07", "end"),
        ("It has been in force since May 2019.", "2019-05", "since"),
        ("The rules apply starting in January 2021.", "2021-01", "since"),
        ("The ordinance is effective July 1, 2021.", "2021-07-01", "since"),
        ("As of March 2021 the law applies.", "2021-03", "since"),
        ("The council voted in May 2019.", "2019-05", "event"),
        ("The council voted in 2019.", "2019", "event"),
        *[
            pytest.param(
                text,
                iso,
                role,
            )
            for text, iso, role in [
                ("The moratorium runs until 2023.", "2023", "end"),
                ("It lasts through 2023.", "2023", "end"),
                ("It has been in force since 2019.", "2019", "since"),
            ]
        ],
    ],
)
def test_roles(text: str, iso: str, role: str) -> None:
    t = first(text, PUB)
    assert t.date is not None
    assert (t.date.iso(), t.role) == (iso, role)


def test_several_dates_in_order() -> None:
    times = find_times("It passed in May 2019 and took effect on January 1, 2020.", PUB)
    assert [t.date.iso() for t in times if t.date] == ["2019-05", "2020-01-01"]
    assert times[0].start < times[1].start


@pytest.mark.parametrize(
    "text",
    [
        "a $2,020 fine",
        "the 2019-2020 budget",
        "The council may vote on it.",
        "Protesters plan to march downtown.",
        "a law from the 1990s",
        "He is 45 years old.",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_times(text, PUB) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a one-year moratorium", Duration(12, None, 2)),
        ("a two-year ban", Duration(24, None, 2)),
        ("the 18-month moratorium", Duration(18, None, 4)),
        ("a year-long moratorium", Duration(12, None, 0)),
        ("a 90-day pause", Duration(None, 90, 2)),
        ("a three-week halt", Duration(None, 21, 2)),
        ("for 90 days", Duration(None, 90, 0)),
        ("for six months", Duration(6, None, 0)),
        ("for two years", Duration(24, None, 0)),
        ("for another year", Duration(12, None, 0)),
        ("five years ago", None),
        ("two years later", None),
        ("a 12-year-old boy", None),
        ("He was 45 years old.", None),
        ("The council voted 9-0.", None),
        ("The study took three years.", None),
    ],
)
def test_find_duration(text: str, expected: Duration | None) -> None:
    assert find_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("extended the pause until further notice", True),
        ("extended it indefinitely", True),
        ("an indefinite moratorium", True),
        ("a pause with no end date", True),
        ("until Congress passes a law", True),
        ("until federal lawmakers act", True),
        ("until there is a federal law", True),
        ("wanted the ban to be permanent", False),
        ("permanently banned the software", False),
        ("until June 2021", False),
        ("a one-year moratorium", False),
    ],
)
def test_is_open_ended(text: str, expected: bool) -> None:
    assert is_open_ended(text) is expected
