"""Storing articles and their facts: the only module that writes through a database session
(or, for batched ingestion, a Core connection: every function here takes either).

Every function here works inside the caller's transaction. ``store_batch`` stores many
articles with a few statements (what ``pipeline.ingest`` uses); ``find_duplicate``, ``add_source``
and ``add_facts`` store one (a single article, feed entries, re-extraction). Both ways give the
same rows. A fact lands on an existing measure when one has the same subject and a compatible
scope (so a roundup that mentions a ban again adds evidence, not a second ban).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
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


def evidence_hash(evidence: str) -> str:
    """The hash that tells two facts citing the same sentence apart from two citing others."""
    return hashlib.sha256(evidence.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Extracted:
    """One article ready to store: what an extraction worker hands the writer. The hashes are
    computed beside the text (in the worker), so the writer does no text work."""

    article: Article
    facts: tuple[Fact, ...]
    content_hash: str
    evidence_hashes: tuple[str, ...]

    @classmethod
    def of(cls, article: Article, facts: Sequence[Fact]) -> Extracted:
        return cls(article, tuple(facts), content_hash(article.text), tuple(evidence_hash(f.evidence) for f in facts))


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


def source_values(
    article: Article, now: dt.datetime, run_id: int | None = None, digest: str | None = None
) -> dict[str, object]:
    """The column values of a new ``sources`` row for ``article`` (``digest``: its
    ``content_hash`` when already known)."""
    return {
        "url": article.url, "path": article.path, "title": article.title,
        "publisher": article.publisher, "published_date": article.published,
        "published_how": article.published_how.value,
        "content_hash": digest or content_hash(article.text),
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


def _pick(measures: Sequence, fact: Fact):  # type: ignore[no-untyped-def,type-arg]
    """Of a subject's measures (rows with ``id``, ``kind``, ``scope``, in id order), the one
    ``fact`` is about: same family of kind and the same scope, else a compatible scope; None
    for a new measure."""
    group = kind_group(fact.kind.value)
    same = [m for m in measures if kind_group(m.kind) == group]
    exact = [m for m in same if m.scope == fact.scope]
    compatible = [m for m in same if m.scope in _COMPATIBLE.get(fact.scope, ())]
    if fact.scope == Scope.GENERAL.value and same:
        compatible = same
    return (exact or compatible or [None])[0]


def _becomes_moratorium(kind: str, fact: Fact) -> bool:
    """A time-limited ban is a moratorium: a ban a fact calls a moratorium becomes one."""
    return kind == MeasureKind.BAN.value and fact.kind is MeasureKind.MORATORIUM


def _insert_measure(session: Session, fact: Fact, jid: int | None, cid: int | None, now: dt.datetime) -> int:
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


def find_or_create_measure(session: Session, fact: Fact, now: dt.datetime) -> int:
    """The id of the measure a fact is about: same subject, same family of kind and the same
    scope, else a compatible scope, else a new measure."""
    jid, cid = _subject_ids(session, fact.subject)
    query, subject_id = (_MEASURES_OF_JURISDICTION, jid) if jid else (_MEASURES_OF_COMPANY, cid)
    match = _pick(list(session.execute(query, {"id": subject_id})), fact)
    if match is not None:
        if _becomes_moratorium(match.kind, fact):
            session.execute(update(Measure).where(Measure.id == match.id).values(kind=fact.kind.value))
        return match.id
    return _insert_measure(session, fact, jid, cid, now)


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
        digest = evidence_hash(fact.evidence)
        key = (measure_id, fact.status.value, digest)
        if key in seen:
            continue
        seen.add(key)
        rows.append(change_values(fact, measure_id, source_id, digest, known, origin, now))
    if rows:
        session.execute(_INSERT_CHANGE, rows)
        ids = {measure_id for measure_id, _, _ in seen}
        if touched is None:
            periods.refresh(session, ids)
        else:
            touched |= ids
    return len(rows)


def change_values(
    fact: Fact, measure_id: int, source_id: int | None, digest: str, known: dt.date | None,
    origin: Origin, now: dt.datetime,
) -> dict[str, object]:
    """The column values of a new ``status_changes`` row for ``fact``."""
    return {
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
        "evidence_hash": digest,
        "confidence": fact.confidence,
        "origin": origin.value,
        "created_at": now,
    }


# -- many articles at once -------------------------------------------------------------------
_SOURCES = Source.__table__
_MEASURES = Measure.__table__
_FIND_SOURCES = select(_SOURCES.c.id, _SOURCES.c.content_hash, _SOURCES.c.url).where(
    or_(
        _SOURCES.c.content_hash.in_(bindparam("hashes", expanding=True)),
        _SOURCES.c.url.in_(bindparam("urls", expanding=True)),
    )
)
_INSERT_SOURCES = insert(_SOURCES).returning(_SOURCES.c.id, sort_by_parameter_order=True)
_MEASURES_OF = select(_MEASURES.c.id, _MEASURES.c.kind, _MEASURES.c.scope, _MEASURES.c.jurisdiction_id, _MEASURES.c.company_id)
_TO_MORATORIUM = (
    update(_MEASURES).where(_MEASURES.c.id.in_(bindparam("ids", expanding=True)))
    .values(kind=MeasureKind.MORATORIUM.value)
)


class _Known:
    """A measure as the batch knows it (its kind may turn from ban to moratorium)."""

    __slots__ = ("id", "kind", "scope")

    def __init__(self, id: int, kind: str, scope: str) -> None:  # noqa: A002 - the column's name
        self.id, self.kind, self.scope = id, kind, scope


@dataclass(frozen=True)
class Stored:
    """What ``store_batch`` did with one article: ``new`` or ``duplicate`` (of ``source_id``)."""

    result: str
    source_id: int
    facts: int = 0


def store_batch(
    conn, items: Sequence[Extracted], now: dt.datetime, run_id: int | None, touched: set[int]  # type: ignore[no-untyped-def]
) -> list[Stored]:
    """Store ``items`` in input order inside the caller's transaction, as ``find_duplicate``,
    ``add_source`` and ``add_facts`` would one after another, in a handful of statements: one
    query for the stored duplicates, one multi-row insert for the sources and one for the facts,
    one query for the measures of every subject the facts name (kept in memory while the batch
    adds to them), an insert per new measure. The measures the facts touch are collected in
    ``touched`` for the caller's periods refresh."""
    hashes = [item.content_hash for item in items]
    urls = [item.article.url for item in items if item.article.url]
    by_hash: dict[str, int | list[int]] = {}  # a stored id, or a new one's box (filled below)
    by_url: dict[str, int | list[int]] = {}
    for row in conn.execute(_FIND_SOURCES, {"hashes": hashes, "urls": urls}):
        by_hash[row.content_hash] = row.id
        if row.url is not None:
            by_url[row.url] = row.id
    found: list[int | list[int]] = []
    new: list[tuple[Extracted, list[int]]] = []
    for item in items:
        dup = by_hash.get(item.content_hash)
        if dup is None and item.article.url:
            dup = by_url.get(item.article.url)
        if dup is None:
            dup = box = []
            new.append((item, box))
            by_hash[item.content_hash] = box
            if item.article.url:
                by_url[item.article.url] = box
            found.append(box)
        else:
            found.append(dup)
    if not new:
        return [Stored("duplicate", d if isinstance(d, int) else d[0]) for d in found]
    # the new sources
    rows = [source_values(item.article, now, run_id, item.content_hash) for item, _ in new]
    for (_, box), source_id in zip(new, conn.execute(_INSERT_SOURCES, rows).scalars(), strict=True):
        box.append(source_id)
    # the measures of every subject named, as the batch adds to them
    subjects = {fact.subject.label: fact.subject for item, _ in new for fact in item.facts}
    ids = {label: _subject_ids(conn, subject) for label, subject in subjects.items()}
    jids = sorted({j for j, _ in ids.values() if j is not None})
    cids = sorted({c for _, c in ids.values() if c is not None})
    measures: dict[tuple[int | None, int | None], list[_Known]] = {pair: [] for pair in ids.values()}
    if ids:
        query = _MEASURES_OF.where(or_(_MEASURES.c.jurisdiction_id.in_(jids), _MEASURES.c.company_id.in_(cids)))
        for m in conn.execute(query.order_by(_MEASURES.c.id)):
            measures[(m.jurisdiction_id, m.company_id)].append(_Known(m.id, m.kind, m.scope))
    moratoria: set[int] = set()
    changes: list[dict[str, object]] = []
    counts: dict[int, int] = {}
    for item, box in new:
        known = known_by(item.article, now.date())
        seen: set[tuple[int, str, str]] = set()
        for fact, digest in zip(item.facts, item.evidence_hashes, strict=True):
            pair = ids[fact.subject.label]
            match = _pick(measures[pair], fact)
            if match is None:
                match = _Known(_insert_measure(conn, fact, *pair, now), fact.kind.value, fact.scope)
                measures[pair].append(match)
            elif _becomes_moratorium(match.kind, fact):
                match.kind = fact.kind.value
                moratoria.add(match.id)
            key = (match.id, fact.status.value, digest)
            if key in seen:
                continue
            seen.add(key)
            changes.append(change_values(fact, match.id, box[0], digest, known, Origin.EXTRACTED, now))
            touched.add(match.id)
        counts[box[0]] = len(seen)
    if moratoria:
        conn.execute(_TO_MORATORIUM, {"ids": sorted(moratoria)})
    if changes:
        conn.execute(_INSERT_CHANGE, changes)
    out = []
    for d in found:
        if isinstance(d, int):
            out.append(Stored("duplicate", d))
        elif d[0] in counts:
            out.append(Stored("new", d[0], counts.pop(d[0])))
        else:
            out.append(Stored("duplicate", d[0]))  # a second copy inside the batch
    return out
