"""Who polls which feed: overlapping ``feeds poll`` runs (cron starting a new one before the
last has finished) must never poll the same feed at once, store an entry twice or fail on a
lock.

- PostgreSQL: each worker claims its feed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and keeps
  the row lock until the feed's results are committed; a feed another run holds is skipped.
  A crashed run's locks go with its connections.
- SQLite (one writer at a time, no row locks): a run lock, an OS file lock beside the database
  file, lets one poll run at a time (the next one waits for it); WAL mode and a busy timeout
  (``tracker.db``) let readers and other writers carry on; a worker reads in a deferred
  transaction and writes in one that starts with ``BEGIN IMMEDIATE``, so that it takes the
  write lock before it writes, holds it only while writing, and never fails half-way on a stale
  snapshot. The OS drops the file lock of a run that dies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import IO

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from tracker.models import Feed

from .data import FeedState
from .errors import PollLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(os.path.expanduser(database)) + ".poll-lock"


@contextlib.contextmanager
def run_lock(engine: Engine, timeout: float) -> Iterator[None]:
    """Hold the poll run lock of an SQLite database (nothing to hold on PostgreSQL): an OS file
    lock beside the database file; a lock inside this process for an in-memory database or
    when that file cannot be made.

    Raises:
        PollLockedError: another run held it for ``timeout`` seconds.
    """
    if not is_sqlite(engine):
        yield
        return
    path = _lock_path(engine)
    handle = None
    if path is not None and fcntl is not None:
        try:
            handle = open(path, "a+b")  # noqa: SIM115  (closed by _file_lock)
        except OSError as e:
            log.warning("no run lock file %s (%s): only runs in this process are held off", path, e.strerror)
    lock = _file_lock(handle, timeout) if handle else _process_lock(str(engine.url), timeout)
    with lock:
        yield


@contextlib.contextmanager
def _file_lock(handle: IO[bytes], timeout: float) -> Iterator[None]:
    with handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PollLockedError(
                        f"another feeds poll has held {handle.name} for over {timeout:.0f} s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _process_lock(key: str, timeout: float) -> Iterator[None]:
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise PollLockedError(f"another feeds poll has been running for over {timeout:.0f} s")
    try:
        yield
    finally:
        lock.release()


def state_of(feed: Feed) -> FeedState:
    """What polling needs from a feed's row."""
    return FeedState(
        id=feed.id, url=feed.url, etag=feed.etag, last_modified=feed.last_modified,
        interval_seconds=feed.interval_seconds, fetch_articles=feed.fetch_articles,
        error_count=feed.error_count, first_poll=feed.last_success_at is None,
    )


def claim(
    session: Session, listed: FeedState, *, due_at: dt.datetime | None, include_disabled: bool
) -> FeedState | None:
    """Claim a feed the run listed, for this session's transaction.

    On PostgreSQL the row is locked (``FOR UPDATE SKIP LOCKED``) and read again; None when
    another run holds it, or when it is no longer due (``due_at``) or enabled. On SQLite the
    run lock is the claim: the run listed the feed under it, and no other run polls meanwhile.
    """
    if is_sqlite(session.get_bind()):
        return listed
    query = select(Feed).where(Feed.id == listed.id)
    if not include_disabled:
        query = query.where(Feed.disabled.is_(False))
    if due_at is not None:
        query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= due_at))
    feed = session.scalars(query.with_for_update(skip_locked=True)).first()
    return None if feed is None else state_of(feed)


def begin_read(session: Session) -> None:
    """Let the session's reads before ``begin_write`` run in a deferred transaction on SQLite
    (``tracker.db`` begins every SQLite transaction IMMEDIATE, taking the write lock, unless told
    otherwise): a worker that reads, then fetches linked pages and extracts, must not hold the
    write lock meanwhile."""
    if is_sqlite(session.get_bind()):
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})


def begin_write(session: Session) -> None:
    """Start the transaction the feed's results are written in. On SQLite, end the reading
    transaction and start one that takes the write lock first (``BEGIN IMMEDIATE``), so that it
    never fails half-way on a stale snapshot; on PostgreSQL the claim's transaction, which holds
    the row lock, simply goes on."""
    if is_sqlite(session.get_bind()):
        session.commit()
        connection = session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the driver manages transactions
