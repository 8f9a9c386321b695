"""``tracker timeline``: events newest first with their evidence, and the chart."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from click.testing import CliRunner

from cli import cli
from tracker.errors import NotFoundError
from tracker.report import chart
from tracker.report.timeline import format_text, load_timeline

from ..conftest import ROOT
from .test_views import AMAZON, CALIFORNIA, SF, add_article, fact, load_tricky

TODAY = dt.date(2026, 11, 22)


def timeline(tracker, **kwargs):
    return load_timeline(tracker.sessions, TODAY, **kwargs)


def invoke(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--database", db_url, *args], catch_exceptions=False)


def test_restatements_merge_into_the_most_precise_event(tracker):
    load_tricky(tracker)
    events = [e for e in timeline(tracker, jurisdiction="San Francisco").events]
    assert len(events) == 1
    (event,) = events
    assert (event.status, event.date.iso()) == ("enacted", "2019-05-14")
    assert [e.quote for e in event.evidence] == [
        "San Francisco enacted a ban (2019-05-14).", "SF acted last month.", "SF has a ban."
    ]


def test_an_end_of_term_nobody_reported_is_an_event(tracker):
    load_tricky(tracker)
    events = timeline(tracker, jurisdiction="California").events
    assert [(e.status, e.date.iso(), e.end_of_term) for e in events] == [
        ("expired", "2020-10", True), ("enacted", "2019-10", False),
    ]


def test_events_are_newest_first_and_since_filters(tracker):
    load_tricky(tracker)
    days = [e.day for e in timeline(tracker).events if e.day]
    assert days == sorted(days, reverse=True)
    recent = timeline(tracker, since=dt.date(2022, 1, 1)).events
    assert {(e.status, e.date.iso()) for e in recent} == {("repealed", "2022-07-21")}


def test_text_is_exact(tracker):
    add_article(tracker, [fact(AMAZON, "enacted", "2020-06-10", kind="moratorium", scope="police use",
                               duration_months=12, evidence="Amazon paused police use for a year.")],
                "2020-06-11", url="https://example.org/amazon")
    add_article(tracker, [fact(AMAZON, "enacted", "2020-06", kind="moratorium", scope="police use",
                               evidence="In June, Amazon paused police sales.")], None, known=dt.date(2020, 7, 1))
    assert format_text(timeline(tracker, company="Amazon")) == "\n".join([
        "Timeline of facial-recognition measures, newest first",
        "",
        "2021-06-10  Amazon (company) \u2014 moratorium on police use [1]: expired (end of its",
        "    term; no article reports it)",
        "",
        "2020-06-10  Amazon (company) \u2014 moratorium on police use [1]: enacted",
        "    \u201cAmazon paused police use for a year.\u201d",
        "      -- https://example.org/amazon, published 2020-06-11",
        "    \u201cIn June, Amazon paused police sales.\u201d",
        "      -- tests/articles/" + _last_path(tracker),
        "",
        "2 events, 1 measure. 'tracker show ID' prints one measure.",
    ])


def _last_path(tracker) -> str:
    with tracker.engine.connect() as conn:
        from sqlalchemy import text

        path = conn.execute(text("SELECT path FROM sources WHERE path IS NOT NULL")).scalar_one()
    return path.removeprefix("tests/articles/")


def test_unknown_names_are_not_found(tracker):
    with pytest.raises(NotFoundError, match="no jurisdiction is called 'Atlantis'"):
        timeline(tracker, jurisdiction="Atlantis")
    with pytest.raises(NotFoundError, match="no company is called 'Acme Face'"):
        timeline(tracker, company="Acme Face")


# -- the chart --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_chart_is_drawn(tracker, tmp_path, suffix):
    pytest.importorskip("matplotlib")
    load_tricky(tracker)
    path = chart.draw_chart(timeline(tracker), tmp_path / f"chart{suffix}")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    if suffix == ".svg":
        svg = data.decode()
        for label in ("San Francisco, CA", "Amazon (company)", "moratorium \u00b7 police use", "today (2026-11-22)"):
            assert label in svg


def test_chart_of_nothing_is_drawn(tracker, tmp_path):
    pytest.importorskip("matplotlib")
    assert chart.draw_chart(timeline(tracker), tmp_path / "empty.png").stat().st_size > 0


def test_chart_needs_svg_or_png(tracker, tmp_path):
    with pytest.raises(chart.ChartError, match=r"\.svg or \.png, not '\.pdf'"):
        chart.draw_chart(timeline(tracker), tmp_path / "chart.pdf")


def test_chart_without_matplotlib_is_a_clear_error(tracker, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(chart.ChartError, match=r"pip install 'fr-tracker\[chart\]'"):
        chart.draw_chart(timeline(tracker), tmp_path / "chart.png")


# -- the command ------------------------------------------------------------------------------
def test_cli_prints_the_timeline(tracker, db_url):
    add_article(tracker, [fact(SF, "enacted", "2019-05-14", evidence="The board voted 8-1.")], "2019-05-15")
    result = invoke(db_url, "timeline", "--jurisdiction", "San Francisco, California")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:4] == [
        "2019-05-14  San Francisco, CA \u2014 ban on government use [1]: enacted",
        "    \u201cThe board voted 8-1.\u201d",
    ]


def test_cli_draws_the_chart(tracker, db_url, tmp_path):
    pytest.importorskip("matplotlib")
    add_article(tracker, [fact(CALIFORNIA, "enacted", "2019-10-08", kind="moratorium",
                               scope="police body cameras", end="2023-01-01")], "2019-10-09")
    target = tmp_path / "timeline.svg"
    result = invoke(db_url, "timeline", "--chart", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"chart written to {target} (1 measure)\n"
    assert "California" in target.read_text()


def test_cli_usage_and_not_found(db_url):
    both = invoke(db_url, "timeline", "--jurisdiction", "Oakland", "--company", "IBM")
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = invoke(db_url, "timeline", "--company", "Acme Face")
    assert (missing.exit_code, missing.stderr) == (1, "error: no company is called 'Acme Face'\n")
    bad = invoke(db_url, "timeline", "--chart", "chart.gif")
    assert bad.exit_code == 1 and "not '.gif'" in bad.stderr


def test_cli_db_refresh(tracker, db_url):
    load_tricky(tracker)
    with tracker.engine.connect() as conn:
        from sqlalchemy import text

        periods = conn.execute(text("SELECT COUNT(*) FROM measure_periods")).scalar_one()
    result = invoke(db_url, "db", "refresh")
    assert (result.exit_code, result.stdout) == (0, f"status periods: {periods} computed\n")


@pytest.mark.parametrize("command", [["export"], ["timeline"], ["db", "refresh"]])
def test_analyst_commands_have_help_with_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.slow
def test_chart_of_the_sample_articles(tracker, tmp_path):
    """The chart of seeds/articles, as 'tracker ingest seeds/articles && tracker timeline
    --chart' draws it (look at it: pytest --basetemp=/tmp/t -k sample_articles)."""
    pytest.importorskip("matplotlib")
    tracker.ingest([str(ROOT / "seeds" / "articles")])
    result = timeline(tracker)
    if not result.measures:
        pytest.skip("the extractor found no facts in seeds/articles")
    path = chart.draw_chart(result, tmp_path / "sample-timeline.png")
    assert path.stat().st_size > 50_000
