"""Opening a database: the URL, the engine, and the schema's revision.

The schema is created and upgraded only by the Alembic migrations. A fresh or older SQLite file
is upgraded on first use; any other database that is behind raises ``SchemaBehindError``,
because upgrading a shared server is a decision for its owner (``tracker db upgrade``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import DatabaseError, SchemaBehindError

if TYPE_CHECKING:
    from alembic.config import Config

ENV_VAR = "TRACKER_DATABASE_URL"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = PROJECT_ROOT / "migrations"

#: The newest migration's revision id. ``ensure_schema`` compares the database's
#: ``alembic_version`` with it instead of loading the migration scripts on every run (Alembic is
#: imported only to upgrade); tests/test_migrations.py checks it against the scripts' head, so a
#: new migration must update it.
HEAD_REVISION = "0007_period_in_force_from"


def default_path() -> Path:
    """The default SQLite file: ``$XDG_DATA_HOME/tracker/tracker.sqlite``
    (``~/.local/share/tracker/tracker.sqlite`` when XDG_DATA_HOME is unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "tracker.sqlite"


#: URL schemes people write for PostgreSQL, and the driver tracker installs for it
_POSTGRES_SCHEMES = ("postgres://", "postgresql://")
_POSTGRES_DRIVER = "postgresql+psycopg://"


def resolve_url(url: str | None = None) -> str:
    """The database URL: the argument, else ``$TRACKER_DATABASE_URL``, else the default file.

    A value without a scheme is an SQLite file path (``./fr.sqlite``, ``~/fr.sqlite``), as
    sqlite-utils and datasette take it; ``postgres://`` and ``postgresql://`` (libpq's and
    Heroku's spelling) mean PostgreSQL through psycopg 3.
    """
    url = url or os.environ.get(ENV_VAR)
    if not url:
        return f"sqlite:///{default_path()}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return _POSTGRES_DRIVER + url[len(scheme):]
    return url


def sqlite_path(url: str | None = None) -> Path | None:
    """The file an SQLite URL names (None for another database or an in-memory one)."""
    try:
        parsed = make_url(resolve_url(url))
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN instead
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    """Start SQLite transactions with BEGIN IMMEDIATE: a transaction that will write takes the
    write lock up front and waits for it (busy timeout), instead of failing with "database is
    locked" when it upgrades from reading after another process wrote. A long read that should
    not hold the lock passes ``execution_options(sqlite_begin="DEFERRED")``."""
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (see ``resolve_url``), creating an SQLite file's folder."""
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise DatabaseError(f"not a database URL: {url!r}") from e
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ImportError, SQLAlchemyError) as e:
        raise DatabaseError(f"cannot use {parsed.render_as_string()}: {e}") from e


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The head revision of the migration scripts (loads them: for tests and ``db`` commands;
    ``HEAD_REVISION`` is the same value without the cost)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision in the database's ``alembic_version`` table (None: no schema yet)."""
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "alembic_version"):
                return None
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError) as e:
        reason = " ".join(str(e.orig).split())  # drivers' messages span lines
        raise DatabaseError(f"cannot open {safe_url(engine)}: {reason}") from e
    if len(versions) > 1:
        raise DatabaseError(f"{safe_url(engine)} has several schema heads: {', '.join(sorted(versions))}")
    return versions[0] if versions else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``engine``'s database."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def ensure_schema(engine: Engine) -> None:
    """Make sure the schema is at head: upgrade SQLite, refuse anything else that is behind.
    Reads ``alembic_version`` only; Alembic and the scripts load only when upgrading."""
    current, head = current_revision(engine), HEAD_REVISION
    if current == head:
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    raise SchemaBehindError(safe_url(engine), current, head)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
