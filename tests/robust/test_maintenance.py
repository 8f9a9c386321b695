"""``tracker db backup`` and ``tracker db check`` (issue 11, item 10)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import cli
from tracker import maintenance
from tracker.app import Tracker

from ..conftest import ROOT, fixed_clock, pg_url

SEEDS = ROOT / "seeds" / "articles"
sqlite_only = pytest.mark.skipif(bool(pg_url()), reason="SQLite's backup API and file checks")


def run(db_url: str, *args: str):
    return CliRunner().invoke(cli.cli, ["--database", db_url, *args])


def ingest_seeds(db_url: str) -> None:
    with Tracker(db_url, clock=fixed_clock) as tracker:
        tracker.ingest([str(SEEDS)])


@sqlite_only
def test_a_backup_taken_during_an_ingest_is_consistent(db_url, tmp_path):
    done = threading.Event()

    def writer() -> None:
        try:
            ingest_seeds(db_url)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    while not done.is_set() and len(copies) < 5:  # bounded: at most five copies mid-ingest
        target = tmp_path / f"copy{len(copies)}.sqlite"
        result = run(db_url, "db", "backup", str(target))
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"backed up to {target} (")
        copies.append(target)
    thread.join(120)
    final = tmp_path / "final.sqlite"
    assert run(db_url, "db", "backup", str(final)).exit_code == 0
    for copy in [*copies, final]:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            # every stored source is whole: an article is never without its run
            assert conn.execute("SELECT count(*) FROM sources WHERE run_id IS NULL").fetchone() == (0,)
        checked = run(f"sqlite:///{copy}", "db", "check")
        assert checked.exit_code == 0, checked.output
    with sqlite3.connect(final) as a, sqlite3.connect(Path(db_url.removeprefix("sqlite:///"))) as b:
        query = "SELECT url, path, content_hash FROM sources ORDER BY content_hash"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


@sqlite_only
def test_a_backup_never_overwrites(db_url, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_bytes(b"precious")
    result = run(db_url, "db", "backup", str(target))
    assert (result.exit_code, result.stderr) == (1, f"error: {target}: already exists (choose a new file name)\n")
    assert target.read_bytes() == b"precious"
    assert list(tmp_path.glob(".*partial")) == []


def test_postgresql_gets_the_pg_dump_command():
    engine = create_engine("postgresql+psycopg://me:secret@db.example.org:5433/tracker")
    result = maintenance.backup(engine, "/backups/t.dump")
    assert result.command == "pg_dump --format=custom --file=/backups/t.dump postgresql://me@db.example.org:5433/tracker"
    assert "secret" not in result.command


def test_check_finds_a_stale_periods_cache(db_url):
    ingest_seeds(db_url)
    clean = run(db_url, "db", "check")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.splitlines()[-1].startswith("periods cache: agrees with the facts (")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        first = conn.execute(text("SELECT min(measure_id) FROM measure_periods")).scalar_one()
        conn.execute(text("UPDATE measure_periods SET status = 'repealed' WHERE measure_id = :m"), {"m": first})
    engine.dispose()
    stale = run(db_url, "db", "check")
    assert stale.exit_code == 1
    assert f"disagree with their facts (ids {first}): run 'tracker db refresh'" in stale.stdout
    assert run(db_url, "db", "refresh").exit_code == 0
    assert run(db_url, "db", "check").exit_code == 0


@sqlite_only
def test_check_reports_a_broken_foreign_key(db_url):
    ingest_seeds(db_url)
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # foreign keys are off in this connection
        conn.execute("UPDATE status_changes SET source_id = 999999 WHERE id = (SELECT min(id) FROM status_changes)")
    result = run(db_url, "db", "check")
    assert result.exit_code == 1
    assert "foreign keys: status_changes row" in result.stdout and "names a missing sources row" in result.stdout
