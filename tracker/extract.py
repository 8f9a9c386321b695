"""From an article's text to dated facts: who adopted, extended, let lapse, failed to pass or
repealed which ban, moratorium or restriction on facial recognition, when. Pure: no I/O, no
database; the gazetteer is an in-memory index.

For each sentence (the headline first), after undoing machine paraphrase (``normalize``):

1. keep it only if it is about facial recognition (or about "the ban" in an article that is);
2. find the measure verbs in it ("voted to ban", "extended", "took effect", "repealed") and
   drop those governed by a demand or a hope ("should ban", "called on ... to ban");
3. find its subject: the jurisdictions and companies named before the verb (coordinated ones
   too), else a reference back ("the city", "the company", "the tech giant", "it") to the
   last one the article named; "Portland" takes its state from the sentence or the article;
4. date it with the time expression nearest the verb, resolved against the publication date
   (and against the last date the article stated, for "a day later"), and read a duration or
   an open end ("a one-year moratorium", "until further notice").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from .data import Article, Fact, Subject
from .dates import PartialDate, add_duration
from .gazetteer import Gazetteer, Place, capitalized_spans
from .normalize import normalize
from .timex import TimeMention, find_duration, find_times, is_open_ended
from .vocab import DateSource, MeasureKind, Scope, Status, SubjectType

FR = re.compile(
    r"\b(?:facial|face)[\s-]*(?:recognition|surveillance|matching|analysis|scan\w*|id\b)|"
    r"\bbiometric surveillance|\brekognition\b|\bface[\s-]?print|\bface templates?",
    re.I,
)
MEASURE_NOUN = re.compile(
    r"\b(?:ban|bans|moratori(?:um|a)|prohibition|ordinance|pause|restrictions?|limits|rules|"
    r"law|bill|measure|legislation|act|pledge|policy|sunset)\b",
    re.I,
)

# Measure verbs, with the status they report. Order matters only for overlaps (first wins).
_VERBS: list[tuple[Status, str]] = [
    (Status.EXTENDED, r"\bextend(?:s|ed|ing)?\b|\bextension of\b|\brenew(?:s|ed)\b|\bprolong(?:s|ed)\b"),
    (Status.EXPIRED, r"\bexpired\b|\blapsed\b|\bran out\b|\bsunsetted\b|\bcame to an end\b|\bwas allowed to (?:expire|lapse)\b|\blet (?:it |the \w+ )?(?:expire|lapse)\b|\bended on\b"),
    (Status.FAILED, r"\bfail(?:ed|s)? to (?:pass|advance|win|get)\b|\bfailed\b|\bdid not pass\b|\bdidn't pass\b|\bnever passed\b|\bdied\b|\bvoted down\b|\brejected\b|\bdefeated\b|\bvetoed\b|\bnever (?:came|got|received) (?:to )?a (?:floor )?vote\b|\bwithout (?:a|ever getting a) vote\b"),
    (Status.REPEALED, r"\brepeal(?:ed|s|ing)?\b|\blift(?:ed|s|ing)? (?:its|the|a|that|their)\b|\boverturn(?:ed|s)\b|\brescind(?:ed|s)\b|\brevers(?:ed|es|ing)\b|\broll(?:ed|s)? back\b|\bscrap(?:ped|s)\b|\breplac(?:ed|es|ing) (?:the|its|that|a) (?:\w+ )?(?:ban|moratorium|prohibition|ordinance|law)\b|\bundid\b|\bvoted to allow\b"),
    (Status.PROPOSED, r"\bintroduc(?:ed|es|ing)\b|\bunveil(?:ed|s)\b|\bfiled\b|\bsponsor(?:ed|s)\b|\bdrafted\b|\breintroduc(?:ed|es|ing)\b|\bproposed (?:a|an|the)\b|\bwould (?:ban|bar|prohibit|halt|pause|impose|outlaw)\b"),
    (Status.IN_FORCE, r"\btook effect\b|\btakes effect today\b|\bwent into effect\b|\bcame into (?:force|effect)\b|\bin effect since\b|\bin place since\b|\bhas been in (?:effect|place|force)\b|\bremains? in (?:effect|place|force)\b|\bis in (?:effect|force)\b"),
    (Status.ENACTED, r"\bban(?:s|ned|ning)?\b|\bprohibit(?:s|ed|ing)?\b|\bbar(?:s|red|ring)?\b|\boutlaw(?:s|ed|ing)?\b|\bblock(?:s|ed)\b|\bforb(?:id|ids|ade|idden|idding)\b|\brestrict(?:s|ed|ing)?\b|\blimit(?:s|ed|ing)\b|\bcurb(?:s|ed)?\b|\bhalt(?:s|ed|ing)?\b|\bpaus(?:e|es|ed|ing)\b|\bsuspend(?:s|ed|ing)?\b|\bstop(?:s|ped|ping)? (?:selling|offering|providing|allowing|using|research)\b|\bno longer (?:sell|offer|provide|use|allow)\b|\b(?:won't|will not|would not|wouldn't|does not|doesn't) (?:sell|provide|offer|add|put|include)\b|\bexit(?:ed|s|ing)?\b|\bleav(?:e|es|ing) the\b|\bwithdr(?:ew|awn|aw|awing)\b|\bshut(?:s|ting)? down\b|\bshutter(?:ed|s)?\b|\bdiscontinu(?:e|ed|es|ing)\b|\babandon(?:ed|s|ing)\b|\b(?:voted|votes|vote)\b|\bpass(?:ed|es)\b|\bapprov(?:ed|es)\b|\badopt(?:ed|s)?\b|\bsign(?:ed|s)\b|\benact(?:ed|s)\b|\bimpos(?:ed|es|ing)\b|\bimplement(?:ed|s|ing)\b|\bexecuting\b|\bput (?:in place )?a\b|\bplaced a\b|\bannounc(?:ed|es)\b|\bbecame the (?:first|second|third|fourth|fifth|latest|largest)\b|\bjoin(?:ed|s|ing)\b|\bstrengthen(?:ed|s|ing)?\b|\btoughen(?:ed|s)?\b|\bsettle(?:d|s)?\b|\bagreed\b|\b(?:may|can|could) not use\b|\bcannot use\b"),
]
_VERB_RES = [(status, re.compile(p, re.I)) for status, p in _VERBS]
#: Verbs that only count with a measure noun nearby ("passed an ordinance", "signed a law").
_WEAK = re.compile(r"^(?:vot|pass|approv|adopt|sign|enact|implement|execut|announc|put|placed|join|strength|tough|settle|agreed|impos|introduc|unveil|filed|sponsor|drafted|reintroduc|proposed|failed|died|rejected|defeated|vetoed|overturn|revers|scrap|undid|lift)", re.I)
#: "ban" as a noun ("a ban", "its ban", "the city's ban on") is an object, not a verb.
_NOUN_BEFORE = re.compile(r"(?:\b(?:a|an|the|its|their|his|her|this|that|such|any|city's|state's|company's|outright|permanent|total|blanket|citywide|statewide|nationwide|temporary|proposed|new|first|existing|similar|software|police|private|sales|federal|government|broad|broader|strict|strictest|comparable|own|ordinance's|one-year|two-year|three-year|five-year|\w+'s|\w+s')\s+(?:[\w-]+\s+)?)$", re.I)
_DEMAND = re.compile(
    r"\b(?:should|must|ought to|needs? to|need to|urg(?:e|ed|es|ing)|call(?:s|ed|ing)? (?:on|for|upon)|"
    r"demand(?:s|ed|ing)?|want(?:s|ed)?|push(?:es|ed|ing)? (?:for|to)|pressed|asked|asking|"
    r"hope(?:s|d)?|hoping|would like|plans? to|planning to|consider(?:s|ed|ing)?|debat(?:e|es|ed|ing)|"
    r"weigh(?:s|ed|ing)?|could|might|may|if\b|whether|proposal to|petition(?:ed|ing)?|lobb(?:y|ied|ying)|"
    r"support(?:s|ed|ing)? (?:a|the)|backed|favou?r(?:s|ed)?|advocat(?:e|es|ed|ing)|seek(?:s|ing)?|sought|"
    r"encourag(?:e|ed|es|ing)|await|recommend(?:s|ed)?|suggest(?:s|ed)?|expected to|likely to|set to|"
    r"would\s+(?:also\s+)?(?:need|have)|fight(?:s|ing)? to|campaign(?:s|ed|ing)? (?:for|to)|aim(?:s|ed)? to|"
    r"refus(?:e|ed|es) to|declined to|not yet|has not|have not|hasn't|haven't|didn't|did not|won't be|without)\b",
    re.I,
)
_NEGATED_SCOPE = re.compile(r"\b(?:does not|doesn't|do not|don't|not|no|exempt\w*|exclud\w*)\b[^.;]{0,60}$", re.I)
_SUBJECT_BLOCK = re.compile(r"\b(?:followed|following|follows|follow|joining|joined|joins|like|after|than|as did|similar to|behind|unlike|namesake)\s*$", re.I)
_PUBLICATIONS = re.compile(r"^\s*(?:Post|Times|Globe|Chronicle|Journal|Herald|Tribune|Examiner|University|College|Press|Bee|Star|Sun|Review|Police Department|Sheriff|Public Schools|Gov|Sen|Rep)\b")
_STOP_PLACES = {
    "mobile", "independence", "liberty", "commerce", "enterprise", "mission", "paradise", "justice",
    "union", "progress", "florence", "marion", "hamilton", "lincoln", "opportunity", "spring",
    "hollywood", "aurora", "victoria", "ontario", "warren", "franklin", "clinton", "monroe",
    "madison", "irving", "burlington", "mentor", "normal", "surprise", "temple", "orange",
    "pearl", "parker", "bell", "brighton", "dorchester", "wheeling", "goodyear", "security",
    "washington county", "americus", "us", "usa", "america", "united states", "house", "senate",
    "congress",
}
_FEDERAL = re.compile(
    r"\b(?:congress|federal (?:lawmakers|legislation|bill|ban|moratorium|law|government|agencies)|"
    r"u\.?s\.? (?:senators?|representatives?|house|senate)|senators?\b[^.]{0,80}\b(?:act|bill)|"
    r"(?:senate|house) (?:democrats|republicans|bill)|"
    r"(?:\w+ )*moratorium act|biometric technology moratorium)\b",
    re.I,
)
_COMPANY_ROLE = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w-]+[\s-]+){0,3}?(?:company|firm|giant|retailer|corporation|"
    r"vendor|maker|provider|organization|startup|start-up|business)\b",
    re.I,
)
_PLACE_ROLE = re.compile(
    r"\b(?:the|its) (?:city|town|council|city council|board(?: of supervisors)?|supervisors|"
    r"municipality|county|mayor|ordinance|voters)\b|\bcity (?:leaders|officials|lawmakers|council)\b",
    re.I,
)
_STATE_ROLE = re.compile(
    r"\b(?:the state|state lawmakers|lawmakers|legislators|the legislature|the governor|gov\.|"
    r"the general assembly|state legislature|state senate)\b",
    re.I,
)
_PRONOUN = re.compile(r"^\s*(?:It|They|The (?:measure|ban|moratorium|ordinance|law|pause|move))\b")
_BOTH_CITIES = re.compile(
    r"\b(?P<a>[A-Z][a-z]+) and (?P<b>[A-Z][a-z]+) cities of (?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:Gov|Sen|Rep|Mr|Ms|Mrs|Dr|St|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Ore|Mass|Calif|Wash|Ill|Minn|Va|Vt|Me|Ga|Fla|Conn|Mich|Ariz|Colo|Tenn|Pa|Mo|No|Inc|Co|Corp|U\.S|D\.C|U\.N|a\.m|p\.m|vs|Jr|Sr|Lt|Gen|Sgt|Ft)\.$")


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
    fr_article: bool = False


def split_sentences(text: str) -> list[str]:
    """Sentences of a text: paragraphs, then sentence ends (not after "Gov." or "Ore.")."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*[-*•]\s)", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for m in _SENTENCE.finditer(paragraph):
            before = paragraph[start: m.start()]
            if _ABBREV.search(before) or re.search(r"\b[A-Z]\.$", before):
                continue
            sentences.append(paragraph[start: m.start()].strip())
            start = m.end()
        sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


