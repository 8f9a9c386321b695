"""The ingestion pipeline: whole articles or nothing, resumable runs, overlapping runs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.app import Tracker
from tracker.extract import extract
from tracker.ingest import pipeline
from tracker.models import IngestRun, Measure, Source, StatusChange

from ..conftest import fixed_clock

CITIES = ["Oakland", "Berkeley", "Somerville", "Brookline", "Cambridge", "Boston", "Minneapolis", "Jackson"]


def write_articles(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        (folder / f"{i:03d}.txt").write_text(
            f"Council vote number {i}\ndate 2020-06-{1 + i % 28:02d}\n\n"
            f"The {city} City Council voted on {['March', 'April', 'May'][i % 3]} {1 + i % 27}, 2020 "
            f"to ban city agencies from using facial recognition technology (item {i}).\n",
            encoding="utf-8",
        )
    return folder


def counts(tracker: Tracker) -> tuple[int, int, int]:
    with tracker.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Source, Measure, StatusChange)
        )


def test_a_crash_mid_run_leaves_no_half_written_article_and_the_next_run_completes(tracker, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "articles", 12)
    real = extract.extract
    calls = {"n": 0}

    def crashing(article, gazetteer):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 8:
            raise RuntimeError("killed")
        return real(article, gazetteer)

    monkeypatch.setattr(pipeline, "BATCH_SIZE", 5)
    monkeypatch.setattr(extract, "extract", crashing)
    with pytest.raises(RuntimeError, match="killed"):
        tracker.ingest([str(folder)])
    sources, measures, changes = counts(tracker)
    assert sources == 5  # the first batch was committed; the second was rolled back whole
    assert changes == 5
    with tracker.sessions() as session:  # every stored source has its facts: nothing half-written
        orphans = session.scalar(
            select(func.count()).select_from(Source).where(~Source.id.in_(select(StatusChange.source_id)))
        )
    assert orphans == 0
    monkeypatch.setattr(extract, "extract", real)
    summary = tracker.ingest([str(folder)])
    assert (summary.new, summary.duplicate, summary.failed) == (7, 5, 0)
    assert counts(tracker) == (12, len(CITIES), 12)


def test_a_failed_input_does_not_stop_the_batch(tracker, tmp_path):
    folder = write_articles(tmp_path / "articles", 4)
    (folder / "002.txt").write_bytes(b"\xff\xfe\x00garbage")
    summary = tracker.ingest([str(folder)])
    assert (summary.new, summary.failed) == (3, 1)
    assert counts(tracker)[0] == 3


def test_every_run_is_recorded(tracker, tmp_path):
    folder = write_articles(tmp_path / "articles", 3)
    tracker.ingest([str(folder)])
    tracker.ingest([str(folder)])
    with tracker.sessions() as session:
        runs = session.scalars(select(IngestRun).order_by(IngestRun.id)).all()
    assert [(r.kind, r.new, r.duplicate, r.facts) for r in runs] == [("ingest", 3, 0, 3), ("ingest", 0, 3, 0)]
    assert all(r.finished_at is not None for r in runs)


@pytest.mark.slow
def test_two_overlapping_runs_store_everything_once(db_url, tmp_path):
    folder = write_articles(tmp_path / "articles", 40)
    errors: list[BaseException] = []
    results = []

    def run() -> None:
        try:
            with Tracker(db_url, clock=fixed_clock) as t:
                results.append(t.ingest([str(folder)]))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted((r.new, r.failed) for r in results)[0][1] == 0
    assert sum(r.new for r in results) == 40
    with Tracker(db_url, clock=fixed_clock) as t:
        assert counts(t) == (40, len(CITIES), 40)


def test_the_quick_start_report_lists_the_places_and_companies(tracker):
    """The README's main command: the sample articles, then what is in force today."""
    root = Path(__file__).resolve().parents[2]
    summary = tracker.ingest([str(root / "seeds" / "articles")])
    assert summary.failed == 0 and summary.new == len(list((root / "seeds" / "articles").glob("*.txt")))
    report = tracker.status()
    in_force = {(row.subject.ocd_id or row.subject.slug, row.kind) for row in report.rows}
    for expected in [
        ("ocd-division/country:us/state:ca/place:san_francisco", "ban"),
        ("ocd-division/country:us/state:ca/place:oakland", "ban"),
        ("ocd-division/country:us/state:or/place:portland", "ban"),
        ("ocd-division/country:us/state:me/place:portland", "ban"),
        ("ocd-division/country:us/state:ma", "restriction"),
        ("amazon", "moratorium"),
        ("microsoft", "ban"),
        ("ibm", "ban"),
    ]:
        assert expected in in_force, expected


