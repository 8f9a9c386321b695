"""People's decisions about facts: confirm, reject, correct, add (``tracker facts ...``).

Each decision is a row of ``decisions`` (who, when, why, what) and takes effect on the status
change it is about (``status_changes.review``; a correction or an addition is a status change
of origin ``manual``). A decision names its fact by source, subject, status and evidence, so
``reapply`` finds the fact again after re-extraction replaced its row (tracker.curate.sources).

Every function works inside the caller's transaction and recomputes the periods cache of the
measures it touches.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, joinedload

from tracker.curate.rules import REVIEW_OF
from tracker.dates import PartialDate
from tracker.errors import NotFoundError, TrackerError
from tracker.models import Company, Decision, Measure, Source, StatusChange
from tracker.report import periods
from tracker.vocab import MeasureKind, Origin, Precision, Status


class DecisionError(TrackerError):
    """A decision that cannot be made (a bad value, a fact that is not there)."""


def default_person() -> str:
    """Who decides when ``--by`` is not given: the login name."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container): the environment or nobody
        return os.environ.get("USER") or "unknown"


@dataclass(frozen=True)
class Correction:
    """The values a correction sets; None leaves a value as it is."""

    status: Status | None = None
    date: PartialDate | None = None
    end: PartialDate | None = None
    subject: str | None = None
    kind: MeasureKind | None = None
    scope: str | None = None
    no_end: bool = False

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key in ("status", "kind", "scope", "subject"):
            if (value := getattr(self, key)) is not None:
                out[key] = str(value)
        if self.date is not None:
            out["date"] = self.date.iso()
            out["precision"] = self.date.precision.value
        if self.end is not None:
            out["end"] = self.end.iso()
        if self.no_end:
            out["end"] = None
        return out

    def empty(self) -> bool:
        return not self.as_dict()


@dataclass(frozen=True)
class DecisionResult:
    """What a decision did: its row, the fact it is about and the fact it made."""

    decision_id: int
    action: str
    change_id: int | None
    new_change_id: int | None
    measure_id: int | None
    summary: str
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision_id, "action": self.action, "fact": self.change_id,
            "new_fact": self.new_change_id, "measure": self.measure_id, "summary": self.summary,
            **({"values": self.details} if self.details else {}),
        }


# -- naming a fact ----------------------------------------------------------------------------
def subject_label(measure: Measure) -> str:
    """The subject key extraction stores: an OCD id, or ``company:slug``."""
    if measure.jurisdiction is not None:
        return measure.jurisdiction.ocd_id
    assert measure.company is not None
    return f"company:{measure.company.slug}"


def subject_name(measure: Measure) -> str:
    if measure.jurisdiction is not None:
        j = measure.jurisdiction
        return f"{j.name}, {j.state_code}" if j.kind in ("place", "county") and j.state_code else j.name
    assert measure.company is not None
    return measure.company.name


def describe(sc: StatusChange) -> str:
    """"#106 Portland, ME: ban (private use in public places) enacted 2020-09"."""
    m = sc.measure
    when = PartialDate(sc.effective_date, Precision(sc.precision)).iso() if sc.effective_date else "date unknown"
    return f"#{sc.id} {subject_name(m)}: {m.kind} ({m.scope}) {sc.status} {when}"


def load_change(session: Session, change_id: int) -> StatusChange:
    sc = session.scalar(
        select(StatusChange)
        .options(
            joinedload(StatusChange.measure).joinedload(Measure.jurisdiction),
            joinedload(StatusChange.measure).joinedload(Measure.company),
            joinedload(StatusChange.source),
        )
        .where(StatusChange.id == change_id)
    )
    if sc is None:
        raise NotFoundError(f"no fact has id {change_id} ('tracker review --format json' lists them)")
    return sc


