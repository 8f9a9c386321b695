"""Which stored facts count, once people have decided about them: a
pure function of the rows, used wherever a measure's status changes are loaded (the periods
cache, ``status``, ``show``, ``timeline``).

- a rejected fact never counts; a corrected one is replaced by its manual correction;
- a fact a person entered or corrected (``origin`` manual) outranks what extraction says about
  the same kind of event (a start, an end, a proposal) of the same measure, unless a person
  confirmed the extracted one too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from tracker.vocab import ENDS, STARTS, Origin, Status

T = TypeVar("T")

CONFIRMED = "confirmed"
REJECTED = "rejected"
CORRECTED = "corrected"
#: review values of rows that never count
SET_ASIDE = frozenset({REJECTED, CORRECTED})
#: what each decision writes in ``status_changes.review``
REVIEW_OF = {"confirm": CONFIRMED, "reject": REJECTED, "correct": CORRECTED}


def effect(status: str) -> str:
    """What a status change does to its measure: start, end or proposal."""
    s = Status(status)
    return "start" if s in STARTS else "end" if s in ENDS else "proposal"


def is_reviewed(row: Any) -> bool:
    """A person entered or confirmed this fact."""
    return row.origin == Origin.MANUAL.value or getattr(row, "review", None) == CONFIRMED


def counting(rows: Iterable[T]) -> list[T]:
    """The rows that count, in their order. Each row has ``measure_id``, ``status``,
    ``origin`` and ``review`` (ORM rows and Core rows both do)."""
    rows = [r for r in rows if getattr(r, "review", None) not in SET_ASIDE]
    manual = {
        (r.measure_id, effect(r.status)) for r in rows if r.origin == Origin.MANUAL.value  # type: ignore[attr-defined]
    }
    if not manual:
        return rows
    return [
        r for r in rows
        if is_reviewed(r) or (r.measure_id, effect(r.status)) not in manual  # type: ignore[attr-defined]
    ]


def select_rows(
    rows: Iterable[T], *, reviewed_only: bool = False, min_confidence: float | None = None
) -> list[T]:
    """``counting``, then only reviewed facts (``--reviewed``) or those at or above a
    confidence (``--min-confidence``; reviewed facts always pass)."""
    out = counting(rows)
    if reviewed_only:
        out = [r for r in out if is_reviewed(r)]
    if min_confidence is not None:
        out = [r for r in out if is_reviewed(r) or r.confidence >= min_confidence]  # type: ignore[attr-defined]
    return out
