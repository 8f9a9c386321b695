"""Who a measure binds: the jurisdictions and companies a sentence names, and the one a
measure verb is about (by position, coordination, relative clauses, possessives and references
back such as "the city" or "the tech giant").

Part of the extractor (``tracker.extract``); pure, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from tracker.data import Fact, Subject
from tracker.dates import PartialDate
from tracker.extract import vocabulary
from tracker.extract.cues import (
    BOTH_CITIES,
    COMPANY_ROLE,
    FEDERAL,
    FINITE,
    MODIFIER,
    PLACE_ROLE,
    PRONOUN,
    PUBLICATIONS,
    STATE_ROLE,
    STOP_PLACES,
    SUBJECT_BLOCK,
    Verb,
)
from tracker.extract.gazetteer import Gazetteer, Place, capitalized_spans
from tracker.extract.trace import Trace
from tracker.vocab import SubjectType


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    subject: Subject
    place: Place | None = None


@dataclass
class Context:
    """What the article has said so far: the referents for "the city", "the company"..."""

    published: dt.date | None
    states: list[str]
    last_place: Subject | None = None
    last_state: Subject | None = None
    last_company: Subject | None = None
    last_subject: Subject | None = None
    last_date: PartialDate | None = None
    last_fact: Fact | None = None
    pending: str | None = None
    fr_article: bool = False
    places: list[Subject] = field(default_factory=list)
    gazetteer: Gazetteer | None = None
    trace: Trace | None = None
    #: the date of each subject's latest dated start, for "the day after Amazon's pledge"
    subject_dates: dict[Subject, PartialDate] = field(default_factory=dict)



# -- entities ------------------------------------------------------------------------------------
def state_codes(text: str, gazetteer: Gazetteer, spans: list[tuple[int, int, str]] | None = None) -> list[str]:
    """States named in a text, in order (by name, or as "City, ST" / "City, Ore.")."""
    codes: list[str] = []
    for _, _, span in spans if spans is not None else capitalized_spans(text, 3):
        state = gazetteer.state(span) if len(span) > 2 or span.isupper() else None
        if state is not None and state.kind == "state" and state.state_code:
            codes.append(state.state_code)
    return codes


def unambiguous_states(text: str, gazetteer: Gazetteer) -> list[str]:
    """States of the places an article names that have only one namesake ("Seattle" -> WA)."""
    return [place.state_code for place in gazetteer.sole_places_in(text)]  # type: ignore[misc]


def find_mentions(sentence: str, gazetteer: Gazetteer, ctx: Context) -> list[Mention]:
    """Jurisdictions and companies named in a sentence, longest names first, no overlaps."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    if not gazetteer.may_name(sentence):
        _dateline(sentence, gazetteer, ctx)  # nothing to name here, but a dateline still places the story
        return mentions
    all_spans = capitalized_spans(sentence, gazetteer.max_words)
    sentence_states = state_codes(sentence, gazetteer, [sp for sp in all_spans if len(sp[2].split()) <= 3])
    for m in BOTH_CITIES.finditer(sentence):
        for key in ("a", "b"):
            state = gazetteer.state(m.group(key))
            place = _pick(gazetteer.candidates(m.group("name")), [state.state_code] if state and state.state_code else [])
            if place is not None and place.kind == "place":
                mentions.append(Mention(m.start("name"), m.end("name"), place.subject(), place))
        taken.append((m.start(), m.end()))
    if (dateline := _dateline(sentence, gazetteer, ctx)) is not None:
        taken.append((0, dateline))
    spans = sorted(all_spans, key=lambda s: (-(s[1] - s[0]), s[0]))
    title_case: list[bool] = []  # computed on first need
    for start, end, text in spans:
        if any(start < e and s < end for s, e in taken):
            continue
        company = gazetteer.company(text)
        if company is not None:
            taken.append((start, end))
            mentions.append(Mention(start, end, company))
            continue
        key = text.lower()
        if key in STOP_PLACES or PUBLICATIONS.match(sentence, end):
            if " " in key:
                taken.append((start, end))  # "Washington County" set aside is not Washington
            continue
        if " " in text and re.search(r"[A-Z][a-z]+,\s*$", sentence[:start]) and gazetteer.state(text.split()[0]):
            continue  # "Portland, Oregon City Council": a qualifier, not Oregon City
        candidates = gazetteer.candidates(text)
        if not candidates:
            continue
        if (why := inside_other_name(sentence, start, end, title_case)) is not None:
            if ctx.trace is not None:
                ctx.trace.note(f"{text!r} is not the place here: {why}")
            continue
        qualifier = re.match(r",?\s*\(?([A-Z][\w.]*(?: [A-Z][\w.]*)?)", sentence[end:])
        hints = list(sentence_states)
        if qualifier and (st := gazetteer.state(qualifier.group(1))) and st.state_code:
            hints.insert(0, st.state_code)
        place = _pick(candidates, hints + ctx.states[::-1])
        if place is None:
            taken.append((start, end))  # an unresolved "Washington County" is not Washington
            if ctx.trace is not None:
                ctx.trace.note(f"{text!r}: namesakes in several states, and nothing says which")
            continue
        if place.kind == "country":
            continue  # the federal level is found by FEDERAL, not by "U.S." as an adjective
        taken.append((start, end))
        mentions.append(Mention(start, end, place.subject(), place))
    mentions.sort(key=lambda m: m.start)
    return mentions


