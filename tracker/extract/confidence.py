"""How sure extraction is of a fact, from the evidence that produced it.

Each kind of evidence adds to or takes from the log-odds that the fact is right; the weights
were set on the development corpora (``tracker evaluate`` prints the calibration table: facts
at confidence 0.8 or more must be right at least 95% of the time).

Evidence, strongest first:

- subject: named in the sentence; the federal level named by its bill; a role that refers back
  ("the city", "the company"); a pronoun, a following mention or a reference by another
  sentence;
- cue: a verb that names the measure ("banned", "extended", "voted down"); a verb that needs
  a measure noun ("passed an ordinance"); an elliptical report or a reference ("followed suit",
  "following the lead of");
- date: an absolute date; a relative one resolved against the publication date; one anchored
  on another event; none;
- whether the sentence itself names facial recognition; a headline; a stage of the
  legislative process read from context.

Part of the extractor (``tracker.extract``); pure.
"""

from __future__ import annotations

import math

BASE = 2.0
WEIGHTS = {
    "subject": {"named": 0.9, "federal": 0.2, "role": 0.0, "reference": -0.5},
    "cue": {"strong": 0.3, "weak": 0.0, "reference": -0.4},
    "date": {"absolute": 0.3, "relative": 0.0, "anchored": -0.4, "none": -0.3},
    "fr": {True: 0.3, False: -0.5},
    "title": {True: -0.5, False: 0.0},
    "stage": {True: -0.3, False: 0.0},
}


def subject_evidence(score: float) -> str:
    """The kind of subject evidence behind ``mentions.subjects_of``'s score."""
    if score >= 0.85:
        return "named"
    if score >= 0.75:
        return "federal"
    if score >= 0.7:
        return "role"
    return "reference"


def confidence(*, subject: str, cue: str, date: str, fr: bool, title: bool = False, stage: bool = False) -> float:
    """The probability, rounded to two places, that a fact with this evidence is right."""
    logit = BASE + (
        WEIGHTS["subject"][subject] + WEIGHTS["cue"][cue] + WEIGHTS["date"][date]
        + WEIGHTS["fr"][fr] + WEIGHTS["title"][title] + WEIGHTS["stage"][stage]
    )
    return round(1 / (1 + math.exp(-logit)), 2)
