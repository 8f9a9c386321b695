"""Sources a person manages: list, show, remove, and re-extract (``tracker sources ...``,
``tracker reextract``).

Removing a source removes the facts that cite it; a measure left with no fact goes. Decisions
about other sources stay. Re-extraction runs the current extractor over a stored text again and
replaces that source's extracted facts, in one transaction per source, then applies again every
decision people made about them (tracker.curate.decisions.reapply): the facts a person
confirmed, rejected or corrected stay so, and manual facts are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.curate.decisions import drop_orphans, reapply
from tracker.data import Article
from tracker.errors import NotFoundError
from tracker.models import Decision, Source, StatusChange
from tracker.vocab import DateSource, Origin

#: the keys of ``SourceInfo.as_dict``, in order (the CSV columns of ``sources list``)
COLUMNS = ("id", "source", "title", "published", "published_guessed", "origin", "ingested_at", "facts", "rejected")


@dataclass(frozen=True)
class SourceInfo:
    id: int
    where: str
    title: str | None
    published: str | None
    published_guessed: bool
    origin: str
    ingested_at: str
    facts: int
    rejected: int

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "source": self.where, "title": self.title, "published": self.published,
            "published_guessed": self.published_guessed, "origin": self.origin,
            "ingested_at": self.ingested_at, "facts": self.facts, "rejected": self.rejected,
        }


def _info(row, facts: int, rejected: int) -> SourceInfo:  # type: ignore[no-untyped-def]
    return SourceInfo(
        row.id, row.url or row.path or f"source {row.id}", row.title,
        row.published_date.isoformat() if row.published_date else None,
        row.published_how == DateSource.INFERRED.value and row.published_date is not None,
        row.origin, row.ingested_at.isoformat(timespec="seconds"), facts, rejected,
    )


def list_sources(session: Session, *, search: str | None = None) -> list[SourceInfo]:
    """Every source, oldest first, with how many facts cite it (and how many were rejected)."""
    counts = dict(
        session.execute(select(StatusChange.source_id, func.count()).group_by(StatusChange.source_id)).all()
    )
    rejected = dict(
        session.execute(
            select(StatusChange.source_id, func.count())
            .where(StatusChange.review == "rejected")
            .group_by(StatusChange.source_id)
        ).all()
    )
    query = select(
        Source.id, Source.url, Source.path, Source.title, Source.published_date,
        Source.published_how, Source.origin, Source.ingested_at,
    ).order_by(Source.id)
    if search:
        like = f"%{search}%"
        query = query.where(Source.url.ilike(like) | Source.path.ilike(like) | Source.title.ilike(like))
    return [_info(r, counts.get(r.id, 0), rejected.get(r.id, 0)) for r in session.execute(query)]


@dataclass(frozen=True)
class SourceFact:
    id: int
    measure_id: int
    summary: str
    quote: str
    confidence: float
    origin: str
    review: str | None


def show_source(session: Session, source_id: int) -> tuple[SourceInfo, list[SourceFact]]:
    """A source and every fact that cites it."""
    from tracker.curate.decisions import describe, load_change

    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source has id {source_id} ('tracker sources list' lists them)")
    ids = session.scalars(
        select(StatusChange.id).where(StatusChange.source_id == source_id).order_by(StatusChange.id)
    ).all()
    facts = []
    for change_id in ids:
        sc = load_change(session, change_id)
        facts.append(SourceFact(sc.id, sc.measure_id, describe(sc), sc.evidence, sc.confidence, sc.origin, sc.review))
    info = _info(source, len(facts), sum(f.review == "rejected" for f in facts))
    return info, facts


def remove_source(session: Session, source_id: int) -> tuple[SourceInfo, int, int]:
    """Remove a source and the facts that cite it; returns (what it was, facts removed,
    measures that went with them)."""
    info, facts = show_source(session, source_id)
    measure_ids = {f.measure_id for f in facts}
    session.execute(delete(StatusChange).where(StatusChange.source_id == source_id))
    session.execute(delete(Source).where(Source.id == source_id))
    before = len(measure_ids)
    drop_orphans(session, set(measure_ids))
    from tracker.models import Measure

    left = session.scalar(select(func.count()).select_from(Measure).where(Measure.id.in_(measure_ids))) or 0
    return info, len(facts), before - left


# -- re-extraction -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reextracted:
    source_id: int
    where: str
    before: int
    after: int
    decisions_kept: int
    decisions_total: int


def source_ids(session: Session, ids: Iterable[int] | None) -> list[int]:
    """The ingested sources to re-extract: ``ids`` (checked), or all of them."""
    if ids is None:
        return list(session.scalars(select(Source.id).where(Source.origin != "manual").order_by(Source.id)))
    wanted = sorted(set(ids))
    found = set(session.scalars(select(Source.id).where(Source.id.in_(wanted))))
    if missing := [i for i in wanted if i not in found]:
        raise NotFoundError(f"no source has id {', '.join(map(str, missing))} ('tracker sources list' lists them)")
    return wanted


def reextract_one(tracker, source_id: int) -> Reextracted:  # type: ignore[no-untyped-def]
    """Re-extract one source in its own transaction (see the module docstring)."""
    from tracker.ingest import pipeline, store

    with tracker.sessions() as session:
        row = session.get(Source, source_id)
        if row is None:
            raise NotFoundError(f"no source has id {source_id}")
        article = Article(
            text=row.text, title=row.title, published=row.published_date,
            published_how=DateSource(row.published_how), url=row.url, path=row.path,
            publisher=row.publisher, feed_id=row.feed_id, entry_id=row.entry_id,
        )
        where, ingested, origin = row.url or row.path or f"source {source_id}", row.ingested_at, row.origin
    if origin == "manual":
        return Reextracted(source_id, where, 0, 0, 0, 0)
    if article.published_how is DateSource.INFERRED:  # guessed once: guess again, from the text
        article = replace(article, published=None, published_how=DateSource.UNKNOWN)
    article, facts = pipeline.prepare_article(tracker, article)
    now = tracker.clock()
    with tracker.sessions.begin() as session:
        old = session.execute(
            select(StatusChange.id, StatusChange.measure_id, StatusChange.status,
                   StatusChange.evidence_hash, StatusChange.created_at)
            .where(StatusChange.source_id == source_id, StatusChange.origin == Origin.EXTRACTED.value)
        ).all()
        learned = {(r.measure_id, r.status, r.evidence_hash): r.created_at for r in old}
        if old:
            session.execute(delete(StatusChange).where(StatusChange.id.in_([r.id for r in old])))
        touched: set[int] = set()
        known = store.known_by(article, ingested.date())
        session.execute(
            Source.__table__.update().where(Source.__table__.c.id == source_id).values(
                published_date=article.published, published_how=article.published_how.value
            )
        )
        count = store.add_facts(session, source_id, facts, now, known, touched=touched)
        # a fact found again keeps the day the tracker first learned it (tracker changes)
        for sc in session.scalars(select(StatusChange).where(StatusChange.source_id == source_id,
                                                             StatusChange.origin == Origin.EXTRACTED.value)):
            first = learned.get((sc.measure_id, sc.status, sc.evidence_hash))
            if first is not None:
                sc.created_at = first
        session.flush()
        total = session.scalar(
            select(func.count()).select_from(Decision).where(
                Decision.source_id == source_id, Decision.action.in_(("confirm", "reject", "correct"))
            )
        ) or 0
        kept = reapply(session, source_id)
        drop_orphans(session, touched | {r.measure_id for r in old})
    return Reextracted(source_id, where, len(old), count, kept, total)


def reextract(tracker, ids: Iterable[int] | None = None) -> list[Reextracted]:  # type: ignore[no-untyped-def]
    """Re-extract ``ids`` (all ingested sources when None), one transaction each."""
    with tracker.sessions() as session:
        wanted = source_ids(session, ids)
    return [reextract_one(tracker, sid) for sid in wanted]
