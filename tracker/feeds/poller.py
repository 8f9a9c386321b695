"""Polling feeds. Each feed goes through these stages, in one worker thread:

    claim (claims: a row lock on PostgreSQL; SQLite runs hold a run lock)
      -> retrieve (I/O: a conditional GET, or a local file)      retrieve
        -> parse (bytes -> FeedData; no I/O)                      feedparse
          -> plan (which entries are new, changed, unchanged)     entries
            -> fetch linked pages (optional) -> Article -> extract (pipeline.prepare_article)
              -> store, with the feed's new state, in ONE transaction   entries, pipeline
                 (new entries in one batch, changed ones one by one; the run's writers
                  take turns)

Workers fetch and parse in parallel; writes go one at a time. A feed's entries and its new
ETag are committed together, so a crash never records a feed as read without its entries. A
failing feed is a result (``FeedOutcome``), never an exception: its error is kept on the feed,
its next poll is pushed back, and the other feeds go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.data import Article, Fact, SourceOutcome
from tracker.errors import InputError
from tracker.ingest import parse, pipeline
from tracker.models import Feed, IngestRun
from tracker.vocab import DateSource

from . import claims, entries, schedule
from .data import EntryData, FeedData, FeedOutcome, FeedState, PollSummary, Retrieved
from .errors import FeedNotFoundError
from .parallel import ParserPool
from .retrieve import fetch_page, is_http, retrieve

log = logging.getLogger(__name__)

#: Called after each feed with its outcome, the number of feeds done and the total.
Progress = Callable[[FeedOutcome, int, int], None]

DEFAULT_WORKERS = 4
#: From this many feeds on, a poll parses in worker processes (``parallel``).
POOL_FROM = 8
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
    parse_processes: int | None = None,
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
        parse_processes: processes that parse feeds (0: parse in this process). By default
            one per core, up to 4, when there are at least ``POOL_FROM`` feeds to poll.

    Returns:
        The counts of feeds and entries, and each feed's outcome. Failed feeds are counted,
        never raised.

    Raises:
        FeedNotFoundError: an id in ``feed_ids`` is no feed.
        PollLockedError: another poll run kept the SQLite run lock for ``lock_timeout``.
    """
    summary = PollSummary()
    with claims.run_lock(tracker.engine, lock_timeout):
        states = _select(tracker, due=due, feed_ids=feed_ids)
        if not states:
            return summary
        with tracker.sessions.begin() as session:
            run = IngestRun(kind="feeds", started_at=tracker.clock())
            session.add(run)
            session.flush()
            run_id = run.id
        if parse_processes is None:
            parse_processes = min(os.cpu_count() or 1, 4) if len(states) >= POOL_FROM else 0
        parser = ParserPool(parse_processes)
        poller = _Poller(tracker, run_id, parser, due=due, explicit=bool(feed_ids), fetch_articles=fetch_articles)
        workers = max(1, min(workers, len(states), _pool_capacity(tracker)))
        pool = ThreadPoolExecutor(workers, thread_name_prefix="feeds")
        try:
            futures = [pool.submit(poller.poll_safely, state) for state in states]
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                summary.add(outcome)
                if progress:
                    progress(outcome, done, len(states))
        finally:  # on Ctrl-C, the feeds not started yet are not polled
            pool.shutdown(wait=True, cancel_futures=True)
            parser.close()
        with tracker.sessions.begin() as session:
            run = session.get(IngestRun, run_id)
            assert run is not None
            run.finished_at = tracker.clock()
            run.new, run.updated = summary.entries["new"], summary.entries["updated"]
            run.duplicate = summary.entries["duplicate"]
            run.failed = summary.failed + summary.entries["failed"]
            run.facts = summary.facts
    return summary


def _select(tracker, *, due: bool, feed_ids: Sequence[int]) -> list[FeedState]:  # type: ignore[no-untyped-def]
    """The feeds to poll, due ones first (on SQLite, read under the run lock)."""
    query = select(Feed)
    if feed_ids:
        query = query.where(Feed.id.in_(feed_ids))
    else:
        query = query.where(Feed.disabled.is_(False))
    if due:
        now = tracker.clock()
        query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
    with tracker.sessions() as session:
        query = query.order_by(Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id)
        states = [claims.state_of(feed) for feed in session.scalars(query)]
    missing = sorted(set(feed_ids) - {s.id for s in states}) if feed_ids and not due else []
    if missing:
        raise FeedNotFoundError(", ".join(str(i) for i in missing))
    return states


def _pool_capacity(tracker) -> int:  # type: ignore[no-untyped-def]
    """How many connections the engine's pool lends at once, less one for the main thread
    (a PostgreSQL worker keeps its connection while it fetches)."""
    pool = tracker.engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return 1
    return max(1, size() + max(getattr(pool, "_max_overflow", 0), 0) - 1)


