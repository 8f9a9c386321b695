"""The ingestion pipeline. One article goes through these stages, each in its own module:

    fetch (I/O: files, stdin, http)          tracker.ingest.fetch / read_source below
      -> parse (bytes -> Article)            tracker.ingest.parse
        -> extract (Article -> [Fact]; pure) tracker.extract.extract
          -> store (one transaction)         tracker.ingest.store
                                    status (facts -> "in force on D"; pure): tracker.report.status

Each article is stored in its own transaction, so a crash or a kill mid-run leaves no
half-written article and the next run picks up where this one stopped (what is stored is a
duplicate then). A source that fails is a result, not a crash: the run goes on.

With ``jobs`` > 1, a pool of worker processes runs read, parse and extract (pure: an article in,
its facts out) on local files, and this process, the only writer, stores their results in input
order; fetching URLs and reading stdin stay here. At most a few articles per worker are in
flight, so memory stays flat however many articles a run has.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tracker.data import Article, Fact, IngestSummary, SourceOutcome
from tracker.errors import DatabaseError, InputError
from tracker.extract import extract
from tracker.ingest import fetch, parse, store
from tracker.models import IngestRun
from tracker.report import periods
from tracker.vocab import DateSource

log = logging.getLogger(__name__)

#: Called after each source with its outcome (the CLI draws a progress bar with it).
Progress = Callable[[SourceOutcome], None]


def expand_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Files, folders (recursively: their article files, sorted), ``-`` and URLs, in order."""
    for item in inputs:
        if item == "-" or item.startswith(("http://", "https://")):
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in parse.SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                yield f"{EMPTY_FOLDER}{item}"  # reported as a failure by read_source
            yield from (str(p) for p in found)
        else:
            yield item


#: Marks a folder that holds no article file (expand_inputs -> read_source).
EMPTY_FOLDER = "\0empty:"


def read_source(
    where: str, fetcher_factory: Callable[[], object] | None, max_bytes: int = fetch.MAX_BYTES
) -> Article:
    """Read one input (a path, ``-`` or an http(s) URL) into an Article; InputError on failure
    (also when a file or stdin passes ``max_bytes``: the HTTP client has its own cap)."""
    if where.startswith(EMPTY_FOLDER):
        raise InputError(where[len(EMPTY_FOLDER):], f"no article files ({', '.join(parse.SUFFIXES)}) in this folder")
    if re.match(r"^[a-z][a-z0-9+.-]*://", where, re.I) and not where.startswith(("http://", "https://")):
        raise InputError(where, "only http(s) URLs are fetched")
    if where == "-":
        return parse.parse_bytes(fetch.read_capped(sys.stdin.buffer, "<stdin>", max_bytes), "<stdin>")
    if where.startswith(("http://", "https://")):
        if len(where) > parse.MAX_URL:
            raise InputError(where[:100] + "...", f"URL too long ({len(where):,} characters; the limit is {parse.MAX_URL:,})")
        assert fetcher_factory is not None
        fetcher = fetcher_factory()
        response = fetcher.get_ok(where)  # type: ignore[attr-defined]
        ctype = response.headers.get("content-type", "")
        is_html = True if "html" in ctype else False if "text/plain" in ctype else None
        article = parse.parse_bytes(response.content, where, url=response.url, html=is_html, content_type=ctype)
        return replace(article, url=where)
    path = Path(where)
    if not path.exists():
        raise InputError(where, "no such file or folder")
    if path.suffix.lower() not in parse.SUFFIXES:
        raise InputError(where, f"not an article file (expected one of {', '.join(parse.SUFFIXES)})")
    data = fetch.read_file(where, max_bytes)
    return parse.parse_bytes(data, where, html=path.suffix.lower() in parse.HTML_SUFFIXES)


def with_overrides(article: Article, published: dt.date | None, url: str | None) -> Article:
    if published is not None:
        article = replace(article, published=published, published_how=DateSource.GIVEN)
    if url is not None:
        if len(url) > parse.MAX_URL:
            raise InputError(url[:100] + "...", f"--url too long ({len(url):,} characters; the limit is {parse.MAX_URL:,})")
        article = replace(article, url=url)
    return article


def prepare_article(tracker, article: Article) -> tuple[Article, list[Fact]]:  # type: ignore[no-untyped-def]
    """The extract stage for one article (pure): its publication date inferred, its facts."""
    doc = extract.infer_published(extract.read(article))  # read once: normalised and split
    assert isinstance(doc, extract.Document)
    return doc.article, extract.extract(doc, tracker.gazetteer)