_HEADS = frozenset(vocabulary.sections("cues.txt")["government heads"])
_GOV_OF = re.compile(r"\b(?:" + "|".join(vocabulary.sections("cues.txt")["government of"]) + r")\s+of\s+(?:the\s+)?$")
_PREFIXES = frozenset(vocabulary.sections("cues.txt")["place prefixes"])
_NEXT_WORD = re.compile(r"[ ]([A-Z][\w'’]*)")
_PREV_WORD = re.compile(r"([A-Z][\w'’.]*)[ ]$")
_ORG_OF = re.compile(r"[A-Z][\w.&]*\s+of\s+(?:the\s+)?$")
_SMALL = frozenset({"a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "by", "at", "as", "with", "from", "its", "is"})


_DATELINE_START = re.compile(r"^\s*(?P<place>[A-Z][A-Z.'’ -]*[A-Z])(?:,\s*(?P<state>[A-Z][\w.]*(?: [A-Z][\w.]*)?))?\s*(?:\([^)]{1,25}\)\s*)?[—–-]{1,2}\s")


def _dateline(sentence: str, gazetteer: Gazetteer, ctx: Context) -> int | None:
    """A dateline ("PORTLAND, Maine —", "SEATTLE (AP) —") says where the story was filed: not
    who acted, but the place "the city" and "the council" refer to. Returns its end."""
    m = _DATELINE_START.match(sentence)
    if m is None:
        return None
    state = gazetteer.state(m.group("state")) if m.group("state") else None
    hints = [state.state_code] if state is not None and state.state_code else []
    place = _pick(gazetteer.candidates(m.group("place").title()), hints + ctx.states[::-1])
    if place is not None and place.kind in ("place", "county"):
        ctx.last_place = place.subject()
        ctx.places.append(place.subject())
        if place.state_code:
            ctx.states.append(place.state_code)
    if ctx.trace is not None:
        ctx.trace.note(f"dateline {m.group(0).strip()!r}: where the story was filed, not who acted")
    return m.end()


def _is_title_case(sentence: str) -> bool:
    """A headline in title case ("Springfield City Council Moves To Ban ..."): capitals there
    say nothing about names."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’]*", sentence) if w.lower() not in _SMALL]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def inside_other_name(sentence: str, start: int, end: int, title_case: list[bool]) -> str | None:
    """Why a place name found at sentence[start:end] does not mean the place, or None.

    A dateline ("SEATTLE (AP) —") says where a story was filed; "the ACLU of Massachusetts",
    "D-Cambridge" (a party-and-town tag) and a place followed by another capitalized word
    that is not one of its bodies ("the Detroit Free Press", "Councilor Austin Reyes") are
    other names."""
    before = sentence[max(0, start - 120): start]
    after = sentence[end:]
    if re.search(r"(?:\b[DRI]|\b(?:Dem|Rep|Ind))[-–]\s?$", before):
        return "a lawmaker's party-and-home tag"
    if re.match(r"-(?:based|area|headquartered|born|bred)\b", after):
        return "where someone is based"
    if _ORG_OF.search(before) and not _GOV_OF.search(before):
        return "part of an organisation's name (X of <place>)"
    if not title_case:
        title_case.append(_is_title_case(sentence))
    if title_case[0]:
        return None
    nxt = _NEXT_WORD.match(after)
    if nxt and nxt.group(1) not in _HEADS and not nxt.group(1).isupper():
        return f"part of a longer name ({sentence[start:end]} {nxt.group(1)} ...)"
    prev = _PREV_WORD.search(before)
    if (
        prev and before.strip() != prev.group(1) and prev.group(1) not in _PREFIXES
        and not prev.group(1).endswith(".")
        and not re.search(r"[.!?:;,\"“(]\s*" + re.escape(prev.group(1)) + r" $", before)
    ):
        return f"part of a longer name (... {prev.group(1)} {sentence[start:end]})"
    return None


def _pick(candidates: list[Place], state_hints: list[str]) -> Place | None:
    """The candidate in the first hinted state, else the largest (states before places)."""
    if not candidates:
        return None
    for code in state_hints:
        for place in candidates:
            if place.state_code == code and place.kind in ("place", "county"):
                return place
    states = [p for p in candidates if p.kind in ("state", "district", "territory", "country")]
    if states:
        return states[0]
    best = max(candidates, key=lambda p: p.population)
    if sum(p.population == best.population for p in candidates) > 1:
        return None  # namesakes nothing tells apart ("Washington County"): not a guess
    return best


# -- subjects ------------------------------------------------------------------------------------
def coordinated_groups(sentence: str, mentions: list[Mention]) -> list[list[Mention]]:
    """Mentions joined by "and", commas or "and the town of" form one coordinated group."""
    groups: list[list[Mention]] = []
    for m in mentions:
        if groups:
            gap = sentence[groups[-1][-1].end: m.start]
            if m.start == groups[-1][-1].start or re.fullmatch(r"\s*(?:,|and|, and|as well as|&|,?\s*or)\s*(?:the (?:city|town|state|county|cities|towns) of\s*)?", gap):
                groups[-1].append(m)
                continue
        groups.append([m])
    return groups


def subjects_of(sentence: str, verb: Verb, mentions: list[Mention], ctx: Context) -> tuple[list[Subject], float]:
    """Who the verb is about, and how sure we are: the nearest named group before the verb that
    is not the object of "followed", "after", "like"...; else a reference back."""
    before = [m for m in mentions if m.end <= verb.start and not _LOCATED.search(sentence, max(0, m.start - 120), m.start)]
    # "Somerville City Council in Massachusetts": the state after "in" qualifies a place of it
    before = [
        m for m in before
        if not (m.place is not None and m.place.kind == "state" and re.search(r"\bin\s+$", sentence[max(0, m.start - 10): m.start])
                and any(o.place is not None and o.place.kind != "state" and o.place.state_code == m.place.state_code and o.end <= m.start for o in before))
    ]
    # "the fourth city in the state to ban it": the state is where, not who
    head = _LOCATED_ROLE.sub(lambda m: "#" * len(m.group(0)), sentence[: verb.start])
    company_before = any(m.subject.type is SubjectType.COMPANY for m in before)
    if not company_before and not (ctx.last_company and COMPANY_ROLE.search(head)) and FEDERAL.search(sentence) and re.search(r"\b(?:act|bill|legislation|law|version)\b", sentence, re.I):
        return [Subject(SubjectType.JURISDICTION, "ocd-division/country:us", "United States")], 0.75
    if before and (last := before[-1]).place is not None and last.place.kind == "state" and re.search(r"\b[Tt]he\s+$", sentence[max(0, last.start - 10): last.start]) and re.match(r"\s+(?:city|town)\b", sentence[last.end:]):
        local = place_in_state(ctx, last.place.state_code)  # "the Oregon city voted": that state's place
        if local is not None:
            return [local], 0.7
    before = [
        m for m in before
        if not (m.place is not None and m.place.kind == "state" and MODIFIER.match(sentence[m.end:])
                and not re.match(r"\s*lawmakers", sentence[m.end:]))
    ]
    for group in reversed(coordinated_groups(sentence, before)):
        first, last = group[0], group[-1]
        between = sentence[last.end: verb.start]
        possessive = re.fullmatch(r"'s?\s+(?:[\w-]+\s+){0,3}?(?:pledge|ban|moratorium|pause|decision|announcement|move|ordinance|law|vote|council|board|leaders|lawmakers|voters|supervisors|officials|legislature|government)\s+(?:(?:to|on \w+|unanimously|\w+ly)\s+)?", between)
        relative = re.match(r"\s*,?\s*(?:which|that|who|whose \w+)\s+(?:\w+\s+){0,2}$", between)
        own_verb = FINITE.search(between)  # "after IBM said it was leaving": IBM's own clause
        if own_verb and "," in between[: own_verb.start()]:
            own_verb = None  # "after Amazon's announcement, the tech giant said": someone else's
        if not between.strip() or (verb.text.split()[0].lower().endswith("ing") and re.search(r"\bwith\s+$", sentence[max(0, first.start - 10): first.start])):
            # "after San Francisco became the first", "with Oakland following soon after"
            own_verb = True
        blocked = SUBJECT_BLOCK.search(sentence[max(0, first.start - 60): first.start]) and not own_verb
        if blocked and not (possessive or relative):
            continue
        if len(between) > 160 and not relative:
            break
        local_states = {m.place.state_code for m in group if m.place is not None and m.place.kind in ("place", "county")}
        if len(group) == 1 and first.place is not None and first.place.kind == "state" and re.match(r"\s*,\s*(?:the|its)\s+(?:city|town|council|city council|voters)\b", sentence[first.end:], re.I):
            # "In Maine, the City Council voted": the council of the article's city in Maine
            local = place_in_state(ctx, first.place.state_code)
            if local is not None:
                return [local], 0.7
        subjects: list[Subject] = []
        for m in group:
            if m.place is not None and m.place.kind == "state" and m.place.state_code in local_states:
                continue  # "Portland, Maine" or "In Massachusetts, Cambridge": a location
            if m.subject not in subjects:
                subjects.append(m.subject)
        return subjects, 0.85
    if re.search(r"\b(?:Gov(?:ernor|\.)|[Gg]overnor|[Aa]ttorney [Gg]eneral)\s", head):
        states = [m for m in mentions if m.place is not None and m.place.kind == "state"]
        if states:
            return [states[0].subject], 0.75
        if ctx.last_state:
            return [ctx.last_state], 0.7
    roles = []
    for pattern, referent in ((COMPANY_ROLE, ctx.last_company), (STATE_ROLE, ctx.last_state), (PLACE_ROLE, ctx.last_place)):
        if referent is not None and (found := _last_match(pattern, head)):
            roles.append((found.start(), referent))
    if roles:
        return [max(roles, key=lambda r: r[0])[1]], 0.7
    if PRONOUN.match(sentence) and ctx.last_subject:
        return [ctx.last_subject], 0.6
    after = [m for m in mentions if m.start >= verb.end and not (m.place is not None and m.place.kind == "state" and MODIFIER.match(sentence[m.end:]))]
    if after and not re.search(r"\b(?:by|for|from|in|to|with|on|of|than|like|after|using|use|buy|buying)\s*$", sentence[verb.end: after[0].start]):
        return [after[0].subject], 0.6
    return [], 0.0


_WHERE = r"\b(?:office|offices|department|agency|agencies|city|cities|town|towns|community|communities|municipalit(?:y|ies)|place|places|jurisdiction|jurisdictions|county|counties|one|first|only|latest)\s+in\s+"
#: a place named as where a ranked or counted place is ("the fourth community in Massachusetts")
_LOCATED = re.compile(_WHERE + r"(?:the\s+(?:state|commonwealth)\s+of\s+)?$", re.I)
_LOCATED_ROLE = re.compile(_WHERE + r"the\s+(?:state|country|nation|region|commonwealth)\b", re.I)


def place_in_state(ctx: Context, state_code: str | None) -> Subject | None:
    """The latest place the article named in a state, or a namesake of the last place named."""
    for subject in reversed(ctx.places):
        if subject.key.startswith(f"ocd-division/country:us/state:{(state_code or '').lower()}/"):
            return subject
    if ctx.last_place is not None and ctx.gazetteer is not None:
        for place in ctx.gazetteer.candidates(ctx.last_place.name):
            if place.state_code == state_code and place.kind == "place":
                return place.subject()
    return None


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


