"""Jurisdictions by the names people write, and roll-ups by level.

``resolve`` understands "Massachusetts", "MA", "Mass.", "Portland, ME", "Portland, Ore.",
"Portland, Maine", "City of Boston", "King County, WA" and OCD ids. A name several
jurisdictions share ("Portland") raises ``AmbiguousNameError`` listing them with their states,
unless exactly one of them is of a higher level than the others ("Washington": the state).
``within`` gives a jurisdiction with everything under it (a state: its counties and cities).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFoundError, TrackerError
from tracker.models import Jurisdiction, JurisdictionAlias
from tracker.seeds import normalize_alias

# Core reads of the tables: a name is resolved without configuring the ORM's mappers (20 ms of
# every 'status --jurisdiction', whose report reads with Core too).
_J = Jurisdiction.__table__
_A = JurisdictionAlias.__table__
_PLACE = (_J.c.id, _J.c.name, _J.c.kind, _J.c.state_code, _J.c.ocd_id, _J.c.parent_id)
_STATE_KINDS = ("state", "district", "territory")

#: AP-style and other common abbreviations of the states (dots dropped, case folded).
STATE_ABBREVIATIONS = {
    "ala": "AL", "alas": "AK", "ariz": "AZ", "ark": "AR", "cal": "CA", "calif": "CA",
    "colo": "CO", "conn": "CT", "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN",
    "kan": "KS", "kans": "KS", "ky": "KY", "la": "LA", "md": "MD", "mass": "MA", "mich": "MI",
    "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE", "nebr": "NE", "nev": "NV",
    "okla": "OK", "ore": "OR", "oreg": "OR", "pa": "PA", "penn": "PA", "penna": "PA",
    "tenn": "TN", "tex": "TX", "vt": "VT", "va": "VA", "wash": "WA", "wva": "WV", "wis": "WI",
    "wisc": "WI", "wyo": "WY",
}
#: "City of Boston" -> ("boston", the kinds it may be)
_PREFIXES = {
    "city of ": ("place",), "town of ": ("place",), "village of ": ("place",),
    "county of ": ("county",), "state of ": ("state",), "commonwealth of ": ("state",),
    "the ": None,
}
#: Levels from the top; a roll-up's table groups its measures by these.
LEVELS = {"country": 0, "state": 1, "district": 1, "territory": 1, "county": 2, "place": 3, "agency": 4}
LEVEL_TITLES = {
    "country": "Federal", "state": "State", "district": "State", "territory": "State",
    "county": "Counties", "place": "Cities and towns", "agency": "Agencies", "company": "Companies",
}


class AmbiguousNameError(TrackerError):
    """A name several jurisdictions share; the message lists them."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name, self.candidates = name, candidates
        super().__init__(
            f"{name!r} is ambiguous: did you mean {'; '.join(repr(c) for c in candidates)}?"
        )


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    kind: str
    state_code: str | None
    ocd_id: str
    parent_id: int | None

    @property
    def label(self) -> str:
        """"Portland, ME" for a city or county, the name alone for a state."""
        if self.kind in ("place", "county", "agency") and self.state_code:
            return f"{self.name}, {self.state_code}"
        return self.name


def _place(row: Any) -> Place:
    """A row of ``_PLACE`` (or a ``Jurisdiction``) as a ``Place``."""
    return Place(row.id, row.name, row.kind, row.state_code, row.ocd_id, row.parent_id)


def state_code(session: Session, text: str) -> str | None:
    """The two-letter code of a state written as "MA", "Mass.", "Massachusetts" or "Ore."."""
    key = normalize_alias(text)
    if len(key) == 2 and key.isalpha():
        code = key.upper()
        found = session.scalar(
            select(_J.c.state_code).where(_J.c.state_code == code, _J.c.kind.in_(_STATE_KINDS)).limit(1)
        )
        if found:
            return found
    if key in STATE_ABBREVIATIONS:
        return STATE_ABBREVIATIONS[key]
    return session.scalar(
        select(_J.c.state_code)
        .select_from(_J.join(_A, _A.c.jurisdiction_id == _J.c.id))
        .where(_A.c.alias == key, _J.c.kind.in_(_STATE_KINDS))
        .limit(1)
    )


