"""The review queue: the unreviewed facts that matter most first, and the interactive loop
``tracker review`` runs over it.

A fact matters more when its confidence is low, when it decides that a measure is in force on
the day asked about, and when it is its measure's only source.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import StatusChange
from tracker.report.report import SOURCE_FOR_EVIDENCE, status_report
from tracker.vocab import Origin


@dataclass(frozen=True)
class QueueItem:
    fact_id: int
    measure_id: int
    summary: str
    quote: str
    source: str | None
    published: str | None
    published_guessed: bool
    confidence: float
    in_force: bool
    sources: int
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact_id, "measure": self.measure_id, "summary": self.summary,
            "quote": self.quote, "source": self.source, "published": self.published,
            "published_guessed": self.published_guessed, "confidence": self.confidence,
            "in_force": self.in_force, "sources": self.sources, "score": round(self.score, 3),
        }


def review_queue(session: Session, as_of: dt.date, *, limit: int | None = None) -> list[QueueItem]:
    """Unreviewed extracted facts, the most important first (see the module docstring)."""
    from tracker.curate.decisions import describe, load_change

    deciding = {cid for row in status_report(session, as_of).rows for cid in row.state.change_ids}
    rows = list(
        session.scalars(
            select(StatusChange)
            .options(SOURCE_FOR_EVIDENCE)
            .where(StatusChange.review.is_(None), StatusChange.origin == Origin.EXTRACTED.value)
            .order_by(StatusChange.id)
        )
    )
    sources: dict[int, set[int | None]] = defaultdict(set)
    for sc in rows:
        sources[sc.measure_id].add(sc.source_id)
    scored = []
    for sc in rows:
        in_force = sc.id in deciding
        single = len(sources[sc.measure_id]) == 1
        score = (1.0 - sc.confidence) + (1.0 if in_force else 0.0) + (0.5 if single else 0.0)
        scored.append((score, sc, in_force))
    scored.sort(key=lambda t: (-t[0], t[1].id))
    items = []
    for score, sc, in_force in scored[:limit]:
        full = load_change(session, sc.id)
        source = full.source
        items.append(
            QueueItem(
                sc.id, sc.measure_id, describe(full), sc.evidence,
                (source.url or source.path) if source else None,
                source.published_date.isoformat() if source and source.published_date else None,
                bool(source and source.published_date and source.published_how == "inferred"),
                sc.confidence, in_force, len(sources[sc.measure_id]), score,
            )
        )
    return items


def interactive(tracker, items: list[QueueItem], *, by: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Ask about each item in a terminal (click.prompt): confirm, reject, correct, skip, quit."""
    import click

    from tracker.curate import decisions
    from tracker.dates import PartialDate
    from tracker.errors import TrackerError
    from tracker.vocab import MeasureKind, Status

    person = by or decisions.default_person()
    if not items:
        click.echo("Nothing to review.")
        return
    done = 0
    try:
        for n, item in enumerate(items, 1):
            click.echo("")
            click.echo(f"[{n}/{len(items)}] {item.summary}  (confidence {item.confidence:.2f}"
                       + (", in force" if item.in_force else "") + f", {item.sources} source"
                       + ("s" if item.sources != 1 else "") + ")")
            click.echo(f"    \u201c{item.quote}\u201d")
            pub = f", published {item.published}" + (" (guessed)" if item.published_guessed else "") if item.published else ""
            click.echo(f"    -- {item.source or '(no source)'}{pub}")
            key = click.prompt("  [c]onfirm, [r]eject, c[o]rrect, [s]kip, [q]uit",
                               type=click.Choice(["c", "r", "o", "s", "q"]), default="s", show_choices=False)
            if key == "q":
                break
            if key == "s":
                continue
            reason = click.prompt("  reason", default="", show_default=False) or None
            with tracker.sessions.begin() as session:
                now = tracker.clock()
                if key == "c":
                    result = decisions.confirm(session, item.fact_id, by=person, reason=reason, now=now)
                elif key == "r":
                    result = decisions.reject(session, item.fact_id, by=person, reason=reason, now=now)
                else:
                    def ask(label: str) -> str | None:
                        return click.prompt(f"  {label} (empty: keep)", default="", show_default=False) or None

                    status, date, end = ask("status"), ask("date"), ask("end date")
                    subject, kind, scope = ask("subject"), ask("kind"), ask("scope")
                    try:
                        correction = decisions.Correction(
                            status=Status(status) if status else None,
                            date=PartialDate.parse(date) if date else None,
                            end=PartialDate.parse(end) if end else None,
                            subject=subject, kind=MeasureKind(kind) if kind else None, scope=scope,
                        )
                        result = decisions.correct(session, item.fact_id, correction, by=person, reason=reason, now=now)
                    except (ValueError, TrackerError) as e:
                        session.rollback()
                        click.echo(f"  not corrected: {e}")
                        continue
            click.echo(f"  decision {result.decision_id}: {result.summary}")
            done += 1
    except click.Abort:  # Ctrl-C, or the input ended: the decisions made so far are kept
        click.echo("", err=True)
        click.echo(f"error: review stopped: {done} decision{'s' if done != 1 else ''} recorded", err=True)
        raise SystemExit(1) from None
    click.echo(f"\n{done} decision{'s' if done != 1 else ''} recorded.")
