"""When a feed is polled next: intervals, server hints and backoff (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.feeds import schedule

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
HOUR = 3600


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60", 60), ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2d", 172800),
     ("1w", 604800), (" 2H ", 7200)],
)
def test_parse_interval(text, seconds):
    assert schedule.parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1x", "1h 2", "-5m", "30s", "59"])
def test_bad_or_too_short_intervals_are_refused(text):
    with pytest.raises(ValueError):
        schedule.parse_interval(text)


@pytest.mark.parametrize(("seconds", "text"), [(60, "1m"), (3600, "1h"), (5400, "1h30m"), (90061, "1d1h1m1s")])
def test_format_interval(seconds, text):
    assert schedule.format_interval(seconds) == text


@pytest.mark.parametrize(
    ("value", "delay"),
    [
        ("120", dt.timedelta(seconds=120)),
        ("Sun, 22 Nov 2026 13:30:00 GMT", dt.timedelta(minutes=90)),
        ("Sat, 21 Nov 2026 00:00:00 GMT", dt.timedelta(0)),  # in the past: no wait
        ("99999999", schedule.MAX_HINT),  # capped
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after(value, delay):
    assert schedule.retry_after(value, NOW) == delay


@pytest.mark.parametrize(
    ("header", "age"),
    [("max-age=600", dt.timedelta(minutes=10)), ("public, max-age=7200, must-revalidate", dt.timedelta(hours=2)),
     ("no-cache", None), ("s-maxage=60", None), (None, None)],
)
def test_max_age(header, age):
    assert schedule.max_age(header) == age


def test_success_waits_the_interval_or_a_longer_max_age():
    assert schedule.next_after_success(NOW, HOUR) == NOW + dt.timedelta(hours=1)
    assert schedule.next_after_success(NOW, HOUR, {"cache-control": "max-age=60"}) == NOW + dt.timedelta(hours=1)
    assert schedule.next_after_success(NOW, HOUR, {"cache-control": "max-age=10800"}) == NOW + dt.timedelta(hours=3)


@pytest.mark.parametrize(
    ("interval", "failures", "hours"),
    [(HOUR, 1, 1), (HOUR, 2, 2), (HOUR, 3, 4), (HOUR, 5, 16), (HOUR, 6, 24), (HOUR, 60, 24),
     (600, 1, 1 / 6), (600, 4, 8 / 6), (7 * 24 * HOUR, 3, 7 * 24)],
)
def test_backoff_doubles_up_to_a_cap(interval, failures, hours):
    assert schedule.backoff(interval, failures) == dt.timedelta(hours=hours)


def test_retry_after_wins_only_when_it_asks_for_longer():
    assert schedule.next_after_failure(NOW, HOUR, 1, dt.timedelta(minutes=5)) == NOW + dt.timedelta(hours=1)
    assert schedule.next_after_failure(NOW, HOUR, 1, dt.timedelta(hours=5)) == NOW + dt.timedelta(hours=5)
