"""The status report and a measure's history: reads the database, computes with ``status``.

The rows returned here are plain frozen records; ``render`` turns them into table, JSON or CSV.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.curate.rules import CONFIRMED, counting, is_reviewed
from tracker.data import Change
from tracker.dates import PartialDate
from tracker.errors import NotFoundError
from tracker.models import (
    Company,
    CompanyAlias,
    Jurisdiction,
    Measure,
    MeasureEvidence,
    MeasurePeriod,
    Product,
    Source,
    StatusChange,
)
from tracker.report.status import MeasureState, state_on, undated_state
from tracker.seeds import normalize_alias
from tracker.vocab import Origin, Precision, ReportStatus, Status, SubjectType


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


def __getattr__(name: str) -> Any:
    """``SOURCE_FOR_EVIDENCE``, what evidence needs of a source (not its full text), made on
    first use: building a loader option configures every ORM mapper (20 ms), which the Core
    reads of ``status`` and ``show`` never need."""
    if name == "SOURCE_FOR_EVIDENCE":
        option = joinedload(StatusChange.source).load_only(
            Source.url, Source.path, Source.published_date, Source.published_how
        )
        globals()[name] = option
        return option
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
            .options(__getattr__("SOURCE_FOR_EVIDENCE"))
            .order_by(StatusChange.id)
        )
        if jurisdiction or company or ids is not None or jurisdiction_ids is not None:
            sc_query = sc_query.where(StatusChange.measure_id.in_([m.id for m in measures]))
        for sc in session.scalars(sc_query):
            changes[sc.measure_id].append(sc)
    return measures, changes


def _sort_key(row: MeasureRow) -> tuple:
    return (row.subject.type != SubjectType.JURISDICTION, row.subject.name, row.kind, row.scope)


def python_status_report(
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
    """``status_report`` computed in Python from the stored changes (``status.state_on``): the
    path of ``--reviewed`` and ``--min-confidence``, which change which facts count, so the
    periods cache (computed from every counting fact) cannot answer them. The reference the
    cache is tested against.

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



# -- reports from the cache -------------------------------------------------------------------
# The status a report gives is read from ``measure_periods`` and its evidence from
# ``measure_evidence`` (both kept by ``tracker.report.periods``, from the facts that count once
# people's decisions apply), with Core statements: rows are streamed one measure at a time, and
# evidence is fetched in batches for the measures returned only, so memory stays flat whatever
# the size of the database.
_M = Measure.__table__
_J = Jurisdiction.__table__
_C = Company.__table__
_P = MeasurePeriod.__table__
_E = MeasureEvidence.__table__
_SC = StatusChange.__table__
_SRC = Source.__table__
#: measures per evidence query
BATCH = 500


def _subject_name(dialect: str) -> Any:
    """The subject's name as ``_subject`` writes it, in SQL, sorting as Python sorts strings."""
    local = and_(_J.c.kind.in_(("place", "county")), _J.c.state_code.is_not(None), _J.c.state_code != "")
    name = case(
        (_M.c.jurisdiction_id.is_(None), _C.c.name),
        (local, _J.c.name + literal(", ") + _J.c.state_code),
        else_=_J.c.name,
    )
    return name.collate("C") if dialect == "postgresql" else name


def _measure_columns(dialect: str) -> list[Any]:
    """A measure and its subject; the subject's name is labelled ``subject_name``, the
    jurisdiction's kind ``level``."""
    return [
        _M.c.id, _M.c.kind, _M.c.scope, _M.c.title, _M.c.jurisdiction_id,
        _subject_name(dialect).label("subject_name"), _J.c.ocd_id, _C.c.slug, _J.c.kind.label("level"),
    ]


def _partial(day: dt.date | None, precision: str | None) -> PartialDate | None:
    return PartialDate(day, Precision(precision or "day")) if day is not None else None


def _subject_ref(row: Any) -> SubjectRef:
    if row.jurisdiction_id is not None:
        return SubjectRef(SubjectType.JURISDICTION, row.subject_name, row.ocd_id)
    return SubjectRef(SubjectType.COMPANY, row.subject_name, None, row.slug)


def _cut(day: dt.date | None, precision: str | None) -> str | None:
    """``PartialDate(day, precision).iso()``, without building one."""
    if day is None:
        return None
    iso = day.isoformat()
    if precision in (None, "day"):
        return iso
    return iso[:7] if precision in ("month", "quarter") else iso[:4]


_EVIDENCE_COLUMNS = (
    _SC.c.id, _SC.c.measure_id, _SC.c.status, _SC.c.effective_date, _SC.c.precision, _SC.c.evidence,
    _SRC.c.url, _SRC.c.path, _SRC.c.published_date, _SRC.c.published_how, _SC.c.origin, _SC.c.review,
)


