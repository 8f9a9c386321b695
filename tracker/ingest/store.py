"""Storing articles and their facts: the only module that writes through a database session
(or, for batched ingestion, a Core connection: every function here takes either).

Every function here works inside the caller's transaction; ``pipeline`` gives each article its
own. A fact lands on an existing measure when one has the same subject and a compatible scope
(so a roundup that mentions a ban again adds evidence, not a second ban).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Engine, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from tracker.data import Article, Fact, Subject
from tracker.models import Company, Jurisdiction, Measure, Source, StatusChange
from tracker.report import periods
from tracker.vocab import DateSource, MeasureKind, Origin, Scope, SubjectType

#: Scopes that one measure may be described with in different articles.
_COMPATIBLE = {
    Scope.GOVERNMENT.value: {Scope.POLICE.value},
    Scope.POLICE.value: {Scope.GOVERNMENT.value, Scope.SALES_TO_POLICE.value},
    Scope.SALES_TO_POLICE.value: {Scope.POLICE.value},
}


@lru_cache(maxsize=16)
def content_hash(text: str) -> str:
    """The hash that makes two copies of the same text one source (white space folded)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


_BY_HASH = select(Source.id).where(Source.content_hash == bindparam("hash")).limit(1)
_BY_HASH_OR_URL = (
    select(Source.id)
    .where(or_(Source.content_hash == bindparam("hash"), Source.url == bindparam("url")))
    .limit(1)
)
_INSERT_SOURCE = insert(Source).returning(Source.id)
_MEASURES_OF_JURISDICTION = (
    select(Measure.id, Measure.kind, Measure.scope)
    .where(Measure.jurisdiction_id == bindparam("id"))
    .order_by(Measure.id)
)
_MEASURES_OF_COMPANY = (
    select(Measure.id, Measure.kind, Measure.scope)
    .where(Measure.company_id == bindparam("id"))
    .order_by(Measure.id)
)
_INSERT_CHANGE = insert(StatusChange)


def find_duplicate(session: Session, article: Article) -> int | None:
    """The id of a stored source with the same URL or the same text, if there is one."""
    digest = content_hash(article.text)
    if article.url:
        return session.scalar(_BY_HASH_OR_URL, {"hash": digest, "url": article.url})
    return session.scalar(_BY_HASH, {"hash": digest})


def known_by(article: Article, today: dt.date) -> dt.date:
    """The latest day by which what an article reports had certainly happened."""
    if article.published and article.published_how not in (
        DateSource.INFERRED, DateSource.UNKNOWN
    ):
        return min(article.published, today)
    return today


def source_values(article: Article, now: dt.datetime, run_id: int | None = None) -> dict[str, object]:
    """The column values of a new ``sources`` row for ``article``."""
    return {
        "url": article.url, "path": article.path, "title": article.title,
        "publisher": article.publisher, "published_date": article.published,
        "published_how": article.published_how.value, "content_hash": content_hash(article.text),
        "text": article.text, "feed_id": article.feed_id, "entry_id": article.entry_id,
        "run_id": run_id, "ingested_at": now, "encoding": article.encoding,
    }


def source_row(article: Article, now: dt.datetime, run_id: int | None = None) -> Source:
    """A new ``Source`` row for ``article``, not yet in any session (batched inserts)."""
    return Source(**source_values(article, now, run_id))


def add_source(
    session: Session, article: Article, now: dt.datetime, run_id: int | None = None
) -> int:
    """Insert a source row for ``article``; returns its id."""
    return session.execute(_INSERT_SOURCE, source_values(article, now, run_id)).scalar_one()


#: Subject ids by engine: they never change once the reference data is loaded.
_SUBJECT_IDS: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int | None, int | None]]] = (
    weakref.WeakKeyDictionary()
)


def _subject_ids(session: Session, subject: Subject) -> tuple[int | None, int | None]:
    bind = session.get_bind() if isinstance(session, Session) else session
    cache = _SUBJECT_IDS.setdefault(bind.engine, {})
    if (found := cache.get(subject.label)) is None:
        found = cache[subject.label] = _lookup_subject(session, subject)
    return found


