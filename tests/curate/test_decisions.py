"""Decisions people make survive re-extraction (issue 9, Done when), on SQLite and PostgreSQL:
reject Portland, Maine's private-use ban (which is Portland, Oregon's; an own-words article
misreports it), confirm San Francisco's
ban, add Teaneck's by hand; ``reextract --all`` keeps all three."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.models import Decision, StatusChange

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

TEANECK = [
    "facts", "add", "--subject", "Teaneck, NJ", "--kind", "ban", "--scope", "police use",
    "--status", "enacted", "--date", "2021-06", "--source", "https://example.org/teaneck-ban",
    "--quote", "The township council voted to bar its police from using face recognition.",
    "--by", "editor", "--reason", "the corpus lacks it",
]


def _decide(db_url, tracker):  # type: ignore[no-untyped-def]
    run(db_url, "ingest", str(SEEDS), str(MISREPORT))
    wrong = facts_of(tracker, PORTLAND_ME, PRIVATE)
    assert wrong, "the misreport gives Portland, Maine a private-use ban (the fact to reject)"
    for fact_id in wrong:
        out = run(db_url, "facts", "reject", str(fact_id), "--by", "editor", "--reason", "Oregon's").output
        assert out.startswith("decision ") and "rejected" in out and "Portland, ME" in out
    sf = facts_of(tracker, SAN_FRANCISCO)[0]
    confirmed = run_json(db_url, "facts", "confirm", str(sf), "--by", "editor")
    assert confirmed["action"] == "confirm" and confirmed["fact"] == sf
    added = run_json(db_url, *TEANECK)
    assert added["action"] == "add" and added["new_fact"]


def _check(db_url):  # type: ignore[no-untyped-def]
    everything = subjects(run_json(db_url, "status", "--all", "--as-of", "2021-12-31"))
    assert not any(name == "Portland, ME" and scope == PRIVATE for name, scope, _ in everything)
    assert ("Portland, ME", "government use", "in_force") in everything
    assert ("Teaneck, NJ", "police use", "in_force") in everything
    reviewed = run_json(db_url, "status", "--reviewed", "--as-of", "2021-12-31")
    assert subjects(reviewed) == {
        ("San Francisco, CA", "government use", "in_force"), ("Teaneck, NJ", "police use", "in_force"),
    }
    assert all(m["reviewed"] for m in reviewed["measures"])
    teaneck = next(m for m in reviewed["measures"] if m["subject"]["name"] == "Teaneck, NJ")
    assert teaneck["since"] == "2021-06"
    assert teaneck["evidence"][0]["source"] == "https://example.org/teaneck-ban"
    # not in force before its date
    before = run_json(db_url, "status", "--as-of", "2021-05-31", "--jurisdiction", "Teaneck, N.J.")
    assert before["measures"] == []


def test_decisions_survive_reextraction(db_url, tracker, fixed_cli):  # noqa: F811
    _decide(db_url, tracker)
    _check(db_url)
    before = run(db_url, "status", "--all", "--as-of", "2021-12-31").output
    out = run(db_url, "reextract", "--all").output
    assert "61 sources re-extracted" in out
    assert "decisions about them applied again" in out
    _check(db_url)
    assert run(db_url, "status", "--all", "--as-of", "2021-12-31").output == before
    wrong = set(facts_of(tracker, PORTLAND_ME, PRIVATE))
    with tracker.sessions() as session:
        # the rejected facts found again are rejected again
        rejected = session.scalars(select(StatusChange.id).where(StatusChange.review == "rejected")).all()
        assert set(rejected) == wrong
        by = set(session.scalars(select(Decision.made_by)))
        assert by == {"editor"}
        assert session.scalar(select(func.count()).select_from(Decision)) >= 3


def test_reextract_twice_and_of_one_source_changes_nothing(db_url, tracker, fixed_cli):  # noqa: F811
    _decide(db_url, tracker)
    before = run(db_url, "status", "--all", "--as-of", "2021-12-31", "--format", "json").output
    run(db_url, "reextract", "--all")
    run(db_url, "reextract", "--all")
    sources = run_json(db_url, "sources", "list")
    one = next(s["id"] for s in sources if s["source"].endswith(MISREPORT.name))
    data = run_json(db_url, "reextract", str(one))
    assert data[0]["decisions_kept"] == data[0]["decisions_total"] >= 1
    assert run(db_url, "status", "--all", "--as-of", "2021-12-31", "--format", "json").output == before


def test_reextract_needs_ids_or_all(db_url, fixed_cli):  # noqa: F811
    result = run(db_url, "reextract", ok=False)
    assert result.exit_code == 2 and "give source ids or --all" in result.output
    result = run(db_url, "reextract", "999", ok=False)
    assert result.exit_code == 1 and "no source has id 999" in result.output
