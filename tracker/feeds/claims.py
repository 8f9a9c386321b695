"""Who polls which feed: overlapping ``feeds poll`` runs (cron starting a new one before the
last has finished) must never poll the same feed at once, store an entry twice or fail on a
lock.

- PostgreSQL: each worker claims its feed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and keeps
  the row lock until the feed's results are committed; a feed another run holds is skipped.
  A crashed run's locks go with its connections.
- SQLite (one writer at a time, no row locks): a run lock, an OS file lock beside the database
  file, lets one poll run at a time (the next one waits for it); WAL mode and a busy timeout
  (``tracker.db``) let readers and other writers carry on; and every write transaction starts
  with ``BEGIN IMMEDIATE``, so that it takes the write lock before it reads and never fails
  half-way on a stale snapshot. The OS drops the file lock of a run that dies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator

from sqlalchemy import Engine, or_, select, text
from sqlalchemy.orm import Session

from ..models import Feed
from .errors import PollLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

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
    """Hold the poll run lock of an SQLite database (nothing to hold on PostgreSQL).

    Raises:
        PollLockedError: another run held it for ``timeout`` seconds.
    """
    if not is_sqlite(engine):
        yield
        return
    path = _lock_path(engine)
    if path is None or fcntl is None:
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(str(engine.url), threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise PollLockedError(f"another feeds poll has been running for over {timeout:.0f} s")
        try:
            yield
        finally:
            lock.release()
        return
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PollLockedError(
                        f"another feeds poll has held {path} for over {timeout:.0f} s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def claim(
    session: Session, feed_id: int, *, due_at: dt.datetime | None, include_disabled: bool
) -> Feed | None:
    """The feed row, locked for this session's transaction on PostgreSQL; None when another
    run holds it, or when it is no longer due (``due_at``) or disabled."""
    query = select(Feed).where(Feed.id == feed_id)
    if not include_disabled:
        query = query.where(Feed.disabled.is_(False))
    if due_at is not None:
        query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= due_at))
    feed = session.scalars(query.with_for_update(skip_locked=True)).first()
    if feed is not None and is_sqlite(session.get_bind()):
        session.commit()  # hold no read transaction on SQLite while the feed is fetched
    return feed


def begin_write(session: Session) -> None:
    """Start the transaction the feed's results are written in. On SQLite, take the write lock
    first (``BEGIN IMMEDIATE``); on PostgreSQL the claim's transaction simply goes on."""
    if is_sqlite(session.get_bind()):
        session.execute(text("BEGIN IMMEDIATE"))