def _by_alias(session: Session, key: str) -> list[Any]:
    """The jurisdictions (rows of ``_PLACE``) one of whose aliases is ``key``."""
    return list(session.execute(
        select(*_PLACE).select_from(_J.join(_A, _A.c.jurisdiction_id == _J.c.id)).where(_A.c.alias == key).distinct()
    ))


def candidates(session: Session, name: str) -> list[Place]:
    """Every jurisdiction ``name`` may mean (no ambiguity check)."""
    name = name.strip()
    if name.startswith("ocd-division/"):
        return [_place(j) for j in session.execute(select(*_PLACE).where(_J.c.ocd_id == name))]
    base, comma, qualifier = name.rpartition(",") if "," in name else (name, "", "")
    code = state_code(session, qualifier) if comma else None
    if comma and code is None:
        # "Washington, D.C." is an alias as a whole; otherwise the qualifier is no state
        whole = _by_alias(session, normalize_alias(name))
        if whole:
            return [_place(j) for j in whole]
        raise NotFoundError(f"{qualifier.strip()!r} in {name!r} is not a state")
    key = normalize_alias(base)
    found = _by_alias(session, key)
    kinds: tuple[str, ...] | None = None
    if not found:
        for prefix, prefix_kinds in _PREFIXES.items():
            if key.startswith(prefix):
                key, kinds = key[len(prefix):], prefix_kinds
                found = _by_alias(session, key)
                break
    if not found and not comma:
        code_only = state_code(session, base)
        if code_only:
            found = list(session.execute(
                select(*_PLACE).where(_J.c.state_code == code_only, _J.c.kind.in_(_STATE_KINDS))
            ))
    if kinds:
        found = [j for j in found if j.kind in kinds]
    if code:
        found = [j for j in found if j.state_code == code] or _by_alias(session, normalize_alias(name))
    return sorted((_place(j) for j in found), key=lambda p: (LEVELS.get(p.kind, 9), p.label))


def resolve(session: Session, name: str) -> Place:
    """The one jurisdiction ``name`` means.

    Raises:
        NotFoundError: nothing has that name.
        AmbiguousNameError: several jurisdictions of the same level have it.
    """
    found = candidates(session, name)
    if not found:
        raise NotFoundError(f"no jurisdiction is called {name!r}")
    if len(found) == 1:
        return found[0]
    top = [p for p in found if LEVELS.get(p.kind, 9) == LEVELS.get(found[0].kind, 9)]
    if len(top) == 1:
        return top[0]
    raise AmbiguousNameError(name, [p.label for p in found])


def within(session: Session, place: Place, *, include_federal: bool = False) -> dict[int, str]:
    """``place`` and every jurisdiction under it (by parent, and a state's places and counties
    by their state code), each with its kind; with ``include_federal``, the national level
    above it too."""
    rows = session.execute(select(_J.c.id, _J.c.parent_id, _J.c.kind, _J.c.state_code)).all()
    children: dict[int, list[int]] = defaultdict(list)
    kind_of: dict[int, str] = {}
    parent_of: dict[int, int | None] = {}
    for row in rows:
        kind_of[row.id], parent_of[row.id] = row.kind, row.parent_id
        if row.parent_id is not None:
            children[row.parent_id].append(row.id)
    found = {place.id}
    pending = [place.id]
    while pending:
        for child in children.get(pending.pop(), ()):
            if child not in found:
                found.add(child)
                pending.append(child)
    if place.kind in ("state", "district", "territory") and place.state_code:
        found |= {r.id for r in rows if r.state_code == place.state_code and r.kind != "country"}
    if include_federal:
        up = parent_of.get(place.id)
        while up is not None:
            if kind_of[up] == "country":
                found.add(up)
            up = parent_of.get(up)
    return {jid: kind_of[jid] for jid in found}
