"""The status report and a measure's history: reads the database, computes with ``status``.

The rows returned here are plain frozen records; ``render`` turns them into table, JSON or CSV.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.data import Change
from tracker.dates import PartialDate
from tracker.errors import NotFoundError
from tracker.models import (
    Company,
    CompanyAlias,
    Jurisdiction,
    JurisdictionAlias,
    Measure,
    MeasureEvidence,
    MeasurePeriod,
    Product,
    Source,
    StatusChange,
)
from tracker.report.status import MeasureState
from tracker.seeds import normalize_alias
from tracker.vocab import Precision, ReportStatus, Status, SubjectType


@dataclass(frozen=True)
class Evidence:
    source: str | None
    published: str | None
    quote: str
    status: str
    date: str | None


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


@dataclass(frozen=True)
class MeasureHistory:
    row: MeasureRow
    entries: tuple[HistoryEntry, ...]


#: What evidence needs of a source: not its full text.
SOURCE_FOR_EVIDENCE = joinedload(StatusChange.source).load_only(
    Source.url, Source.path, Source.published_date
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


def find_jurisdictions(session: Session, name: str) -> list[int]:
    """Jurisdiction ids for a name, an alias, an OCD id, or "Name, ST"."""
    if name.startswith("ocd-division/"):
        return list(session.scalars(select(Jurisdiction.id).where(Jurisdiction.ocd_id == name)))
    base, _, state = name.partition(",")
    query = (
        select(Jurisdiction.id)
        .join(JurisdictionAlias)
        .where(JurisdictionAlias.alias == normalize_alias(base))
    )
    if state.strip():
        st = state.strip()
        state_ids = select(Jurisdiction.state_code).join(JurisdictionAlias).where(
            JurisdictionAlias.alias == normalize_alias(st), Jurisdiction.kind == "state"
        )
        query = query.where(
            (Jurisdiction.state_code == st.upper()) | Jurisdiction.state_code.in_(state_ids)
        )
    return list(session.scalars(query.distinct()))


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


# -- reports from the cache -------------------------------------------------------------------
# The status a report gives is read from ``measure_periods`` and its evidence from
# ``measure_evidence`` (both kept by ``tracker.report.periods``), with Core statements: rows are
# streamed one measure at a time, and evidence is fetched in batches for the measures returned
# only, so memory stays flat whatever the size of the database.
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
    """A measure and its subject; the subject's name is labelled ``subject_name``."""
    return [
        _M.c.id, _M.c.kind, _M.c.scope, _M.c.title, _M.c.jurisdiction_id,
        _subject_name(dialect).label("subject_name"), _J.c.ocd_id, _C.c.slug,
    ]


def _subject_filter(session: Session, jurisdiction: str | None, company: str | None) -> list[Any]:
    """WHERE clauses for ``--jurisdiction`` / ``--company``; NotFoundError for an unknown name."""
    where = []
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


def _evidence_row(row: Any) -> Evidence:
    """Evidence from a row of ``_EVIDENCE_COLUMNS`` (by position: this runs once per entry)."""
    published = row[8]
    return Evidence(
        source=row[6] or row[7],
        published=published.isoformat() if published else None,
        quote=row[5],
        status=row[2],
        date=_cut(row[3], row[4]),
    )


_EVIDENCE_COLUMNS = (
    _SC.c.id, _SC.c.measure_id, _SC.c.status, _SC.c.effective_date, _SC.c.precision, _SC.c.evidence,
    _SRC.c.url, _SRC.c.path, _SRC.c.published_date,
)


def _evidence_for(conn: Connection, ids: list[int], as_of: dt.date) -> dict[int, list[tuple[int, Evidence]]]:
    """The evidence for the status of the measures ``ids`` on ``as_of``: the changes
    ``measure_evidence`` says count by then, in change order."""
    query = (
        select(*_EVIDENCE_COLUMNS)
        .select_from(_E.join(_SC, _SC.c.id == _E.c.change_id).outerjoin(_SRC, _SRC.c.id == _SC.c.source_id))
        .where(_E.c.measure_id.in_(ids), or_(_E.c.counts_from.is_(None), _E.c.counts_from <= as_of))
        .order_by(_E.c.measure_id, _SC.c.id)
    )
    found: dict[int, list[tuple[int, Evidence]]] = defaultdict(list)
    for row in conn.execute(query):
        found[row[1]].append((row[0], _evidence_row(row)))
    return found