def _evidence_row(row: Any) -> Evidence:
    """Evidence from a row of ``_EVIDENCE_COLUMNS`` (by position: this runs once per entry)."""
    published = row[8]
    return Evidence(
        source=row[6] or row[7],
        published=published.isoformat() if published else None,
        quote=row[5],
        status=row[2],
        date=_cut(row[3], row[4]),
        published_guessed=published is not None and row[9] == "inferred",
    )


def _row_reviewed(row: Any) -> bool:
    """``curate.rules.is_reviewed`` for a row of ``_EVIDENCE_COLUMNS``."""
    return row[10] == Origin.MANUAL.value or row[11] == CONFIRMED


def _counts_by(as_of: dt.date) -> Any:
    return or_(_E.c.counts_from.is_(None), _E.c.counts_from <= as_of)


def _evidence_for(conn: Connection, ids: list[int], as_of: dt.date) -> dict[int, list[Any]]:
    """The evidence rows for the status of the measures ``ids`` on ``as_of``: the changes
    ``measure_evidence`` says count by then, in change order."""
    query = (
        select(*_EVIDENCE_COLUMNS)
        .select_from(_E.join(_SC, _SC.c.id == _E.c.change_id).outerjoin(_SRC, _SRC.c.id == _SC.c.source_id))
        .where(_E.c.measure_id.in_(ids), _counts_by(as_of))
        .order_by(_E.c.measure_id, _SC.c.id)
    )
    found: dict[int, list[Any]] = defaultdict(list)
    for row in conn.execute(query).all():  # fetched at once: a batch's rows, not row by row
        found[row[1]].append(row)
    return found


def _on(as_of: dt.date) -> Any:
    """The period that contains ``as_of``."""
    return and_(
        or_(_P.c.start_date.is_(None), _P.c.start_date <= as_of),
        or_(_P.c.end_date.is_(None), _P.c.end_date > as_of),
    )


_PERIOD_COLUMNS = (
    _P.c.status, _P.c.since_date, _P.c.since_precision, _P.c.until_date, _P.c.until_precision,
    _P.c.uncertain, _P.c.known_by, _P.c.effective_assumed, _P.c.in_force_from_date,
    _P.c.in_force_from_precision,
)


def _state(period: Any, change_ids: tuple[int, ...]) -> MeasureState:
    return MeasureState(
        ReportStatus(period.status), _partial(period.since_date, period.since_precision),
        _partial(period.until_date, period.until_precision), bool(period.uncertain), change_ids,
        period.known_by, bool(period.effective_assumed),
        _partial(period.in_force_from_date, period.in_force_from_precision),
    )


def _status_query(conn: Connection, as_of: dt.date, include_all: bool, where: list[Any]) -> Select[Any]:
    dialect = conn.dialect.name
    measure = _measure_columns(dialect)
    query = (
        select(*measure, *_PERIOD_COLUMNS)
        .select_from(
            _P.join(_M, _M.c.id == _P.c.measure_id)
            .outerjoin(_J, _J.c.id == _M.c.jurisdiction_id)
            .outerjoin(_C, _C.c.id == _M.c.company_id)
        )
        .where(_on(as_of), *where)
    )
    if not include_all:
        query = query.where(_P.c.status == ReportStatus.IN_FORCE.value, _P.c.start_date.is_not(None))
    kind, scope = (_M.c.kind, _M.c.scope) if dialect != "postgresql" else (_M.c.kind.collate("C"), _M.c.scope.collate("C"))
    # the report's order: jurisdictions first, then by name (as Python compares strings: code
    # points, hence C collation on PostgreSQL), kind and scope; ties in measure order
    return query.order_by(_M.c.jurisdiction_id.is_(None), measure[5], kind, scope, _M.c.id)


def _rows(conn: Connection, query: Select[Any], as_of: dt.date) -> Iterator[MeasureRow]:
    # yield_per on the statement: on the connection it would stay (SQLAlchemy 2 sets it in
    # place) and make every later statement a server-side cursor on PostgreSQL
    result = conn.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        evidence = _evidence_for(conn, [r.id for r in batch], as_of)
        for r in batch:
            found = evidence.get(r.id, ())
            yield MeasureRow(
                r.id, _subject_ref(r), r.kind, r.scope, r.title,
                _state(r, tuple(e[0] for e in found)), tuple(_evidence_row(e) for e in found),
                any(_row_reviewed(e) for e in found), r.level or "company",
            )


