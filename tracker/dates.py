"""Dates that keep their precision ("May 2019" is the whole of May 2019, not May 1st)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from tracker.vocab import Precision


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to some precision: ``start`` is the earliest day it allows."""

    start: dt.date
    precision: Precision = Precision.DAY

    @classmethod
    def day(cls, year: int, month: int, day: int) -> PartialDate:
        return cls(dt.date(year, month, day), Precision.DAY)

    @classmethod
    def month(cls, year: int, month: int) -> PartialDate:
        return cls(dt.date(year, month, 1), Precision.MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> PartialDate:
        return cls(dt.date(year, 3 * (quarter - 1) + 1, 1), Precision.QUARTER)

    @classmethod
    def year(cls, year: int) -> PartialDate:
        return cls(dt.date(year, 1, 1), Precision.YEAR)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raises ValueError otherwise."""
        parts = text.strip().split("-")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
        if len(parts) == 1 and len(parts[0]) == 4:
            return cls.year(numbers[0])
        if len(parts) == 2:
            return cls.month(*numbers)
        if len(parts) == 3:
            return cls.day(*numbers)
        raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")

    @property
    def last(self) -> dt.date:
        """The last day the date allows."""
        y, m = self.start.year, self.start.month
        match self.precision:
            case Precision.DAY:
                return self.start
            case Precision.MONTH:
                return dt.date(y, m, calendar.monthrange(y, m)[1])
            case Precision.QUARTER:  # three months from its start (a duration may move it off Jan/Apr/Jul/Oct)
                return add_months(dt.date(y, m, 1), 3) - dt.timedelta(days=1)
            case _:
                return dt.date(y, 12, 31)

    def iso(self) -> str:
        """The date cut to its precision: ``2019``, ``2019-05`` or ``2019-05-14``
        (a quarter is written as the month it starts in)."""
        match self.precision:
            case Precision.DAY:
                return self.start.isoformat()
            case Precision.MONTH | Precision.QUARTER:
                return self.start.isoformat()[:7]
            case _:
                return str(self.start.year)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.last

    def __str__(self) -> str:
        return self.iso()


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_duration(start: PartialDate, days: int | None, months: int | None) -> PartialDate:
    """The end of a duration counted from ``start``, at ``start``'s precision."""
    if months:
        return PartialDate(add_months(start.start, months), start.precision)
    return PartialDate(start.start + dt.timedelta(days=days or 0), start.precision)
