"""Store: feed entries in the database, inside the caller's transaction. This module adds
what only feeds need to ``store`` and ``pipeline.store_article``: finding the entries a feed
already has, storing a feed's new entries in one batch (the same rules as
``pipeline.store_article``, with one query and one flush for the lot), and updating an entry
whose content changed (its source is rewritten and its extracted facts replaced)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from tracker.curate.decisions import reapply
from tracker.data import Article, Fact, SourceOutcome
from tracker.ingest import store
from tracker.models import Measure, Source, StatusChange
from tracker.report import periods
from tracker.vocab import Origin

_CHUNK = 500


@dataclass(frozen=True)
class NewEntry:
    """An entry ready to store: its article (with ``feed_id`` and ``entry_id``) and facts."""

    article: Article
    facts: Sequence[Fact]
    entry_hash: str
    where: str


@dataclass(frozen=True)
class KnownEntry:
    source_id: int
    entry_hash: str | None


def known_entries(session: Session, feed_id: int, entry_ids: Iterable[str]) -> dict[str, KnownEntry]:
    """The stored entries of ``feed_id`` among ``entry_ids``, by entry id."""
    ids = list(entry_ids)
    found: dict[str, KnownEntry] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(Source.entry_id, Source.id, Source.entry_hash).where(
                Source.feed_id == feed_id, Source.entry_id.in_(ids[start:start + _CHUNK])
            )
        )
        for entry_id, source_id, entry_hash in rows:
            found[entry_id] = KnownEntry(source_id, entry_hash)
    return found


def store_new(
    session: Session, items: Sequence[NewEntry], now: dt.datetime, run_id: int | None = None
) -> list[SourceOutcome]:
    """Store new entries as ``pipeline.store_article`` stores an article: one that has the URL
    or the text of a stored source, or of an earlier entry in ``items``, is a duplicate.

    The ``source_id`` of an outcome is None for a new entry without facts, and for a
    duplicate of such an entry in the same batch (inserted in bulk, their ids are not read).

    Raises:
        IntegrityError: a concurrent writer stored the same URL or text first (the caller
        rolls back to a savepoint and stores the entries one by one).
    """
    hashes = [store.content_hash(item.article.text) for item in items]
    by_url: dict[str, Source | int] = {}
    by_text: dict[str, Source | int] = {}
    urls = sorted({item.article.url for item in items if item.article.url})
    for start in range(0, max(len(urls), len(hashes)), _CHUNK):
        rows = session.execute(
            select(Source.id, Source.url, Source.content_hash).where(
                or_(
                    Source.url.in_(urls[start:start + _CHUNK]),
                    Source.content_hash.in_(hashes[start:start + _CHUNK]),
                )
            )
        )
        for source_id, url, text_hash in rows:
            if url:
                by_url[url] = source_id
            by_text[text_hash] = source_id
    fresh: list[tuple[NewEntry, Source]] = []
    duplicates: list[tuple[NewEntry, Source | int]] = []
    for item, text_hash in zip(items, hashes, strict=True):
        url = item.article.url
        found = (by_url.get(url) if url else None) or by_text.get(text_hash)
        if found is not None:
            duplicates.append((item, found))
            continue
        row = store.source_row(item.article, now, run_id)
        row.entry_hash = item.entry_hash
        fresh.append((item, row))
        by_text[text_hash] = row
        if url:
            by_url[url] = row
    # Entries without facts (most of them) go in as one executemany; one with facts on its
    # own, as its status changes need the source's id. Sources keep the feed's order.
    outcomes = [
        SourceOutcome(item.where, "duplicate", source_id=_id(found)) for item, found in duplicates
    ]
    plain: list[Source] = []
    for item, row in fresh:
        count = 0
        if not item.facts:
            plain.append(row)
        else:
            _insert(session, plain)
            session.add(row)
            session.flush()
            known = store.known_by(item.article, now.date())
            count = store.add_facts(session, row, item.facts, now, known)
        outcomes.append(SourceOutcome(item.where, "new", count, source_id=row.id))
    _insert(session, plain)
    return outcomes


def _insert(session: Session, rows: list[Source]) -> None:
    """INSERT ``rows`` in one executemany (their ids are not read back) and empty the list."""
    if rows:
        session.execute(insert(Source), [_values(row) for row in rows])
        rows.clear()


_COLUMNS = tuple(c.key for c in Source.__table__.columns if c.key != "id")


def _values(row: Source) -> dict[str, object]:
    return {key: getattr(row, key) for key in _COLUMNS}


def _id(found: Source | int) -> int | None:
    return found if isinstance(found, int) else found.id


def set_entry_hash(session: Session, source_id: int, entry_hash: str) -> None:
    """Record the fingerprint of an entry stored one by one."""
    session.execute(update(Source).where(Source.id == source_id).values(entry_hash=entry_hash))


def update_entry(
    session: Session,
    source_id: int,
    article: Article,
    facts: Sequence[Fact],
    now: dt.datetime,
    where: str,
    entry_hash: str,
) -> SourceOutcome:
    """Rewrite the source of an entry whose content changed and replace its extracted facts.

    When the new text or link is already another source's, the entry is a duplicate of that
    source: only its fingerprint is recorded, so that it is not looked at again until it
    changes once more.
    """
    source = session.get(Source, source_id)
    assert source is not None
    new_hash = store.content_hash(article.text)
    same = [Source.content_hash == new_hash] + ([Source.url == article.url] if article.url else [])
    clash = session.scalar(select(Source.id).where(or_(*same), Source.id != source_id).limit(1))
    if clash is not None:
        source.entry_hash = entry_hash
        return SourceOutcome(where, "duplicate", source_id=clash)
    old = session.execute(
        select(StatusChange.id, StatusChange.measure_id).where(
            StatusChange.source_id == source_id, StatusChange.origin == Origin.EXTRACTED.value
        )
    ).all()
    if old:
        session.execute(delete(StatusChange).where(StatusChange.id.in_([row.id for row in old])))
    source.title = article.title
    source.url = article.url
    source.publisher = article.publisher
    source.published_date = article.published
    source.published_how = article.published_how.value
    source.content_hash = new_hash
    source.text = article.text
    source.entry_hash = entry_hash
    source.updated_at = now
    session.flush()
    count = store.add_facts(session, source, facts, now, store.known_by(article, now.date()))
    reapply(session, source_id)  # people's decisions about this entry's facts stay
    _forget_orphans(session, {row.measure_id for row in old})
    return SourceOutcome(where, "updated", count, source_id=source_id)


def _forget_orphans(session: Session, measure_ids: set[int]) -> None:
    """Measures that lost their last status change to an update go; the others' cached
    periods are recomputed."""
    if not measure_ids:
        return
    session.execute(
        delete(Measure).where(
            Measure.id.in_(measure_ids),
            ~exists().where(StatusChange.measure_id == Measure.id),
        )
    )
    remaining = session.scalars(select(Measure.id).where(Measure.id.in_(measure_ids))).all()
    periods.refresh(session, remaining)
