"""``tracker changes`` selected in SQL and streamed prints, byte for byte, what the list built
from ORM objects printed (kept below as the reference), in every format, the Atom feed too, on
the sample corpus with people's decisions, with small keyset pages as with large ones."""

from __future__ import annotations

import datetime as dt
import textwrap
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from tracker import formats
from tracker.app import Tracker
from tracker.curate import changes
from tracker.curate.changes import ATOM, FIELDS, ChangeEntry, as_document, as_rows
from tracker.curate.decisions import describe, load_change, subject_name
from tracker.ingest import pipeline
from tracker.models import Decision, Measure, StatusChange

from ..report.test_timeline_stream import TODAY, curated_corpus, invoke


# -- the reference: the changes as they were collected before they were streamed -------------
def reference_collect(session, since: dt.date, now: dt.datetime) -> list[ChangeEntry]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    new_measures = set(session.scalars(select(Measure.id).where(Measure.created_at >= start, Measure.created_at <= now)))
    entries, first_of = [], {}
    ids = session.scalars(
        select(StatusChange.id).where(StatusChange.created_at >= start, StatusChange.created_at <= now)
        .order_by(StatusChange.created_at, StatusChange.id)
    ).all()
    for change_id in ids:
        sc = load_change(session, change_id)
        if sc.review == "rejected":
            continue
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
    for d in session.scalars(select(Decision).where(Decision.made_at >= start, Decision.made_at <= now)
                             .order_by(Decision.made_at, Decision.id)):
        if d.action == "add":
            continue
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
            action=d.action, fact=d.change_id, measure=d.measure_id, subject=subject, summary=d.summary,
            quote=quote, source=source, published=published, by=d.made_by, reason=d.reason,
        ))
    entries.sort(key=lambda e: (e.learned, e.id), reverse=True)
    return entries


def reference_table(entries, since, now, width=80) -> str:
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


def reference_atom(entries, since, now, feed_id) -> str:
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", "Facial-recognition policy tracker: what changed")
    sub(feed, "subtitle", f"What the tracker learned since {since.isoformat()}")
    sub(feed, "updated", (max((e.learned for e in entries), default=None) or now.isoformat(timespec="seconds")))
    sub(sub(feed, "author"), "name", "tracker")
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
        text = [e.summary] + ([f"Why: {e.reason}"] if e.reason else []) + ([f"\u201c{e.quote}\u201d"] if e.quote else [])
        if e.source:
            text.append(f"Source: {e.source}" + (f", published {e.published}" if e.published else ""))
        sub(entry, "content", "\n\n".join(text), type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def reference_output(entries, since, fmt) -> str:
    if fmt == "table":
        return reference_table(entries, since, TODAY) + "\n"
    if fmt == "json":
        return formats.to_json(as_document(entries, since)) + "\n"
    if fmt == "csv":
        return formats.csv_text(FIELDS, as_rows(entries))
    if fmt == "ndjson":
        return "".join(formats.ndjson_line(r) + "\n" for r in as_rows(entries))
    return reference_atom(entries, since, TODAY, "https://example.org/changes")


SINCE = {"7d": dt.date(2026, 11, 15), "2026-11-22": dt.date(2026, 11, 22), "2026-11-23": dt.date(2026, 11, 23)}


@pytest.mark.parametrize(("batch", "step"), [
    (2, dt.timedelta(0)),  # everything learned in the same second: ordered by id as text
    (500, dt.timedelta(seconds=7)),
])
def test_streamed_changes_print_what_the_collected_list_printed(db_url, monkeypatch, batch, step):
    monkeypatch.delenv("COLUMNS", raising=False)
    curated_corpus(db_url, monkeypatch, step=step)
    monkeypatch.setattr(changes, "BATCH", batch)  # many keyset pages, or one
    tracker = Tracker(db_url)
    kinds = set()
    for arg, since in SINCE.items():
        with tracker.sessions() as session:
            reference = reference_collect(session, since, TODAY)
        kinds |= {(e.type, e.action) for e in reference}
        for fmt in ("table", "json", "csv", "ndjson", "atom"):
            printed = invoke(db_url, "changes", "--since", arg, "--format", fmt, "--feed-id", "https://example.org/changes")
            assert printed == reference_output(reference, since, fmt), (arg, fmt)
    # every kind of entry was compared: new measures, facts, and each decision but 'add'
    assert kinds >= {("new_measure", None), ("status_change", None), ("decision", "reject"),
                     ("decision", "confirm"), ("decision", "correct")}


def test_windows_that_start_after_some_facts_were_learned(db_url, monkeypatch):
    """Facts learned over several days: a window that starts on a later day lists a measure
    learned before it as no new measure, and leaves out what came after its end."""
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 5)  # a clock reading per batch: several days of batches
    curated_corpus(db_url, monkeypatch, step=dt.timedelta(hours=5))
    tracker = Tracker(db_url)
    with tracker.sessions() as session:
        learned = sorted(session.scalars(select(StatusChange.created_at)))
    days = sorted({t.date() for t in learned})
    assert len(days) >= 3
    compared = set()
    for since in days:
        for now in (learned[len(learned) // 2], learned[-1]):
            with tracker.sessions() as session:
                streamed = list(changes.stream(session, since, now))
                assert streamed == reference_collect(session, since, now)
            compared |= {(since, e.type) for e in streamed}
    assert (days[-1], "status_change") in compared and (days[0], "new_measure") in compared
