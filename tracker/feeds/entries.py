"""Store: feed entries in the database, inside the caller's transaction. New entries go
through ``pipeline.store_article`` like any article; this module adds what only feeds need:
finding the entries a feed already has, and updating an entry whose content changed (its
source is rewritten and its extracted facts replaced)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from .. import periods, store
from ..data import Article, Fact, SourceOutcome
from ..models import Measure, Source, StatusChange
from ..vocab import Origin

_CHUNK = 500


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


def set_entry_hashes(session: Session, hashes: Sequence[tuple[int, str]]) -> None:
    """Record the fingerprint of the entries just stored (one batched UPDATE)."""
    if hashes:
        session.execute(
            update(Source), [{"id": source_id, "entry_hash": h} for source_id, h in hashes]
        )


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
    clash = store.find_duplicate(session, article)
    if clash is not None and clash.id != source_id:
        source.entry_hash = entry_hash
        return SourceOutcome(where, "duplicate", source_id=clash.id)
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
