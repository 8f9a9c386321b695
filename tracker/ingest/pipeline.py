"""The ingestion pipeline. One article goes through these stages, each in its own module:

    fetch (I/O: files, stdin, http)          tracker.ingest.fetch / read_source below
      -> parse (bytes -> Article)            tracker.ingest.parse
        -> extract (Article -> [Fact]; pure) tracker.extract.extract
          -> store (one transaction)         tracker.ingest.store
                                    status (facts -> "in force on D"; pure): tracker.report.status

``ingest`` stores articles a batch at a time, each batch in one transaction (``ingest_article``
stores one in its own), so a crash or a kill mid-run leaves no half-written article and the next
run picks up where this one stopped (what is stored is a duplicate then). A source that fails is
a result, not a crash: the run goes on.

With ``jobs`` > 1, a pool of worker processes runs read, parse and extract (pure: an article in,
its facts out) on local files, and this process, the only writer, stores their results in input
order; fetching URLs and reading stdin stay here. At most a few tasks per worker are in
flight, so memory stays flat however many articles a run has. A worker sends back what the
writer stores (``store.Extracted``: the article, its facts and their hashes), so the writer
does no text work.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

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


#: Articles per commit: the writer holds up to this many extracted articles, then stores them
#: in one transaction with a few multi-row statements (``store.store_batch``) and refreshes the
#: periods of the measures they touched. A kill loses at most the batch not yet committed, which
#: the next run stores again; the transaction makes each batch, so each article, whole or absent.
BATCH_SIZE = 500
#: ...or after this many seconds, so that slow inputs (URLs) are committed and reported often.
FLUSH_SECONDS = 5.0


class _Writer:
    """The single writer of ``ingest``: collects articles (and failed inputs, to report in input
    order) and stores them a batch at a time, each batch in one short transaction (no
    connection is held while workers extract or URLs are fetched). Outcomes are reported once
    their batch is committed, so what a run reports stored is stored."""

    def __init__(self, tracker, run_id: int, report: Callable[[SourceOutcome], None]) -> None:  # type: ignore[no-untyped-def]
        self.tracker, self.run_id, self.report = tracker, run_id, report
        self.items: list[tuple[str, store.Extracted | SourceOutcome]] = []
        self.since = 0.0

    def add(self, where: str, item: store.Extracted | SourceOutcome) -> None:
        if not self.items:
            self.since = time.monotonic()
        self.items.append((where, item))
        if len(self.items) >= BATCH_SIZE or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()

    def discard(self) -> None:
        self.items = []

    def flush(self) -> None:
        """Store the collected articles in one transaction and report every item's outcome.
        When another run stored the same source or measure first, the batch is stored again
        (it then finds them). When the database fails (a dropped connection, a lock held past
        the busy timeout), the batch is stored again once on a new connection; if that fails
        too, DatabaseError: the run stops (nothing of the batch is stored, nor reported stored;
        the next run completes it)."""
        items, self.items = self.items, []
        articles = [item for _, item in items if isinstance(item, store.Extracted)]
        stored: list[store.Stored] = []
        for attempt in range(1, 4):
            if not articles:
                break
            try:
                stored = self._store(articles)
                break
            except IntegrityError:
                if attempt == 3:
                    raise
                log.debug("a concurrent run stored some of the same rows; storing the batch again")
            except OperationalError as e:
                if attempt >= 2:
                    reason = " ".join(str(e.orig).split())[:300]
                    raise DatabaseError(
                        f"database error: {reason}; the last {len(articles)} articles read were not stored: run it again"
                    ) from e
                log.info("database error; storing the %d articles of the batch again", len(articles))
        results = iter(stored)
        for where, item in items:
            if isinstance(item, SourceOutcome):
                self.report(item)
            else:
                done = next(results)
                self.report(SourceOutcome(where, done.result, done.facts, source_id=done.source_id))

    def _store(self, articles: list[store.Extracted]) -> list[store.Stored]:
        touched: set[int] = set()
        with self.tracker.engine.begin() as conn:
            stored = store.store_batch(conn, articles, self.tracker.clock(), self.run_id, touched)
            if touched:
                periods.refresh(conn, touched)
        return stored


# -- the extract stage in worker processes ----------------------------------------------------
#: Inputs per task sent to a worker, and tasks in flight per worker. A task of 32 halves the
#: writer's cost of receiving results against 8 (docs/benchmarks.md); in flight: about 1 MB.
CHUNK = 32
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


#: An input read, parsed and extracted (with its hashes: ready to store), or the reason it
#: failed; what a worker sends back.
Prepared = tuple[str, store.Extracted | str]


def _prepare(where: str, article: Article | None, published: dt.date | None, url: str | None, gazetteer, max_bytes: int = fetch.MAX_BYTES) -> Prepared:  # type: ignore[no-untyped-def]
    """Read (unless given), parse and extract one input: (where, what to store) or
    (the input, the reason it failed)."""
    try:
        if article is None:
            article = read_source(where, None, max_bytes)
        article = with_overrides(article, published, url)
    except InputError as e:
        return e.where, e.reason
    doc = extract.infer_published(extract.read(article))  # read once: normalised and split
    assert isinstance(doc, extract.Document)
    return where, store.Extracted.of(doc.article, extract.extract(doc, gazetteer))


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
                    yield e.where, e.reason
                    continue
            yield _prepare(where, article, published, url, gazetteer, tracker.max_bytes)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    # A forked worker shares its parent's objects (the gazetteer, the compiled patterns, the
    # modules) page by page until it writes to them, and the collector's full passes write
    # to every object they visit: frozen, those objects are left out of the passes, and the
    # pages stay shared (a quarter less CPU an article in the workers).
    gc.freeze()
    try:
        yield from _pooled(tracker, inputs, published, url, jobs, context, gazetteer)
    finally:
        gc.unfreeze()  # collectable again in this process once the workers are gone


def _pooled(tracker, inputs: Iterable[str], published: dt.date | None, url: str | None, jobs: int, context, gazetteer) -> Iterator[Prepared]:  # type: ignore[no-untyped-def]
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
                    yield e.where, e.reason
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

    Articles are committed in batches (``BATCH_SIZE``), each batch in one transaction: an
    article is stored whole or not at all, and a crash or a kill loses only the uncommitted
    batch. Outcomes reach ``progress`` when their batch is committed.
    ``jobs`` worker processes read and extract (None: one per core); this process alone writes,
    in input order.
    """
    summary = IngestSummary()
    with tracker.sessions.begin() as session:
        run = IngestRun(kind="ingest", started_at=tracker.clock())
        session.add(run)
        session.flush()
        run_id = run.id

    def report(outcome: SourceOutcome) -> None:
        summary.add(outcome)
        if progress:
            progress(outcome)

    writer = _Writer(tracker, run_id, report)
    jobs = default_jobs() if jobs is None else jobs
    try:
        for where, prepared in _prepared(tracker, inputs, published, url, jobs):
            if isinstance(prepared, str):
                log.info("failed: %s: %s", where, prepared)
                writer.add(where, SourceOutcome(where, "failed", error=prepared))
            else:
                writer.add(where, prepared)
        writer.flush()
    except BaseException:
        writer.discard()
        raise
    with tracker.sessions.begin() as session:
        run = session.get(IngestRun, run_id)
        assert run is not None
        run.finished_at = tracker.clock()
        run.new, run.duplicate, run.updated = summary.new, summary.duplicate, summary.updated
        run.failed, run.facts = summary.failed, summary.facts
    return summary
