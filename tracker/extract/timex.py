"""Time expressions in a sentence: dates (absolute, seasonal, relative to the publication date
or to an earlier date in the article), durations and open ends.

Everything returns ``PartialDate``s that keep their precision. Relative expressions need an
anchor; without one they resolve to None (kept unknown rather than invented).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker.dates import PartialDate, add_months
from tracker.vocab import Precision

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
    "another": 1, "additional": 1,
}
_NUMBERS = r"\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|another"
_NUM = rf"(?P<n>{_NUMBERS})"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SEASONS = {
    "early": 1, "spring": 3, "mid": 5, "middle": 5, "summer": 6, "late": 10,
    "fall": 9, "autumn": 9, "winter": 12,
}
_HALVES = {"first half": 1, "second half": 7}


@dataclass(frozen=True)
class TimeMention:
    start: int
    end: int
    date: PartialDate | None
    role: str  # "event", "end" (until ...), or "since"
    relative: bool = False
    #: For "two days after X did": the date of X's event (the anchor shifted back).
    inverse: PartialDate | None = None


@dataclass(frozen=True)
class Duration:
    months: int | None
    days: int | None
    start: int


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUM_WORDS[word.lower()]


def _recent_month(month: int, anchor: dt.date, strictly_before: bool) -> PartialDate:
    year = anchor.year
    if month > anchor.month or (strictly_before and month == anchor.month):
        year -= 1
    return PartialDate.month(year, month)


_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    ("mdy", rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
    ("dmy", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    ("half", rf"\b(?:in\s+)?the\s+(?P<half>first half|second half)\s+of\s+{_YEAR}\b"),
    ("start_of", rf"\b(?:the\s+)?(?P<edge>start|beginning|end|close|turn)\s+of\s+{_YEAR}\b"),
    ("season", rf"\b(?P<season>early|mid|middle|late|spring|summer|fall|autumn|winter)(?:[\s-]+of)?[\s-]+{_YEAR}\b"),
    ("my", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
    ("md", rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+(?:19|20)\d{{2}})"),
    ("y", rf"\b(?:in|since|by|during|of|from|until|through|till|before|after|early|around|for)\s+(?:the\s+year\s+)?{_YEAR}\b(?!-)"),
    ("y_bare", rf"(?<![-/\d$])\b{_YEAR}\b(?![-/]\d)"),
    ("last_month_name", rf"\b(?P<which>last|this|earlier this|in|this past|past)\s+{_MONTH}\b(?!\s+\d)"),
    ("late_last_year", r"\b(?P<edge>late|early)\s+last\s+year\b"),
    ("rel_year", r"\b(?P<rel>last year|this year|earlier this year|later this year|the previous year|a year earlier|a year ago|the year before|next year|this past year)\b"),
    ("rel_month", r"\b(?P<rel>last month|this month|earlier this month|the previous month|a month ago|next month|late last month|early this month)\b"),
    ("rel_season", r"\b(?P<rel2>late|early|this|last)\s+(?P<unit>year|summer|spring|fall|autumn|winter)\b"),
    ("rel_week", r"\b(?P<rel>last week|this week|earlier this week|earlier in the week|later in the week|yesterday|today|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?= (?:night|morning|afternoon|evening)\b)|(?<=said )(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?<=ed )(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?!,? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?='s (?:vote|decision|meeting|announcement|order))|(?<=\bvote )(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b"),
    ("recently", r"\b(?P<rel>recently|this spring|this summer|this fall|this winter|in recent weeks|in recent days|days ago|weeks ago)\b"),
    ("later", rf"\b(?P<n2>{_NUMBERS})\s+(?P<unit2>day|week|month|year)s?\s+(?P<dir>later|earlier|after|before)\b"),
    ("in_n", rf"(?:(?<=effect )|(?<=effective ))in\s+(?P<n4>{_NUMBERS})\s+(?P<unit4>day|week|month|year)s?\b"),
    ("next_day", r"\b(?P<rel>the next day|the following day|a day later|the day after|the following week|the next week|the following month|the next month|the following year|the next year|the same day|that day|that month|that year|the same week|that week|the same month|soon after|shortly after|soon afterwards|shortly afterwards|weeks later|months later|days later|within days|within weeks)\b"),
]
_COMPILED = [(name, re.compile(p, re.I)) for name, p in _PATTERNS]
#: A cheap test that a sentence may hold a time expression at all.
_HINT = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|last|this|next|yesterday|today|"
    r"mon|tue|wed|thu|fri|sat|sun|later|earlier|after|before|recent|ago|spring|summer|fall|"
    r"autumn|winter|same|soon|shortly|within|early|mid|late|previous|following|start|beginning|"
    r"end|close|turn|first|second|that)",
    re.I,
)
#: "until June 2020, when ...": the date of what the when-clause reports, not an end
_WHEN_AFTER = re.compile(r"\s*,?\s+when\b", re.I)
_END_CUE = re.compile(r"(?:until|till|through|thru|expir\w*|ends?|ending|lapses?|runs? out|sunsets?)(?:\s+(?:on|in|at|the end of))?\s*$", re.I)
_SINCE_CUE = re.compile(r"(?:since|from|starting(?: in| on)?|beginning(?: in| on)?|effective(?: on| in)?|as of)\s*$", re.I)


def find_times(
    sentence: str, published: dt.date | None, prev: PartialDate | None = None,
    adopted: PartialDate | None = None,
) -> list[TimeMention]:
    """Every time expression in ``sentence``, left to right, non-overlapping.

    ``published`` anchors expressions relative to today ("last year"); ``prev`` (the last
    date stated before this sentence in the article) anchors "a day later", "soon after".
    """
    if not _HINT.search(sentence):
        return []
    taken: list[tuple[int, int]] = []
    found: list[TimeMention] = []
    for name, pattern in _COMPILED:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            anchor = prev
            if name == "in_n":  # "voted Monday; it takes effect in 30 days": from the vote
                earlier = [t for t in found if t.end <= m.start() and t.date is not None and t.role == "event"]
                anchor = max(earlier, key=lambda t: t.start).date if earlier else adopted or prev
            date, relative = _resolve(name, m, published, anchor)
            if date is False:  # not a date after all
                continue
            taken.append((m.start(), m.end()))
            before = sentence[max(0, m.start() - 30): m.start()]
            if name == "y":
                before += " " + m.group(0).split()[0]  # the cue is inside the match: "until 2023"
            role = "end" if _END_CUE.search(before) else "since" if _SINCE_CUE.search(before) else "event"
            if role == "end" and _WHEN_AFTER.match(sentence, m.end()):
                role = "event"  # "held out until June 2020, when it announced a pause": then
            inverse = None
            if name in ("later", "next_day") and re.search(r"\b(?:days?|weeks?|months?|years?) (?:after|before)$", m.group(0), re.I):
                # "the day after Amazon's June 10 pledge": anchored on the date that follows
                follow = _explicit_date_after(sentence, m.end(), published)
                shift = _number(m.group("n2")) if name == "later" else 1
                unit = m.group("unit2").lower() if name == "later" else "day"
                sign = 1 if m.group(0).lower().endswith("after") else -1
                if follow is not None:
                    date = _shift(follow, shift, unit, sign)
                if prev is not None:
                    inverse = _shift(prev, shift, unit, -sign)
            found.append(TimeMention(m.start(), m.end(), date, role, relative, inverse))
    found.sort(key=lambda t: t.start)
    return found


def _explicit_date_after(sentence: str, pos: int, published: dt.date | None) -> PartialDate | None:
    """A date stated within a few words after ``pos`` ("the day after Amazon's June 10 ...")."""
    window = sentence[pos: pos + 30]
    for name in ("mdy", "md", "iso"):
        pattern = dict(_COMPILED)[name]
        m = pattern.search(window)
        if m:
            date, _ = _resolve(name, m, published, None)
            if date:
                return date
    return None


def _resolve(name: str, m: re.Match[str], pub: dt.date | None, prev: PartialDate | None):  # type: ignore[no-untyped-def]
    g = m.groupdict()
    try:
        match name:
            case "iso":
                return PartialDate.day(int(g["y"]), int(g["m"]), int(g["d"])), False
            case "mdy" | "dmy":
                return PartialDate.day(int(g["year"]), _month(g["month"]), int(g["day"])), False
            case "half":
                return PartialDate(dt.date(int(g["year"]), _HALVES[g["half"].lower()], 1), Precision.QUARTER), False
            case "start_of":
                year = int(g["year"])
                month = 12 if g["edge"].lower() in ("end", "close") else 1
                return PartialDate.month(year, month), False
            case "season":
                season = g["season"].lower()
                year = int(g["year"])
                # "late 2020" is its last quarter, "early 2021" its first: no earlier than that
                return PartialDate(dt.date(year, _SEASONS[season], 1), Precision.QUARTER), False
            case "my":
                if g["month"].lower().startswith("may") and m.group(0)[0] == "m":
                    return False, False  # "may 2019" in lower case: the verb, not the month
                return PartialDate.month(int(g["year"]), _month(g["month"])), False
            case "md":
                if g["month"].lower() == "may" and m.group(0)[0] == "m":
                    return False, False
                if pub is None:
                    return None, True
                month_date = _recent_month(_month(g["month"]), pub, strictly_before=False)
                day = int(g["day"])
                return PartialDate.day(month_date.start.year, month_date.start.month, day), True
            case "y" | "y_bare":
                return PartialDate.year(int(g["year"])), False
            case "last_month_name":
                word = g["month"]
                if word.lower() in ("may", "mar", "march") and word[0].islower():
                    return False, False
                if pub is None:
                    return None, True
                which = g["which"].lower()
                return _recent_month(_month(word), pub, strictly_before=which in ("last", "this past", "past")), True
            case "rel_year":
                if pub is None:
                    return None, True
                rel = g["rel"].lower()
                offset = -1 if rel in ("last year", "the previous year", "a year earlier", "a year ago", "the year before", "this past year") else 1 if rel == "next year" else 0
                return PartialDate.year(pub.year + offset), True
            case "late_last_year":
                if pub is None:
                    return None, True
                return PartialDate(dt.date(pub.year - 1, _SEASONS[g["edge"].lower()], 1), Precision.QUARTER), True
            case "rel_month":
                if pub is None:
                    return None, True
                rel = g["rel"].lower()
                back = 1 if ("last" in rel or "previous" in rel or "ago" in rel) else -1 if rel == "next month" else 0
                day = add_months(pub.replace(day=1), -back)
                return PartialDate.month(day.year, day.month), True
            case "rel_season":
                if pub is None:
                    return None, True
                which, unit = g["rel2"].lower(), g["unit"].lower()
                year = pub.year - (1 if which == "last" else 0)
                if unit == "year":
                    if which in ("late", "early"):
                        return PartialDate(dt.date(year, _SEASONS[which], 1), Precision.QUARTER), True
                    return PartialDate.year(year), True
                return PartialDate(dt.date(year, _SEASONS[unit], 1), Precision.QUARTER), True
            case "rel_week":
                if pub is None:
                    return None, True
                rel = g["rel"].lower()
                if rel == "yesterday":
                    return PartialDate(pub - dt.timedelta(days=1)), True
                if rel == "today":
                    return PartialDate(pub), True
                if rel.split()[-1] in _WEEKDAYS:
                    weekday = _WEEKDAYS.index(rel.split()[-1])
                    back = (pub.weekday() - weekday) % 7
                    return PartialDate(pub - dt.timedelta(days=back)), True
                day = pub - dt.timedelta(days=7 if rel == "last week" else 0)
                return PartialDate.month(day.year, day.month), True
            case "recently":
                if pub is None:
                    return None, True
                rel = g["rel"].lower()
                if rel.startswith("this "):
                    return PartialDate(dt.date(pub.year, _SEASONS[rel.split()[1]], 1), Precision.QUARTER), True
                return PartialDate.month(pub.year, pub.month), True
            case "later":
                if prev is None:
                    return None, True
                n, unit, direction = _number(g["n2"]), g["unit2"].lower(), g["dir"].lower()
                sign = 1 if direction in ("later", "after") else -1
                return _shift(prev, n, unit, sign), True
            case "in_n":
                if prev is None:
                    return None, True
                return _shift(prev, _number(g["n4"]), g["unit4"].lower(), 1), True
            case "next_day":
                if prev is None:
                    return None, True
                rel = g["rel"].lower()
                if rel in ("the same day", "that day", "that month", "that year", "the same week", "that week", "the same month"):
                    return prev, True
                if "day" in rel and "days" not in rel and "within" not in rel:
                    return _shift(prev, 1, "day", 1), True
                if rel in ("the following week", "the next week"):
                    return _shift(prev, 1, "week", 1), True
                if rel in ("the following month", "the next month"):
                    moved = _shift(prev, 1, "month", 1).start
                    return PartialDate.month(moved.year, moved.month), True
                if rel in ("the following year", "the next year"):
                    return PartialDate.year(prev.start.year + 1), True
                # soon after, weeks later...: no earlier than the anchor, to a month at best
                if prev.precision is Precision.DAY:
                    return PartialDate(prev.start + dt.timedelta(days=1), Precision.MONTH), True
                return prev, True
    except (ValueError, KeyError):
        return False, False
    return False, False


def _shift(date: PartialDate, n: int, unit: str, sign: int) -> PartialDate:
    if unit == "day":
        return PartialDate(date.start + dt.timedelta(days=sign * n), date.precision)
    if unit == "week":
        moved = date.start + dt.timedelta(days=sign * 7 * n)
        if date.precision is Precision.DAY:
            return PartialDate(moved)
        return PartialDate(moved.replace(day=1), date.precision)
    if unit == "month":
        return PartialDate(add_months(date.start, sign * n), date.precision)
    return PartialDate(add_months(date.start, sign * 12 * n), date.precision)


_DURATION = re.compile(
    rf"\b(?:for\s+(?:a\s+period\s+of\s+|another\s+|an?\s+additional\s+)?)?{_NUM}[\s-]+(?P<unit>year|month|week|day)s?(?:[\s-]+long)?\b",
    re.I,
)
_DURATION_CONTEXT = re.compile(
    r"moratorium|ban|pause|halt|suspen|prohibit|period|freeze|sunset|expire|for\s*$|lasting|temporar|restrict", re.I
)
_OPEN_END = re.compile(
    r"\b(until further notice|indefinitely|indefinite|with no end date|no expiration|permanent(?:ly)?|"
    r"until (?:congress|federal lawmakers|lawmakers|the federal government|washington|a federal law|"
    r"there is a (?:federal|national) law|a national law|federal legislation|federal regulation)\w*)",
    re.I,
)


def find_duration(sentence: str) -> Duration | None:
    """A stated duration ("a one-year moratorium", "for 90 days"), when the sentence is about a
    measure; ages, vote counts and "two years later" are not durations."""
    for m in _DURATION.finditer(sentence):
        after = sentence[m.end(): m.end() + 4].lower()
        if after.startswith((" ago", " lat", " ear", " aft", " bef", " old")):
            continue
        context = sentence[max(0, m.start() - 12): m.end() + 25]
        if not _DURATION_CONTEXT.search(context) and not m.group(0).lower().startswith("for"):
            continue
        n, unit = _number(m.group("n")), m.group("unit").lower()
        if unit == "year":
            return Duration(12 * n, None, m.start())
        if unit == "month":
            return Duration(n, None, m.start())
        return Duration(None, n * (7 if unit == "week" else 1), m.start())
    return None


def is_open_ended(sentence: str) -> bool:
    match = _OPEN_END.search(sentence)
    return bool(match) and not match.group(0).lower().startswith("permanent")
