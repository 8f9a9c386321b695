"""Calibration: of the facts extracted at a confidence, how many were right."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class Rates:
    """Recall and precision from the counts a score keeps (``expected`` and ``found`` of the
    labels, ``extracted`` and ``correct`` of the facts); 1.0 when there is nothing to count."""

    expected: int
    found: int
    extracted: int
    correct: int

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0


#: lower bounds of the confidence buckets
BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Bucket:
    low: float
    high: float
    facts: int
    right: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.facts if self.facts else None

    def as_dict(self) -> dict[str, object]:
        acc = self.accuracy
        return {"confidence": f"{self.low:.1f}-{self.high:.1f}", "facts": self.facts, "right": self.right,
                "accuracy": round(acc, 3) if acc is not None else None}


def calibration(scored: Iterable[tuple[float, bool]]) -> list[Bucket]:
    """Buckets of (confidence, right?) pairs, plus a last row for confidence >= 0.8."""
    pairs = list(scored)
    out = []
    for i, low in enumerate(BUCKETS):
        high = BUCKETS[i + 1] if i + 1 < len(BUCKETS) else 1.0
        inside = [ok for c, ok in pairs if low <= c < high or (high == 1.0 and c >= low)]
        out.append(Bucket(low, high, len(inside), sum(inside)))
    return out


def high_confidence(scored: Iterable[tuple[float, bool]], threshold: float = 0.8) -> Bucket:
    inside = [ok for c, ok in scored if c >= threshold]
    return Bucket(threshold, 1.0, len(inside), sum(inside))
