"""Storing articles and their facts: the only module that writes through a database session.

Every function here works inside the caller's transaction; ``pipeline`` gives each article its
own. A fact lands on an existing measure when one has the same subject and a compatible scope
(so a roundup that mentions a ban again adds evidence, not a second ban).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import periods
from .data import Article, Fact, Subject
from .models import Company, Jurisdiction, Measure, Source, StatusChange
from .vocab import DateSource, MeasureKind, Origin, Scope, SubjectType

#: Scopes that one measure may be described with in different articles.
_COMPATIBLE = {
    Scope.GOVERNMENT.value: {Scope.POLICE.value},
    Scope.POLICE.value: {Scope.GOVERNMENT.value, Scope.SALES_TO_POLICE.value},
    Scope.SALES_TO_POLICE.value: {Scope.POLICE.value},
}


def content_hash(text: str) -> str:
    """The hash that makes two copies of the same text one source (white space folded)."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


def find_duplicate(session: Session, article: Article) -> Source | None:
    """A stored source with the same URL, the same feed entry, or the same text."""
    clauses = [Source.content_hash == content_hash(article.text)]
    if article.url:
        clauses.append(Source.url == article.url)
    return session.scalars(select(Source).where(or_(*clauses)).limit(1)).first()


def known_by(article: Article, today: dt.date) -> dt.date:
    """The latest day by which what an article reports had certainly happened."""
    if article.published and article.published_how not in (
        DateSource.INFERRED, DateSource.UNKNOWN
    ):
        return min(article.published, today)
    return today


def add_source(
    session: Session, article: Article, now: dt.datetime, run_id: int | None = None
) -> Source:
    source = Source(
        url=article.url,
        path=article.path,
        title=article.title,
        publisher=article.publisher,
        published_date=article.published,
        published_how=article.published_how.value,
        content_hash=content_hash(article.text),
        text=article.text,
        feed_id=article.feed_id,
        entry_id=article.entry_id,
        run_id=run_id,
        ingested_at=now,
    )
    session.add(source)
    session.flush()
    return source


def _subject_ids(session: Session, subject: Subject) -> tuple[int | None, int | None]:
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


def find_or_create_measure(session: Session, fact: Fact, now: dt.datetime) -> Measure:
    """The measure a fact is about: same subject and scope, else same subject and a compatible
    scope, else a new one."""
    jid, cid = _subject_ids(session, fact.subject)
    query = select(Measure).where(
        Measure.jurisdiction_id == jid if jid else Measure.company_id == cid
    )
    group = kind_group(fact.kind.value)
    measures = [
        m for m in session.scalars(query.order_by(Measure.id)) if kind_group(m.kind) == group
    ]
    exact = [m for m in measures if m.scope == fact.scope]
    compatible = [m for m in measures if m.scope in _COMPATIBLE.get(fact.scope, ())]
    if fact.scope == Scope.GENERAL.value and measures:
        compatible = measures
    match = (exact or compatible or [None])[0]
    if match is not None:
        if match.kind == MeasureKind.BAN.value and fact.kind is MeasureKind.MORATORIUM:
            match.kind = fact.kind.value  # a time-limited ban is a moratorium
        return match
    measure = Measure(
        jurisdiction_id=jid,
        company_id=cid,
        kind=fact.kind.value,
        scope=fact.scope,
        title=fact.title or f"{fact.subject.name}: {fact.kind.value} on facial recognition ({fact.scope})",
        natural_key=natural_key(fact.subject, fact.kind, fact.scope),
        created_at=now,
    )
    session.add(measure)
    session.flush()
    return measure


def add_facts(
    session: Session,
    source: Source | None,
    facts: Sequence[Fact],
    now: dt.datetime,
    known: dt.date | None,
    origin: Origin = Origin.EXTRACTED,
) -> int:
    """Store ``facts`` as status changes citing ``source``; returns how many were new."""
    added = 0
    seen: set[tuple[int, str, str]] = set()
    for fact in facts:
        measure = find_or_create_measure(session, fact, now)
        evidence_hash = hashlib.sha256(fact.evidence.encode("utf-8")).hexdigest()
        key = (measure.id, fact.status.value, evidence_hash)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            StatusChange(
                measure_id=measure.id,
                status=fact.status.value,
                effective_date=fact.date.start if fact.date else None,
                precision=fact.date.precision.value if fact.date else "unknown",
                end_date=fact.end.start if fact.end else None,
                end_precision=fact.end.precision.value if fact.end else None,
                duration_months=fact.duration_months,
                duration_days=fact.duration_days,
                open_ended=fact.open_ended,
                known_by=known,
                source_id=source.id if source else None,
                evidence=fact.evidence,
                evidence_hash=evidence_hash,
                confidence=fact.confidence,
                origin=origin.value,
                created_at=now,
            )
        )
        added += 1
    session.flush()
    periods.refresh(session, {measure_id for measure_id, _, _ in seen})
    return added
