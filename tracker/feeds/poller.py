"""Polling feeds. Each feed goes through these stages, in one worker thread:

    claim (claims: a row lock on PostgreSQL; SQLite runs hold a run lock)
      -> retrieve (I/O: a conditional GET, or a local file)      retrieve
        -> parse (bytes -> FeedData; no I/O)                      feedparse
          -> plan (which entries are new, changed, unchanged)     entries
            -> fetch linked pages (optional) -> Article -> extract (pipeline.prepare_article)
              -> store, with the feed's new state, in ONE transaction   entries, pipeline
                 (each entry in a savepoint; the in-run write lock keeps writers in turn)

Workers fetch and parse in parallel; writes go one at a time. A feed's entries and its new
ETag are committed together, so a crash never records a feed as read without its entries. A
failing feed is a result (``FeedOutcome``), never an exception: its error is kept on the feed,
its next poll is pushed back, and the other feeds go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .. import parse, pipeline
from ..data import Article, Fact
from ..errors import InputError
from ..models import Feed, IngestRun
from ..vocab import DateSource
from . import claims, entries, schedule
from .data import EntryData, FeedData, FeedOutcome, FeedState, PollSummary, Retrieved
from .errors import FeedNotFoundError
from .feedparse import parse_feed
from .retrieve import fetch_page, is_http, retrieve

log = logging.getLogger(__name__)

#: Called after each feed with its outcome, the number of feeds done and the total.
Progress = Callable[[FeedOutcome, int, int], None]

DEFAULT_WORKERS = 4
LOCK_TIMEOUT = 600.0
_GONE = (
    "gone (HTTP 410): the server says this feed was removed for good; it is no longer polled "
    "('tracker feeds poll --feed {id}' tries it again, 'tracker feeds remove {id}' drops it)"
)


@dataclass(frozen=True)
class _Prepared:
    entry: EntryData
    article: Article
    facts: list[Fact]
    source_id: int | None  # the stored source of a changed entry; None for a new one


@dataclass
class _Work:
    """What the read-only stages found out about one feed, for the write stage."""

    retrieved: Retrieved | None = None
    data: FeedData | None = None
    prepared: list[_Prepared] = field(default_factory=list)
    unchanged: int = 0
    failed_entries: int = 0
    error: str | None = None
    gone: bool = False
    hint: dt.timedelta | None = None


def poll(
    tracker,  # type: ignore[no-untyped-def]
    *,
    due: bool = False,
    feed_ids: Sequence[int] = (),
    workers: int = DEFAULT_WORKERS,
    fetch_articles: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> PollSummary:
    """Poll feeds and ingest their new and changed entries.

    Args:
        tracker: the ``Tracker`` (database, clock, fetcher).
        due: only feeds whose next poll time has come (what cron runs).
        feed_ids: only these feeds (disabled ones too); all enabled feeds when empty.
        workers: feeds fetched in parallel.
        fetch_articles: fetch every new entry's linked page for its text (feeds can also ask
            for this one by one: ``Feed.fetch_articles``).
        progress: called after each feed.
        lock_timeout: on SQLite, how long to wait for another poll run to finish.

    Returns:
        The counts of feeds and entries, and each feed's outcome. Failed feeds are counted,
        never raised.

    Raises:
        FeedNotFoundError: an id in ``feed_ids`` is no feed.
        PollLockedError: another poll run kept the SQLite run lock for ``lock_timeout``.
    """
    summary = PollSummary()
    with claims.run_lock(tracker.engine, lock_timeout):
        ids = _select(tracker, due=due, feed_ids=feed_ids)
        if not ids:
            return summary
        with tracker.sessions.begin() as session:
            run = IngestRun(kind="feeds", started_at=tracker.clock())
            session.add(run)
            session.flush()
            run_id = run.id
        poller = _Poller(tracker, run_id, due=due, explicit=bool(feed_ids), fetch_articles=fetch_articles)
        workers = max(1, min(workers, len(ids), _pool_capacity(tracker)))
        with ThreadPoolExecutor(workers, thread_name_prefix="feeds") as pool:
            futures = [pool.submit(poller.poll_safely, feed_id) for feed_id in ids]
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                summary.add(outcome)
                if progress:
                    progress(outcome, done, len(ids))
        with tracker.sessions.begin() as session:
            run = session.get(IngestRun, run_id)
            assert run is not None
            run.finished_at = tracker.clock()
            run.new, run.updated = summary.entries["new"], summary.entries["updated"]
            run.duplicate = summary.entries["duplicate"]
            run.failed = summary.failed + summary.entries["failed"]
            run.facts = summary.facts
    return summary


def _select(tracker, *, due: bool, feed_ids: Sequence[int]) -> list[int]:  # type: ignore[no-untyped-def]
    query = select(Feed.id)
    if feed_ids:
        query = query.where(Feed.id.in_(feed_ids))
    else:
        query = query.where(Feed.disabled.is_(False))
    if due:
        now = tracker.clock()
        query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
    with tracker.sessions() as session:
        ids = list(session.scalars(query.order_by(Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id)))
    missing = sorted(set(feed_ids) - set(ids)) if feed_ids and not due else []
    if missing:
        raise FeedNotFoundError(", ".join(str(i) for i in missing))
    return ids


def _pool_capacity(tracker) -> int:  # type: ignore[no-untyped-def]
    """How many connections the engine's pool lends at once, less one for the main thread
    (a PostgreSQL worker keeps its connection while it fetches)."""
    pool = tracker.engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return 1
    return max(1, size() + max(getattr(pool, "_max_overflow", 0), 0) - 1)


class _Poller:
    def __init__(self, tracker, run_id: int, *, due: bool, explicit: bool, fetch_articles: bool) -> None:  # type: ignore[no-untyped-def]
        self.tracker = tracker
        self.run_id = run_id
        self.due = due
        self.explicit = explicit
        self.fetch_articles = fetch_articles
        self.write_lock = threading.Lock()

    @property
    def fetcher(self):  # type: ignore[no-untyped-def]
        return self.tracker.fetcher_factory()

    # -- one feed ----------------------------------------------------------------------------
    def poll_safely(self, feed_id: int) -> FeedOutcome:
        """``poll_one``, with anything unexpected (a database error, a bug) recorded on the
        feed and reported as its failure rather than raised: the other feeds go on."""
        try:
            outcome = self.poll_one(feed_id)
        except Exception as e:
            if isinstance(e, SQLAlchemyError):
                reason = f"database error: {getattr(e, 'orig', None) or e}"
                log.warning("feed %s: %s", feed_id, reason)
            else:
                reason = f"internal error: {type(e).__name__}: {e}"
                log.exception("feed %s: internal error", feed_id)
            outcome = self._record_crash(feed_id, " ".join(reason.split())[:500])
        log.debug("feed %s: %s", feed_id, outcome)
        return outcome

    def poll_one(self, feed_id: int) -> FeedOutcome:
        with self.tracker.sessions() as session:
            now = self.tracker.clock()
            feed = claims.claim(
                session, feed_id, due_at=now if self.due else None, include_disabled=self.explicit
            )
            if feed is None:
                return FeedOutcome(feed_id, "", "skipped", note="polled by another run, or no longer due")
            state = FeedState(
                id=feed.id,
                url=feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                interval_seconds=feed.interval_seconds,
                fetch_articles=feed.fetch_articles or self.fetch_articles,
                error_count=feed.error_count,
                first_poll=feed.last_success_at is None,
            )
            work = self._read(session, state)
            with self.write_lock:
                claims.begin_write(session)
                outcome = self._write(session, feed, state, work, self.tracker.clock())
                session.commit()
            return outcome

    def _read(self, session: Session, state: FeedState) -> _Work:
        """Retrieve, parse, plan and extract: everything but writing."""
        work = _Work()
        try:
            work.retrieved = retrieve(self.fetcher if is_http(state.url) else None, state)
        except InputError as e:
            work.error = e.reason
            return work
        status = work.retrieved.status
        if status == 304:
            return work
        if status == 410:
            work.gone, work.error = True, "gone (HTTP 410)"
            return work
        if not 200 <= status < 300:
            work.error = f"HTTP {status}"
            if status in (429, 503):
                work.hint = schedule.retry_after(
                    work.retrieved.headers.get("retry-after"), self.tracker.clock()
                )
                if work.hint is not None:
                    work.error += f" (retry after {int(work.hint.total_seconds())} s)"
            return work
        try:
            work.data = parse_feed(
                work.retrieved.content, state.url, work.retrieved.headers, work.retrieved.url
            )
        except InputError as e:
            work.error = e.reason
            return work
        if work.data.warning:
            log.info("%s: recovered from: %s", state.url, work.data.warning)
        known = entries.known_entries(session, state.id, (e.entry_id for e in work.data.entries))
        for entry in work.data.entries:
            stored = known.get(entry.entry_id)
            if stored is not None and stored.entry_hash == entry.entry_hash:
                work.unchanged += 1
                continue
            try:
                article = self._article(state, work.data, entry)
                article, facts = pipeline.prepare_article(self.tracker, article)
            except Exception:  # an extractor bug must not stop the feed; it is logged in full
                log.exception("%s: entry %s could not be extracted", state.url, entry.entry_id)
                work.failed_entries += 1
                continue
            work.prepared.append(
                _Prepared(entry, article, facts, stored.source_id if stored else None)
            )
        return work

    def _article(self, state: FeedState, data: FeedData, entry: EntryData) -> Article:
        article = Article(
            text=entry.text,
            title=entry.title,
            published=entry.published,
            published_how=DateSource.METADATA if entry.published else DateSource.UNKNOWN,
            url=entry.link,
            path=None if entry.link or is_http(state.url) else state.url,
            publisher=data.title[:300] if data.title else None,
            feed_id=state.id,
            entry_id=entry.entry_id,
        )
        if not (state.fetch_articles and entry.link):
            return article
        try:
            content, ctype = fetch_page(self.fetcher, entry.link)
            page = parse.parse_bytes(content, entry.link, url=entry.link, html=None if "html" not in ctype else True)
        except InputError as e:
            log.info("%s: entry %s: linked page not used: %s", state.url, entry.entry_id, e.reason)
            return article
        return replace(
            article,
            text=page.text,
            title=entry.title or page.title,
            published=article.published or page.published,
            published_how=article.published_how if article.published else page.published_how,
        )

    def _write(self, session: Session, feed: Feed, state: FeedState, work: _Work, now: dt.datetime) -> FeedOutcome:
        feed.last_poll_at = now
        status = work.retrieved.status if work.retrieved else None
        if work.error is not None:
            return self._failed(feed, state, work.error, now, status=status, gone=work.gone, hint=work.hint)
        assert work.retrieved is not None
        new = updated = duplicate = failed = facts = 0
        hashes: list[tuple[int, str]] = []
        for item in work.prepared:
            where = item.entry.link or f"{state.url}#{item.entry.entry_id}"
            result = self._store(session, item, where, now)
            if result is None:
                failed += 1
                continue
            facts += result.facts
            if result.result == "new":
                new += 1
                hashes.append((result.source_id, item.entry.entry_hash))  # type: ignore[arg-type]
            elif result.result == "updated":
                updated += 1
            else:
                duplicate += 1
        entries.set_entry_hashes(session, hashes)
        headers = work.retrieved.headers
        if work.data is not None:
            feed.title = work.data.title or feed.title
            feed.etag = _header(headers, "etag", 500)
            feed.last_modified = _header(headers, "last-modified", 100)
            duplicate += work.data.repeated
        elif headers.get("etag"):
            feed.etag = _header(headers, "etag", 500)
        feed.last_success_at = now
        feed.error_count = 0
        feed.last_error = None
        feed.disabled, feed.disabled_reason = False, None
        feed.next_poll_at = schedule.next_after_success(now, state.interval_seconds, headers)
        note = self._follow_move(session, feed, work.retrieved)
        if state.first_poll:
            result = "new"
        else:
            result = "updated" if new or updated else "unchanged"
        return FeedOutcome(
            feed.id, feed.url, result, status=work.retrieved.status, new=new, updated=updated,
            unchanged=work.unchanged, duplicate=duplicate, failed=failed + work.failed_entries,
            facts=facts, next_poll_at=feed.next_poll_at, note=note,
        )

    def _store(self, session: Session, item: _Prepared, where: str, now: dt.datetime):  # type: ignore[no-untyped-def]
        """Store one entry in a savepoint; a unique-key clash with a concurrent writer (another
        feed carrying the same story) is retried once, when it reads as a duplicate."""
        for attempt in (1, 2):
            try:
                with session.begin_nested():
                    if item.source_id is None:
                        return pipeline.store_article(
                            session, item.article, item.facts, now, where, self.run_id
                        )
                    return entries.update_entry(
                        session, item.source_id, item.article, item.facts, now, where,
                        item.entry.entry_hash,
                    )
            except IntegrityError as e:
                if attempt == 2:
                    log.warning("%s: not stored: %s", where, e.orig)
        return None

    def _follow_move(self, session: Session, feed: Feed, retrieved: Retrieved) -> str | None:
        """After a 301/308, the feed's stored URL becomes the new one (unless another feed has
        it already: then this one is disabled, being the same feed)."""
        target = retrieved.permanent_url
        if not target or target == feed.url:
            return None
        other = session.scalar(select(Feed.id).where(Feed.url == target, Feed.id != feed.id))
        if other is not None:
            feed.disabled = True
            feed.disabled_reason = f"moved permanently to {target}, which is feed {other}"
            return feed.disabled_reason
        old, feed.url = feed.url, target
        log.info("feed %s moved permanently: %s -> %s", feed.id, old, target)
        return f"moved permanently from {old}"

    def _failed(
        self, feed: Feed, state: FeedState, error: str, now: dt.datetime, *,
        status: int | None = None, gone: bool = False, hint: dt.timedelta | None = None,
    ) -> FeedOutcome:
        feed.error_count = state.error_count + 1
        feed.last_error = error
        if gone:
            feed.disabled = True
            feed.disabled_reason = _GONE.format(id=feed.id)
            feed.next_poll_at = None
        else:
            feed.next_poll_at = schedule.next_after_failure(
                now, state.interval_seconds, feed.error_count, hint
            )
        return FeedOutcome(
            feed.id, feed.url, "failed", status=status, next_poll_at=feed.next_poll_at,
            error=error, note=feed.disabled_reason if gone else None,
        )

    def _record_crash(self, feed_id: int, reason: str) -> FeedOutcome:
        """Record a failure that interrupted a feed's poll, in a fresh transaction."""
        try:
            with self.tracker.sessions() as session:
                feed = session.get(Feed, feed_id)
                if feed is None:
                    return FeedOutcome(feed_id, "", "failed", error=reason)
                state = FeedState(id=feed.id, url=feed.url, interval_seconds=feed.interval_seconds, error_count=feed.error_count)
                with self.write_lock:
                    claims.begin_write(session)
                    now = self.tracker.clock()
                    feed.last_poll_at = now
                    outcome = self._failed(feed, state, reason, now)
                    session.commit()
                return outcome
        except SQLAlchemyError as e:
            log.warning("feed %s: the failure could not be recorded: %s", feed_id, e)
            return FeedOutcome(feed_id, "", "failed", error=reason)


def _header(headers, name: str, limit: int) -> str | None:  # type: ignore[no-untyped-def]
    value = headers.get(name)
    return value if value and len(value) <= limit else None