def _lookup_subject(session: Session, subject: Subject) -> tuple[int | None, int | None]:
    if subject.type is SubjectType.JURISDICTION:
        jid = session.scalar(select(Jurisdiction.id).where(Jurisdiction.ocd_id == subject.key))
        if jid is None:
            raise LookupError(f"unknown jurisdiction {subject.key}")
        return jid, None
    cid = session.scalar(select(Company.id).where(Company.slug == subject.key))
    if cid is None:
        raise LookupError(f"unknown company {subject.key}")
    return None, cid


def kind_group(kind: str) -> str:
    """Bans and moratoria are one family (a time-limited ban is a moratorium); restrictions
    (rules short of a ban) are measures of their own."""
    return "restriction" if kind == MeasureKind.RESTRICTION.value else "prohibition"


def natural_key(subject: Subject, kind: MeasureKind, scope: str) -> str:
    return f"{subject.label}|{kind_group(kind.value)}|{scope}"


def find_or_create_measure(session: Session, fact: Fact, now: dt.datetime) -> int:
    """The id of the measure a fact is about: same subject, same family of kind and the same
    scope, else a compatible scope, else a new measure."""
    jid, cid = _subject_ids(session, fact.subject)
    query, subject_id = (_MEASURES_OF_JURISDICTION, jid) if jid else (_MEASURES_OF_COMPANY, cid)
    group = kind_group(fact.kind.value)
    measures = [m for m in session.execute(query, {"id": subject_id}) if kind_group(m.kind) == group]
    exact = [m for m in measures if m.scope == fact.scope]
    compatible = [m for m in measures if m.scope in _COMPATIBLE.get(fact.scope, ())]
    if fact.scope == Scope.GENERAL.value and measures:
        compatible = measures
    match = (exact or compatible or [None])[0]
    if match is not None:
        if match.kind == MeasureKind.BAN.value and fact.kind is MeasureKind.MORATORIUM:
            # a time-limited ban is a moratorium
            session.execute(update(Measure).where(Measure.id == match.id).values(kind=fact.kind.value))
        return match.id
    return session.execute(
        insert(Measure)
        .values(
            jurisdiction_id=jid,
            company_id=cid,
            kind=fact.kind.value,
            scope=fact.scope,
            title=fact.title or f"{fact.subject.name}: {fact.kind.value} on facial recognition ({fact.scope})",
            natural_key=natural_key(fact.subject, fact.kind, fact.scope),
            created_at=now,
        )
        .returning(Measure.id)
    ).scalar_one()


def add_facts(
    session: Session,
    source: Source | int | None,
    facts: Sequence[Fact],
    now: dt.datetime,
    known: dt.date | None,
    origin: Origin = Origin.EXTRACTED,
    touched: set[int] | None = None,
) -> int:
    """Store ``facts`` as status changes citing ``source`` (a row or its id); returns how many
    were new. The status periods of the measures they touch are recomputed now, or, when the
    caller passes ``touched``, collected there for it to refresh once for many articles."""
    source_id = source.id if isinstance(source, Source) else source
    rows: list[dict[str, object]] = []
    seen: set[tuple[int, str, str]] = set()
    for fact in facts:
        measure_id = find_or_create_measure(session, fact, now)
        evidence_hash = hashlib.sha256(fact.evidence.encode("utf-8")).hexdigest()
        key = (measure_id, fact.status.value, evidence_hash)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "measure_id": measure_id,
                "status": fact.status.value,
                "effective_date": fact.date.start if fact.date else None,
                "precision": fact.date.precision.value if fact.date else "unknown",
                "end_date": fact.end.start if fact.end else None,
                "end_precision": fact.end.precision.value if fact.end else None,
                "duration_months": fact.duration_months,
                "duration_days": fact.duration_days,
                "open_ended": fact.open_ended,
                "known_by": known,
                "source_id": source_id,
                "evidence": fact.evidence,
                "evidence_hash": evidence_hash,
                "confidence": fact.confidence,
                "origin": origin.value,
                "created_at": now,
            }
        )
    if rows:
        session.execute(_INSERT_CHANGE, rows)
        ids = {measure_id for measure_id, _, _ in seen}
        if touched is None:
            periods.refresh(session, ids)
        else:
            touched |= ids
    return len(rows)
