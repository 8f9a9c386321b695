"""The ingestion pipeline. One article goes through these stages, each in its own module:

    fetch (I/O: files, stdin, http)          tracker.fetch / read_source below
      -> parse (bytes -> Article)            tracker.parse
        -> extract (Article -> [Fact]; pure) tracker.extract
          -> store (one transaction)         tracker.store
                                    status (facts -> "in force on D"; pure): tracker.status

Each article is stored in its own transaction, so a crash or a kill mid-run leaves no
half-written article and the next run picks up where this one stopped (what is stored is a
duplicate then). A source that fails is a result, not a crash: the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import extract, parse, store
from .data import Article, Fact, IngestSummary, SourceOutcome
from .errors import InputError
from .models import IngestRun
from .vocab import DateSource

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
            yield from (str(p) for p in found)
        else:
            yield item


def read_source(where: str, fetcher_factory: Callable[[], object] | None) -> Article:
    """Read one input (a path, ``-`` or an http(s) URL) into an Article; InputError on failure."""
    if where == "-":
        return parse.parse_bytes(sys.stdin.buffer.read(), "<stdin>")
    if where.startswith(("http://", "https://")):
        assert fetcher_factory is not None
        fetcher = fetcher_factory()
        response = fetcher.get_ok(where)  # type: ignore[attr-defined]
        ctype = response.headers.get("content-type", "")
        is_html = True if "html" in ctype else False if "text/plain" in ctype else None
        article = parse.parse_bytes(response.content, where, url=response.url, html=is_html)
        return replace(article, url=where)
    path = Path(where)
    if not path.exists():
        raise InputError(where, "no such file or folder")
    if path.suffix.lower() not in parse.SUFFIXES:
        raise InputError(where, f"not an article file (expected one of {', '.join(parse.SUFFIXES)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(where, e.strerror or str(e)) from e
    return parse.parse_bytes(data, where, html=path.suffix.lower() in parse.HTML_SUFFIXES)


def with_overrides(article: Article, published: dt.date | None, url: str | None) -> Article:
    if published is not None:
        article = replace(article, published=published, published_how=DateSource.GIVEN)
    if url is not None:
        article = replace(article, url=url)
    return article


def prepare_article(tracker, article: Article) -> tuple[Article, list[Fact]]:  # type: ignore[no-untyped-def]
    """The extract stage for one article (pure): its publication date inferred, its facts."""
    article = extract.infer_published(article)
    return article, extract.extract(article, tracker.gazetteer)


def store_article(
    session: Session,
    article: Article,
    facts: list[Fact],
    now: dt.datetime,
    where: str,
    run_id: int | None = None,
) -> SourceOutcome:
    """The store stage for one article, inside the caller's transaction: a duplicate (same URL,
    feed entry or text) changes nothing; otherwise the source and its facts are added."""
    if (dup := store.find_duplicate(session, article)) is not None:
        return SourceOutcome(where, "duplicate", source_id=dup.id)
    source = store.add_source(session, article, now, run_id)
    count = store.add_facts(session, source, facts, now, store.known_by(article, now.date()))
    return SourceOutcome(where, "new", count, source_id=source.id)


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


def ingest(
    tracker,  # type: ignore[no-untyped-def]
    inputs: Iterable[str],
    *,
    published: dt.date | None = None,
    url: str | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest every input; a failed one is counted and logged, never raised."""
    summary = IngestSummary()
    with tracker.sessions.begin() as session:
        run = IngestRun(kind="ingest", started_at=tracker.clock())
        session.add(run)
        session.flush()
        run_id = run.id
    for where in expand_inputs(inputs):
        try:
            article = with_overrides(read_source(where, tracker.fetcher_factory), published, url)
            outcome = ingest_article(tracker, article, where, run_id)
        except InputError as e:
            outcome = SourceOutcome(where, "failed", error=e.reason)
            log.info("failed: %s: %s", where, e.reason)
        except OperationalError as e:
            outcome = SourceOutcome(where, "failed", error=f"database error: {e.orig}")
            log.info("failed: %s: database error: %s", where, e.orig)
        summary.add(outcome)
        if progress:
            progress(outcome)
    with tracker.sessions.begin() as session:
        run = session.get(IngestRun, run_id)
        assert run is not None
        run.finished_at = tracker.clock()
        run.new, run.duplicate, run.updated = summary.new, summary.duplicate, summary.updated
        run.failed, run.facts = summary.failed, summary.facts
    return summary
