"""The small frozen records that pass between stages (fetch, parse, extract, store, status)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tracker.dates import PartialDate
from tracker.vocab import DateSource, MeasureKind, Status, SubjectType


@dataclass(frozen=True)
class Article:
    """A parsed article, ready for extraction: what ``parse`` makes and ``store`` keeps."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    published_how: DateSource = DateSource.UNKNOWN
    url: str | None = None
    path: str | None = None
    publisher: str | None = None
    feed_id: int | None = None
    entry_id: str | None = None
    #: The character encoding its bytes were read in (utf-8, windows-1252...); None: given as text.
    encoding: str | None = None


@dataclass(frozen=True)
class Subject:
    """Who a measure binds: a jurisdiction (key = OCD id) or a company (key = slug)."""

    type: SubjectType
    key: str
    name: str

    @property
    def label(self) -> str:
        return self.key if self.type is SubjectType.JURISDICTION else f"company:{self.key}"


@dataclass(frozen=True)
class Fact:
    """One extracted status change: a subject's measure changed status, on a date, says who."""

    subject: Subject
    kind: MeasureKind
    scope: str
    status: Status
    date: PartialDate | None
    evidence: str
    end: PartialDate | None = None
    duration_days: int | None = None
    duration_months: int | None = None
    open_ended: bool = False
    confidence: float = 0.8
    title: str | None = None


@dataclass(frozen=True)
class Change:
    """A stored status change as the status computation sees it."""

    status: Status
    date: PartialDate | None
    known_by: dt.date | None = None
    end: PartialDate | None = None
    duration_months: int | None = None
    duration_days: int | None = None
    open_ended: bool = False
    change_id: int | None = None


@dataclass(frozen=True)
class SourceOutcome:
    """What ingesting one source did."""

    where: str
    result: str  # "new", "duplicate", "updated" or "failed"
    facts: int = 0
    error: str | None = None
    source_id: int | None = None


@dataclass
class IngestSummary:
    new: int = 0
    duplicate: int = 0
    updated: int = 0
    failed: int = 0
    facts: int = 0
    outcomes: list[SourceOutcome] = field(default_factory=list)

    def add(self, outcome: SourceOutcome) -> None:
        self.outcomes.append(outcome)
        setattr(self, outcome.result, getattr(self, outcome.result) + 1)
        self.facts += outcome.facts

    def as_dict(self) -> dict[str, object]:
        return {
            "new": self.new,
            "duplicate": self.duplicate,
            "updated": self.updated,
            "failed": self.failed,
            "facts": self.facts,
            "errors": [
                {"source": o.where, "error": o.error} for o in self.outcomes if o.error
            ],
        }