def _record(
    session: Session, action: str, sc: StatusChange | None, by: str, reason: str | None,
    now: dt.datetime, summary: str, details: dict[str, object] | None = None,
    new: StatusChange | None = None,
) -> Decision:
    decision = Decision(
        action=action,
        change_id=sc.id if sc is not None else None,
        new_change_id=new.id if new is not None else None,
        measure_id=(sc or new).measure_id if (sc or new) is not None else None,  # type: ignore[union-attr]
        source_id=(sc or new).source_id if (sc or new) is not None else None,  # type: ignore[union-attr]
        subject=subject_label((sc or new).measure) if (sc or new) is not None else None,  # type: ignore[union-attr]
        status=sc.status if sc is not None else (new.status if new is not None else None),
        evidence_hash=sc.evidence_hash if sc is not None else None,
        kind=(sc or new).measure.kind if (sc or new) is not None else None,  # type: ignore[union-attr]
        scope=(sc or new).measure.scope if (sc or new) is not None else None,  # type: ignore[union-attr]
        summary=summary,
        details=json.dumps(details, sort_keys=True) if details else None,
        made_by=by or default_person(),
        made_at=now,
        reason=reason,
    )
    session.add(decision)
    session.flush()
    return decision


def _result(decision: Decision) -> DecisionResult:
    return DecisionResult(
        decision.id, decision.action, decision.change_id, decision.new_change_id,
        decision.measure_id, decision.summary, json.loads(decision.details) if decision.details else {},
    )


# -- confirm, reject ----------------------------------------------------------------------------
def confirm(session: Session, change_id: int, *, by: str, reason: str | None, now: dt.datetime) -> DecisionResult:
    """A person says this fact is right: it counts even beside a manual fact."""
    return _verdict(session, "confirm", change_id, by, reason, now)


def reject(session: Session, change_id: int, *, by: str, reason: str | None, now: dt.datetime) -> DecisionResult:
    """A person says this fact is wrong: it never counts again, even when re-extraction finds
    it once more. A measure left with no fact that counts drops out of the reports."""
    return _verdict(session, "reject", change_id, by, reason, now)


def _verdict(session: Session, action: str, change_id: int, by: str, reason: str | None, now: dt.datetime) -> DecisionResult:
    sc = load_change(session, change_id)
    if sc.origin == Origin.MANUAL.value and action == "reject":
        # a person's own fact: rejecting it withdraws it
        summary = f"withdrew {describe(sc)}"
        decision = _record(session, action, sc, by, reason, now, summary)
        measure_id = sc.measure_id
        session.delete(sc)
        session.flush()
        drop_orphans(session, {measure_id})
        return _result(decision)
    sc.review = REVIEW_OF[action]
    verb = {"confirm": "confirmed", "reject": "rejected"}[action]
    decision = _record(session, action, sc, by, reason, now, f"{verb} {describe(sc)}")
    periods.refresh(session, {sc.measure_id})
    return _result(decision)


# -- correct, add ---------------------------------------------------------------------------------
def _find_subject(session: Session, name: str) -> tuple[int | None, int | None, str, str]:
    """(jurisdiction id, company id, label, display name) of a subject named by a person."""
    from tracker import geography
    from tracker.report.report import find_companies

    companies = find_companies(session, name)
    if len(companies) == 1:
        company = session.get(Company, companies[0])
        assert company is not None
        return None, company.id, f"company:{company.slug}", company.name
    place = geography.resolve(session, name)
    return place.id, None, place.ocd_id, place.label


def _measure_for(
    session: Session, jid: int | None, cid: int | None, label: str, name: str, kind: str, scope: str,
    now: dt.datetime,
) -> int:
    """The measure with this subject, kind family and scope; a new one if there is none."""
    from tracker.ingest.store import kind_group

    query = select(Measure).where(
        Measure.jurisdiction_id == jid if jid is not None else Measure.company_id == cid,
        Measure.scope == scope,
    )
    for measure in session.scalars(query.order_by(Measure.id)):
        if kind_group(measure.kind) == kind_group(kind):
            if measure.kind != kind:
                measure.kind = kind
            return measure.id
    key = f"{label}|{kind_group(kind)}|{scope}"
    if session.scalar(select(Measure.id).where(Measure.natural_key == key)) is not None:
        key = f"{key}|manual:{uuid.uuid4().hex[:8]}"
    measure = Measure(
        jurisdiction_id=jid, company_id=cid, kind=kind, scope=scope,
        title=f"{name.split(',')[0]}: {kind} on facial recognition ({scope})",
        natural_key=key, created_at=now,
    )
    session.add(measure)
    session.flush()
    return measure.id


