"""Evaluation against a hand-labelled corpus: precision and recall of the extracted status
changes, and of the ``status --all`` report on the corpus's check dates.

The corpus is a folder of articles and a JSON file of expected facts (``seeds/evaluation.json``
describes the format). Dates match when equal or when one is the other cut to a coarser
precision ("2020" and "2020-10"); enacted and in_force count as the same class.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from tracker.dates import PartialDate
from tracker.evaluate.calibrate import Bucket, Rates, calibration, high_confidence
from tracker.models import Company, Jurisdiction, Measure, Source, StatusChange
from tracker.vocab import Precision

_START = {"enacted", "in_force"}


@dataclass(frozen=True)
class Item:
    article: str
    subject: str
    status: str
    date: str | None
    kind: str
    scope: str
    confidence: float | None = None

    @property
    def status_class(self) -> str:
        return "start" if self.status in _START else self.status


@dataclass
class Score(Rates):
    expected: int = 0
    found: int = 0  # expected items matched
    extracted: int = 0
    correct: int = 0  # extracted items matched
    misses: list[Item] = field(default_factory=list)
    extras: list[Item] = field(default_factory=list)


@dataclass
class StatusScore:
    as_of: str
    expected_in_force: int
    found_in_force: int
    false_in_force: list[str]
    missing: list[str]
    unlisted_in_force: list[str]


@dataclass
class Evaluation:
    facts: Score
    kinds_right: int
    status: list[StatusScore]
    buckets: list[Bucket] = field(default_factory=list)
    high: Bucket | None = None

    def as_dict(self) -> dict[str, object]:
        expected = sum(s.expected_in_force for s in self.status)
        found = sum(s.found_in_force for s in self.status)
        return {
            "facts": {
                "expected": self.facts.expected, "found": self.facts.found,
                "extracted": self.facts.extracted, "correct": self.facts.correct,
                "recall": round(self.facts.recall, 3), "precision": round(self.facts.precision, 3),
                "kind_right_among_found": self.kinds_right,
            },
            "status": {
                "dates": len(self.status), "expected_in_force": expected, "found_in_force": found,
                "recall": round(found / expected, 3) if expected else 1.0,
                "false_in_force": sum(len(s.false_in_force) for s in self.status),
                "by_date": [s.__dict__ for s in self.status],
            },
            "calibration": [b.as_dict() for b in self.buckets],
            "confident": self.high.as_dict() if self.high else None,
            "misses": [i.__dict__ for i in self.facts.misses],
            "extras": [i.__dict__ for i in self.facts.extras],
        }


def _dates_match(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.startswith(b) or b.startswith(a)


def _match(a: Item, b: Item) -> bool:
    return a.subject == b.subject and a.status_class == b.status_class and _dates_match(a.date, b.date)


def _extracted(tracker) -> list[Item]:  # type: ignore[no-untyped-def]
    items = []
    with tracker.sessions() as session:
        rows = session.execute(
            select(StatusChange, Measure, Source, Jurisdiction.ocd_id, Company.slug)
            .join(Measure, StatusChange.measure_id == Measure.id)
            .join(Source, StatusChange.source_id == Source.id)
            .outerjoin(Jurisdiction, Measure.jurisdiction_id == Jurisdiction.id)
            .outerjoin(Company, Measure.company_id == Company.id)
        )
        for sc, measure, source, ocd_id, slug in rows:
            date = None
            if sc.effective_date:
                date = PartialDate(sc.effective_date, Precision(sc.precision)).iso()
            items.append(Item(Path(source.path or "").name, ocd_id or f"company:{slug}", sc.status, date, measure.kind, measure.scope, sc.confidence))
    return items


def evaluate(
    articles: Path,
    expected_file: Path,
    make_tracker: Callable[[str], object],
) -> Evaluation:
    """Ingest ``articles`` into a new SQLite database and score it against ``expected_file``."""
    expected_data = json.loads(expected_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        tracker = make_tracker(f"sqlite:///{Path(tmp) / 'evaluate.sqlite'}")
        try:
            tracker.ingest([str(articles)])  # type: ignore[attr-defined]
            got = _extracted(tracker)
            status_scores = [_check(tracker, check) for check in expected_data.get("status_checks", [])]
        finally:
            tracker.close()  # type: ignore[attr-defined]
    expected = [
        Item(name, f["subject"], f["status"], f.get("date"), f["kind"], f["scope"])
        for name, entry in expected_data["articles"].items()
        for f in entry["facts"]
    ]
    score = Score(expected=len(expected), extracted=len(got))
    kinds_right = 0
    unmatched = list(got)
    for item in expected:
        hit = next((g for g in unmatched if g.article == item.article and _match(g, item)), None)
        if hit is None:
            score.misses.append(item)
            continue
        score.found += 1
        kinds_right += hit.kind == item.kind
        unmatched.remove(hit)
    scored = []
    for g in got:
        right = any(e.article == g.article and _match(g, e) for e in expected)
        score.correct += right
        if not right:
            score.extras.append(g)
        scored.append((g.confidence or 0.0, right))
    return Evaluation(score, kinds_right, status_scores, calibration(scored), high_confidence(scored))


def _check(tracker, check: dict) -> StatusScore:  # type: ignore[no-untyped-def]
    as_of = dt.date.fromisoformat(check["as_of"])
    report = tracker.status(as_of, include_all=True)
    in_force = set()
    for row in report.rows:
        if row.state.in_force:
            label = row.subject.ocd_id or f"company:{row.subject.slug}"
            in_force.add((label, row.kind))
    want = {(i["subject"], i["kind"]) for i in check.get("in_force", [])}
    not_want = {(i["subject"], i["kind"]) for i in check.get("not_in_force", [])}
    found = want & in_force
    false = sorted(f"{s} {k}" for s, k in in_force & not_want)
    unlisted = sorted(f"{s} {k}" for s, k in in_force - want - not_want)
    missing = sorted(f"{s} {k}" for s, k in want - in_force)
    return StatusScore(check["as_of"], len(want), len(found), false, missing, unlisted)