def store_article(
    session: Session,
    article: Article,
    facts: list[Fact],
    now: dt.datetime,
    where: str,
    run_id: int | None = None,
    touched: set[int] | None = None,
) -> SourceOutcome:
    """The store stage for one article, inside the caller's transaction: a duplicate (same URL,
    feed entry or text) changes nothing; otherwise the source and its facts are added. With
    ``touched``, the measures it changes are collected there for one later periods refresh."""
    if (dup := store.find_duplicate(session, article)) is not None:
        return SourceOutcome(where, "duplicate", source_id=dup)
    source_id = store.add_source(session, article, now, run_id)
    count = store.add_facts(
        session, source_id, facts, now, store.known_by(article, now.date()), touched=touched
    )
    return SourceOutcome(where, "new", count, source_id=source_id)


def ingest_article(tracker, article: Article, where: str, run_id: int | None = None) -> SourceOutcome:  # type: ignore[no-untyped-def]
    """Extract and store one article in its own transaction."""
    article, facts = prepare_article(tracker, article)
    for attempt in (1, 2):
        try:
            with tracker.sessions.begin() as session:
                return store_article(session, article, facts, tracker.clock(), where, run_id)
        except IntegrityError:
            if attempt == 2:
                raise
            log.debug("%s: a concurrent run stored the same rows; retrying", where)
    raise AssertionError("unreachable")


#: Articles per commit. Each article is stored under its own savepoint, so it is all there or
#: not at all; a crash loses at most the uncommitted batch, which the next run stores again.
BATCH_SIZE = 200


class _Batch:
    """A transaction holding up to BATCH_SIZE articles, one savepoint each (on a Core
    connection: the ORM's bookkeeping per savepoint costs more than the article's inserts)."""

    def __init__(self, tracker) -> None:  # type: ignore[no-untyped-def]
        self.tracker = tracker
        self.conn: Connection | None = None
        self.touched: set[int] = set()
        self.size = 0
        #: What the open transaction holds, to store again if the connection fails.
        self.pending: list[tuple[Article, list[Fact], str, int]] = []

    def store(self, article: Article, facts: list[Fact], where: str, run_id: int) -> SourceOutcome:
        """Store one article in the open batch. When the connection fails (the server dropped
        it, another writer held the lock past the busy timeout), the uncommitted articles go
        with it: they are stored again once on a new connection, so that no article reported
        stored is missing; if that fails too, DatabaseError (the run stops; the next one
        completes it)."""
        try:
            return self._store(article, facts, where, run_id)
        except OperationalError:
            lost = self.pending
            self.rollback()
            if not lost:
                raise  # only this article: the caller counts it as failed
            log.info("database connection failed; storing the %d articles of the open batch again", len(lost))
            try:
                for item in lost:
                    self._store(*item)
            except OperationalError as e:
                self.rollback()
                reason = " ".join(str(e.orig).split())[:300]
                raise DatabaseError(
                    f"database error: {reason}; {len(lost)} articles this run reported as stored "
                    "are not: run it again"
                ) from e
            return self._store(article, facts, where, run_id)

    def _store(self, article: Article, facts: list[Fact], where: str, run_id: int) -> SourceOutcome:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self.tracker.engine.connect()
                self.conn.begin()
            try:
                with self.conn.begin_nested():
                    touched: set[int] = set()
                    outcome = store_article(
                        self.conn, article, facts, self.tracker.clock(), where, run_id, touched  # type: ignore[arg-type]
                    )
                self.touched |= touched
                self.size += 1
                self.pending.append((article, facts, where, run_id))
                if self.size >= BATCH_SIZE:
                    self.commit()
                return outcome
            except IntegrityError:
                # another run stored the same source or measure first: start afresh and retry
                self.commit()
                if attempt == 2:
                    raise
                log.debug("%s: a concurrent run stored the same rows; retrying", where)
        raise AssertionError("unreachable")

    def commit(self) -> None:
        if self.conn is None:
            return
        try:
            if self.touched:
                periods.refresh(self.conn, self.touched)  # type: ignore[arg-type]
            self.conn.commit()
            self.pending = []
        finally:
            self.conn.close()
            self.conn, self.touched, self.size = None, set(), 0

    def rollback(self) -> None:
        self.pending = []
        if self.conn is not None:
            self.conn.close()  # rolls back what was not committed
            self.conn, self.touched, self.size = None, set(), 0


# -- the extract stage in worker processes ----------------------------------------------------
#: Inputs per task sent to a worker, and tasks in flight per worker.
CHUNK = 8
AHEAD = 4
_worker_gazetteer = None


def _init_worker(gazetteer, parent: int) -> None:  # type: ignore[no-untyped-def]
    global _worker_gazetteer
    _worker_gazetteer = gazetteer
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the ingesting process dies, however it
    dies: a forked worker holds copies of its parent's database connections, and an orphan
    would keep a killed run's transaction (and its locks) open on a server."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