def _manual_hash(evidence: str) -> str:
    """A manual fact's evidence hash: never the same as an extracted one's."""
    return hashlib.sha256(f"manual\0{uuid.uuid4().hex}\0{evidence}".encode()).hexdigest()


def correct(
    session: Session, change_id: int, correction: Correction, *, by: str, reason: str | None,
    now: dt.datetime,
) -> DecisionResult:
    """A person corrects a fact: the extracted row is set aside (``corrected``) and a manual
    row with the corrected values, citing the same source and evidence, takes its place (on
    another measure when the subject, kind or scope changes). Correcting a manual fact, or a
    fact corrected before, edits the manual row."""
    if correction.empty():
        raise DecisionError("nothing to correct: give --status, --date, --end, --subject, --kind or --scope")
    sc = load_change(session, change_id)
    before = describe(sc)
    target = sc
    if sc.origin != Origin.MANUAL.value:
        previous = session.scalar(
            select(Decision.new_change_id)
            .where(Decision.change_id == sc.id, Decision.action == "correct", Decision.new_change_id.is_not(None))
            .order_by(Decision.id.desc())
            .limit(1)
        )
        target = load_change(session, previous) if previous else StatusChange(
            measure_id=sc.measure_id, status=sc.status, effective_date=sc.effective_date,
            precision=sc.precision, end_date=sc.end_date, end_precision=sc.end_precision,
            duration_months=sc.duration_months, duration_days=sc.duration_days,
            open_ended=sc.open_ended, known_by=sc.known_by, source_id=sc.source_id,
            evidence=sc.evidence, evidence_hash=_manual_hash(sc.evidence), confidence=1.0,
            origin=Origin.MANUAL.value, created_at=now,
        )
        sc.review = REVIEW_OF["correct"]
    old_measure = target.measure_id
    measure = sc.measure
    if correction.subject or correction.kind or correction.scope:
        if correction.subject:
            jid, cid, label, name = _find_subject(session, correction.subject)
        else:
            jid, cid, label, name = measure.jurisdiction_id, measure.company_id, subject_label(measure), subject_name(measure)
        target.measure_id = _measure_for(
            session, jid, cid, label, name,
            (correction.kind or MeasureKind(measure.kind)).value, correction.scope or measure.scope, now,
        )
    if correction.status is not None:
        target.status = correction.status.value
    if correction.date is not None:
        target.effective_date, target.precision = correction.date.start, correction.date.precision.value
    if correction.end is not None:
        target.end_date, target.end_precision = correction.end.start, correction.end.precision.value
        target.duration_days = target.duration_months = None
    if correction.no_end:
        target.end_date = target.end_precision = target.duration_days = target.duration_months = None
    if target not in session:
        session.add(target)
    session.flush()
    session.refresh(target)
    summary = f"corrected {before} -> {describe(load_change(session, target.id))}"
    decision = _record(session, "correct", sc, by, reason, now, summary, correction.as_dict(), new=target)
    drop_orphans(session, {sc.measure_id, old_measure, target.measure_id})
    return _result(decision)


@dataclass(frozen=True)
class ManualFact:
    """A fact a person enters (``tracker facts add``)."""

    subject: str
    kind: MeasureKind
    status: Status
    date: PartialDate | None
    source: str
    quote: str
    scope: str = "government use"
    end: PartialDate | None = None
    published: dt.date | None = None
    title: str | None = None


def _manual_source(session: Session, fact: ManualFact, now: dt.datetime) -> int:
    """The source a manual fact cites: an ingested one with that URL or path, else a source
    row of origin ``manual`` whose text is the quote. It keeps the URL in ``path``, so that
    ingesting the article itself later is not taken for a duplicate."""
    from tracker.ingest.store import content_hash

    found = session.scalar(
        select(Source.id).where((Source.url == fact.source) | (Source.path == fact.source)).order_by(Source.id).limit(1)
    )
    if found is not None:
        return found
    text = fact.quote
    digest = content_hash(f"manual source {fact.source}\n{text}")
    if (same := session.scalar(select(Source.id).where(Source.content_hash == digest))) is not None:
        return same
    source = Source(
        url=None, path=fact.source, title=fact.title, publisher=None,
        published_date=fact.published, published_how="given" if fact.published else "unknown",
        content_hash=digest, text=text, ingested_at=now, origin="manual",
    )
    session.add(source)
    session.flush()
    return source.id


