"""When to poll a feed next: its interval, the server's hints and backoff after failures.

Pure functions of the current time and the feed's state, so that every rule can be tested
with a fixed clock:

- after a success: the feed's interval, or longer when ``Cache-Control: max-age`` says the
  response stays fresh longer (capped at ``MAX_HINT``);
- after a failure: the interval doubled for each failure in a row (``interval * 2**(n-1)``),
  capped at ``MAX_BACKOFF`` (or the interval itself when that is longer), and never sooner than
  a ``Retry-After`` the server sent (429 and 503 send one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

DEFAULT_INTERVAL = 3600
MIN_INTERVAL = 60
MAX_BACKOFF = dt.timedelta(days=1)
MAX_HINT = dt.timedelta(days=7)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"(\d+)\s*([smhdw])")


def parse_interval(text: str) -> int:
    """Seconds from ``"90"``, ``"90s"``, ``"15m"``, ``"1h"``, ``"1h30m"``, ``"2d"`` or ``"1w"``.

    Raises:
        ValueError: not such a duration, or shorter than a minute.
    """
    value = text.strip().lower().replace(" ", "")
    if value.isdigit():
        seconds = int(value)
    else:
        parts = _INTERVAL.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise ValueError(f"not an interval: {text!r} (examples: 30m, 1h, 1h30m, 1d)")
        seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds < MIN_INTERVAL:
        raise ValueError(f"interval too short: {text!r} (the shortest is 1m)")
    return seconds


def format_interval(seconds: int) -> str:
    """The shortest spelling of a duration: 3600 -> ``1h``, 5400 -> ``1h30m``."""
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


def retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a delay from ``now``, capped at
    ``MAX_HINT``; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = dt.timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        delay = when - now
    return max(dt.timedelta(0), min(delay, MAX_HINT))


def max_age(cache_control: str | None) -> dt.timedelta | None:
    """``max-age`` from a ``Cache-Control`` header, capped at ``MAX_HINT``; None when absent."""
    if not cache_control:
        return None
    match = re.search(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", cache_control, re.I)
    if not match:
        return None
    return min(dt.timedelta(seconds=int(match.group(1))), MAX_HINT)


def next_after_success(
    now: dt.datetime, interval_seconds: int, headers: Mapping[str, str] | None = None
) -> dt.datetime:
    """The next poll after a success (a 200 or a 304)."""
    delay = dt.timedelta(seconds=interval_seconds)
    fresh = max_age((headers or {}).get("cache-control"))
    if fresh is not None and fresh > delay:
        delay = fresh
    return now + delay


def backoff(interval_seconds: int, failures: int) -> dt.timedelta:
    """The delay after ``failures`` failures in a row: the interval doubled each time, capped
    at ``MAX_BACKOFF`` (or at the interval when that is longer)."""
    interval = dt.timedelta(seconds=interval_seconds)
    cap = max(interval, MAX_BACKOFF)
    exponent = min(max(failures, 1) - 1, 30)
    return min(interval * (2**exponent), cap)


def next_after_failure(
    now: dt.datetime,
    interval_seconds: int,
    failures: int,
    hint: dt.timedelta | None = None,
) -> dt.datetime:
    """The next poll after the ``failures``-th failure in a row; ``hint`` is the server's
    ``Retry-After``, which is honoured when it asks for a longer wait than the backoff."""
    delay = backoff(interval_seconds, failures)
    if hint is not None and hint > delay:
        delay = hint
    return now + delay
