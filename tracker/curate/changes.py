"""What the tracker learned in a window of time (``tracker changes``): new measures, new status
changes and people's decisions, each with its evidence, by the day the tracker learned it (not
only the day the event happened). Rendered as a table, JSON, CSV, NDJSON or an Atom feed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import Connection, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.dates import PartialDate
from tracker.models import Company, Decision, Jurisdiction, Measure, Source, StatusChange
from tracker.vocab import Precision


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


_SC = StatusChange.__table__
_M = Measure.__table__
_J = Jurisdiction.__table__
_C = Company.__table__
_SRC = Source.__table__
_D = Decision.__table__
#: rows per query
BATCH = 500


def _subject_columns(measure: Any) -> list[Any]:
    return [measure.c.kind, measure.c.scope, measure.c.jurisdiction_id, _J.c.name.label("j_name"),
            _J.c.kind.label("j_kind"), _J.c.state_code, _C.c.name.label("c_name")]


def _subject(row: Any) -> str | None:
    """``decisions.subject_name`` for a row of ``_subject_columns`` (None: no measure)."""
    if row.jurisdiction_id is not None:
        local = row.j_kind in ("place", "county") and row.state_code
        return f"{row.j_name}, {row.state_code}" if local else row.j_name
    return row.c_name


def _describe(row: Any) -> str:
    """``decisions.describe`` for a fact's row."""
    when = PartialDate(row.effective_date, Precision(row.precision)).iso() if row.effective_date else "date unknown"
    return f"#{row.fact_id} {_subject(row)}: {row.kind} ({row.scope}) {row.status} {when}"


def _joined(fact_id: Any) -> Any:
    """A fact (``fact_id``) with its measure's subject and its source."""
    return (
        _SC.outerjoin(_M, _M.c.id == _SC.c.measure_id)
        .outerjoin(_J, _J.c.id == _M.c.jurisdiction_id)
        .outerjoin(_C, _C.c.id == _M.c.company_id)
        .outerjoin(_SRC, _SRC.c.id == _SC.c.source_id)
    ), _SC.c.id == fact_id


def _fact_columns() -> list[Any]:
    return [_SC.c.id.label("fact_id"), _SC.c.effective_date, _SC.c.precision, _SC.c.status, _SC.c.evidence,
            *_subject_columns(_M), _SRC.c.url, _SRC.c.path, _SRC.c.published_date]


def _pages(conn: Connection, query: Any, at: Any, key: Any, key_name: str) -> Iterator[Any]:
    """The rows of ``query``, newest first by (``at``, ``key``), ``BATCH`` per statement (keyset
    pages: no cursor stays open between them)."""
    last: tuple[Any, Any] | None = None
    while True:
        page = query.order_by(at.desc(), key.desc()).limit(BATCH)
        if last is not None:
            page = page.where(or_(at < last[0], and_(at == last[0], key < last[1])))
        rows = conn.execute(page).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = (getattr(rows[-1], at.key), getattr(rows[-1], key_name))


def _in_order(entries: Iterator[ChangeEntry]) -> Iterator[ChangeEntry]:
    """Entries that come newest first to the second, in the report's order: (learned, id),
    newest first (``learned`` is cut to the second, and ``id`` compares as text)."""
    run: list[ChangeEntry] = []
    for entry in entries:
        if run and entry.learned != run[0].learned:
            run.sort(key=_order, reverse=True)
            yield from run
            run = []
        run.append(entry)
    run.sort(key=_order, reverse=True)
    yield from run


def _order(e: ChangeEntry) -> tuple[str, str]:
    return (e.learned, e.id)


def _window(column: Any, start: dt.datetime, now: dt.datetime) -> Any:
    return and_(column >= start, column <= now)


def _not_rejected(table: Any) -> Any:
    return or_(table.c.review.is_(None), table.c.review != "rejected")


