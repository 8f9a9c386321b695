"""What the tracker learned in a window of time (``tracker changes``): new measures, new status
changes and people's decisions, each with its evidence, by the day the tracker learned it (not
only the day the event happened). Rendered as a table, JSON, CSV, NDJSON or an Atom feed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.curate.decisions import describe, load_change, subject_name
from tracker.models import Decision, Measure, StatusChange


@dataclass(frozen=True)
class ChangeEntry:
    """One thing the tracker learned."""

    id: str
    learned: str  # ISO timestamp
    type: str  # new_measure, status_change, decision
    action: str | None  # confirm, reject, correct, add (decisions)
    fact: int | None
    measure: int | None
    subject: str | None
    summary: str
    quote: str | None
    source: str | None
    published: str | None
    by: str | None = None
    reason: str | None = None


def collect(session: Session, since: dt.date, now: dt.datetime) -> list[ChangeEntry]:
    """Everything learned from the start of ``since`` (UTC) to ``now``, newest first."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    new_measures = set(session.scalars(select(Measure.id).where(Measure.created_at >= start, Measure.created_at <= now)))
    entries: list[ChangeEntry] = []
    first_of: dict[int, int] = {}
    ids = session.scalars(
        select(StatusChange.id)
        .where(StatusChange.created_at >= start, StatusChange.created_at <= now)
        .order_by(StatusChange.created_at, StatusChange.id)
    ).all()
    for change_id in ids:
        sc = load_change(session, change_id)
        if sc.review == "rejected":
            continue  # the decision that rejected it is listed instead
        new = sc.measure_id in new_measures and sc.measure_id not in first_of
        if new:
            first_of[sc.measure_id] = sc.id
        source = sc.source
        entries.append(ChangeEntry(
            id=f"fact/{sc.id}", learned=sc.created_at.isoformat(timespec="seconds"),
            type="new_measure" if new else "status_change", action=None, fact=sc.id,
            measure=sc.measure_id, subject=subject_name(sc.measure),
            summary=("new measure: " if new else "") + describe(sc) + (" (manual)" if sc.origin == "manual" else ""),
            quote=sc.evidence, source=(source.url or source.path) if source else None,
            published=source.published_date.isoformat() if source and source.published_date else None,
        ))
    decisions = session.scalars(
        select(Decision).where(Decision.made_at >= start, Decision.made_at <= now).order_by(Decision.made_at, Decision.id)
    ).all()
    for d in decisions:
        if d.action == "add":
            continue  # listed as the new fact it made
        quote = source = published = subject = None
        fact_id = d.change_id or d.new_change_id
        if fact_id is not None:
            sc = load_change(session, fact_id)
            quote, subject = sc.evidence, subject_name(sc.measure)
            if sc.source is not None:
                source = sc.source.url or sc.source.path
                published = sc.source.published_date.isoformat() if sc.source.published_date else None
        entries.append(ChangeEntry(
            id=f"decision/{d.id}", learned=d.made_at.isoformat(timespec="seconds"), type="decision",
            action=d.action, fact=d.change_id, measure=d.measure_id, subject=subject,
            summary=d.summary, quote=quote, source=source, published=published, by=d.made_by,
            reason=d.reason,
        ))
    entries.sort(key=lambda e: (e.learned, e.id), reverse=True)
    return entries


# -- rendering -----------------------------------------------------------------------------------
#: the CSV columns, in the order of the JSON objects' keys
FIELDS = tuple(f.name for f in fields(ChangeEntry))


def as_rows(entries: list[ChangeEntry]) -> list[dict[str, object]]:
    """One flat object per change (a CSV line, an NDJSON object): the JSON document's entries."""
    return [asdict(e) for e in entries]


def as_document(entries: list[ChangeEntry], since: dt.date) -> dict[str, object]:
    """The JSON document: the window's first day and the changes, newest first."""
    return {"since": since.isoformat(), "changes": [asdict(e) for e in entries]}


def as_table(entries: list[ChangeEntry], since: dt.date, now: dt.datetime, width: int = 100) -> str:
    import textwrap

    lines = [f"What the tracker learned from {since.isoformat()} to {now.date().isoformat()}", ""]
    if not entries:
        lines.append("  (nothing)")
    for e in entries:
        who = f" (by {e.by}" + (f": {e.reason}" if e.reason else "") + ")" if e.by else ""
        lines.extend(textwrap.wrap(f"{e.learned[:10]}  {e.summary}{who}", width - 4, subsequent_indent="      "))
        if e.quote:
            lines.extend(textwrap.wrap(f"\u201c{e.quote}\u201d", width - 10, initial_indent="      ", subsequent_indent="      "))
        if e.source:
            lines.append(f"      -- {e.source}" + (f", published {e.published}" if e.published else ""))
    lines += ["", f"{len(entries)} change{'s' if len(entries) != 1 else ''}."]
    return "\n".join(lines)


ATOM = "http://www.w3.org/2005/Atom"


def as_atom(entries: list[ChangeEntry], since: dt.date, now: dt.datetime, feed_id: str) -> str:
    """An Atom 1.0 feed (RFC 4287) a feed reader can subscribe to: one entry per change."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", "Facial-recognition policy tracker: what changed")
    sub(feed, "subtitle", f"What the tracker learned since {since.isoformat()}")
    sub(feed, "updated", (max((e.learned for e in entries), default=None) or now.isoformat(timespec="seconds")))
    author = sub(feed, "author")
    sub(author, "name", "tracker")
    sub(feed, "generator", "tracker")
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", f"{feed_id}/{e.id}")
        sub(entry, "title", e.summary)
        sub(entry, "updated", e.learned)
        if e.by:
            sub(sub(entry, "author"), "name", e.by)
        sub(entry, "category", term=e.action or e.type)
        if e.source and e.source.startswith(("http://", "https://")):
            sub(entry, "link", href=e.source, rel="related")
        text = [e.summary]
        if e.reason:
            text.append(f"Why: {e.reason}")
        if e.quote:
            text.append(f"\u201c{e.quote}\u201d")
        if e.source:
            text.append(f"Source: {e.source}" + (f", published {e.published}" if e.published else ""))
        sub(entry, "content", "\n\n".join(text), type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
