"""The `feeds list` table fits the width it is given, and never cuts an address."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.feeds.manage import FeedRow
from tracker.feeds.render import feeds_table

POLLED = dt.datetime(2026, 11, 30, 9, 0)


def row(url: str, *, error: str | None = None, name: str | None = None) -> FeedRow:
    return FeedRow(
        id=3, url=url, name=name, title=None, interval_seconds=3600, fetch_articles=False,
        last_poll_at=POLLED, next_poll_at=POLLED + dt.timedelta(hours=1), last_success_at=POLLED,
        entries=42, error_count=2 if error else 0, last_error=error, disabled=False, disabled_reason=None,
    )


@pytest.mark.parametrize("width", [70, 80, 120])
def test_every_line_fits_and_the_address_stays_whole(width: int) -> None:
    url = "https://news.example.org/civil-liberties/surveillance/feeds/facial-recognition.xml"
    error = "the server answered 503 Service Unavailable for the third time since the morning poll " * 2
    table = feeds_table([row(url, error=error, name="Liberties desk")], width=width)
    lines = table.splitlines()
    assert all(len(line) <= width for line in lines if url not in line)
    assert any(url in line for line in lines)  # whole, on one line, to copy
    assert " ".join(" ".join(lines).split()).count("Service Unavailable") == 2  # nothing of the error lost


def test_a_short_address_stays_on_the_feed_line() -> None:
    lines = feeds_table([row("/srv/feeds/local.xml")], width=100).splitlines()
    assert len(lines) == 2 and lines[1].endswith("/srv/feeds/local.xml")
