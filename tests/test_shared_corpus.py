"""Opt-in: the real third-party articles in ../shared/corpus/articles (read from there,
never copied). Skips when the folder is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import SHARED

ARTICLES = SHARED / "corpus" / "articles"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not ARTICLES.is_dir(), reason=f"{ARTICLES} is not here"),
]


@pytest.mark.xfail(strict=True, reason="issue 8: the 2018 employee push dates the moratorium")
def test_real_articles_amazon_moratorium_extended(tracker):
    paths = sorted(str(p) for p in ARTICLES.glob("*.txt"))
    summary = tracker.ingest(paths)
    assert (summary.new, summary.failed) == (len(paths), 0)
    report = tracker.status(dt.date(2026, 11, 22), include_all=True)
    subjects = {(row.subject.name, row.kind) for row in report.rows}
    # the demand in one article ("called on federal and state governments to ban") is no measure
    assert all(row.subject.name != "United States" for row in report.rows), subjects
    (amazon,) = [row for row in report.rows if row.subject.name == "Amazon"]
    assert amazon.kind == "moratorium"
    assert amazon.state.in_force and amazon.state.since.iso() == "2020-06-10"
    assert amazon.state.until is None  # extended until further notice
    during = tracker.status(dt.date(2020, 12, 1), company="Amazon")
    assert [r.state.until.iso() for r in during.rows] == ["2021-06-10"]  # the one-year term