def _facts(conn: Connection, start: dt.datetime, now: dt.datetime) -> Iterator[ChangeEntry]:
    """The facts learned in the window, newest first; a measure's first fact of the window is
    its ``new_measure`` entry when the measure itself is new. A rejected fact is left out (the
    decision that rejected it is listed instead)."""
    earlier = _SC.alias("earlier")
    first = ~exists().where(
        earlier.c.measure_id == _SC.c.measure_id, _not_rejected(earlier), _window(earlier.c.created_at, start, now),
        or_(earlier.c.created_at < _SC.c.created_at,
            and_(earlier.c.created_at == _SC.c.created_at, earlier.c.id < _SC.c.id)),
    )
    joined, _ = _joined(_SC.c.id)
    query = (
        select(*_fact_columns(), _SC.c.measure_id, _SC.c.origin, _SC.c.created_at,
               and_(_window(_M.c.created_at, start, now), first).label("new"))
        .select_from(joined)
        .where(_window(_SC.c.created_at, start, now), _not_rejected(_SC))
    )
    for row in _pages(conn, query, _SC.c.created_at, _SC.c.id, "fact_id"):
        new = bool(row.new)
        yield ChangeEntry(
            id=f"fact/{row.fact_id}", learned=row.created_at.isoformat(timespec="seconds"),
            type="new_measure" if new else "status_change", action=None, fact=row.fact_id,
            measure=row.measure_id, subject=_subject(row),
            summary=("new measure: " if new else "") + _describe(row) + (" (manual)" if row.origin == "manual" else ""),
            quote=row.evidence, source=row.url or row.path,
            published=row.published_date.isoformat() if row.published_date else None,
        )


def _decisions(conn: Connection, start: dt.datetime, now: dt.datetime) -> Iterator[ChangeEntry]:
    """People's decisions in the window, newest first, each with the fact it is about (an
    ``add`` is listed as the new fact it made)."""
    fact_id = func.coalesce(_D.c.change_id, _D.c.new_change_id)
    joined, on = _joined(fact_id)
    query = (
        select(_D.c.id, _D.c.made_at, _D.c.action, _D.c.change_id, _D.c.measure_id, _D.c.summary,
               _D.c.made_by, _D.c.reason, *_fact_columns())
        .select_from(_D.outerjoin(joined, on))
        .where(_window(_D.c.made_at, start, now), _D.c.action != "add")
    )
    for row in _pages(conn, query, _D.c.made_at, _D.c.id, "id"):
        found = row.fact_id is not None
        yield ChangeEntry(
            id=f"decision/{row.id}", learned=row.made_at.isoformat(timespec="seconds"), type="decision",
            action=row.action, fact=row.change_id, measure=row.measure_id,
            subject=_subject(row) if found else None, summary=row.summary,
            quote=row.evidence if found else None, source=(row.url or row.path) if found else None,
            published=row.published_date.isoformat() if found and row.published_date else None,
            by=row.made_by, reason=row.reason,
        )


def stream(session: Session, since: dt.date, now: dt.datetime) -> Iterator[ChangeEntry]:
    """Everything learned from the start of ``since`` (UTC) to ``now``, newest first, read in
    batches as it is consumed (``collect`` in constant memory)."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    conn = session.connection()
    facts = _in_order(_facts(conn, start, now))
    decisions = _in_order(_decisions(conn, start, now))
    return heapq.merge(facts, decisions, key=_order, reverse=True)


def collect(session: Session, since: dt.date, now: dt.datetime) -> list[ChangeEntry]:
    """Everything learned from the start of ``since`` (UTC) to ``now``, newest first."""
    return list(stream(session, since, now))


# -- rendering -----------------------------------------------------------------------------------
#: the CSV columns, in the order of the JSON objects' keys
FIELDS = tuple(f.name for f in fields(ChangeEntry))


def as_rows(entries: Iterable[ChangeEntry]) -> Iterator[dict[str, object]]:
    """One flat object per change (a CSV line, an NDJSON object): the JSON document's entries."""
    for e in entries:
        yield asdict(e)


def as_document(entries: Iterable[ChangeEntry], since: dt.date) -> dict[str, object]:
    """The JSON document: the window's first day and the changes, newest first (in memory;
    ``json_chunks`` writes the same text a change at a time)."""
    return {"since": since.isoformat(), "changes": [asdict(e) for e in entries]}


