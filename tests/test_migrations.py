"""The migrations are the schema: upgrade, check for drift, downgrade and upgrade again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tracker import db
from tracker.errors import SchemaBehindError

from .conftest import pg_url, requires_postgres


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:
    """An empty database of the backend under test."""
    url = pg_url()
    if not url:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    name = f"tracker_scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_round_trip_and_no_drift(scratch_url):
    engine = db.make_engine(scratch_url)
    config = db.alembic_config(scratch_url)
    try:
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        assert {"jurisdictions", "companies", "measures", "status_changes", "sources", "feeds", "ingest_runs"} <= _tables(engine)
        command.check(config)  # raises if the models and the migrations disagree
        db.downgrade(engine, "base")
        assert _tables(engine) == set()
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        command.check(config)
    finally:
        engine.dispose()


def test_measure_has_exactly_one_subject(scratch_url):
    engine = db.make_engine(scratch_url)
    db.upgrade(engine)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO jurisdictions (id, ocd_id, name, kind) VALUES (1, 'ocd-division/country:us', 'United States', 'country')"))
            conn.execute(text("INSERT INTO companies (id, name, slug) VALUES (1, 'Amazon', 'amazon')"))
        for jid, cid in [(1, 1), (None, None)]:
            with pytest.raises(Exception, match="(?i)check|constraint"), engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO measures (jurisdiction_id, company_id, kind, scope, title, natural_key, created_at) VALUES (:j, :c, 'ban', 'x', 't', :k, CURRENT_TIMESTAMP)"),
                    {"j": jid, "c": cid, "k": f"k{jid}{cid}"},
                )
    finally:
        engine.dispose()


def test_sqlite_is_initialised_on_first_use(tmp_path):
    from tracker.app import Tracker

    with Tracker(f"sqlite:///{tmp_path / 'new' / 'fresh.sqlite'}", seed=False) as t:
        assert db.current_revision(t.engine) == db.head_revision()


@requires_postgres()
def test_postgres_behind_names_the_command(scratch_url):
    from tracker.app import Tracker

    with pytest.raises(SchemaBehindError, match="tracker db upgrade"):
        Tracker(scratch_url)


@requires_postgres()
def test_cli_on_a_postgres_database_that_is_behind(scratch_url):
    from click.testing import CliRunner

    import cli as cli_module

    result = CliRunner().invoke(cli_module.cli, ["--database", scratch_url, "status"])
    assert result.exit_code == 1
    assert "run 'tracker db upgrade'" in result.stderr
    assert "Traceback" not in result.output
    upgraded = CliRunner().invoke(cli_module.cli, ["--database", scratch_url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert CliRunner().invoke(cli_module.cli, ["--database", scratch_url, "status"]).exit_code == 0


def test_recorded_head_is_the_scripts_head():
    """``ensure_schema`` trusts ``db.HEAD_REVISION`` instead of loading the scripts: a new
    migration must update it."""
    assert db.head_revision() == db.HEAD_REVISION


def test_upgrading_a_database_with_facts_fills_measure_evidence(tracker):
    """0005 fills ``measure_evidence`` from the facts already stored: every row the periods code
    would write (a coarse date restated finely may add one more until ``tracker db refresh``)."""
    from tracker.report import periods

    from .report.test_views import load_tricky

    load_tricky(tracker)
    query = text("SELECT measure_id, change_id, counts_from FROM measure_evidence")
    with tracker.engine.connect() as conn:
        exact = {tuple(r) for r in conn.execute(query)}
    assert len(exact) > 10
    db.downgrade(tracker.engine, "0003_analyst_views")
    db.upgrade(tracker.engine)
    with tracker.engine.connect() as conn:
        filled = {tuple(r) for r in conn.execute(query)}
    assert exact <= filled
    assert len(filled - exact) < len(exact) / 4
    periods.rebuild(tracker.sessions)
    with tracker.engine.connect() as conn:
        assert {tuple(r) for r in conn.execute(query)} == exact


def test_upgrading_a_database_with_periods_fills_in_force_from(tracker):
    """0007 gives the enacted periods already stored the day they take effect (the first
    counted, dated in_force fact after the adoption): what the periods code stores."""
    from tracker.report import periods

    from .report.test_report import load_curated

    load_curated(tracker)
    query = text(
        "SELECT measure_id, seq, in_force_from_date, in_force_from_precision FROM measure_periods"
        " ORDER BY measure_id, seq"
    )
    with tracker.engine.connect() as conn:
        exact = [tuple(r) for r in conn.execute(query)]
    assert any(r[2] is not None for r in exact)
    db.downgrade(tracker.engine, "0006_source_encoding")
    db.upgrade(tracker.engine)
    with tracker.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == exact
    periods.rebuild(tracker.sessions)
    with tracker.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == exact
