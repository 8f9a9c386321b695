"""The batched writer (``store.store_batch``, what ``ingest`` runs) stores exactly what storing
the same articles one at a time (``find_duplicate``, ``add_source``, ``add_facts``) stores: the
same sources, measures, facts, periods and evidence, and the same outcome for every input."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from tracker.app import Tracker
from tracker.data import Article
from tracker.ingest import pipeline, store
from tracker.report import periods
from tracker.vocab import DateSource

from ..conftest import DATA_TABLES, ROOT, fixed_clock, pg_url
from .contents import contents

CITIES = ["Oakland", "Berkeley", "Somerville", "Boston", "Minneapolis", "Portland, Maine", "Jackson"]
COMPANIES = ["Amazon", "Microsoft", "IBM"]
MONTHS = ["March", "April", "May", "June"]


def story(rng: random.Random, i: int) -> str:
    """A short article in the shapes the extractor reports: a ban, a company's pause or ban, a
    ban that ends, a moratorium (which turns an earlier ban of the same subject into one)."""
    month, day, year = rng.choice(MONTHS), rng.randint(1, 28), rng.randint(2019, 2022)
    city, company = rng.choice(CITIES), rng.choice(COMPANIES)
    shapes = [
        f"The {city} City Council voted on {month} {day}, {year} to ban city agencies from using facial recognition technology.",
        f"{company} said on {month} {day}, {year} that it would stop selling facial recognition software to police for one year.",
        f"{company} announced on {month} {day}, {year} that it will no longer sell facial recognition technology to police departments.",
        f"On {month} {day}, {year}, {city} approved a two-year moratorium on police use of facial recognition.",
        f"The {city} council repealed its ban on facial recognition on {month} {day}, {year}.",
        f"The {city} council proposed a ban on facial recognition technology on {month} {day}, {year}.",
    ]
    return f"Story {i}\ndate {year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n\n{rng.choice(shapes)} Residents spoke (item {i}).\n"


def corpus(folder: Path, count: int = 90) -> Path:
    """The sample articles, generated stories, and copies of some of them (duplicates inside
    one batch and across batches; one copy differs only in white space)."""
    folder.mkdir()
    for path in sorted((ROOT / "seeds" / "articles").glob("*.txt")):
        shutil.copyfile(path, folder / f"a-{path.name}")
    rng = random.Random(5)
    for i in range(count):
        (folder / f"b-{i:03d}.txt").write_text(story(rng, i), encoding="utf-8")
    for i in (3, 4, 40):
        (folder / f"c-{i:03d}.txt").write_text((folder / f"b-{i:03d}.txt").read_text().replace(" ", "  "), encoding="utf-8")
    shutil.copyfile(folder / "a-001-san-francisco-ban.txt", folder / "c-san-francisco-again.txt")
    return folder


def emptied(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if pg_url():
            conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in ("measure_evidence", "measure_periods", *DATA_TABLES):
                conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def one_at_a_time(url: str, inputs: list[str]) -> list[tuple[str, str, int]]:
    """The reference: each input extracted and stored in its own transaction."""
    outcomes = []
    with Tracker(url, clock=fixed_clock) as tracker:
        for where in pipeline.expand_inputs(inputs):
            article = pipeline.read_source(where, None)
            o = pipeline.ingest_article(tracker, article, where)
            outcomes.append((o.where, o.result, o.facts))
    return outcomes


def test_batches_store_what_one_article_at_a_time_stores(db_url, tmp_path, monkeypatch):
    folder = corpus(tmp_path / "articles")
    inputs = [str(folder)]
    expected_outcomes = one_at_a_time(db_url, inputs)
    expected = contents(db_url)
    assert len(expected["sources"]) == len(expected_outcomes) - 4  # the four copies
    assert {row[1] for row in expected["measures"]} >= {"ban", "moratorium"}
    assert len(expected["measure_periods"]) > 20 and expected["measure_evidence"]
    emptied(db_url)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 17)  # duplicates inside and across batches
    monkeypatch.setattr(pipeline, "FLUSH_SECONDS", 1e9)
    with Tracker(db_url, clock=fixed_clock) as tracker:
        summary = tracker.ingest(inputs, jobs=1)
    assert [(o.where, o.result, o.facts) for o in summary.outcomes] == expected_outcomes
    assert contents(db_url) == expected


def test_refreshing_a_batch_at_a_time_rewrites_only_what_differs_and_matches_a_rebuild(db_url, tmp_path, monkeypatch):
    """``periods.refresh`` writes only the rows that differ; after many small batches (each
    adding facts to measures that have some) and a rejected fact, the cache is what rebuilding
    it from scratch gives."""
    folder = corpus(tmp_path / "articles")
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 6)
    monkeypatch.setattr(pipeline, "FLUSH_SECONDS", 1e9)
    with Tracker(db_url, clock=fixed_clock) as tracker:
        tracker.ingest([str(folder)], jobs=1)
        engine = tracker.engine
        with engine.begin() as conn:
            cid, mid = conn.execute(text(
                "SELECT change_id, measure_id FROM measure_evidence WHERE measure_id IN (SELECT measure_id "
                "FROM measure_evidence GROUP BY measure_id HAVING count(*) > 2) ORDER BY counts_from, change_id LIMIT 1"
            )).one()
            before = conn.execute(text(f"SELECT count(*) FROM measure_evidence WHERE measure_id = {mid}")).scalar()
            conn.execute(text(f"UPDATE status_changes SET review = 'rejected' WHERE id = {cid}"))
            periods.refresh(conn, {mid})
            assert conn.execute(text(f"SELECT count(*) FROM measure_evidence WHERE measure_id = {mid}")).scalar() == before - 1
        incremental = contents(db_url)
        periods.rebuild(tracker.sessions)
    assert contents(db_url) == incremental


def test_duplicates_by_url_and_by_text_inside_one_batch(tracker):
    body = "The Oakland City Council voted on June 4, 2019 to ban city agencies from using facial recognition technology."
    other = body.replace("Oakland", "Berkeley").replace("2019", "2020")
    articles = [
        Article(body, url="https://news.example/1", published_how=DateSource.UNKNOWN),
        Article(other, url="https://news.example/1"),  # the same address: a duplicate
        Article(" \n" + body.replace(" ", "\n  ")),  # the same text but for white space
        Article(other, url="https://news.example/2"),  # new
        Article(other, url="https://news.example/3"),  # the text of the one before: a duplicate
    ]
    items = [store.Extracted.of(*pipeline.prepare_article(tracker, a)) for a in articles]
    touched: set[int] = set()
    with tracker.engine.begin() as conn:
        stored = store.store_batch(conn, items, fixed_clock(), None, touched)
    first, second = stored[0].source_id, stored[3].source_id
    assert [(s.result, s.source_id) for s in stored] == [
        ("new", first), ("duplicate", first), ("duplicate", first), ("new", second), ("duplicate", second),
    ]
    assert [s.facts for s in stored] == [1, 0, 0, 1, 0]
    assert len(touched) == 2
    with tracker.engine.begin() as conn:  # the same batch again: all duplicates of what is stored
        again = store.store_batch(conn, items, fixed_clock(), None, set())
    assert [s.result for s in again] == ["duplicate"] * 5
    # the second has the address of the first and the text of the fourth: either will do
    assert [s.source_id for s in again] in ([first, first, first, second, second], [first, second, first, second, second])


def _failing(monkeypatch, times: int) -> list[int]:
    """store_batch fails with a database error the first ``times`` calls."""
    from sqlalchemy.exc import OperationalError

    real, calls = store.store_batch, []

    def flaky(conn, items, *args):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        if len(calls) <= times:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(conn, items, *args)

    monkeypatch.setattr(store, "store_batch", flaky)
    return calls


def test_a_batch_the_database_fails_is_stored_again_once(tracker, tmp_path, monkeypatch):
    folder = corpus(tmp_path / "articles", count=50)
    calls = _failing(monkeypatch, times=1)
    summary = tracker.ingest([str(folder)], jobs=1)
    assert summary.failed == 0 and summary.new + summary.duplicate == len(summary.outcomes) == 60 + 50 + 4
    assert calls[0] == calls[1]  # the same batch again


def test_a_batch_the_database_fails_twice_stops_the_run_with_nothing_half_done(tracker, tmp_path, monkeypatch):
    import pytest

    from tracker.errors import DatabaseError

    folder = corpus(tmp_path / "articles", count=50)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 20)
    monkeypatch.setattr(pipeline, "FLUSH_SECONDS", 1e9)
    reported = []
    real = pipeline._Writer.flush
    flushes = []

    def second_fails(self):  # type: ignore[no-untyped-def]
        flushes.append(1)
        if len(flushes) == 2:
            _failing(monkeypatch, times=2)
        return real(self)

    monkeypatch.setattr(pipeline._Writer, "flush", second_fails)
    with pytest.raises(DatabaseError, match="the last 20 articles read were not stored: run it again"):
        tracker.ingest([str(folder)], jobs=1, progress=reported.append)
    assert len(reported) == 20  # the first batch, committed; the second neither stored nor reported
    assert len(contents(tracker.url)["sources"]) == sum(o.result == "new" for o in reported)
