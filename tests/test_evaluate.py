"""``tracker evaluate`` on a labelled corpus in the shared format (a folder with labels.jsonl:
articles keyed by path, feed items keyed by link in an RSS file) and on the project's seeds,
and ``tracker explain``. The corpora here are written for the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli as cli_module

OAKLAND = "ocd-division/country:us/state:ca/place:oakland"
BERKELEY = "ocd-division/country:us/state:ca/place:berkeley"


def fact(subject: str, ocd: str | None, event: str, date: str | None, kind: str = "ban", **kw: object) -> dict:
    return {"subject": subject, "subject_type": "company" if ocd is None else "jurisdiction", "ocd_id": ocd,
            "kind": kind, "event": event, "date": date, "date_is_publication": False, "evidence": "", **kw}


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Date: 2021-06-15\n\nOakland bans face recognition\n\n"
        "The Oakland City Council voted on Monday to ban city use of facial recognition.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Date: 2021-06-16\n\nBerkeley weighs a ban\n\n"
        "Berkeley councilors said on Tuesday they want to ban facial recognition next year.\n"
        "Acme Corp said it would keep selling face recognition to police.\n", encoding="utf-8")
    lines = [
        {"path": "a.txt", "published": "2021-06-15", "facts": [fact("Oakland", OAKLAND, "enacted", "2021-06-14")], "negatives": []},
        {"path": "b.txt", "published": "2021-06-16", "facts": [fact("Berkeley", BERKELEY, "proposed", "2021-06-15")],
         "negatives": ["a wish is no measure"]},
    ]
    (folder / "labels.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    items = [
        ("https://news.example/1", "Tue, 15 Jun 2021 10:00:00 GMT", "Oakland votes to ban facial recognition",
         "The Oakland City Council voted Monday night to ban police use of facial recognition."),
        ("https://news.example/2", "Wed, 16 Jun 2021 10:00:00 GMT", "Police try face scanning at the airport",
         "Officers in a large city will test facial recognition cameras this summer."),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate>"
        f"<description>{text}</description></item>" for link, d, t, text in items
    )
    (folder / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{body}</channel></rss>', encoding="utf-8")
    lines = [
        {"link": "https://news.example/1", "published": "2021-06-15", "facts": [fact("Oakland", OAKLAND, "enacted", "2021-06-14")]},
        {"link": "https://news.example/2", "published": "2021-06-16", "facts": []},
    ]
    (folder / "labels.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return folder


def evaluate(*args: str) -> dict:
    result = CliRunner().invoke(cli_module.cli, ["evaluate", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_articles_keyed_by_path(articles):
    data = evaluate(str(articles))
    assert data["sources"] == 2
    assert data["facts"] == {"expected": 2, "found": 1, "extracted": 1, "correct": 1, "recall": 0.5, "precision": 1.0}
    assert data["dates"]["agreement"] == 1.0
    assert data["misses"] == ["b.txt: Berkeley ban proposed 2021-06-15"]
    assert data["false_facts"] == []
    assert data["in_force"]["precision"] == 1.0 and data["in_force"]["recall"] == 1.0


def test_feed_items_keyed_by_link(feed):
    data = evaluate(str(feed))
    assert data["sources"] == 2
    assert (data["facts"]["found"], data["facts"]["expected"], data["facts"]["correct"], data["facts"]["extracted"]) == (1, 1, 1, 1)
    assert data["calibration"] and sum(b["facts"] for b in data["calibration"]) == 1


def test_a_wrong_date_and_a_false_fact_are_listed(articles):
    labels = articles / "labels.jsonl"
    lines = [json.loads(x) for x in labels.read_text().splitlines()]
    lines[0]["facts"][0]["date"] = "2020-03"  # the labelled date no longer agrees
    lines[0]["facts"][0]["subject"], lines[0]["facts"][0]["ocd_id"] = "Berkeley", BERKELEY  # nor the subject
    lines[0]["facts"].append(fact("Oakland", OAKLAND, "enacted", "2021-06"))
    labels.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    data = evaluate(str(articles))
    assert data["dates"] == {"matched": 1, "agree": 1, "agreement": 1.0}  # month precision agrees
    lines[0]["facts"][1]["date"] = "2020"
    labels.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    data = evaluate(str(articles))
    (wrong,) = data["wrong_dates"]
    assert wrong.startswith("a.txt: Oakland ban enacted 2021-06-14 [") and wrong.endswith("] (labelled 2020)")
    text = CliRunner().invoke(cli_module.cli, ["evaluate", str(articles), "--details"]).output
    assert "missed facts: 2" in text and "wrong dates: 1" in text and "calibration" in text


def test_no_labels_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli_module.cli, ["evaluate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no labels.jsonl" in result.output


def test_the_seeds_are_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = evaluate()
    assert data["facts"]["recall"] >= 0.81 and data["facts"]["precision"] >= 0.96
    assert data["status"]["false_in_force"] == 0
    assert data["confident"]["accuracy"] >= 0.95


def test_explain_shows_decisions_and_rejections(tmp_path, db_url):
    path = tmp_path / "story.txt"
    path.write_text("Date: 2021-06-15\n\nActivists urged Berkeley to ban facial recognition. "
                    "Oakland banned it on Monday.\n", encoding="utf-8")
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "explain", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "rejected 'ban': governed by a demand" in result.output
    assert "fact: Oakland" in result.output and "2021-06-14" in result.output
    data = json.loads(CliRunner().invoke(cli_module.cli, ["--database", db_url, "explain", str(path), "--format", "json"]).output)
    assert data["published"] == "2021-06-15"
    assert any(s["facts"] for s in data["sentences"])
