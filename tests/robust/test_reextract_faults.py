"""Fault injection for re-extraction (issue 11, item 8, with issue 9's ``tracker reextract``), on
SQLite and, with TRACKER_TEST_DATABASE_URL, on PostgreSQL: ``reextract --all`` is killed with
SIGKILL at a few seeded moments (a bounded loop), then run again to the end. The database must
then match a clean run's: the same sources, the same facts, the same cached periods, and every
decision people made still applied to the same facts.

The database is prepared as an improved extractor finds it: the sample corpus ingested, people's
decisions made (a rejection, a confirmation, a correction, a fact added by hand), and the stored
facts marked as an older extractor's (their confidence lowered), so that a source's re-extraction
shows: after each kill, each source is re-extracted whole or not at all, and the periods cache
agrees with the facts.

The kill -9 helpers are the ingest and feeds-poll tests' (test_faults).
"""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import create_engine, text

from tracker import db
from tracker.app import Tracker
from tracker.ingest import pipeline, store

from ..conftest import fixed_clock, pg_url
from ..curate.helpers import PORTLAND_OR, facts_of, fixed_cli, run  # noqa: F401
from ..curate.test_decisions import _decide
from .test_faults import (
    KILLS,
    SEED,
    LockHolder,
    checked,
    fresh,
    integrity,
    run_and_kill,
    run_to_end,
    snapshot,
    terminate_other_backends,
)

OLD_CONFIDENCE = 0.013  # what "the older extractor" gave every fact it found
ARGS = ("reextract", "--all")


def prepare(template: str, tmp_path, name: str) -> str:  # type: ignore[no-untyped-def]
    """A database with the corpus, people's decisions, and an older extractor's facts."""
    url = fresh(template, tmp_path, name)
    with Tracker(url, clock=fixed_clock) as tracker:
        _decide(url, tracker)  # reject Portland, ME's private-use ban, confirm SF's, add Teaneck's
        portland = facts_of(tracker, PORTLAND_OR)[0]
    run(url, "facts", "correct", str(portland), "--date", "2020-09", "--by", "editor", "--reason", "the month only")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE status_changes SET confidence = :c WHERE origin = 'extracted'"), {"c": OLD_CONFIDENCE})
    engine.dispose()
    return url


def same_facts(url: str) -> dict[str, list[tuple[str, ...]]]:
    """test_faults' snapshot, where a manual fact's evidence hash (a random one: a person's
    quote may repeat an extracted fact's) reads 'manual'."""
    got = snapshot(url)
    got["facts"] = sorted((*r[:7], "manual", r[8]) if r[8] == "manual" else r for r in got["facts"])
    return got


#: a fact's evidence hash, or 'manual' for a fact a person entered (see same_facts)
HASH = "CASE WHEN {0}.origin = 'manual' THEN 'manual' ELSE {0}.evidence_hash END"


def decisions(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every decision with the facts it names (by what identifies them, not by row ids), and
    each fact's review and confidence."""
    queries = {
        "decisions": (
            "SELECT d.action, d.made_by, d.made_at, d.reason, d.subject, d.status, d.evidence_hash, d.kind, "
            f"d.scope, d.details, d.summary, {HASH.format('c')}, c.review, c.origin, {HASH.format('n')}, n.origin, "
            "m.natural_key, s.content_hash "
            "FROM decisions d LEFT JOIN status_changes c ON c.id = d.change_id "
            "LEFT JOIN status_changes n ON n.id = d.new_change_id "
            "LEFT JOIN measures m ON m.id = d.measure_id LEFT JOIN sources s ON s.id = d.source_id"
        ),
        "reviews": (
            f"SELECT s.content_hash, m.natural_key, c.status, {HASH.format('c')}, c.origin, c.review, c.confidence "
            "FROM status_changes c JOIN sources s ON s.id = c.source_id JOIN measures m ON m.id = c.measure_id"
        ),
    }
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: sorted(tuple(map(str, row)) for row in conn.execute(text(sql))) for name, sql in queries.items()}
    finally:
        engine.dispose()


