"""Controlled vocabularies: every closed set of values the database and the reports use.

The string values are stored in the database and printed in JSON; they are part of the contract
in docs/cli.md and must not be renamed.
"""

from __future__ import annotations

from enum import StrEnum


class MeasureKind(StrEnum):
    BAN = "ban"
    MORATORIUM = "moratorium"
    RESTRICTION = "restriction"


class Status(StrEnum):
    """A dated event in a measure's life (what a status change records)."""

    PROPOSED = "proposed"
    ENACTED = "enacted"
    IN_FORCE = "in_force"
    EXTENDED = "extended"
    SUSPENDED = "suspended"
    FAILED = "failed"
    EXPIRED = "expired"
    REPEALED = "repealed"


#: Events that put (or keep) a measure in force.
STARTS = frozenset({Status.ENACTED, Status.IN_FORCE, Status.EXTENDED})
#: Events that end a measure.
ENDS = frozenset({Status.EXPIRED, Status.FAILED, Status.REPEALED, Status.SUSPENDED})


class ReportStatus(StrEnum):
    """What `status` says about a measure on a date (the JSON contract's `status`)."""

    IN_FORCE = "in_force"
    ENACTED = "enacted"  # adopted, not yet in effect
    PROPOSED = "proposed"
    FAILED = "failed"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REPEALED = "repealed"


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    UNKNOWN = "unknown"


class Origin(StrEnum):
    EXTRACTED = "extracted"
    MANUAL = "manual"


class DateSource(StrEnum):
    """How a source's publication date was learned."""

    GIVEN = "given"  # --published on the command line
    STATED = "stated"  # a header or front matter in the article
    METADATA = "metadata"  # HTML metadata or the feed entry
    INFERRED = "inferred"  # guessed from dates in the text
    UNKNOWN = "unknown"


class JurisdictionKind(StrEnum):
    COUNTRY = "country"
    STATE = "state"
    TERRITORY = "territory"
    DISTRICT = "district"
    COUNTY = "county"
    PLACE = "place"
    AGENCY = "agency"


class SubjectType(StrEnum):
    JURISDICTION = "jurisdiction"
    COMPANY = "company"


class Scope(StrEnum):
    """Whose use a measure restricts. Free text is allowed in the database; these are the
    values extraction produces."""

    GOVERNMENT = "government use"
    POLICE = "police use"
    SALES_TO_POLICE = "sales to police"
    PRIVATE = "private use in public places"
    BODY_CAMERAS = "police body cameras"
    SCHOOLS = "schools"
    GENERAL = "general"
