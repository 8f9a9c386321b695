"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
TRACKER_TEST_DATABASE_URL names a server database (``.ci/run`` does both).

Schemas are always built by the migrations. The reference data is seeded once per session into
a template (a SQLite file copied per test; on PostgreSQL, the data tables are emptied per test).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker import db
from tracker.app import Tracker

PG_ENV = "TRACKER_TEST_DATABASE_URL"
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA_TABLES = ("decisions", "status_changes", "measures", "sources", "feeds", "ingest_runs")
FIXED_NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def pytest_report_header(config: pytest.Config) -> str:
    url = pg_url()
    if url:
        return f"tracker database backend: postgresql ({PG_ENV} is set)"
    return f"tracker database backend: sqlite (set {PG_ENV} to a PostgreSQL URL to run on PostgreSQL)"


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded database: a SQLite file, or the PostgreSQL test database."""
    url = pg_url()
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:  # start from nothing: drop what an earlier run left
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        engine = db.make_engine(url)
        db.upgrade(engine)  # a server database is upgraded explicitly, as 'tracker db upgrade' does
        engine.dispose()
        Tracker(url, clock=fixed_clock).close()
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    Tracker(f"sqlite:///{path}", clock=fixed_clock).close()
    return str(path)


@pytest.fixture
def db_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test, migrated and seeded, with no articles or measures."""
    if pg_url():
        engine = create_engine(_template)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield _template
        return
    path = tmp_path / "tracker.sqlite"
    shutil.copyfile(_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    with Tracker(db_url, clock=fixed_clock) as t:
        yield t


@pytest.fixture
def backend() -> str:
    return "postgresql" if pg_url() else "sqlite"


def requires_postgres() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not pg_url(),
        reason=f"PostgreSQL not configured: set {PG_ENV}=postgresql+psycopg://USER@HOST/DB "
        "(bash .ci/run starts a throwaway server and does this)",
    )