def progress(url: str) -> tuple[int, int]:
    """(sources re-extracted, sources left): a source is done when its extracted facts no longer
    have the older extractor's confidence. A source half-done fails the test."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT source_id, confidence FROM status_changes WHERE origin = 'extracted'")
        ).all()
    engine.dispose()
    old: dict[int, set[bool]] = {}
    for source_id, confidence in rows:
        old.setdefault(source_id, set()).add(abs(confidence - OLD_CONFIDENCE) < 1e-9)
    half = [s for s, marks in old.items() if len(marks) > 1]
    assert not half, f"sources half re-extracted: {half}"
    done = sum(1 for marks in old.values() if marks == {False})
    return done, len(old) - done


@pytest.mark.slow
def test_kill_9_during_reextract(_template, tmp_path, fixed_cli):  # noqa: F811
    clean = prepare(_template, tmp_path, "clean")
    before = decisions(clean)
    assert progress(clean)[0] == 0
    started = time.monotonic()
    result = run_to_end(clean, *ARGS)
    clean_seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "61 sources re-extracted" in result.stdout
    expected, expected_decisions = same_facts(clean), decisions(clean)
    done, left = progress(clean)
    assert left == 0 and done >= 40
    # a clean run keeps every decision on the same facts (only the confidences change)
    strip = {name: sorted(r[:-1] for r in rows) if name == "reviews" else rows for name, rows in before.items()}
    assert strip == {n: sorted(r[:-1] for r in rows) if n == "reviews" else rows for n, rows in expected_decisions.items()}
    assert {r[5] for r in expected_decisions["reviews"]} == {"None", "confirmed", "rejected", "corrected"}

    faulty = prepare(_template, tmp_path, "faulty")
    rng = random.Random(SEED)
    killed = []
    for _ in range(KILLS):
        delay = rng.uniform(0.15, 0.95) * clean_seconds
        if run_and_kill(faulty, delay, *ARGS):
            integrity(faulty)
            killed.append((round(delay, 2), progress(faulty)))  # checks no source is half-done
            assert checked(faulty)  # the periods cache agrees with the facts after every kill
    assert killed, "no run was killed: the moments missed every run"
    result = run_to_end(faulty, *ARGS)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert same_facts(faulty) == expected
    assert decisions(faulty) == expected_decisions
    assert checked(faulty)
    print(f"killed at (seconds, (sources done, left)): {killed}; clean run {clean_seconds:.1f} s")


@pytest.mark.parametrize("fault", ["the connection dropped mid-transaction", "a lock held past the busy timeout"])
def test_a_database_fault_during_reextract(_template, tmp_path, fixed_cli, monkeypatch, fault):  # noqa: F811
    """The run stops on one line, the sources it finished stay finished, none is half-done,
    and the next run ends where a clean run does."""
    dropped = fault.startswith("the connection")
    if dropped != bool(pg_url()):
        pytest.skip("PostgreSQL's connections" if dropped else "SQLite's database lock")
    clean = prepare(_template, tmp_path, "clean")
    run(clean, *ARGS)
    expected = same_facts(clean), decisions(clean)

    url = prepare(_template, tmp_path, "faulty")
    if dropped:  # a second connection ends tracker's while it writes a source's facts
        module, name = store, "add_facts"

        def inject() -> None:
            terminate_other_backends(_template)
    else:  # another writer takes the lock before a source is written, for longer than tracker waits
        module, name = pipeline, "prepare_article"
        original_pragmas = db._sqlite_pragmas

        def short_busy_timeout(dbapi_connection, record):  # type: ignore[no-untyped-def]
            original_pragmas(dbapi_connection, record)
            dbapi_connection.execute("PRAGMA busy_timeout=300")

        monkeypatch.setattr(db, "_sqlite_pragmas", short_busy_timeout)
        holder = LockHolder(url.removeprefix("sqlite:///"), seconds=2.0)
        inject = holder.take
    original, calls = getattr(module, name), []

    def hook(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 10:  # the tenth source
            inject()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, hook)
    failed = run(url, *ARGS, ok=False)
    if not dropped:
        holder.timer.join()
    assert failed.exit_code == 1, failed.output
    assert failed.stdout == "" and "Traceback" not in failed.output
    (line,) = failed.stderr.splitlines()
    assert line.startswith("error: database error: ") and "run the command again" in line
    done, left = progress(url)  # the sources before it are done, whole; none is half-done
    assert done > 0 and left > 0
    integrity(url)
    monkeypatch.setattr(module, name, original)
    run(url, *ARGS)
    assert (same_facts(url), decisions(url)) == expected
    assert checked(url)
