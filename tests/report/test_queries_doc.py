"""Every query in docs/queries.md runs, and finds something, on SQLite and PostgreSQL; the
read-only role of docs/analysts.md grants SELECT and nothing else."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from ..conftest import ROOT, pg_url, requires_postgres
from .test_views import VIEWS, add_article, fact, load_tricky, place

QUERIES_DOC = ROOT / "docs" / "queries.md"
ANALYSTS_DOC = ROOT / "docs" / "analysts.md"
ROLE_MARKER = "<!-- tested: read-only role -->"
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Query:
    number: int
    question: str
    sql: str
    dialect: str | None  # None: both databases

    @property
    def id(self) -> str:
        return f"q{self.number}-{self.dialect or 'both'}"


def parse_queries(markdown: str) -> list[Query]:
    """The ```sql blocks of each '## N. Question' section."""
    queries = []
    sections = re.split(r"^## (\d+)\. (.+)$", markdown, flags=re.M)
    for number, question, body in zip(sections[1::3], sections[2::3], sections[3::3], strict=True):
        for block in re.findall(r"^```sql\n(.*?)^```", body, flags=re.M | re.S):
            first = block.splitlines()[0].strip().lower()
            dialect = next((b for b in BACKENDS if first == f"-- {b}"), None)
            queries.append(Query(int(number), question.strip(), block.strip(), dialect))
    return queries


QUERIES = parse_queries(QUERIES_DOC.read_text(encoding="utf-8"))


def test_the_file_answers_ten_questions_on_both_databases():
    numbers = sorted({q.number for q in QUERIES})
    assert len(numbers) >= 10
    assert numbers == list(range(1, len(numbers) + 1))
    for number in numbers:
        dialects = {q.dialect for q in QUERIES if q.number == number}
        assert None in dialects or set(BACKENDS) <= dialects, f"question {number} lacks a backend"


def load_recent(tracker) -> dt.date:
    """A moratorium adopted a month ago that ends in three months (for the questions about
    'the last 90 days' and 'the next six months')."""
    today = dt.datetime.now(dt.UTC).date()
    king = place("ocd-division/country:us/state:wa/county:king", "King County")
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=90)
    add_article(tracker, [fact(king, "enacted", start.isoformat(), kind="moratorium",
                               scope="police use", end=end.isoformat())], start + dt.timedelta(days=1))
    return today


def run_raw(engine, sql: str) -> list[tuple]:
    """Run SQL as psql or the sqlite3 shell would: through the driver, no parameter handling."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        raw.close()


@pytest.mark.parametrize("query", QUERIES, ids=[q.id for q in QUERIES])
def test_documented_query_runs(query, tracker, backend):
    if query.dialect not in (None, backend):
        pytest.skip(f"for {query.dialect}")
    load_tricky(tracker)
    load_recent(tracker)
    rows = run_raw(tracker.engine, query.sql)
    assert rows, f"question {query.number} ({query.question}) finds nothing in the test data"


def test_in_force_on_a_day_matches_status(tracker, backend):
    load_tricky(tracker)
    for q in (q for q in QUERIES if q.number == 3 and q.dialect in (None, backend)):
        rows = run_raw(tracker.engine, q.sql)
        report = tracker.status(dt.date(2020, 7, 1))
        assert sorted((r[0], r[1], r[2]) for r in rows) == sorted(
            (r.subject.name, r.kind, r.scope) for r in report.rows
        )


# -- the read-only role ----------------------------------------------------------------------
def role_snippet() -> str:
    doc = ANALYSTS_DOC.read_text(encoding="utf-8")
    after = doc.split(ROLE_MARKER, 1)[1]
    return re.search(r"```sql\n(.*?)```", after, flags=re.S).group(1)


def test_the_role_snippet_is_documented():
    snippet = role_snippet()
    assert "GRANT SELECT ON ALL TABLES IN SCHEMA public TO tracker_analyst" in snippet
    assert not re.search(r"\bGRANT\s+(INSERT|UPDATE|DELETE|TRUNCATE|ALL|CREATE)\b", snippet, re.I)


@requires_postgres()
def test_read_only_role_can_select_and_nothing_else(tracker):
    load_tricky(tracker)
    name = f"tracker_analyst_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    relations = inspect(tracker.engine).get_table_names() + list(VIEWS)
    try:
        with admin.connect() as conn:
            conn.connection.driver_connection.execute(role_snippet().replace("tracker_analyst", name))
        with admin.connect() as conn:
            conn.execute(text(f'SET ROLE "{name}"'))
            for relation in relations:
                conn.execute(text(f'SELECT * FROM "{relation}" LIMIT 1')).all()
            assert conn.execute(text("SELECT COUNT(*) FROM measures_as_of('2021-01-01')")).scalar_one() > 0
            for statement in (
                "INSERT INTO companies (name, slug) VALUES ('X', 'x')",
                "UPDATE measures SET title = 'x'",
                "DELETE FROM status_changes",
                "TRUNCATE measure_periods",
                "CREATE TABLE analyst_scratch (id int)",
                "CREATE VIEW analyst_view AS SELECT 1 AS one",
                "DROP VIEW measures_current",
            ):
                with pytest.raises(DBAPIError, match="(?i)permission denied|must be owner"):
                    conn.execute(text(statement))
            conn.execute(text("RESET ROLE"))
            granted = conn.execute(
                text("SELECT DISTINCT privilege_type FROM information_schema.role_table_grants "
                     "WHERE grantee = :name"), {"name": name}).scalars().all()
            assert granted == ["SELECT"]
            covered = set(conn.execute(
                text("SELECT table_name FROM information_schema.role_table_grants "
                     "WHERE grantee = :name"), {"name": name}).scalars())
            assert set(relations) <= covered
    finally:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first():
                conn.execute(text(f'DROP OWNED BY "{name}"'))
                conn.execute(text(f'DROP ROLE "{name}"'))
        admin.dispose()