def add(session: Session, fact: ManualFact, *, by: str, reason: str | None, now: dt.datetime) -> DecisionResult:
    """Store a fact a person enters, with its source and quote. Its origin is ``manual``: it
    outranks what extraction says about the same kind of event of the same measure."""
    if not fact.quote.strip():
        raise DecisionError("--quote must give the sentence that says so")
    jid, cid, label, name = _find_subject(session, fact.subject)
    measure_id = _measure_for(session, jid, cid, label, name, fact.kind.value, fact.scope, now)
    source_id = _manual_source(session, fact, now)
    known = fact.published or (fact.date.start if fact.date else None) or now.date()
    sc = StatusChange(
        measure_id=measure_id, status=fact.status.value,
        effective_date=fact.date.start if fact.date else None,
        precision=fact.date.precision.value if fact.date else Precision.UNKNOWN.value,
        end_date=fact.end.start if fact.end else None,
        end_precision=fact.end.precision.value if fact.end else None,
        open_ended=False, known_by=known, source_id=source_id, evidence=fact.quote.strip(),
        evidence_hash=_manual_hash(fact.quote), confidence=1.0, origin=Origin.MANUAL.value,
        created_at=now,
    )
    session.add(sc)
    session.flush()
    sc = load_change(session, sc.id)
    details = {
        "subject": fact.subject, "kind": fact.kind.value, "scope": fact.scope, "status": fact.status.value,
        "date": fact.date.iso() if fact.date else None, "source": fact.source,
    }
    decision = _record(session, "add", None, by, reason, now, f"added {describe(sc)}", details, new=sc)
    periods.refresh(session, {measure_id})
    return _result(decision)


# -- after re-extraction -------------------------------------------------------------------------
def reapply(session: Session, source_id: int) -> int:
    """Apply every confirm, reject and correct decision about ``source_id``'s facts to its
    current rows (after re-extraction or a feed update replaced them); returns how many found
    their fact. A decision finds its fact by subject, status and evidence, else by subject and
    status when exactly one of the source's facts has them. Later decisions win."""
    decisions = list(
        session.scalars(
            select(Decision)
            .where(Decision.source_id == source_id, Decision.action.in_(tuple(REVIEW_OF)))
            .order_by(Decision.made_at, Decision.id)
        )
    )
    if not decisions:
        return 0
    rows = list(
        session.scalars(
            select(StatusChange)
            .options(joinedload(StatusChange.measure).joinedload(Measure.jurisdiction),
                     joinedload(StatusChange.measure).joinedload(Measure.company))
            .where(StatusChange.source_id == source_id, StatusChange.origin == Origin.EXTRACTED.value)
        )
    )
    from tracker.ingest.store import kind_group

    applied = 0
    touched: set[int] = set()
    for d in decisions:
        same = [r for r in rows if (subject_label(r.measure), r.status) == (d.subject, d.status)]
        # one sentence may give several facts of one subject (two ordinances): the measure
        # decides, then its scope and kind family, then the evidence alone
        tiers = [
            [r for r in same if r.evidence_hash == d.evidence_hash and r.measure_id == d.measure_id],
            [r for r in same if r.evidence_hash == d.evidence_hash and r.measure.scope == d.scope
             and kind_group(r.measure.kind) == kind_group(d.kind or "")],
            [r for r in same if r.evidence_hash == d.evidence_hash],
        ]
        match = next((tier[0] for tier in tiers if tier), None)
        if match is None and len(same) == 1:
            match = same[0]
        if match is None:
            continue
        match.review = REVIEW_OF[d.action]
        d.change_id = match.id
        touched.add(match.measure_id)
        applied += 1
    session.flush()
    if touched:
        periods.refresh(session, touched)
    return applied


def drop_orphans(session: Session, measure_ids: set[int | None]) -> None:
    """Measures left with no fact go; the others' cached periods are recomputed."""
    ids = {m for m in measure_ids if m is not None}
    if not ids:
        return
    session.flush()
    session.execute(
        delete(Measure).where(Measure.id.in_(ids), ~exists().where(StatusChange.measure_id == Measure.id))
    )
    remaining = session.scalars(select(Measure.id).where(Measure.id.in_(ids))).all()
    periods.refresh(session, remaining)