def _on(as_of: dt.date) -> Any:
    """The period that contains ``as_of``."""
    return and_(
        or_(_P.c.start_date.is_(None), _P.c.start_date <= as_of),
        or_(_P.c.end_date.is_(None), _P.c.end_date > as_of),
    )


def _status_query(conn: Connection, as_of: dt.date, include_all: bool, where: list[Any]) -> Select[Any]:
    dialect = conn.dialect.name
    measure = _measure_columns(dialect)
    query = (
        select(
            *measure, _P.c.status, _P.c.since_date, _P.c.since_precision,
            _P.c.until_date, _P.c.until_precision, _P.c.uncertain,
        )
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
    result = conn.execution_options(yield_per=BATCH).execute(query)
    for batch in result.partitions():
        evidence = _evidence_for(conn, [r.id for r in batch], as_of)
        for r in batch:
            found = evidence.get(r.id, ())
            state = MeasureState(
                ReportStatus(r.status), _partial(r.since_date, r.since_precision),
                _partial(r.until_date, r.until_precision), bool(r.uncertain),
                tuple(cid for cid, _ in found),
            )
            yield MeasureRow(
                r.id, _subject_ref(r), r.kind, r.scope, r.title, state, tuple(e for _, e in found)
            )


def status_rows(
    session: Session,
    as_of: dt.date,
    *,
    include_all: bool = False,
    jurisdiction: str | None = None,
    company: str | None = None,
) -> Iterator[MeasureRow]:
    """The rows of the status report (see ``status_report``), streamed in report order.

    The names are looked up before this returns, so a bad name fails before any output.

    Raises:
        NotFoundError: no jurisdiction or company has that name.
    """
    where = _subject_filter(session, jurisdiction, company)
    conn = session.connection()
    return _rows(conn, _status_query(conn, as_of, include_all, where), as_of)


def status_report(
    session: Session,
    as_of: dt.date,
    *,
    include_all: bool = False,
    jurisdiction: str | None = None,
    company: str | None = None,
) -> StatusReport:
    """The measures in force on ``as_of`` (with ``include_all``, every measure with a status
    then), each with the evidence for the status changes that decide it, in memory
    (``status_rows`` streams them)."""
    rows = status_rows(session, as_of, include_all=include_all, jurisdiction=jurisdiction, company=company)
    return StatusReport(as_of, tuple(rows))


def measure_history(session: Session, measure_id: int, as_of: dt.date) -> MeasureHistory:
    """A measure's status on ``as_of`` (from the periods cache) and every one of its status
    changes with its evidence, oldest first.

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
    period = conn.execute(
        select(_P.c.status, _P.c.since_date, _P.c.since_precision, _P.c.until_date, _P.c.until_precision, _P.c.uncertain)
        .where(_P.c.measure_id == measure_id, _on(as_of))
    ).first()
    if period is None:
        raise NotFoundError(f"measure {measure_id} has no status changes")
    counted = set(conn.scalars(
        select(_E.c.change_id).where(
            _E.c.measure_id == measure_id, or_(_E.c.counts_from.is_(None), _E.c.counts_from <= as_of)
        )
    ))
    changes = conn.execute(
        select(*_EVIDENCE_COLUMNS, _SC.c.known_by, _SC.c.end_date, _SC.c.end_precision, _SC.c.open_ended,
               _SC.c.origin, _SC.c.confidence)
        .select_from(_SC.outerjoin(_SRC, _SRC.c.id == _SC.c.source_id))
        .where(_SC.c.measure_id == measure_id)
        .order_by(func.coalesce(_SC.c.effective_date, _SC.c.known_by).is_(None),
                  func.coalesce(_SC.c.effective_date, _SC.c.known_by), _SC.c.id)
    ).all()
    state = MeasureState(
        ReportStatus(period.status), _partial(period.since_date, period.since_precision),
        _partial(period.until_date, period.until_precision), bool(period.uncertain),
        tuple(sorted(c.id for c in changes if c.id in counted)),
    )
    entries = []
    for sc in changes:
        until = _partial(sc.end_date, sc.end_precision)
        evidence = _evidence_row(sc)
        entries.append(HistoryEntry(
            sc.id, sc.status, evidence.date, until.iso() if until else None, bool(sc.open_ended),
            sc.origin, sc.confidence, evidence,
        ))
    row = MeasureRow(
        measure.id, _subject_ref(measure), measure.kind, measure.scope, measure.title, state,
        tuple(e.evidence for e in entries),
    )
    return MeasureHistory(row, tuple(entries))