def json_chunks(entries: Iterable[ChangeEntry], since: dt.date) -> Iterator[str]:
    """``as_document`` as ``json.dumps(..., indent=2, ensure_ascii=False)`` writes it, a change
    at a time, and a newline."""
    import json

    from tracker.report.render import dumps_indented

    yield '{\n  "since": ' + json.dumps(since.isoformat()) + ',\n  "changes": ['
    first = True
    for e in entries:
        yield ("\n    " if first else ",\n    ") + dumps_indented(asdict(e), "    ")
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"


def table_chunks(entries: Iterable[ChangeEntry], since: dt.date, now: dt.datetime, width: int = 100) -> Iterator[str]:
    """The changes for people, a change at a time (each chunk ends with its newline)."""
    import textwrap

    yield f"What the tracker learned from {since.isoformat()} to {now.date().isoformat()}\n\n"
    n = 0
    for e in entries:
        n += 1
        who = f" (by {e.by}" + (f": {e.reason}" if e.reason else "") + ")" if e.by else ""
        lines = textwrap.wrap(f"{e.learned[:10]}  {e.summary}{who}", width - 4, subsequent_indent="      ")
        if e.quote:
            lines.extend(textwrap.wrap(f"\u201c{e.quote}\u201d", width - 10, initial_indent="      ", subsequent_indent="      "))
        if e.source:
            lines.append(f"      -- {e.source}" + (f", published {e.published}" if e.published else ""))
        yield "".join(line + "\n" for line in lines)
    if not n:
        yield "  (nothing)\n"
    yield f"\n{n} change{'s' if n != 1 else ''}.\n"


def as_table(entries: Iterable[ChangeEntry], since: dt.date, now: dt.datetime, width: int = 100) -> str:
    return "".join(table_chunks(entries, since, now, width)).removesuffix("\n")


ATOM = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _entry(feed: ET.Element, e: ChangeEntry, feed_id: str) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", f"{feed_id}/{e.id}")
    _sub(entry, "title", e.summary)
    _sub(entry, "updated", e.learned)
    if e.by:
        _sub(_sub(entry, "author"), "name", e.by)
    _sub(entry, "category", term=e.action or e.type)
    if e.source and e.source.startswith(("http://", "https://")):
        _sub(entry, "link", href=e.source, rel="related")
    text = [e.summary]
    if e.reason:
        text.append(f"Why: {e.reason}")
    if e.quote:
        text.append(f"\u201c{e.quote}\u201d")
    if e.source:
        text.append(f"Source: {e.source}" + (f", published {e.published}" if e.published else ""))
    _sub(entry, "content", "\n\n".join(text), type="text")


def atom_chunks(entries: Iterable[ChangeEntry], since: dt.date, now: dt.datetime, feed_id: str) -> Iterator[str]:
    """An Atom 1.0 feed (RFC 4287) a feed reader can subscribe to: one entry per change,
    written an entry at a time. ``entries`` come newest first, so the first one says when
    the feed was last updated."""
    ET.register_namespace("", ATOM)
    entries = iter(entries)
    head = next(entries, None)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", "Facial-recognition policy tracker: what changed")
    _sub(feed, "subtitle", f"What the tracker learned since {since.isoformat()}")
    _sub(feed, "updated", head.learned if head else now.isoformat(timespec="seconds"))
    _sub(_sub(feed, "author"), "name", "tracker")
    _sub(feed, "generator", "tracker")
    yield '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode").removesuffix("</feed>")
    if head is not None:
        for one in itertools.chain([head], entries):
            wrapper = ET.Element(f"{{{ATOM}}}feed")  # declares the namespace, as the feed does
            _entry(wrapper, one, feed_id)
            text = ET.tostring(wrapper, encoding="unicode")
            yield text[text.index(">") + 1:].removesuffix("</feed>")
    yield "</feed>\n"


def as_atom(entries: Iterable[ChangeEntry], since: dt.date, now: dt.datetime, feed_id: str) -> str:
    """``atom_chunks`` as one string."""
    return "".join(atom_chunks(entries, since, now, feed_id))
