"""The status report and a measure's history: reads the database, computes with ``status``.

The rows returned here are plain frozen records; ``render`` turns them into table, JSON or CSV.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from tracker.curate.rules import counting, is_reviewed
from tracker.data import Change
from tracker.dates import PartialDate
from tracker.errors import NotFoundError
from tracker.models import (
    Company,
    CompanyAlias,
    Measure,
    Product,
    Source,
    StatusChange,
)
from tracker.report.status import MeasureState, state_on, undated_state
from tracker.seeds import normalize_alias
from tracker.vocab import Precision, Status, SubjectType


@dataclass(frozen=True)
class Evidence:
    source: str | None
    published: str | None
    quote: str
    status: str
    date: str | None
    #: the source's publication date was guessed from its text
    published_guessed: bool = False


@dataclass(frozen=True)
class SubjectRef:
    type: SubjectType
    name: str
    ocd_id: str | None
    slug: str | None = None


@dataclass(frozen=True)
class MeasureRow:
    measure_id: int
    subject: SubjectRef
    kind: str
    scope: str
    title: str
    state: MeasureState
    evidence: tuple[Evidence, ...]
    #: a person confirmed or entered a fact that decides this status (tracker.curate)
    reviewed: bool = False
    #: the jurisdiction's level (state, county, place...; "company" for a company)
    level: str | None = None


@dataclass(frozen=True)
class StatusReport:
    as_of: dt.date
    rows: tuple[MeasureRow, ...]


@dataclass(frozen=True)
class HistoryEntry:
    change_id: int
    status: str
    date: str | None
    until: str | None
    open_ended: bool
    origin: str
    confidence: float
    evidence: Evidence
    #: a person's verdict: confirmed, rejected, corrected (None: not reviewed)
    review: str | None = None


@dataclass(frozen=True)
class MeasureHistory:
    row: MeasureRow
    entries: tuple[HistoryEntry, ...]


#: What evidence needs of a source: not its full text.
SOURCE_FOR_EVIDENCE = joinedload(StatusChange.source).load_only(
    Source.url, Source.path, Source.published_date, Source.published_how
)


def to_change(sc: StatusChange | Any) -> Change:
    """A status change (an ORM row, or a Core row with the same columns) as ``status`` sees it."""
    return Change(
        status=Status(sc.status),
        date=PartialDate(sc.effective_date, Precision(sc.precision)) if sc.effective_date else None,
        known_by=sc.known_by,
        end=PartialDate(sc.end_date, Precision(sc.end_precision or "day")) if sc.end_date else None,
        duration_months=sc.duration_months,
        duration_days=sc.duration_days,
        open_ended=bool(sc.open_ended),
        change_id=sc.id,
    )


def _source_label(source: Source | None) -> str | None:
    if source is None:
        return None
    return source.url or source.path


def _evidence(sc: StatusChange) -> Evidence:
    source = sc.source
    return Evidence(
        source=_source_label(source),
        published=source.published_date.isoformat() if source and source.published_date else None,
        quote=sc.evidence,
        status=sc.status,
        date=PartialDate(sc.effective_date, Precision(sc.precision)).iso() if sc.effective_date else None,
        published_guessed=bool(source and source.published_date and source.published_how == "inferred"),
    )


def _subject(measure: Measure) -> SubjectRef:
    if measure.jurisdiction is not None:
        j = measure.jurisdiction
        name = j.name if j.kind not in ("place", "county") or not j.state_code else f"{j.name}, {j.state_code}"
        return SubjectRef(SubjectType.JURISDICTION, name, j.ocd_id)
    assert measure.company is not None
    return SubjectRef(SubjectType.COMPANY, measure.company.name, None, measure.company.slug)


def find_jurisdictions(session: Session, name: str) -> list[int]:
    """The id of the jurisdiction a name means: a name, an alias, an OCD id, "Name, ST",
    "Name, Ore.", "MA", "Mass.", "City of Boston" (tracker.geography). Raises NotFoundError,
    or AmbiguousNameError listing the candidates."""
    from tracker.geography import resolve

    return [resolve(session, name).id]


def find_companies(session: Session, name: str) -> list[int]:
    """Company ids for a name, an alias, a slug or a product ("Rekognition")."""
    alias = normalize_alias(name)
    by_name = select(Company.id).outerjoin(CompanyAlias).where(
        (Company.slug == name.lower()) | (CompanyAlias.alias == alias)
    )
    products = [p.id for p in session.scalars(select(Product))if normalize_alias(p.name) == alias]
    by_product = select(Product.company_id).where(Product.id.in_(products))
    return sorted(set(session.scalars(by_name)) | set(session.scalars(by_product)))


def measures_query(session: Session, jurisdiction: str | None, company: str | None) -> Select[Any]:
    """The measures of a jurisdiction or a company given by name (all when neither is given),
    with their subjects loaded. Raises NotFoundError for a name that matches nothing."""
    query = select(Measure).options(
        joinedload(Measure.jurisdiction), joinedload(Measure.company)
    )
    if jurisdiction:
        jids = find_jurisdictions(session, jurisdiction)
        if not jids:
            raise NotFoundError(f"no jurisdiction is called {jurisdiction!r}")
        query = query.where(Measure.jurisdiction_id.in_(jids))
    if company:
        cids = find_companies(session, company)
        if not cids:
            raise NotFoundError(f"no company is called {company!r}")
        query = query.where(Measure.company_id.in_(cids))
    return query


def _load(
    session: Session,
    jurisdiction: str | None,
    company: str | None,
    ids: list[int] | None = None,
    jurisdiction_ids: list[int] | None = None,
):
    query = measures_query(session, jurisdiction, company)
    if ids is not None:
        query = query.where(Measure.id.in_(ids))
    if jurisdiction_ids is not None:
        query = query.where(Measure.jurisdiction_id.in_(jurisdiction_ids))
    measures = list(session.scalars(query.order_by(Measure.id)))
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    if measures:
        sc_query = (
            select(StatusChange)
            .options(SOURCE_FOR_EVIDENCE)
            .order_by(StatusChange.id)
        )
        if jurisdiction or company or ids is not None or jurisdiction_ids is not None:
            sc_query = sc_query.where(StatusChange.measure_id.in_([m.id for m in measures]))
        for sc in session.scalars(sc_query):
            changes[sc.measure_id].append(sc)
    return measures, changes


def _sort_key(row: MeasureRow) -> tuple:
    return (row.subject.type != SubjectType.JURISDICTION, row.subject.name, row.kind, row.scope)


def status_report(
    session: Session,
    as_of: dt.date,
    *,
    include_all: bool = False,
    jurisdiction: str | None = None,
    company: str | None = None,
    within: str | None = None,
    include_federal: bool = False,
    reviewed_only: bool = False,
    min_confidence: float | None = None,
) -> StatusReport:
    """The measures in force on ``as_of`` (with ``include_all``, every measure with a status
    then), each with the evidence for the status changes that decide it.

    ``within`` rolls up a jurisdiction with everything under it (``include_federal`` adds the
    national level); people's decisions apply (tracker.curate.rules), ``reviewed_only`` keeps
    only facts a person confirmed or entered, ``min_confidence`` those at or above a bar."""
    from tracker import geography
    from tracker.curate.rules import select_rows

    levels: dict[int, str] | None = None
    if within:
        place = geography.resolve(session, within)
        levels = geography.within(session, place, include_federal=include_federal)
    measures, changes = _load(
        session, jurisdiction, company, jurisdiction_ids=sorted(levels) if levels is not None else None
    )
    rows = []
    for measure in measures:
        mine = select_rows(
            changes.get(measure.id, []), reviewed_only=reviewed_only, min_confidence=min_confidence
        )
        state = state_on([to_change(sc) for sc in mine], as_of)
        if state is None and include_all:
            state = undated_state([to_change(sc) for sc in mine])
        if state is None or (not include_all and not state.in_force):
            continue
        used = set(state.change_ids)
        evidence = tuple(_evidence(sc) for sc in mine if sc.id in used)
        reviewed = any(is_reviewed(sc) for sc in mine if sc.id in used)
        level = measure.jurisdiction.kind if measure.jurisdiction is not None else "company"
        rows.append(
            MeasureRow(
                measure.id, _subject(measure), measure.kind, measure.scope, measure.title, state,
                evidence, reviewed, level,
            )
        )
    rows.sort(key=_sort_key)
    return StatusReport(as_of, tuple(rows))


def measure_history(session: Session, measure_id: int, as_of: dt.date) -> MeasureHistory:
    measures, changes = _load(session, None, None, [measure_id])
    if not measures:
        raise NotFoundError(f"no measure has id {measure_id}")
    measure = measures[0]
    everything = changes.get(measure.id, [])
    mine = counting(everything)
    state = state_on([to_change(sc) for sc in mine], as_of) or undated_state(
        [to_change(sc) for sc in mine]
    )
    if state is None:
        if everything:
            raise NotFoundError(
                f"measure {measure_id} has no fact that counts (all rejected or corrected); "
                "'tracker changes' and 'tracker sources show' list the decisions"
            )
        raise NotFoundError(f"measure {measure_id} has no status changes")
    entries = []
    # every fact, rejected and corrected ones too (marked): show is where a reviewer looks
    for sc in sorted(everything, key=lambda s: (s.effective_date or s.known_by or dt.date.max, s.id)):
        until = PartialDate(sc.end_date, Precision(sc.end_precision or "day")).iso() if sc.end_date else None
        entries.append(
            HistoryEntry(
                sc.id, sc.status, _evidence(sc).date, until, sc.open_ended, sc.origin,
                sc.confidence, _evidence(sc), sc.review,
            )
        )
    used = set(state.change_ids)
    row = MeasureRow(
        measure.id, _subject(measure), measure.kind, measure.scope, measure.title, state,
        tuple(_evidence(sc) for sc in sorted(mine, key=lambda s: (s.effective_date or s.known_by or dt.date.max, s.id))),
        any(is_reviewed(sc) for sc in mine if sc.id in used),
        measure.jurisdiction.kind if measure.jurisdiction is not None else "company",
    )
    return MeasureHistory(row, tuple(entries))