def subject_filter(
    session: Session, jurisdiction: str | None, company: str | None, within: str | None, include_federal: bool
) -> list[Any]:
    """WHERE clauses for ``--within``, ``--jurisdiction`` and ``--company``, checked in the
    order ``python_status_report`` checks them (NotFoundError, AmbiguousNameError)."""
    from tracker import geography

    where = []
    if within:
        place = geography.resolve(session, within)
        where.append(_M.c.jurisdiction_id.in_(sorted(geography.within(session, place, include_federal=include_federal))))
    if jurisdiction:
        jids = find_jurisdictions(session, jurisdiction)
        if not jids:
            raise NotFoundError(f"no jurisdiction is called {jurisdiction!r}")
        where.append(_M.c.jurisdiction_id.in_(jids))
    if company:
        cids = find_companies(session, company)
        if not cids:
            raise NotFoundError(f"no company is called {company!r}")
        where.append(_M.c.company_id.in_(cids))
    return where


def status_rows(
    session: Session,
    as_of: dt.date,
    *,
    include_all: bool = False,
    jurisdiction: str | None = None,
    company: str | None = None,
    within: str | None = None,
    include_federal: bool = False,
) -> Iterator[MeasureRow]:
    """The rows of the status report (``status_report``), read from the periods cache and
    streamed in report order. The names are looked up before this returns, so a bad name
    fails before any output.

    Raises:
        NotFoundError: no jurisdiction or company has that name; AmbiguousNameError.
    """
    where = subject_filter(session, jurisdiction, company, within, include_federal)
    conn = session.connection()
    return _rows(conn, _status_query(conn, as_of, include_all, where), as_of)


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
    then), each with the evidence for the status changes that decide it, in memory.

    ``within`` rolls up a jurisdiction with everything under it (``include_federal`` adds the
    national level); people's decisions apply (tracker.curate.rules). Read from the periods
    cache (``status_rows``), but for ``reviewed_only`` (only facts a person confirmed or
    entered) and ``min_confidence`` (those at or above a bar), which change which facts count:
    those are computed in Python (``python_status_report``)."""
    if reviewed_only or min_confidence is not None:
        return python_status_report(
            session, as_of, include_all=include_all, jurisdiction=jurisdiction, company=company,
            within=within, include_federal=include_federal, reviewed_only=reviewed_only,
            min_confidence=min_confidence,
        )
    rows = status_rows(
        session, as_of, include_all=include_all, jurisdiction=jurisdiction, company=company,
        within=within, include_federal=include_federal,
    )
    return StatusReport(as_of, tuple(rows))


def _history_key(sc: Any) -> tuple[dt.date, int]:
    return (sc.effective_date or sc.known_by or dt.date.max, sc.id)


def measure_history(session: Session, measure_id: int, as_of: dt.date) -> MeasureHistory:
    """A measure's status on ``as_of`` (from the periods cache) and every one of its status
    changes with its evidence, oldest first (rejected and corrected ones too, marked: ``show``
    is where a reviewer looks).

    Raises:
        NotFoundError: no measure has that id, or it has no status on that day.
    """
    conn = session.connection()
    measure = conn.execute(
        select(*_measure_columns(conn.dialect.name))
        .select_from(_M.outerjoin(_J, _J.c.id == _M.c.jurisdiction_id).outerjoin(_C, _C.c.id == _M.c.company_id))
        .where(_M.c.id == measure_id)
    ).first()
    if measure is None:
        raise NotFoundError(f"no measure has id {measure_id}")
    everything = sorted(
        conn.execute(
            select(*_EVIDENCE_COLUMNS, _SC.c.known_by, _SC.c.end_date, _SC.c.end_precision,
                   _SC.c.open_ended, _SC.c.confidence)
            .select_from(_SC.outerjoin(_SRC, _SRC.c.id == _SC.c.source_id))
            .where(_SC.c.measure_id == measure_id)
            .order_by(_SC.c.id)
        ).all(),
        key=_history_key,
    )
    period = conn.execute(select(*_PERIOD_COLUMNS).where(_P.c.measure_id == measure_id, _on(as_of))).first()
    if period is None:
        if everything:
            raise NotFoundError(
                f"measure {measure_id} has no fact that counts (all rejected or corrected); "
                "'tracker changes' and 'tracker sources show' list the decisions"
            )
        raise NotFoundError(f"measure {measure_id} has no status changes")
    used = set(conn.scalars(select(_E.c.change_id).where(_E.c.measure_id == measure_id, _counts_by(as_of))))
    entries = []
    for sc in everything:
        evidence = _evidence_row(sc)
        entries.append(HistoryEntry(
            sc.id, sc.status, evidence.date, _cut(sc.end_date, sc.end_precision or "day"),
            bool(sc.open_ended), sc.origin, sc.confidence, evidence, sc.review,
        ))
    mine = counting(everything)
    row = MeasureRow(
        measure.id, _subject_ref(measure), measure.kind, measure.scope, measure.title,
        _state(period, tuple(sorted(used))),
        tuple(_evidence_row(sc) for sc in mine),
        any(_row_reviewed(sc) for sc in mine if sc.id in used),
        measure.level or "company",
    )
    return MeasureHistory(row, tuple(entries))