class _Poller:
    def __init__(self, tracker, run_id: int, parser: ParserPool, *, due: bool, explicit: bool, fetch_articles: bool) -> None:  # type: ignore[no-untyped-def]
        self.tracker = tracker
        self.parser = parser
        self.run_id = run_id
        self.due = due
        self.explicit = explicit
        self.fetch_articles = fetch_articles
        self.write_lock = threading.Lock()

    @property
    def fetcher(self):  # type: ignore[no-untyped-def]
        return self.tracker.fetcher_factory()

    # -- one feed ----------------------------------------------------------------------------
    def poll_safely(self, listed: FeedState) -> FeedOutcome:
        """``poll_one``, with anything unexpected (a database error, a bug) recorded on the
        feed and reported as its failure rather than raised: the other feeds go on."""
        feed_id = listed.id
        try:
            try:
                outcome = self.poll_one(listed)
            except OperationalError as e:  # a deadlock with another run, a lock timeout: once more
                log.info("feed %s: %s; trying once more", feed_id, e.orig)
                outcome = self.poll_one(listed)
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

    def poll_one(self, listed: FeedState) -> FeedOutcome:
        with self.tracker.sessions() as session:
            now = self.tracker.clock()
            state = claims.claim(
                session, listed, due_at=now if self.due else None, include_disabled=self.explicit
            )
            if state is None:
                return FeedOutcome(listed.id, listed.url, "skipped", note="polled by another run, or no longer due")
            if self.fetch_articles:
                state = replace(state, fetch_articles=True)
            claims.begin_read(session)
            work = self._read(session, state)
            with self.write_lock:
                claims.begin_write(session)
                changes, outcome = self._write(session, state, work, self.tracker.clock())
                session.execute(update(Feed).where(Feed.id == state.id).values(**changes))
                session.commit()
            return outcome

    def _read(self, session: Session, state: FeedState) -> _Work:
        """Retrieve, parse, plan and extract: everything but writing."""
        work = self._retrieve_and_parse(state)
        if work.data is not None:
            self._prepare(session, state, work)
        return work

    def _retrieve_and_parse(self, state: FeedState) -> _Work:
        work = _Work()
        try:
            work.retrieved = retrieve(
                self.fetcher if is_http(state.url) else None, state, self.tracker.max_bytes
            )
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
            work.data = self.parser.parse(
                work.retrieved.content, state.url, work.retrieved.headers, work.retrieved.url
            )
        except InputError as e:
            work.error = e.reason
            return work
        if work.data.warning:
            log.info("%s: recovered from: %s", state.url, work.data.warning)
        for reason in work.data.skipped:
            log.warning("%s: %s: skipped, not stored", state.url, reason)
        return work

    def _prepare(self, session: Session, state: FeedState, work: _Work) -> None:
        """Plan (new, changed, unchanged entries), then make and extract the articles."""
        assert work.data is not None
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
            page = parse.parse_bytes(
                content, entry.link, url=entry.link, html=None if "html" not in ctype else True, content_type=ctype
            )
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

    def _write(
        self, session: Session, state: FeedState, work: _Work, now: dt.datetime
    ) -> tuple[dict[str, object], FeedOutcome]:
        """Store the entries; return the feed's new state (column values) and the outcome."""
        status = work.retrieved.status if work.retrieved else None
        if work.error is not None:
            return self._failed(state, work.error, now, status=status, gone=work.gone, hint=work.hint)
        assert work.retrieved is not None
        counts = dict.fromkeys(("new", "updated", "duplicate", "failed", "facts"), 0)
        for stored in self._store(session, state, work.prepared, now):
            if stored is None:
                counts["failed"] += 1
                continue
            counts[stored.result] += 1
            counts["facts"] += stored.facts
        headers = work.retrieved.headers
        changes: dict[str, object] = {
            "last_poll_at": now, "last_success_at": now, "error_count": 0, "last_error": None,
            "disabled": False, "disabled_reason": None,
            "next_poll_at": schedule.next_after_success(now, state.interval_seconds, headers),
        }
        if work.data is not None:
            changes["etag"] = _header(headers, "etag", 500)
            changes["last_modified"] = _header(headers, "last-modified", 100)
            if work.data.title:
                changes["title"] = work.data.title
            counts["duplicate"] += work.data.repeated
        elif headers.get("etag"):
            changes["etag"] = _header(headers, "etag", 500)
        note = self._follow_move(session, state, work.retrieved, changes)
        if state.first_poll:
            result = "new"
        else:
            result = "updated" if counts["new"] or counts["updated"] else "unchanged"
        return changes, FeedOutcome(
            state.id, str(changes.get("url", state.url)), result, status=work.retrieved.status,
            new=counts["new"], updated=counts["updated"], unchanged=work.unchanged,
            duplicate=counts["duplicate"], failed=counts["failed"] + work.failed_entries,
            facts=counts["facts"], next_poll_at=changes["next_poll_at"], note=note,  # type: ignore[arg-type]
        )

    def _store(
        self, session: Session, state: FeedState, prepared: list[_Prepared], now: dt.datetime
    ) -> list[SourceOutcome | None]:
        """Store new entries in one batch and changed ones one by one. When a concurrent
        writer stored one of the new entries first (another feed carrying the same story),
        the batch is rolled back and its entries are stored one by one. None: not stored."""
        fresh = [
            entries.NewEntry(p.article, p.facts, p.entry.entry_hash, _where(state, p.entry))
            for p in prepared
            if p.source_id is None
        ]
        results: list[SourceOutcome | None] = []
        if fresh:
            try:
                with session.begin_nested():
                    results.extend(entries.store_new(session, fresh, now, self.run_id))
            except IntegrityError:
                log.info("%s: a concurrent run stored some entries first", state.url)
                results.extend(
                    self._one_by_one(session, lambda item=item: self._store_one(session, item, now), item.where)
                    for item in fresh
                )
        for p in prepared:
            if p.source_id is not None:
                results.append(self._one_by_one(
                    session,
                    lambda p=p: entries.update_entry(
                        session, p.source_id, p.article, p.facts, now,  # type: ignore[arg-type]
                        _where(state, p.entry), p.entry.entry_hash,
                    ),
                    _where(state, p.entry),
                ))
        return results

    def _store_one(self, session: Session, item: entries.NewEntry, now: dt.datetime) -> SourceOutcome:
        outcome = pipeline.store_article(session, item.article, list(item.facts), now, item.where, self.run_id)
        if outcome.result == "new" and outcome.source_id is not None:
            entries.set_entry_hash(session, outcome.source_id, item.entry_hash)
        return outcome

    @staticmethod
    def _one_by_one(session: Session, store: Callable[[], SourceOutcome], where: str) -> SourceOutcome | None:
        """``store()`` in a savepoint, tried again once after a unique-key clash."""
        for attempt in (1, 2):
            try:
                with session.begin_nested():
                    return store()
            except IntegrityError as e:
                if attempt == 2:
                    log.warning("%s: not stored: %s", where, e.orig)
        return None

    def _follow_move(
        self, session: Session, state: FeedState, retrieved: Retrieved, changes: dict[str, object]
    ) -> str | None:
        """After a 301/308, the feed's stored URL becomes the new one (unless another feed has
        it already: then this one is disabled, being the same feed)."""
        target = retrieved.permanent_url
        if not target or target == state.url:
            return None
        other = session.scalar(select(Feed.id).where(Feed.url == target, Feed.id != state.id))
        if other is not None:
            reason = f"moved permanently to {target}, which is feed {other}"
            changes.update(disabled=True, disabled_reason=reason)
            return reason
        changes["url"] = target
        log.info("feed %s moved permanently: %s -> %s", state.id, state.url, target)
        return f"moved permanently from {state.url}"

    def _failed(
        self, state: FeedState, error: str, now: dt.datetime, *,
        status: int | None = None, gone: bool = False, hint: dt.timedelta | None = None,
    ) -> tuple[dict[str, object], FeedOutcome]:
        failures = state.error_count + 1
        changes: dict[str, object] = {"last_poll_at": now, "error_count": failures, "last_error": error}
        note = None
        if gone:
            note = _GONE.format(id=state.id)
            changes.update(disabled=True, disabled_reason=note, next_poll_at=None)
        else:
            changes["next_poll_at"] = schedule.next_after_failure(
                now, state.interval_seconds, failures, hint
            )
        return changes, FeedOutcome(
            state.id, state.url, "failed", status=status, error=error, note=note,
            next_poll_at=changes["next_poll_at"],  # type: ignore[arg-type]
        )

    def _record_crash(self, feed_id: int, reason: str) -> FeedOutcome:
        """Record a failure that interrupted a feed's poll, in a fresh transaction."""
        try:
            with self.tracker.sessions() as session:
                feed = session.get(Feed, feed_id)
                if feed is None:
                    return FeedOutcome(feed_id, "", "failed", error=reason)
                state = claims.state_of(feed)
                with self.write_lock:
                    claims.begin_write(session)
                    changes, outcome = self._failed(state, reason, self.tracker.clock())
                    session.execute(update(Feed).where(Feed.id == feed_id).values(**changes))
                    session.commit()
                return outcome
        except SQLAlchemyError as e:
            log.warning("feed %s: the failure could not be recorded: %s", feed_id, e)
            return FeedOutcome(feed_id, "", "failed", error=reason)


def _where(state: FeedState, entry: EntryData) -> str:
    return entry.link or f"{state.url}#{entry.entry_id}"


def _header(headers, name: str, limit: int) -> str | None:  # type: ignore[no-untyped-def]
    value = headers.get(name)
    return value if value and len(value) <= limit else None
