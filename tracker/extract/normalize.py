"""Undo what machine paraphrasing ("article spinning") does to wire copy, before matching.

Spinners swap words for look-alike synonyms: "facial acknowledgment" for facial recognition,
"legislation enforcement" for law enforcement, "Could 2019" for May 2019. The replacements
below are phrases, not single words, so ordinary text is left alone ("could" stays "could"
unless a year or a day-and-year follows it).
"""

from __future__ import annotations

import re

_PHRASES: list[tuple[str, str]] = [
    # facial recognition
    (r"\b(facial|face)[\s-]?(acknowledg(?:e?ment|ing)|recogni[sz]ing|popularity|reputation)", r"\1 recognition"),
    (r"\b(facial|face)-recognition\b", r"\1 recognition"),
    (r"\bface coordinat(ing|es|e)\b", "face matching"),
    # law enforcement, artificial intelligence
    (r"\b(legislation|regulation|law|legal guidelines) (enforcement|requirement|enforcment|implementation)\b", "law enforcement"),
    (r"\b(computerized|computerised|synthetic|man-made) (reasoning|intelligence|brainpower)\b", "artificial intelligence"),
    # the words of a measure
    (r"\bcast(?:ed)? (?:a |their )?ballots?\b", "voted"),
    (r"\bboycott(s|ed|ing)?\b", r"ban\1"),
    (r"\bprohibitions\b", "bans"),
    (r"\bprohibition\b", "ban"),
    (r"\bdisallow(s|ed)?\b", r"ban\1"),
    (r"\butiliz(?:ation|ing|es|ed|e)\b", "use"),
    (r"\binnovation\b", "technology"),
    (r"\bprogramming\b", "software"),
    (r"\bmandates?\b", "ordinance"),
    (r"\bstatute\b", "ordinance"),
    (r"\bmetropolis\b", "city"),
    (r"\b(?:city|town) (?:board|chamber|gathering|committee)\b", "City Council"),
    (r"\bmanagers\b", "supervisors"),
    (r"\bcity (?:divisions|offices)\b", "city agencies"),
    (r"\bpolice (?:division|office|agency)\b", "police department"),
    (r"\bmarked (a|the) (law|bill|measure)\b", r"signed \1 \2"),
    (r"\bproduces? results\b", "takes effect"),
    (r"\bproduced results\b", "took effect"),
    (r"\b(?:will )?become effective\b", "take effect"),
    (r"\bexpand(s|ed|ing)? (a|the|its) (ban|moratorium|pause)\b", r"extend\1 \2 \3"),
    (r"\buntil (?:additional|further|extra) (?:notification|notice|discover)\b", "until further notice"),
    (r"\bfor the current (month|week|year)\b", r"this \1"),
    (r"\brecently this year\b", "earlier this year"),
    (r"\blead representative\b", "governor"),
    (r"\b(embrac(?:e|ed|es|ing))\b", "adopt"),
    (r"\baffirmed\b", "approved"),
    (r"\bendorsed\b", "approved"),
    (r"\blimitations\b", "restrictions"),
    (r"\bforced\b(?= (?:last|in|on|this))", "imposed"),
    (r"\bclose down\b", "shut down"),
    (r"\bquit offering\b", "stop offering"),
]

#: Look-alike words spinners put in place of month names.
_MONTH_LOOKALIKES = {
    "could": "May", "Could": "May", "might": "May", "Might": "May",
    "marching": "March", "Marching": "March", "julie": "July", "Julie": "July",
}
_MONTH_SPIN = re.compile(
    r"\b(?P<word>Could|could|Might|might|Marching|marching|Julie|julie)"
    r"(?P<rest>\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{2}\b)"
)
_MONTH_SPIN_DAY = re.compile(
    r"\b(?:on|since|until|by|from|in)\s+(?P<word>Could|Might|Marching|Julie)\s+(?P<day>\d{1,2})\b(?!\s*(?:per|percent|%))"
)

_COMPILED = [(re.compile(p, re.I), r) for p, r in _PHRASES]
def _needed_words(pattern: str) -> tuple[str, ...]:
    """Literal words of which a pattern needs at least one, so that most patterns are skipped
    without running them: its first word, or the first words of its leading group."""
    body = pattern.lower().replace("\\b", "").replace("\\s", " ")
    body = re.sub(r"\((?:\?:)?[^()]*\)\?", "", body)  # optional groups
    body = re.sub(r"[^()|\s]\?", "", body).lstrip()  # optional letters
    if body.startswith("("):
        group = body[1:].removeprefix("?:").split(")", 1)[0]
        return tuple(re.findall(r"[a-z-]+", alt)[0] for alt in group.split("|"))
    return (re.findall(r"[a-z-]+", body)[0],)


#: Where the first word of a pattern is common, a rarer word it needs.
_RARER = {
    r"\b(?:city|town) (?:board|chamber|gathering|committee)\b": ("board", "chamber", "gathering", "committee"),
    r"\bcity (?:divisions|offices)\b": ("divisions", "offices"),
    r"\bpolice (?:division|office|agency)\b": ("division", "office", "agency"),
    r"\b(?:will )?become effective\b": ("effective",),
    r"\buntil (?:additional|further|extra) (?:notification|notice|discover)\b": ("notification", "discover", "additional"),
    r"\bfor the current (month|week|year)\b": ("current",),
    r"\blead representative\b": ("representative",),
    r"\bclose down\b": ("close down",),
    r"\b(legislation|regulation|law|legal guidelines) (enforcement|requirement|enforcment|implementation)\b": ("requirement", "enforcement", "enforcment", "implementation"),
    r"\b(facial|face)-recognition\b": ("-recognition",),
    r"\b(facial|face)[\s-]?(acknowledg(?:e?ment|ing)|recogni[sz]ing|popularity|reputation)": ("acknowledg", "recognising", "recognizing", "popularity", "reputation"),
}
_KEYS = [_RARER.get(p) or _needed_words(p) for p, _ in _PHRASES]


def normalize(text: str) -> str:
    """Return ``text`` with spun phrases and look-alike month names put back."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", " - ")
    lowered = text.lower()
    for (pattern, replacement), key in zip(_COMPILED, _KEYS, strict=True):
        if any(k in lowered for k in key):
            changed = pattern.sub(replacement, text)
            if changed != text:
                text, lowered = changed, changed.lower()
    text = _MONTH_SPIN.sub(lambda m: _MONTH_LOOKALIKES[m.group("word")] + m.group("rest"), text)
    text = _MONTH_SPIN_DAY.sub(
        lambda m: m.group(0).replace(m.group("word"), _MONTH_LOOKALIKES[m.group("word")]), text
    )
    return text
