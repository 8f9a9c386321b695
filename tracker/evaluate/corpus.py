"""Evaluation on a labelled corpus in the shared format: a folder with ``labels.jsonl``, one
line per source. Articles are keyed by ``path`` (a file in the folder), feed items by ``link``
(an item of an RSS or Atom file in the folder). Each line lists the ``facts`` the source states
and, for articles, ``negatives`` a careful reader must not report.

Figures, all in a temporary database the sources are ingested into:

- facts: precision and recall, a fact matching a label on its subject (OCD id, or company
  name) and event class (start = enacted, effective, in force or extended; proposal; fail;
  end = repealed, expired or suspended). A label whose note begins "optional" need not be
  found, and is no false fact when it is;
- dates: of the matched facts, how many agree at the coarser of the two precisions ("2020" and
  "2020-06" agree; a label dated only by the publication date agrees with an undated fact);
- in force: subject-level precision and recall of ``status --all`` on check dates (the day
  after each labelled date's period, and the day after the last publication), against what the
  labels put in force on those dates;
- calibration: how often the extracted facts are right, by confidence bucket.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from tracker.data import Article, Change
from tracker.dates import PartialDate
from tracker.errors import InputError
from tracker.evaluate.calibrate import Bucket, Rates, calibration, high_confidence
from tracker.report.status import state_on, undated_state
from tracker.vocab import DateSource, Status

LABELS = "labels.jsonl"
FEED_SUFFIXES = (".xml", ".rss", ".atom")

#: event -> class
CLASSES = {
    "enacted": "start", "effective": "start", "in_force": "start", "extended": "start",
    "proposed": "proposal", "failed": "fail",
    "repealed": "end", "expired": "end", "suspended": "end",
}
#: a label's event as a stored status
_STATUS = {"effective": Status.IN_FORCE}


@dataclass(frozen=True)
class Fact:
    """A labelled or an extracted fact, reduced to what is scored."""

    source: str
    subject: str  # an OCD id, or "company:<name in lower case>"
    name: str
    event: str
    kind: str
    date: str | None
    date_is_publication: bool = False
    optional: bool = False
    confidence: float | None = None
    evidence: str = ""

    @property
    def cls(self) -> str:
        return CLASSES.get(self.event, self.event)

    def label(self) -> str:
        conf = f" [{self.confidence:.2f}]" if self.confidence is not None else ""
        return f"{self.source}: {self.name} {self.kind} {self.event} {self.date or 'undated'}{conf}"


@dataclass
class CorpusEvaluation(Rates):
    corpus: str
    sources: int
    expected: int = 0  # required labelled facts
    found: int = 0
    extracted: int = 0
    correct: int = 0
    dates_right: int = 0
    in_force_expected: int = 0
    in_force_claimed: int = 0
    in_force_right: int = 0
    check_dates: list[str] = field(default_factory=list)
    misses: list[Fact] = field(default_factory=list)
    false_facts: list[Fact] = field(default_factory=list)
    wrong_dates: list[tuple[Fact, Fact]] = field(default_factory=list)
    in_force_errors: list[str] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    high: Bucket | None = None

    @property
    def date_agreement(self) -> float:
        return self.dates_right / self.found if self.found else 1.0

    @property
    def in_force_recall(self) -> float:
        return self.in_force_right / self.in_force_expected if self.in_force_expected else 1.0

    @property
    def in_force_precision(self) -> float:
        return self.in_force_right / self.in_force_claimed if self.in_force_claimed else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "corpus": self.corpus,
            "sources": self.sources,
            "facts": {
                "expected": self.expected, "found": self.found, "extracted": self.extracted,
                "correct": self.correct, "recall": round(self.recall, 3),
                "precision": round(self.precision, 3),
            },
            "dates": {"matched": self.found, "agree": self.dates_right, "agreement": round(self.date_agreement, 3)},
            "in_force": {
                "check_dates": len(self.check_dates), "expected": self.in_force_expected,
                "claimed": self.in_force_claimed, "right": self.in_force_right,
                "recall": round(self.in_force_recall, 3), "precision": round(self.in_force_precision, 3),
            },
            "calibration": [b.as_dict() for b in self.buckets],
            "confident": self.high.as_dict() if self.high else None,
            "misses": [f.label() for f in self.misses],
            "false_facts": [f.label() for f in self.false_facts],
            "wrong_dates": [f"{got.label()} (labelled {want.date or 'undated'})" for want, got in self.wrong_dates],
            "in_force_errors": self.in_force_errors,
        }


def is_corpus(folder: Path) -> bool:
    return (folder / LABELS).is_file()


def _subject_key(ocd_id: str | None, name: str) -> str:
    return ocd_id if ocd_id else f"company:{name.strip().lower()}"


def load(folder: Path) -> tuple[list[dict], dict[str, Article]]:
    """The label lines of a corpus and the article each one labels, by key (path or link).

    Raises:
        InputError: no labels file, a bad line, or a labelled source that is not there.
    """
    labels_file = folder / LABELS
    if not labels_file.is_file():
        raise InputError(str(folder), f"no {LABELS} in this folder")
    lines = []
    for number, raw in enumerate(labels_file.read_text(encoding="utf-8").splitlines(), 1):
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except ValueError as e:
                raise InputError(str(labels_file), f"line {number} is not JSON ({e})") from e
    articles: dict[str, Article] = {}
    if any("link" in line for line in lines):
        articles.update(_feed_items(folder))
    from tracker.ingest.pipeline import read_source

    for line in lines:
        if "path" in line:
            articles[line["path"]] = read_source(str(folder / line["path"]), None)
    for line in lines:
        key = line.get("path") or line.get("link")
        if key not in articles:
            raise InputError(str(labels_file), f"labelled source {key!r} is not in the folder")
    return lines, articles


def _feed_items(folder: Path) -> dict[str, Article]:
    from tracker.feeds.feedparse import parse_feed

    items: dict[str, Article] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FEED_SUFFIXES:
            continue
        data = parse_feed(path.read_bytes(), str(path))
        for entry in data.entries:
            if entry.link:
                items[entry.link] = Article(
                    text=entry.text, title=entry.title, published=entry.published,
                    published_how=DateSource.METADATA if entry.published else DateSource.UNKNOWN,
                    url=entry.link, publisher=data.title, entry_id=entry.entry_id,
                )
    return items


def _labelled(lines: list[dict]) -> list[Fact]:
    facts = []
    for line in lines:
        key = line.get("path") or line.get("link")
        for f in line.get("facts", []):
            facts.append(Fact(
                key, _subject_key(f.get("ocd_id"), f["subject"]), f["subject"], f["event"], f["kind"],
                f.get("date"), bool(f.get("date_is_publication")),
                optional=(f.get("note") or "").lower().startswith("optional"), evidence=f.get("evidence", ""),
            ))
    return facts


def _extracted(tracker, source_keys: dict[int, list[str]]) -> list[Fact]:  # type: ignore[no-untyped-def]
    from tracker.models import Company, Jurisdiction, Measure, StatusChange
    from tracker.vocab import Precision

    out = []
    with tracker.sessions() as session:
        rows = session.execute(
            select(StatusChange, Measure.kind, Jurisdiction.ocd_id, Jurisdiction.name, Company.name)
            .join(Measure, StatusChange.measure_id == Measure.id)
            .outerjoin(Jurisdiction, Measure.jurisdiction_id == Jurisdiction.id)
            .outerjoin(Company, Measure.company_id == Company.id)
        )
        for sc, kind, ocd_id, jname, cname in rows:
            date = PartialDate(sc.effective_date, Precision(sc.precision)).iso() if sc.effective_date else None
            for key in source_keys.get(sc.source_id, []):
                out.append(Fact(key, _subject_key(ocd_id, cname or ""), jname or cname or "?", sc.status, kind,
                                date, confidence=sc.confidence, evidence=sc.evidence or ""))
    return out


def _dates_agree(want: Fact, got: Fact) -> bool:
    if want.date_is_publication and got.date is None:
        return True
    if want.date is None or got.date is None:
        return want.date is None and got.date is None
    return want.date.startswith(got.date) or got.date.startswith(want.date)


def score_facts(result: CorpusEvaluation, labelled: list[Fact], extracted: list[Fact]) -> list[tuple[float, bool]]:
    """Fill the fact and date figures; return (confidence, right?) per extracted fact."""
    by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for f in labelled:
        by_key[(f.source, f.subject, f.cls)].append(f)
    got_by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for g in extracted:
        got_by_key[(g.source, g.subject, g.cls)].append(g)
    for key, wants in by_key.items():
        gots = got_by_key.get(key, [])
        for want in wants:
            if want.optional:
                continue
            result.expected += 1
            if not gots:
                result.misses.append(want)
                continue
            result.found += 1
            if any(_dates_agree(want, g) for g in gots):
                result.dates_right += 1
            else:
                result.wrong_dates.append((want, gots[0]))
    scored = []
    for g in extracted:
        right = (g.source, g.subject, g.cls) in by_key
        result.extracted += 1
        result.correct += right
        if not right:
            result.false_facts.append(g)
        scored.append((g.confidence or 0.0, right))
    return scored


def _expected_in_force(labelled: list[Fact], published: dict[str, str | None]) -> Callable[[dt.date], set[str]]:
    measures: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for f in labelled:
        if f.optional:
            continue
        known = published.get(f.source)
        measures[(f.subject, f.kind)].append(Change(
            _STATUS.get(f.event, Status(f.event)),
            PartialDate.parse(f.date) if f.date else None,
            known_by=dt.date.fromisoformat(known) if known else None,
        ))

    def on(day: dt.date) -> set[str]:
        subjects = set()
        for (subject, _kind), changes in measures.items():
            state = state_on(changes, day) or undated_state(changes)
            if state is not None and state.in_force:
                subjects.add(subject)
        return subjects

    return on


def _check_dates(labelled: list[Fact], published: dict[str, str | None]) -> list[dt.date]:
    days = set()
    for f in labelled:
        if f.date:
            days.add(PartialDate.parse(f.date).last + dt.timedelta(days=1))
    known = [p for p in published.values() if p]
    if known:
        days.add(dt.date.fromisoformat(max(known)) + dt.timedelta(days=1))
    return sorted(days)


def evaluate_corpus(folder: Path, make_tracker: Callable[[str], object]) -> CorpusEvaluation:
    """Ingest a labelled corpus into a new SQLite database and score extraction on it."""
    lines, articles = load(folder)
    result = CorpusEvaluation(str(folder), len(lines))
    published = {(line.get("path") or line.get("link")): line.get("published") for line in lines}
    labelled = _labelled(lines)
    with tempfile.TemporaryDirectory() as tmp:
        tracker = make_tracker(f"sqlite:///{Path(tmp) / 'evaluate.sqlite'}")
        try:
            source_keys: dict[int, list[str]] = defaultdict(list)
            for line in lines:
                key = line.get("path") or line.get("link")
                outcome = tracker.ingest_article(articles[key], key)  # type: ignore[attr-defined]
                if outcome.source_id is not None:
                    source_keys[outcome.source_id].append(key)
            extracted = _extracted(tracker, source_keys)
            days = _check_dates(labelled, published)
            expected_on = _expected_in_force(labelled, published)
            for day in days:
                report = tracker.status(day, include_all=True)  # type: ignore[attr-defined]
                claimed = {
                    _subject_key(row.subject.ocd_id, row.subject.name) for row in report.rows if row.state.in_force
                }
                want = expected_on(day)
                result.in_force_expected += len(want)
                result.in_force_claimed += len(claimed)
                result.in_force_right += len(want & claimed)
                result.in_force_errors.extend(f"{day}: false in force {s}" for s in sorted(claimed - want))
                result.in_force_errors.extend(f"{day}: missing {s}" for s in sorted(want - claimed))
        finally:
            tracker.close()  # type: ignore[attr-defined]
    result.check_dates = [d.isoformat() for d in days]
    scored = score_facts(result, labelled, extracted)
    result.buckets = calibration(scored)
    result.high = high_confidence(scored)
    return result