# -- parallel extraction ---------------------------------------------------------------------
def _stored(tracker: Tracker) -> list[tuple]:
    with tracker.sessions() as session:
        return [
            tuple(r) for r in session.execute(
                select(Source.id, Source.path, StatusChange.measure_id, StatusChange.status,
                       StatusChange.effective_date, StatusChange.evidence)
                .join(StatusChange, StatusChange.source_id == Source.id).order_by(Source.id, StatusChange.id)
            )
        ]


def test_parallel_extraction_stores_the_same_in_input_order(db_url, tmp_path, monkeypatch):
    if "sqlite" not in db_url:
        pytest.skip("compares two SQLite databases")
    folder = write_articles(tmp_path / "articles", 30)
    (folder / "015-bad.txt").write_bytes(b"\x00\x01binary")  # a failure in the middle
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    inputs = [str(folder), str(tmp_path / "missing.txt")]
    with Tracker(db_url, clock=fixed_clock) as one:
        serial = one.ingest(inputs, jobs=1)
        expected = _stored(one)
    with Tracker(f"sqlite:///{tmp_path / 'parallel.sqlite'}", clock=fixed_clock) as two:
        parallel = two.ingest(inputs, jobs=2)
        assert _stored(two) == expected
    assert [(o.where, o.result, o.facts, o.error) for o in parallel.outcomes] == [
        (o.where, o.result, o.facts, o.error) for o in serial.outcomes
    ]
    assert (parallel.new, parallel.failed) == (30, 2)


def test_a_crash_in_a_worker_loses_only_the_uncommitted_batch(tracker, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "articles", 12)
    real = extract.extract

    def crashing(doc, gazetteer):  # type: ignore[no-untyped-def]
        if "(item 7)" in doc.article.text:
            raise RuntimeError("killed")
        return real(doc, gazetteer)

    monkeypatch.setattr(pipeline, "BATCH_SIZE", 5)
    monkeypatch.setattr(pipeline, "CHUNK", 2)
    monkeypatch.setattr(extract, "extract", crashing)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="killed"):
        tracker.ingest([str(folder)], jobs=2)
    assert counts(tracker)[0] == 5  # the first batch; articles 5 and 6 were rolled back whole
    monkeypatch.setattr(extract, "extract", real)
    summary = tracker.ingest([str(folder)], jobs=2)
    assert (summary.new, summary.duplicate, summary.failed) == (7, 5, 0)
    assert counts(tracker) == (12, len(CITIES), 12)


def test_ingest_jobs_option(db_url, tmp_path):
    from click.testing import CliRunner

    import cli

    folder = write_articles(tmp_path / "articles", 6)
    result = CliRunner().invoke(cli.cli, ["--database", db_url, "ingest", "--jobs", "2", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("6 new, 0 duplicate, 0 updated, 0 failed; 6 facts extracted")
    bad = CliRunner().invoke(cli.cli, ["--database", db_url, "ingest", "--jobs", "0", str(folder)])
    assert bad.exit_code == 2 and "--jobs" in bad.output


def test_workers_fork_from_frozen_objects_released_afterwards(tracker, tmp_path, monkeypatch):
    """The parent's objects are frozen (left out of the collector's passes) while the workers
    run, so the workers' collections do not copy the pages they share; after the run, and after
    a run that fails, they are collectable again."""
    import gc

    folder = write_articles(tmp_path / "articles", 6)
    frozen_while_running = []
    real = pipeline._pooled

    def watching(*args, **kwargs):  # type: ignore[no-untyped-def]
        frozen_while_running.append(gc.get_freeze_count())
        yield from real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_pooled", watching)
    before = gc.get_freeze_count()
    tracker.ingest([str(folder)], jobs=2)
    assert frozen_while_running[0] > before
    assert gc.get_freeze_count() == 0

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        yield from real(*args, **kwargs)
        raise RuntimeError("the pool broke")

    monkeypatch.setattr(pipeline, "_pooled", failing)
    with pytest.raises(RuntimeError, match="the pool broke"):
        tracker.ingest([str(folder)], jobs=2)
    assert gc.get_freeze_count() == 0