Prepared = tuple[str, Article | None, list[Fact] | str]


def _prepare(where: str, article: Article | None, published: dt.date | None, url: str | None, gazetteer, max_bytes: int = fetch.MAX_BYTES) -> Prepared:  # type: ignore[no-untyped-def]
    """Read (unless given), parse and extract one input: (where, article, facts) or
    (where, None, the reason it failed)."""
    try:
        if article is None:
            article = read_source(where, None, max_bytes)
        article = with_overrides(article, published, url)
    except InputError as e:
        return e.where, None, e.reason
    doc = extract.infer_published(extract.read(article))  # read once: normalised and split
    assert isinstance(doc, extract.Document)
    return where, doc.article, extract.extract(doc, gazetteer)


def _prepare_chunk(items: list[tuple[str, Article | None]], published: dt.date | None, url: str | None, max_bytes: int) -> list[Prepared]:
    return [_prepare(where, article, published, url, _worker_gazetteer, max_bytes) for where, article in items]


def _local(where: str) -> bool:
    """Whether a worker can read the input itself (a file, not a URL or stdin)."""
    return where != "-" and not where.startswith(("http://", "https://"))


def _prepared(tracker, inputs: Iterable[str], published: dt.date | None, url: str | None, jobs: int) -> Iterator[Prepared]:  # type: ignore[no-untyped-def]
    """Every input read, parsed and extracted, in input order: here (``jobs`` <= 1) or by a
    pool of ``jobs`` worker processes with a bounded number of chunks in flight."""
    gazetteer = tracker.gazetteer
    if jobs <= 1:
        for where in expand_inputs(inputs):
            article = None
            if not _local(where):
                try:
                    article = read_source(where, tracker.fetcher_factory, tracker.max_bytes)
                except InputError as e:
                    yield e.where, None, e.reason
                    continue
            yield _prepare(where, article, published, url, gazetteer, tracker.max_bytes)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(gazetteer, os.getpid())) as pool:
        pending: deque[Future[list[Prepared]]] = deque()
        chunk: list[tuple[str, Article | None]] = []

        def submit() -> None:
            pending.append(pool.submit(_prepare_chunk, list(chunk), published, url, tracker.max_bytes))
            chunk.clear()

        for where in expand_inputs(inputs):
            article = None
            if not _local(where):
                try:
                    article = read_source(where, tracker.fetcher_factory, tracker.max_bytes)
                except InputError as e:
                    if chunk:
                        submit()
                    while pending:
                        yield from pending.popleft().result()
                    yield e.where, None, e.reason
                    continue
            chunk.append((where, article))
            if len(chunk) >= CHUNK:
                submit()
                while len(pending) > jobs * AHEAD:
                    yield from pending.popleft().result()
        if chunk:
            submit()
        while pending:
            yield from pending.popleft().result()


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def ingest(
    tracker,  # type: ignore[no-untyped-def]
    inputs: Iterable[str],
    *,
    published: dt.date | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    jobs: int | None = 1,
) -> IngestSummary:
    """Ingest every input; a failed one is counted and logged, never raised.

    Articles are committed in batches (``BATCH_SIZE``), each under its own savepoint: an article
    is stored whole or not at all, and a crash or a kill loses only the uncommitted batch.
    ``jobs`` worker processes read and extract (None: one per core); this process alone writes,
    in input order.
    """
    summary = IngestSummary()
    with tracker.sessions.begin() as session:
        run = IngestRun(kind="ingest", started_at=tracker.clock())
        session.add(run)
        session.flush()
        run_id = run.id
    batch = _Batch(tracker)
    jobs = default_jobs() if jobs is None else jobs
    try:
        for where, article, facts in _prepared(tracker, inputs, published, url, jobs):
            try:
                if article is None:
                    assert isinstance(facts, str)
                    raise InputError(where, facts)
                assert isinstance(facts, list)
                outcome = batch.store(article, facts, where, run_id)
            except InputError as e:
                outcome = SourceOutcome(e.where, "failed", error=e.reason)
                log.info("failed: %s: %s", where, e.reason)
            except OperationalError as e:
                batch.rollback()
                outcome = SourceOutcome(where, "failed", error=f"database error: {e.orig}")
                log.info("failed: %s: database error: %s", where, e.orig)
            summary.add(outcome)
            if progress:
                progress(outcome)
        batch.commit()
    except BaseException:
        batch.rollback()
        raise
    with tracker.sessions.begin() as session:
        run = session.get(IngestRun, run_id)
        assert run is not None
        run.finished_at = tracker.clock()
        run.new, run.duplicate, run.updated = summary.new, summary.duplicate, summary.updated
        run.failed, run.facts = summary.failed, summary.facts
    return summary
