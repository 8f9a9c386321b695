"""Looking after the database: a consistent backup of a live SQLite file, and a check that
the database is sound and that the periods cache agrees with the facts.

``backup`` uses SQLite's online backup API: the copy is a snapshot of one moment, even while
an ingest or a poll writes (a plain ``cp`` of a WAL database can copy a torn state). On
PostgreSQL, tracker does not copy the server's data; ``backup`` returns the ``pg_dump``
command to run instead.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import DatabaseError, TrackerError
from tracker.models import MeasurePeriod
from tracker.report import periods


class BackupError(TrackerError):
    """A backup could not be made (the target exists, cannot be written...)."""


@dataclass(frozen=True)
class Backup:
    """What ``backup`` did: the file written and its size, or the command to run."""

    path: str | None = None
    size: int = 0
    command: str | None = None


def backup(engine: Engine, target: str | os.PathLike[str], *, pages_per_step: int = 1024) -> Backup:
    """Copy the database at ``engine`` to the file ``target`` (SQLite), or return the
    ``pg_dump`` command that does it (any other database).

    The copy is written beside ``target`` and renamed into place once complete and checked,
    so ``target`` is never a partial file.

    Raises:
        BackupError: ``target`` exists, or cannot be written; the copy fails its check.
        DatabaseError: the database cannot be read.
    """
    path = Path(target).expanduser()
    if engine.dialect.name != "sqlite":
        return Backup(command=pg_dump_command(engine, str(path)))
    database = engine.url.database
    if not database or database == ":memory:" or not Path(database).expanduser().is_file():
        raise BackupError(f"no database file to back up at {engine.url.render_as_string()}")
    if path.exists():
        raise BackupError(f"{path}: already exists (choose a new file name)")
    if not path.parent.is_dir():
        raise BackupError(f"{path}: no such folder {path.parent}")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with engine.connect() as conn:
            source = conn.connection.dbapi_connection
            assert isinstance(source, sqlite3.Connection)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy, pages=pages_per_step)
                problems = copy.execute("PRAGMA integrity_check").fetchall()
            finally:
                copy.close()
        if problems != [("ok",)]:
            raise BackupError(f"{path}: the copy fails its integrity check: {problems[0][0]}")
        os.replace(partial, path)
    except sqlite3.Error as e:
        raise DatabaseError(f"cannot back up the database: {e}") from e
    except OSError as e:
        raise BackupError(f"{path}: {e.strerror or e}") from e
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path=str(path), size=path.stat().st_size)


def pg_dump_command(engine: Engine, target: str) -> str:
    """The ``pg_dump`` command that backs up a PostgreSQL database to ``target`` (custom
    format; the password is left to ~/.pgpass or PGPASSWORD)."""
    url = engine.url.set(drivername="postgresql")._replace(password=None)
    return (
        f"pg_dump --format=custom --file={shlex.quote(target)} "
        f"{shlex.quote(url.render_as_string(hide_password=False))}"
    )


# -- checks ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found. Each list holds problems, one line each: empty means sound."""

    integrity: Sequence[str] = ()
    foreign_keys: Sequence[str] = ()
    measures: int = 0
    #: Measures whose cached periods differ from what their status changes give.
    stale_periods: Sequence[int] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not (self.integrity or self.foreign_keys or self.stale_periods)


def check(engine: Engine, sessions: sessionmaker[Session]) -> CheckReport:
    """Run the database's integrity checks (SQLite: ``integrity_check`` and
    ``foreign_key_check``), and recompute every measure's periods to compare them with the
    cache. Nothing is changed: the recomputation is rolled back.

    Raises:
        DatabaseError: the database cannot be read.
    """
    integrity: list[str] = []
    foreign_keys: list[str] = []
    if engine.dialect.name == "sqlite":
        with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check(20)") if r[0] != "ok"]
            foreign_keys = [
                f"{table} row {rowid} names a missing {parent} row"
                for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check")
            ][:20]
    measures, stale = _compare_periods(sessions)
    return CheckReport(integrity, foreign_keys, measures, stale)


_COLUMNS = [c for c in MeasurePeriod.__table__.columns]


def _cached(session: Session) -> dict[int, list[tuple[object, ...]]]:
    rows: dict[int, list[tuple[object, ...]]] = {}
    query = select(*_COLUMNS).order_by(MeasurePeriod.measure_id, MeasurePeriod.seq)
    for row in session.execute(query):
        rows.setdefault(row.measure_id, []).append(tuple(row))
    return rows


def _compare_periods(sessions: sessionmaker[Session]) -> tuple[int, list[int]]:
    """(measures, ids of those whose cache disagrees), by recomputing in a transaction that is
    rolled back."""
    with sessions() as session:
        before = _cached(session)
        periods.refresh_all(session)
        after = _cached(session)
        measures = session.execute(text("SELECT count(*) FROM measures")).scalar_one()
        session.rollback()
    stale = sorted(mid for mid in before.keys() | after.keys() if before.get(mid) != after.get(mid))
    return int(measures), stale
