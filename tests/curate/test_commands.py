"""facts correct/add/reject, sources list/show/remove, changes (with an Atom feed a feed reader
parses), review (JSON queue and the interactive prompt), on the sample corpus."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import click
import feedparser
import pytest

from tracker.commands import curate
from tracker.commands.options import SINCE

from ..conftest import FIXED_NOW, ROOT
from .helpers import (
    MISREPORT,
    PORTLAND_ME,
    PRIVATE,
    SAN_FRANCISCO,
    SEEDS,
    facts_of,
    fixed_cli,  # noqa: F401
    run,
    run_json,
    subjects,
)


@pytest.fixture
def corpus(db_url, fixed_cli):  # noqa: F811
    run(db_url, "ingest", str(SEEDS), str(MISREPORT))
    return db_url


@pytest.fixture
def terminal(monkeypatch):
    """The review's questions are answered from the test's input, as if typed in a terminal."""
    monkeypatch.setattr(curate, "stdin_is_terminal", lambda: True)


def test_correct_moves_a_fact_to_the_right_subject(corpus, tracker):
    wrong = facts_of(tracker, PORTLAND_ME, PRIVATE)
    out = run(corpus, "facts", "correct", str(wrong[0]), "--subject", "Portland, Ore.", "--by", "ed").output
    assert "corrected" in out and "Portland, ME" in out and "-> #" in out and "Portland, OR" in out
    everything = subjects(run_json(corpus, "status", "--all", "--as-of", "2021-06-01"))
    assert not any(n == "Portland, ME" and s == PRIVATE for n, s, _ in everything)
    assert ("Portland, OR", PRIVATE, "in_force") in everything
    history = run_json(corpus, "show", str(run_json(corpus, "status", "--jurisdiction", "Portland, Oregon",
                                                     "--as-of", "2021-06-01")["measures"][1]["measure"]["id"]))
    assert any(h["origin"] == "manual" for h in history["history"])
    run(corpus, "reextract", "--all")
    again = subjects(run_json(corpus, "status", "--all", "--as-of", "2021-06-01"))
    assert again == everything


def test_correct_a_date_and_its_precision(corpus, tracker):
    sf = facts_of(tracker, SAN_FRANCISCO)
    # one correction wins over every other start extraction gave ("2019-05-14", "2019-05")
    run(corpus, "facts", "correct", str(sf[0]), "--date", "2019-06", "--by", "ed")
    data = run_json(corpus, "status", "--jurisdiction", "San Francisco", "--as-of", "2019-06-10")
    assert data["measures"][0]["since"] == "2019-06" and data["measures"][0]["uncertain"] is True
    assert run_json(corpus, "status", "--jurisdiction", "San Francisco", "--as-of", "2019-05-20")["measures"] == []
    bad = run(corpus, "facts", "correct", str(sf[0]), ok=False)
    assert bad.exit_code == 1 and bad.output.startswith("error: nothing to correct")


def test_errors_are_one_line(corpus):
    for args, message in [
        (("facts", "confirm", "99999"), "error: no fact has id 99999"),
        (("sources", "show", "99999"), "error: no source has id 99999"),
        (("facts", "add", "--subject", "Portland", "--kind", "ban", "--status", "enacted",
          "--source", "x", "--quote", "q"), "error: 'Portland' is ambiguous: did you mean 'Portland, ME'; 'Portland, OR'"),
        (("facts", "add", "--subject", "Atlantis", "--kind", "ban", "--status", "enacted",
          "--source", "x", "--quote", "q"), "error: no jurisdiction is called 'Atlantis'"),
    ]:
        result = run(corpus, *args, ok=False)
        assert result.exit_code == 1, args
        assert result.output.startswith(message), result.output
        assert result.output.count("\n") == 1


def test_reject_a_manual_fact_withdraws_it(corpus):
    added = run_json(corpus, "facts", "add", "--subject", "Teaneck, NJ", "--kind", "ban", "--status",
                     "enacted", "--date", "2021", "--source", "https://example.org/t", "--quote", "A ban.")
    assert subjects(run_json(corpus, "status", "--jurisdiction", "Teaneck, NJ"))
    run(corpus, "facts", "reject", str(added["new_fact"]))
    assert run_json(corpus, "status", "--jurisdiction", "Teaneck, NJ", "--all")["measures"] == []


def test_sources_list_show_remove(corpus, tracker):
    listed = run_json(corpus, "sources", "list")
    assert len(listed) == 61 and all(s["origin"] == "ingested" for s in listed)
    text = run(corpus, "sources", "list", "--search", "portland-oregon").output
    assert text.splitlines()[-1] == "2 sources."
    rows = list(csv.DictReader(io.StringIO(run(corpus, "sources", "list", "--format", "csv").output)))
    assert len(rows) == 61 and rows[0]["id"] == str(listed[0]["id"])
    assert {r["published_guessed"] for r in rows} == {"true", "false"}  # as in every format
    ndjson = [json.loads(line) for line in run(corpus, "sources", "list", "--format", "ndjson").output.splitlines()]
    assert ndjson == listed
    two_bans = next(s for s in listed if "028-portland-oregon" in s["source"])
    shown = run_json(corpus, "sources", "show", str(two_bans["id"]))
    assert shown["facts"] and all("Portland, OR" in f["summary"] for f in shown["facts"])
    table = run(corpus, "sources", "show", str(two_bans["id"])).output
    assert table.startswith(f"Source {two_bans['id']}: Portland adopts")
    # remove the article that gave Portland, Maine the private-use ban: the measure goes
    explainer = next(s for s in listed if s["source"].endswith(MISREPORT.name))
    assert facts_of(tracker, PORTLAND_ME, PRIVATE)
    out = run(corpus, "sources", "remove", str(explainer["id"])).output
    assert out.startswith(f"removed source {explainer['id']} (")
    assert "1 measure left with no fact" in out
    assert facts_of(tracker, PORTLAND_ME, PRIVATE) == []
    assert not any(n == "Portland, ME" and s == PRIVATE
                   for n, s, _ in subjects(run_json(corpus, "status", "--all")))
    assert len(run_json(corpus, "sources", "list")) == 60


def test_removing_a_source_keeps_decisions_about_others(corpus, tracker):
    sf = facts_of(tracker, SAN_FRANCISCO, source_like="001-")[0]
    run(corpus, "facts", "confirm", str(sf))
    other = next(s for s in run_json(corpus, "sources", "list") if "002-spun-san" in s["source"])
    run(corpus, "sources", "remove", str(other["id"]))
    reviewed = run_json(corpus, "status", "--reviewed")
    assert subjects(reviewed) == {("San Francisco, CA", "government use", "in_force")}


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", "2026-11-15"), ("2w", "2026-11-08"), ("1m", "2026-10-22"), ("1y", "2025-11-22"),
    ("2021-03-01", "2021-03-01"), ("2021-03", "2021-03-01"),
])
def test_since_spans(text, expected):
    # changes --since takes the shared SINCE type, resolved against the tracker's clock
    assert SINCE.convert(text, None, None).on(FIXED_NOW.date()).isoformat() == expected


def test_since_rejects_nonsense(corpus):
    with pytest.raises(click.BadParameter, match="neither a date"):
        SINCE.convert("last week", None, None)
    result = run(corpus, "changes", "--since", "last week", ok=False)
    assert result.exit_code == 2 and "neither a date" in result.output and "Traceback" not in result.output


def test_changes_in_every_format(corpus, tracker):
    wrong = facts_of(tracker, PORTLAND_ME, PRIVATE)[0]
    run(corpus, "facts", "reject", str(wrong), "--by", "ed", "--reason", "Oregon's ban")
    data = run_json(corpus, "changes", "--since", "7d")
    kinds = {c["type"] for c in data["changes"]}
    assert kinds == {"new_measure", "status_change", "decision"}
    rejected = [c for c in data["changes"] if c["action"] == "reject"]
    assert len(rejected) == 1 and rejected[0]["by"] == "ed" and rejected[0]["reason"] == "Oregon's ban"
    assert rejected[0]["quote"] and rejected[0]["source"].endswith(MISREPORT.name)
    assert not any(c["fact"] == wrong and c["type"] != "decision" for c in data["changes"])
    new = [c for c in data["changes"] if c["type"] == "new_measure"]
    assert len(new) == len({c["measure"] for c in new}) >= 20
    # nothing was learned before the corpus was ingested (the fixed clock's day)
    assert run_json(corpus, "changes", "--since", "2026-11-23")["changes"] == []
    rows = list(csv.DictReader(io.StringIO(run(corpus, "changes", "--format", "csv").output)))
    assert len(rows) == len(data["changes"])
    assert [r["id"] for r in rows] == [c["id"] for c in data["changes"]]
    ndjson = [json.loads(line) for line in run(corpus, "changes", "--format", "ndjson").output.splitlines()]
    assert ndjson == data["changes"]
    table = run(corpus, "changes").output
    assert table.startswith("What the tracker learned from 2026-11-15 to 2026-11-22")
    assert f"{len(data['changes'])} changes." in table
    atom = run(corpus, "changes", "--since", "7d", "--format", "atom", "--feed-id", "https://example.org/changes").output
    feed = feedparser.parse(atom)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == len(data["changes"])
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    entry = next(e for e in feed.entries if e.title.startswith("rejected"))
    assert entry.author == "ed" and "Oregon's ban" in entry.summary
    assert entry.updated_parsed is not None


def test_review_queue_json_and_prompt(corpus, tracker, terminal):
    queue = run_json(corpus, "review", "--limit", "5", "--as-of", "2021-06-01")
    assert len(queue) == 5
    scores = [q["score"] for q in queue]
    assert scores == sorted(scores, reverse=True)
    assert queue[0]["in_force"] is True and queue[0]["quote"] and queue[0]["source"]
    first, second, third = queue[0]["fact"], queue[1]["fact"], queue[2]["fact"]
    # confirm the first, reject the second, skip the third, then quit
    out = run(corpus, "review", "--limit", "5", "--as-of", "2021-06-01", "--by", "ed",
              input="c\n\nr\nwrong\ns\nq\n").output
    assert "2 decisions recorded." in out
    after = run_json(corpus, "review", "--limit", "100", "--as-of", "2021-06-01")
    remaining = {q["fact"] for q in after}
    assert first not in remaining and second not in remaining and third in remaining
    shown = run_json(corpus, "show", str(queue[0]["measure"]))
    assert any(h["id"] == first and h["review"] == "confirmed" for h in shown["history"])


def test_status_json_carries_reviewed_and_guessed(corpus):
    data = run_json(corpus, "status", "--as-of", "2021-06-01", "--jurisdiction", "Portland, OR")
    assert all(m["reviewed"] is False for m in data["measures"])
    guessed = [e for m in data["measures"] for e in m["evidence"] if e.get("published_guessed")]
    assert guessed and all(e["source"].endswith("029-spun-portland-oregon.txt") or "explainer" in e["source"]
                           for e in guessed)
    show = run(corpus, "show", str(data["measures"][0]["measure"]["id"])).output
    assert "(guessed)" in show
    timeline = " ".join(run(corpus, "timeline", "--jurisdiction", "Portland, Ore.").output.split())
    assert "029-spun-portland-oregon.txt, published 2021-01-01 (guessed)" in timeline
    assert "028-portland-oregon-two-bans.txt, published 2020-09-10 (guessed)" not in timeline


def test_min_confidence_sets_a_bar(corpus):
    everything = run_json(corpus, "status", "--as-of", "2021-06-01")["measures"]
    high = run_json(corpus, "status", "--as-of", "2021-06-01", "--min-confidence", "0.97")["measures"]
    assert 0 < len(high) < len(everything)
    assert run_json(corpus, "status", "--as-of", "2021-06-01", "--min-confidence", "1")["measures"] == []


def test_portland_oregon_private_ban_enacted_until_it_takes_effect(corpus):
    data = run_json(corpus, "status", "--as-of", "2020-10-01", "--jurisdiction", "Portland, Ore.", "--all")
    private = next(m for m in data["measures"] if m["measure"]["scope"] == PRIVATE)
    assert private["status"] == "enacted" and private["since"] == "2020-09-09"
    assert private["in_force_from"] == "2021-01-01"
    table = run(corpus, "status", "--as-of", "2020-10-01", "--jurisdiction", "Portland, Ore.", "--all").output
    assert "enacted, since 2020-09-09 (in force from 2021-01-01)" in " ".join(table.split())
    in_force = run_json(corpus, "status", "--as-of", "2020-10-01", "--jurisdiction", "Portland, Ore.")
    assert [m["measure"]["scope"] for m in in_force["measures"]] == ["government use"]
    later = run_json(corpus, "status", "--as-of", "2021-01-01", "--jurisdiction", "ocd-division/country:us/state:or/place:portland")
    assert {(m["measure"]["scope"], m["status"], m["since"]) for m in later["measures"]} == {
        ("government use", "in_force", "2020-09-09"), (PRIVATE, "in_force", "2021-01-01"),
    }


def test_review_corrects_in_the_terminal(corpus, tracker, terminal):
    queue = run_json(corpus, "review", "--limit", "1", "--as-of", "2021-06-01")
    fact = queue[0]["fact"]
    # correct: reason, then status, date, end, subject, kind, scope (empty keeps a value)
    answers = "o\nwrong day\n\n2018-01-02\n\n\n\n\nq\n"
    out = run(corpus, "review", "--limit", "1", "--as-of", "2021-06-01", "--by", "ed", input=answers).output
    assert "corrected #" in out and "1 decision recorded." in out
    shown = run_json(corpus, "show", str(queue[0]["measure"]))
    manual = [h for h in shown["history"] if h["origin"] == "manual"]
    assert len(manual) == 1 and manual[0]["date"] == "2018-01-02"
    assert any(h["id"] == fact and h["review"] == "corrected" for h in shown["history"])
    bad = run(corpus, "review", "--limit", "1", "--as-of", "2021-06-01", input="o\n\nnot-a-status\n\n\n\n\n\n").output
    assert "not corrected:" in bad
    unknown = run(corpus, "review", "--limit", "1", "--as-of", "2021-06-01", input="o\n\n\n\n\nAtlantis\n\n\n").output
    assert "not corrected: no jurisdiction is called 'Atlantis'" in unknown


def test_review_needs_a_terminal(corpus):
    queue = run_json(corpus, "review", "--limit", "3")  # --format json needs none
    assert queue
    result = run(corpus, "review", "--limit", "3", input="c\n", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 'tracker review' asks its questions in a terminal, and stdin is not one")
    assert result.stderr.count("\n") == 1 and "--format json" in result.stderr
    assert result.stdout == ""
    assert run_json(corpus, "review", "--limit", "3") == queue  # nothing was decided


def test_review_with_stdin_closed_is_one_line(corpus):
    env = {**os.environ, "TRACKER_DATABASE_URL": corpus}
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "review", "--limit", "3"], env=env,
                            capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.close(0))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: 'tracker review' asks its questions in a terminal")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_review_stopped_by_the_end_of_input_keeps_what_was_decided(corpus, terminal):
    queue = run_json(corpus, "review", "--limit", "3", "--as-of", "2021-06-01")
    result = run(corpus, "review", "--limit", "3", "--as-of", "2021-06-01", input="c\n\n", ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == "error: review stopped: 1 decision recorded"
    after = {q["fact"] for q in run_json(corpus, "review", "--limit", "100", "--as-of", "2021-06-01")}
    assert queue[0]["fact"] not in after and queue[1]["fact"] in after


def test_status_csv_carries_the_curation_keys(corpus, tracker):
    run(corpus, "facts", "confirm", str(facts_of(tracker, SAN_FRANCISCO)[0]))
    args = ("status", "--all", "--as-of", "2020-10-01")
    header, *_ = run(corpus, *args, "--format", "csv").output.splitlines()
    assert header.split(",") == [
        "as_of", "subject_type", "subject", "ocd_id", "measure_id", "kind", "scope", "status",
        "since", "until", "uncertain", "sources",  # the older columns, in their order
        "reviewed", "known_by", "in_force_from", "effective_assumed",
    ]
    rows = list(csv.DictReader(io.StringIO(run(corpus, *args, "--format", "csv").output)))
    records = run_json(corpus, *args)["measures"]
    assert [int(r["measure_id"]) for r in rows] == [m["measure"]["id"] for m in records]
    for row, record in zip(rows, records, strict=True):  # the same values as the JSON records
        assert row["reviewed"] == ("true" if record["reviewed"] else "false")
        assert row["effective_assumed"] == ("true" if record.get("effective_assumed") else "false")
        assert row["known_by"] == (record.get("known_by") or "")
        assert row["in_force_from"] == (record.get("in_force_from") or "")
    assert {(r["subject"], r["reviewed"]) for r in rows if r["reviewed"] == "true"} == {("San Francisco, CA", "true")}
    portland = next(r for r in rows if r["subject"] == "Portland, OR" and r["scope"] == PRIVATE)
    assert (portland["status"], portland["in_force_from"]) == ("enacted", "2021-01-01")
    assert any(r["effective_assumed"] == "true" for r in rows)  # known_by: tests/report/test_known_by.py