# -- publication dates --------------------------------------------------------------------------
def infer_published(article: Article) -> Article:
    """An article with no publication date gets the latest full date its text states, marked
    inferred (a lower bound: relative dates are not resolved against it)."""
    if article.published is not None:
        return article
    days = [
        t.date.start
        for sentence in split_sentences(normalize(article.text))
        for t in find_times(sentence, None)
        if t.date is not None and t.date.precision.value == "day"
    ]
    if not days:
        return article
    return replace(article, published=max(days), published_how=DateSource.INFERRED)


def _anchor(article: Article) -> dt.date | None:
    if article.published_how in (DateSource.INFERRED, DateSource.UNKNOWN):
        return None
    return article.published


# -- entities ------------------------------------------------------------------------------------
def _state_codes(text: str, gazetteer: Gazetteer) -> list[str]:
    """States named in a text, in order (by name, or as "City, ST" / "City, Ore.")."""
    codes: list[str] = []
    for _, _, span in capitalized_spans(text, 3):
        state = gazetteer.state(span) if len(span) > 2 or span.isupper() else None
        if state is not None and state.kind == "state" and state.state_code:
            codes.append(state.state_code)
    return codes


def find_mentions(sentence: str, gazetteer: Gazetteer, ctx: Context) -> list[Mention]:
    """Jurisdictions and companies named in a sentence, longest names first, no overlaps."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    sentence_states = _state_codes(sentence, gazetteer)
    for m in _BOTH_CITIES.finditer(sentence):
        for key in ("a", "b"):
            state = gazetteer.state(m.group(key))
            place = _pick(gazetteer.candidates(m.group("name")), [state.state_code] if state and state.state_code else [])
            if place is not None and place.kind == "place":
                mentions.append(Mention(m.start("name"), m.end("name"), place.subject(), place))
        taken.append((m.start(), m.end()))
    spans = sorted(
        capitalized_spans(sentence, gazetteer.max_words), key=lambda s: (-(s[1] - s[0]), s[0])
    )
    for start, end, text in spans:
        if any(start < e and s < end for s, e in taken):
            continue
        company = gazetteer.company(text)
        if company is not None:
            taken.append((start, end))
            mentions.append(Mention(start, end, company))
            continue
        key = text.lower()
        if key in _STOP_PLACES or _PUBLICATIONS.match(sentence[end:]):
            continue
        candidates = gazetteer.candidates(text)
        if not candidates:
            continue
        qualifier = re.match(r",?\s*\(?([A-Z][\w.]*(?: [A-Z][\w.]*)?)", sentence[end:])
        hints = list(sentence_states)
        if qualifier and (st := gazetteer.state(qualifier.group(1))) and st.state_code:
            hints.insert(0, st.state_code)
        place = _pick(candidates, hints + ctx.states[::-1])
        if place is None:
            continue
        if place.kind == "country":
            continue  # the federal level is found by _FEDERAL, not by "U.S." as an adjective
        taken.append((start, end))
        mentions.append(Mention(start, end, place.subject(), place))
    mentions.sort(key=lambda m: m.start)
    return mentions


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
    return max(candidates, key=lambda p: p.population)


# -- verbs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verb:
    start: int
    end: int
    status: Status
    text: str


def find_verbs(sentence: str) -> list[Verb]:
    verbs: list[Verb] = []
    taken: list[tuple[int, int]] = []
    for status, pattern in _VERB_RES:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            word = m.group(0)
            lower = word.lower()
            before = sentence[: m.start()]
            if lower.startswith("ban") and lower in ("ban", "bans") and _NOUN_BEFORE.search(before) and not re.search(r"\bto\s+$", before):
                continue
            if lower in ("ban", "bans") and re.match(r"\s+on\b", sentence[m.end():]) and not re.search(r"\b(?:to|will|would)\s+$", before):
                continue
            if lower.startswith(("restrict", "limit", "curb", "bar", "block")) and re.search(r"\b(?:the|its|their|a|new|such|any|these|those)\s+$", before):
                continue
            if _WEAK.match(word) and not MEASURE_NOUN.search(sentence):
                continue
            taken.append((m.start(), m.end()))
            verbs.append(Verb(m.start(), m.end(), status, word))
    verbs.sort(key=lambda v: v.start)
    return verbs


def _demanded(sentence: str, verb: Verb) -> bool:
    """Is the verb governed by a demand, hope, proposal or negation ("should ban")?"""
    window = sentence[max(0, verb.start - 70): verb.start]
    window = re.split(r"[;:]|,\s+(?:and|but|while)\b|\bbut\b|\bwhile\b|\bwhen\b|\bafter\b", window)[-1]
    if verb.status is Status.FAILED:
        return False
    if verb.status is Status.PROPOSED:
        return bool(re.search(r"\b(?:should|must|urg\w+|call\w* (?:on|for))\b", window, re.I))
    return bool(_DEMAND.search(window))


# -- the measure ---------------------------------------------------------------------------------
def _kind(sentence: str, verb: Verb, duration: bool) -> MeasureKind:
    text = sentence.lower()
    if re.search(r"moratori|\bpause|\bhalt|\bsuspen|\btemporar", text) or duration:
        return MeasureKind.MORATORIUM
    if re.search(r"\bban|\bprohibit|\bbar(?:s|red|ring)?\b|\boutlaw|\bforb|\bstop|\bno longer|\bexit|\bleav|\bwithdr|\bshut|\bdiscontinu|\babandon|\bwon't|\bwill not|\bwould not|\bnot (?:sell|offer|provide|add|use)|\bcannot use", text):
        return MeasureKind.BAN
    return MeasureKind.RESTRICTION


def _scopes(sentence: str, subject: Subject) -> list[str]:
    text = sentence.lower()
    scopes: list[str] = []
    if re.search(r"body[\s-]?(?:worn )?cam", text):
        return [Scope.BODY_CAMERAS.value]
    if re.search(r"\bschools?\b", text):
        return [Scope.SCHOOLS.value]
    private = re.search(r"\bprivate(?:ly owned)? (?:businesses|companies|entities|sector|firms)|\bbusinesses\b|\bstores\b|places of public accommodation|\bpublic accommodation|\bprivate[\s-](?:sector|area|use)", text)
    if private and not _NEGATED_SCOPE.search(text[: private.start()]):
        scopes.append(Scope.PRIVATE.value)
    if subject.type is SubjectType.COMPANY:
        if re.search(r"\bpolice|law enforcement", text):
            return [Scope.SALES_TO_POLICE.value]
        return scopes or [Scope.GENERAL.value]
    government = re.search(r"\b(?:city|county|state|municipal|government|public|town) (?:agencies|departments|bureaus|staff|employees|officials|use|offices)|\bagencies\b|\bbureaus\b|\bdepartments\b|\bcity (?:use|government)|\bgovernment use|\bits own\b|\bcity staff", text)
    police = re.search(r"\bpolice|\blaw enforcement|\bsheriff", text)
    if government or not (police or scopes):
        scopes.insert(0, Scope.GOVERNMENT.value)
    elif police:
        scopes.insert(0, Scope.POLICE.value)
    return scopes


# -- subjects ------------------------------------------------------------------------------------
def _subjects(sentence: str, verb: Verb, mentions: list[Mention], ctx: Context) -> tuple[list[Subject], float]:
    """Who the verb is about, and how sure we are."""
    if _FEDERAL.search(sentence) and re.search(r"\b(?:act|bill|legislation|congress)\b", sentence, re.I):
        return [Subject(SubjectType.JURISDICTION, "ocd-division/country:us", "United States")], 0.75
    before = [m for m in mentions if m.end <= verb.start]
    chosen: list[Mention] = []
    for m in before:
        prefix = sentence[: m.start]
        if _SUBJECT_BLOCK.search(prefix):
            continue
        if chosen:
            gap = sentence[chosen[-1].end: m.start]
            if re.fullmatch(r"\s*(?:,|and|, and|as well as|&|,?\s*or)\s*", gap):
                chosen.append(m)
                continue
            if not re.search(r"\b(?:said|says|announced|told)\b", gap):
                continue
        if not chosen:
            chosen.append(m)
    if chosen:
        # "Portland, Maine," -> the state is a qualifier of the place, not a second subject
        subjects: list[Subject] = []
        for m in chosen:
            if subjects and m.place is not None and m.place.kind == "state" and chosen[0].place is not None and chosen[0].place.state_code == m.place.state_code:
                continue
            if m.subject not in subjects:
                subjects.append(m.subject)
        return subjects, 0.85
    head = sentence[: verb.start]
    if (role := _last_match(_COMPANY_ROLE, head)) and ctx.last_company:
        return [ctx.last_company], 0.7
    if _STATE_ROLE.search(head) and ctx.last_state and not (_PLACE_ROLE.search(head) and ctx.last_place):
        return [ctx.last_state], 0.7
    if _PLACE_ROLE.search(head) and ctx.last_place:
        return [ctx.last_place], 0.7
    if _PRONOUN.match(sentence) and ctx.last_subject:
        return [ctx.last_subject], 0.6
    after = [m for m in mentions if m.start >= verb.end]
    if after and not re.search(r"\b(?:by|for|from|in|to|with|on)\s*$", sentence[verb.end: after[0].start]):
        return [after[0].subject], 0.6
    del role
    return [], 0.0


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):
        pass
    return found


# -- dates ---------------------------------------------------------------------------------------
def _event_time(times: list[TimeMention], verb: Verb) -> TimeMention | None:
    """The time expression that dates the verb: the nearest event or "since" one, preferring
    one after the verb in the same clause."""
    events = [t for t in times if t.role in ("event", "since") and t.date is not None]
    if not events:
        return None
    def distance(t: TimeMention) -> int:
        d = t.start - verb.end if t.start >= verb.end else verb.start - t.end
        return d + (0 if t.start >= verb.end else 15)
    return min(events, key=distance)


# -- the whole article ---------------------------------------------------------------------------
def extract(article: Article, gazetteer: Gazetteer) -> list[Fact]:
    """Every status change an article reports, deduplicated; see the module docstring."""
    text = normalize(article.text)
    title = normalize(article.title or "")
    title = re.sub(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+", "", title)
    sentences = ([title] if title else []) + split_sentences(text)
    ctx = Context(
        published=_anchor(article),
        states=_state_codes(" ".join(sentences[:3]), gazetteer),
        fr_article=bool(FR.search(text) or FR.search(title)),
    )
    facts: list[Fact] = []
    for index, sentence in enumerate(sentences):
        facts.extend(_sentence_facts(sentence, gazetteer, ctx, is_title=index == 0 and bool(title)))
    return _dedupe(facts)


def _sentence_facts(sentence: str, gazetteer: Gazetteer, ctx: Context, *, is_title: bool) -> list[Fact]:
    mentions = find_mentions(sentence, gazetteer, ctx)
    times = find_times(sentence, ctx.published, ctx.last_date)
    facts: list[Fact] = []
    about_fr = bool(FR.search(sentence)) or (
        ctx.fr_article and bool(re.search(r"\b(?:ban|moratorium|pause|ordinance|prohibition)\b|\bthe (?:technology|software|tool|system)\b", sentence, re.I))
    )
    if about_fr:
        for verb in find_verbs(sentence):
            if _demanded(sentence, verb):
                continue
            subjects, confidence = _subjects(sentence, verb, mentions, ctx)
            if not subjects:
                continue
            facts.extend(_facts_for(sentence, verb, subjects, confidence, times, ctx, is_title))
    _remember(ctx, mentions, times, facts, sentence, gazetteer)
    return facts


def _facts_for(sentence: str, verb: Verb, subjects: list[Subject], confidence: float, times: list[TimeMention], ctx: Context, is_title: bool) -> list[Fact]:
    status = verb.status
    time = None if is_title else _event_time(times, verb)
    date = time.date if time else None
    if status is Status.ENACTED and time is not None and time.role == "since":
        status = Status.IN_FORCE
    if date is not None and ctx.published and date.start > ctx.published and status in (Status.ENACTED, Status.IN_FORCE):
        return []  # "takes effect next year": not yet
    duration = find_duration(sentence)
    open_ended = is_open_ended(sentence)
    end_times = [t for t in times if t.role == "end" and t.date is not None]
    end = end_times[0].date if end_times and status in (Status.ENACTED, Status.IN_FORCE, Status.EXTENDED) else None
    if end is None and duration and date and status in (Status.ENACTED, Status.IN_FORCE):
        end = add_duration(date, duration.days, duration.months)
    if open_ended and status in (Status.ENACTED, Status.IN_FORCE, Status.EXTENDED):
        end = None
    if status is Status.ENACTED and re.search(r"\bexpire|\blapse", sentence, re.I) and not end:
        pass
    kind = _kind(sentence, verb, bool(duration) and status is not Status.EXTENDED)
    facts = []
    for subject in subjects:
        for scope in _scopes(sentence, subject):
            facts.append(
                Fact(
                    subject=subject,
                    kind=kind,
                    scope=scope,
                    status=status,
                    date=date,
                    evidence=sentence,
                    end=end,
                    duration_days=duration.days if duration and not open_ended else None,
                    duration_months=duration.months if duration and not open_ended else None,
                    open_ended=open_ended and status is Status.EXTENDED,
                    confidence=round(confidence * (0.8 if time and time.relative else 1.0), 2),
                )
            )
    return facts


def _remember(ctx: Context, mentions: list[Mention], times: list[TimeMention], facts: list[Fact], sentence: str, gazetteer: Gazetteer) -> None:
    for m in mentions:
        if m.subject.type is SubjectType.COMPANY:
            ctx.last_company = m.subject
        elif m.place is not None and m.place.kind in ("state",):
            ctx.last_state = m.subject
            if m.place.state_code:
                ctx.states.append(m.place.state_code)
        elif m.place is not None:
            ctx.last_place = m.subject
            if m.place.state_code:
                ctx.states.append(m.place.state_code)
                if m.place.state_code in gazetteer.states and ctx.last_state is None:
                    ctx.last_state = gazetteer.states[m.place.state_code].subject()
    if facts:
        ctx.last_subject = facts[-1].subject
    elif mentions:
        ctx.last_subject = mentions[0].subject
    dated = [t.date for t in times if t.date is not None and t.role != "end"]
    if dated:
        ctx.last_date = dated[-1]


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per subject, scope, status class and date; an undated one goes when a dated one
    says the same."""
    def group(status: Status) -> str:
        return "start" if status in (Status.ENACTED, Status.IN_FORCE) else status.value
    best: dict[tuple, Fact] = {}
    for fact in facts:
        key = (fact.subject, fact.scope, group(fact.status), fact.date)
        if key not in best or fact.confidence > best[key].confidence:
            best[key] = fact
    dated = {(f.subject, f.scope, group(f.status)) for f in best.values() if f.date is not None}
    return [
        f for f in best.values()
        if f.date is not None or (f.subject, f.scope, group(f.status)) not in dated
    ]
