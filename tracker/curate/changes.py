"""What the tracker learned in a window of time (``tracker changes``): new measures, new status
changes and people's decisions, each with its evidence, by the day the tracker learned it (not
only the day the event happened). Rendered as a table, JSON, CSV, NDJSON or an Atom feed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import String, and_, cast, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from tracker.models import Company, Decision, Jurisdiction, Measure, Source, StatusChange


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


# The window's facts and decisions are selected in one statement, joined to their subjects and
# sources, and ordered by the database as the report orders them: newest first by the second
# they were learned, then by entry id as text ("fact/12" before "fact/100"). The rows are read
# ``BATCH`` at a time from one cursor, so memory stays flat whatever the window holds.
_SC = StatusChange.__table__
_M = Measure.__table__
_J = Jurisdiction.__table__
_C = Company.__table__
_SRC = Source.__table__
_D = Decision.__table__
#: rows fetched at a time
BATCH = 500


def _subject(row: Any) -> str | None:
    """``decisions.subject_name`` for a row with the subject's columns (None: no measure)."""
    if row.jurisdiction_id is not None:
        local = row.j_kind in ("place", "county") and row.state_code
        return f"{row.j_name}, {row.state_code}" if local else row.j_name
    return row.c_name


def _cut(day: dt.date, precision: str | None) -> str:
    """``PartialDate(day, precision).iso()``, without building one."""
    iso = day.isoformat()
    return iso if precision in (None, "day") else iso[:7] if precision in ("month", "quarter") else str(day.year)


def _describe(row: Any) -> str:
    """``decisions.describe`` for a fact's row."""
    when = _cut(row.effective_date, row.precision) if row.effective_date else "date unknown"
    return f"#{row.fact_id} {_subject(row)}: {row.kind} ({row.scope}) {row.status} {when}"


def _fact_of() -> tuple[Any, list[Any]]:
    """The join from a fact (a status change) to its measure's subject and its source, and
    the columns an entry reads from them."""
    joined = (
        _SC.outerjoin(_M, _M.c.id == _SC.c.measure_id)
        .outerjoin(_J, _J.c.id == _M.c.jurisdiction_id)
        .outerjoin(_C, _C.c.id == _M.c.company_id)
        .outerjoin(_SRC, _SRC.c.id == _SC.c.source_id)
    )
    return joined, [
        _SC.c.id.label("fact_id"), _SC.c.effective_date, _SC.c.precision, _SC.c.status, _SC.c.evidence,
        _M.c.kind, _M.c.scope, _M.c.jurisdiction_id, _J.c.name.label("j_name"), _J.c.kind.label("j_kind"),
        _J.c.state_code, _C.c.name.label("c_name"), _SRC.c.url, _SRC.c.path, _SRC.c.published_date,
    ]


def _window(column: Any, start: dt.datetime, now: dt.datetime) -> Any:
    return and_(column >= start, column <= now)


def _not_rejected(table: Any) -> Any:
    return or_(table.c.review.is_(None), table.c.review != "rejected")


def _second(column: Any, dialect: str) -> Any:
    """A timestamp cut to the second (what ``learned`` shows), ordered as time."""
    if dialect == "postgresql":
        return func.date_trunc("second", column)
    return func.substr(column, 1, 19)  # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff'


def _entry_id(prefix: str, column: Any, dialect: str) -> Any:
    """``ChangeEntry.id`` in SQL, compared as Python compares strings (code points)."""
    text = literal(prefix) + cast(column, String)
    return text.collate("C") if dialect == "postgresql" else text


