"""The entry object: one ``Tracker`` wires the database, the clock and the fetcher, so that the
CLI, the feed poller and tests all go through the same door (and tests can swap the parts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import db
from tracker.data import Article, IngestSummary, SourceOutcome
from tracker.limits import DEFAULT_DEADLINE, MAX_BYTES
from tracker.models import Jurisdiction

# Ingestion (extraction, HTTP) and reports load on first use: a report does not pay for the
# extractor's patterns or httpx, nor ingestion for the report code.
if TYPE_CHECKING:
    from tracker import seeds
    from tracker.extract.gazetteer import Gazetteer
    from tracker.ingest import pipeline
    from tracker.ingest.fetch import Fetcher
    from tracker.report import report

Clock = Callable[[], dt.datetime]
T = TypeVar("T")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _close(session: Session) -> None:
    bind = session.get_bind()
    session.close()
    bind.close()  # type: ignore[union-attr]


def _closing(session: Session, rows: Iterator[T]) -> Iterator[T]:
    try:
        yield from rows
    finally:
        _close(session)


class Tracker:
    """Open (and on SQLite, initialise) the database at ``url``.

    Args:
        url: an SQLAlchemy URL; None means ``$TRACKER_DATABASE_URL`` or the default file.
        clock: returns the current time (aware, UTC); tests pass a fixed one.
        fetcher_factory: makes the HTTP client; tests pass one bound to a local server.
        seed: load the reference data when the database has none.
        timeout: seconds for a whole HTTP response (the default fetcher's deadline).
        max_bytes: the size cap on every input: HTTP bodies, files, stdin.
        allow_private_hosts: let links from feeds and redirects reach private addresses.

    Raises:
        DatabaseError: the database cannot be opened; SchemaBehindError when a server's
        schema is older than this tracker (run ``tracker db upgrade``).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock = utcnow,
        fetcher_factory: Callable[[], Fetcher] | None = None,
        seed: bool = True,
        check_schema: bool = True,
        timeout: float | None = None,
        max_bytes: int | None = None,
        allow_private_hosts: bool = False,
    ) -> None:
        self.url = db.resolve_url(url)
        self.engine = db.make_engine(self.url)
        self.clock = clock
        self.max_bytes = max_bytes or MAX_BYTES
        self._fetcher_factory = fetcher_factory
        self._fetch_limits = {"deadline": timeout or DEFAULT_DEADLINE, "max_bytes": self.max_bytes, "allow_private_hosts": allow_private_hosts}
        self._fetcher: Fetcher | None = None
        self.sessions = db.session_factory(self.engine)
        if check_schema:
            db.ensure_schema(self.engine)
            if seed and not self.has_reference_data():
                self.seed()

    # -- plumbing ---------------------------------------------------------------------------
    def fetcher_factory(self) -> Fetcher:
        """The shared HTTP client, made on first use."""
        if self._fetcher is None:
            if self._fetcher_factory is None:
                from tracker.ingest.fetch import Fetcher

                self._fetcher_factory = partial(Fetcher, **self._fetch_limits)
            self._fetcher = self._fetcher_factory()
        return self._fetcher

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from tracker.extract.gazetteer import Gazetteer

        with self.sessions() as session:
            return Gazetteer.load(session)

    def today(self) -> dt.date:
        return self.clock().date()

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
        self.engine.dispose()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reference data ---------------------------------------------------------------------
    def has_reference_data(self) -> bool:
        with self.sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(Jurisdiction)))

    def seed(self) -> seeds.SeedReport:
        from tracker import seeds

        with self.sessions.begin() as session:
            result = seeds.load_all(session)
        self.__dict__.pop("gazetteer", None)
        return result

    # -- ingestion --------------------------------------------------------------------------
    def ingest(
        self,
        inputs: Iterable[str],
        *,
        published: dt.date | None = None,
        url: str | None = None,
        progress: pipeline.Progress | None = None,
        jobs: int | None = 1,
    ) -> IngestSummary:
        """Ingest files, folders, ``-`` and URLs; ``jobs`` worker processes extract (None: one
        per core), this process stores (``pipeline.ingest``)."""
        from tracker.ingest import pipeline

        return pipeline.ingest(self, inputs, published=published, url=url, progress=progress, jobs=jobs)

    def ingest_article(self, article: Article, where: str | None = None) -> SourceOutcome:
        from tracker.ingest import pipeline

        return pipeline.ingest_article(self, article, where or article.url or article.path or "<article>")

    # -- reports ----------------------------------------------------------------------------
    def status(
        self,
        as_of: dt.date | None = None,
        *,
        include_all: bool = False,
        jurisdiction: str | None = None,
        company: str | None = None,
        **filters: object,
    ) -> report.StatusReport:
        """``filters``: within, include_federal, reviewed_only, min_confidence (see
        ``report.status_report``)."""
        from tracker.report import report

        with self.sessions() as session:
            return report.status_report(
                session, as_of or self.today(), include_all=include_all,
                jurisdiction=jurisdiction, company=company, **filters,  # type: ignore[arg-type]
            )

    def status_rows(
        self,
        as_of: dt.date | None = None,
        *,
        include_all: bool = False,
        jurisdiction: str | None = None,
        company: str | None = None,
        within: str | None = None,
        include_federal: bool = False,
    ) -> Iterator[report.MeasureRow]:
        """``status`` from the periods cache, streamed: the report's rows one at a time, read
        on a connection of their own that is closed when the iterator is exhausted or closed.
        Names are checked before this returns (NotFoundError, AmbiguousNameError), so nothing
        is written for a bad one. ``--reviewed`` and ``--min-confidence`` are not answered here
        (``status``)."""
        from tracker.report import report

        # a read: on SQLite, do not take the write lock (BEGIN IMMEDIATE) for its whole length
        session = self.sessions(bind=self.engine.connect().execution_options(sqlite_begin="DEFERRED"))
        try:
            rows = report.status_rows(
                session, as_of or self.today(), include_all=include_all, jurisdiction=jurisdiction,
                company=company, within=within, include_federal=include_federal,
            )
        except BaseException:
            _close(session)
            raise
        return _closing(session, rows)

    def history(self, measure_id: int, as_of: dt.date | None = None) -> report.MeasureHistory:
        from tracker.report import report

        with self.sessions() as session:
            return report.measure_history(session, measure_id, as_of or self.today())