def _query(dialect: str, start: dt.datetime, now: dt.datetime) -> Any:
    """The window's entries, newest first. A fact is a ``new_measure`` when its measure was
    created in the window and no earlier fact of it in the window counts (rejected facts are
    left out: the decision that rejected them is listed instead); a decision comes with the
    fact it is about (an ``add`` is listed as the new fact it made)."""
    earlier = _SC.alias("earlier")
    first = ~exists().where(
        earlier.c.measure_id == _SC.c.measure_id, _not_rejected(earlier), _window(earlier.c.created_at, start, now),
        or_(earlier.c.created_at < _SC.c.created_at,
            and_(earlier.c.created_at == _SC.c.created_at, earlier.c.id < _SC.c.id)),
    )
    joined, columns = _fact_of()
    facts = (
        select(
            literal("fact").label("entry"), _SC.c.id.label("id"), _SC.c.created_at.label("learned"), *columns,
            _SC.c.measure_id, _SC.c.origin, and_(_window(_M.c.created_at, start, now), first).label("new"),
            null().label("action"), null().label("change_id"), null().label("summary"),
            null().label("made_by"), null().label("reason"),
            _second(_SC.c.created_at, dialect).label("second"), _entry_id("fact/", _SC.c.id, dialect).label("key"),
        )
        .select_from(joined)
        .where(_window(_SC.c.created_at, start, now), _not_rejected(_SC))
    )
    about, columns = _fact_of()
    decisions = (
        select(
            literal("decision"), _D.c.id, _D.c.made_at, *columns, _D.c.measure_id, null(), null(),
            _D.c.action, _D.c.change_id, _D.c.summary, _D.c.made_by, _D.c.reason,
            _second(_D.c.made_at, dialect), _entry_id("decision/", _D.c.id, dialect),
        )
        .select_from(_D.outerjoin(about, _SC.c.id == func.coalesce(_D.c.change_id, _D.c.new_change_id)))
        .where(_window(_D.c.made_at, start, now), _D.c.action != "add")
    )
    both = union_all(facts, decisions).subquery()
    return select(both).order_by(both.c.second.desc(), both.c.key.desc())


def _from_row(row: Any) -> ChangeEntry:
    learned = row.learned.isoformat(timespec="seconds")
    found = row.fact_id is not None
    source = (row.url or row.path) if found else None
    published = row.published_date.isoformat() if found and row.published_date else None
    if row.entry == "fact":
        new = bool(row.new)
        return ChangeEntry(
            id=f"fact/{row.id}", learned=learned, type="new_measure" if new else "status_change", action=None,
            fact=row.id, measure=row.measure_id, subject=_subject(row),
            summary=("new measure: " if new else "") + _describe(row) + (" (manual)" if row.origin == "manual" else ""),
            quote=row.evidence, source=source, published=published,
        )
    return ChangeEntry(
        id=f"decision/{row.id}", learned=learned, type="decision", action=row.action, fact=row.change_id,
        measure=row.measure_id, subject=_subject(row) if found else None, summary=row.summary,
        quote=row.evidence if found else None, source=source, published=published, by=row.made_by,
        reason=row.reason,
    )


def stream(session: Session, since: dt.date, now: dt.datetime) -> Iterator[ChangeEntry]:
    """Everything learned from the start of ``since`` (UTC) to ``now``, newest first, read
    ``BATCH`` rows at a time as it is consumed (``collect`` in constant memory)."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    conn = session.connection()
    result = conn.execute(_query(conn.dialect.name, start, now).execution_options(yield_per=BATCH))
    for partition in result.partitions():
        for row in partition:
            yield _from_row(row)


def collect(session: Session, since: dt.date, now: dt.datetime) -> list[ChangeEntry]:
    """Everything learned from the start of ``since`` (UTC) to ``now``, newest first."""
    return list(stream(session, since, now))


# -- rendering -----------------------------------------------------------------------------------
#: the CSV columns, in the order of the JSON objects' keys
FIELDS = tuple(f.name for f in fields(ChangeEntry))


def record(e: ChangeEntry) -> dict[str, object]:
    """A change as an object (``dataclasses.asdict``, without its deep copies: every field
    is a plain value)."""
    return {name: getattr(e, name) for name in FIELDS}


def as_rows(entries: Iterable[ChangeEntry]) -> Iterator[dict[str, object]]:
    """One flat object per change (a CSV line, an NDJSON object): the JSON document's entries."""
    for e in entries:
        yield record(e)


def as_document(entries: Iterable[ChangeEntry], since: dt.date) -> dict[str, object]:
    """The JSON document: the window's first day and the changes, newest first (in memory;
    ``json_chunks`` writes the same text a change at a time)."""
    return {"since": since.isoformat(), "changes": [record(e) for e in entries]}


def json_chunks(entries: Iterable[ChangeEntry], since: dt.date) -> Iterator[str]:
    """``as_document`` as ``json.dumps(..., indent=2, ensure_ascii=False)`` writes it, a change
    at a time, and a newline."""
    import json

    from tracker.report.render import dumps_indented

    yield '{\n  "since": ' + json.dumps(since.isoformat()) + ',\n  "changes": ['
    first = True
    for e in entries:
        yield ("\n    " if first else ",\n    ") + dumps_indented(record(e), "    ")
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
