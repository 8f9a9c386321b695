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
from dataclasses import dataclass, field, replace

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
    r"law|bill|measure|legislation|act|pledge|policy|sunset|proposals?|resolutions?|initiative|"
    r"referendum|amendment|bylaw|ordinances)\b",
    re.I,
)

# Measure verbs, with the status they report. Order matters only for overlaps (first wins).
_VERBS: list[tuple[Status, str]] = [
    (Status.EXTENDED, r"\bextend(?:s|ed|ing)? (?:(?:its|the|a|their|that|this)\s+)?(?:[\w-]+\s+){0,3}?(?:ban|moratorium|pause|prohibition|restriction|halt|freeze|policy|pledge)\b|\b(?:ban|moratorium|pause|prohibition|halt)\s+(?:was\s+|has been\s+|is\s+)?extended\b|\bextension of (?:its|the|a) (?:[\w-]+\s+){0,2}?(?:ban|moratorium|pause)\b|\brenew(?:s|ed)? (?:its|the) (?:ban|moratorium|pause)\b|\bextend(?:s|ed|ing)? (?:it|them)\b"),
    (Status.EXPIRED, r"\bexpired\b|\blapsed\b|\bran out\b|\bsunsetted\b|\bcame to an end\b|\bwas allowed to (?:expire|lapse)\b|\blet (?:it |the \w+ )?(?:expire|lapse)\b|\bended on\b"),
    (Status.FAILED, r"\bfail(?:ed|s)? to (?:pass|advance|win|get)\b|\bfailed\b|\bdid not pass\b|\bdidn't pass\b|\bnever passed\b|\bdied\b|\bvoted down\b|\breject(?:s|ed)?\b|\bdefeated\b|\bvetoed\b|\bnever (?:came|got|received) (?:to )?a (?:floor )?vote\b|\bwithout (?:a|ever getting a) vote\b"),
    (Status.REPEALED, r"\brepeal(?:ed|s|ing)?\b|\blift(?:ed|s|ing)? (?:its |the |a |that |their )?(?:\w+ )?(?:ban|moratorium|prohibition)\b|\boverturn(?:ed|s)?\b|\brescind(?:ed|s)?\b|\brevers(?:e|ed|es|ing)\b|\breplace (?:the|its|that|a) (?:\w+ )?(?:\w+'s )?(?:ban|moratorium|prohibition)\b|\broll(?:ed|s)? back\b|\bscrap(?:ped|s)\b|\breplac(?:ed|es|ing) (?:the|its|that|a) (?:\w+ )?(?:ban|moratorium|prohibition|ordinance|law)\b|\bundid\b|\bvoted to allow\b"),
    (Status.PROPOSED, r"\bintroduc(?:ed|es|ing)\b|\bunveil(?:ed|s)\b|\bfiled (?:a |the )?(?:bill|legislation|measure|ordinance)\b|\breintroduc(?:ed|es|ing)\b|\bproposed (?:a|an|the)\b|\bwould (?:ban|bar|prohibit|halt|pause|impose|outlaw)\b"),
    (Status.IN_FORCE, r"(?<=moratorium that )began\b|(?<=ban that )began\b|(?<=moratorium )began\b|\btook effect\b|\btakes effect today\b|\bwent into effect\b|\bcame into (?:force|effect)\b|\bin effect since\b|\bin place since\b|\bhas been in (?:effect|place|force)\b|\b(?:remains?|stays?) in (?:effect|place|force)\b|\bis in (?:effect|force)\b"),
    (Status.ENACTED, r"\bban(?:s|ned|ning)?\b|\bprohibit(?:s|ed|ing)?\b|\bbar(?:s|red|ring)?\b|\boutlaw(?:s|ed|ing)?\b|\bblock(?:s|ed)\b|\bforb(?:id|ids|ade|idden|idding)\b|\brestrict(?:s|ed|ing)?\b|\blimit(?:s|ed|ing)\b|\bcurb(?:s|ed)?\b|\bhalt(?:s|ed|ing)?\b|\bpaus(?:e|es|ed|ing)\b|\bsuspend(?:s|ed|ing)?\b|\bstop(?:s|ped|ping)? (?:selling|offering|providing|allowing|using|research|police|law enforcement|government)\b|\bno longer (?:sell|offer|provide|use|allow)\b|\b(?:won't|will not|would not|wouldn't|does not|doesn't) (?:sell|provide|offer|add|put|include)\b|\bexit(?:ed|s|ing)?\b|\bleav(?:e|es|ing) the\b|\bwithdr(?:ew|awn|aw|awing)\b|\bshut(?:s|ting)? down\b|\bshutter(?:ed|s)?\b|\bdiscontinu(?:e|ed|es|ing)\b|\babandon(?:ed|s|ing)\b|\b(?:voted|votes|vote)\b|\bpass(?:ed|es)\b|\bapprov(?:ed|es)\b|\badopt(?:ed|s)?\b|\bsign(?:ed|s)\b|\benact(?:ed|s)\b|\bimpos(?:ed|es|ing)\b|\bimplement(?:ed|s|ing)\b|\bexecuting\b|\b(?:put|puts|putting|placing|places) (?:in place )?an?\b|\bplaced an?\b|\bannounc(?:ed|es)\b|\bbecame the (?:first|second|third|fourth|fifth|latest|largest)\b|\bjoin(?:ed|s|ing)\b|\bstrengthen(?:ed|s|ing)?\b|\btoughen(?:ed|s)?\b|\bsettle(?:d|s)?\b|\bagreed\b|\b(?:may|can|could) not use\b|\bcannot use\b|\bcreated an? (?:\w+[- ])*(?:moratorium|ban)\b|\bissu(?:ed|es) (?:an? |the )?(?:order|rule|directive|determination|ban)\b|\bfollowed\b(?=\s+(?:suit|in|on|last|this|that|soon|shortly|a\s|the\s+(?:same|next|following)|\d)|[.,])|\bjoined in\b|\btook the (?:same )?step\b|\bacted\b"),
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
    r"weigh(?:s|ed|ing)?|if\b|whether|proposal to|petition(?:ed|ing)?|lobb(?:y|ied|ying)|"
    r"support(?:s|ed|ing)? (?:a|the)|backed|favou?r(?:s|ed)?|advocat(?:e|es|ed|ing)|seek(?:s|ing)?|sought|"
    r"encourag(?:e|ed|es|ing)|await|recommend(?:s|ed)?|suggest(?:s|ed)?|expected to|likely to|set to|"
    r"would\s+(?:also\s+)?(?:need|have)|fight(?:s|ing)? to|campaign(?:s|ed|ing)? (?:for|to)|aim(?:s|ed)? to|"
    r"refus(?:e|ed|es) to|declined to|not yet|has not|have not|hasn't|haven't|didn't|did not|won't be|without|"
    r"do not|does not|don't|doesn't|"
    r"no(?! longer)|never|nor|neither)\b",
    re.I,
)
_ASKED = re.compile(r"\b(?:ask(?:s|ed)?|urg(?:e|es|ed)|call(?:s|ed)? on|demand(?:s|ed)?|press(?:es|ed)|petition(?:s|ed)?|want(?:s|ed)?|pushed|lobbied|encourag(?:e|es|ed))\b", re.I)
_MODAL = re.compile(r"\b(?:could|might|may)\b")
_GOVERNED = re.compile(
    r"\b(?:reject\w*|defeat\w*|vot\w+ down|fail\w*|introduc\w*|propos\w*|repeal\w*|(?:bill|proposal|resolution|effort|attempt|plan|measure|amendment|petition|initiative)s?)\b[^,;]{0,40}\bto\s+(?:\w+\s+)?$",
    re.I,
)
_DESCRIPTIVE = re.compile(
    r"^\s*(?:the|this|that|its|their|a|an)\s+(?:[\w-]+\s+){0,2}(?:ban|bans|ordinance|law|bylaw|measure|bill|rule|rules|policy|moratorium|legislation|prohibition|restriction|restrictions|pause|first|second|one|other|version|provision|settlement|agreement|deal|order|decree|determination)\b",
    re.I,
)
_NOUN_SUBJECT = re.compile(r"\b(?:ban|ordinance|law|bylaw|measure|bill|rule|rules|policy|moratorium|legislation|prohibition|provision|settlement|order)\s+(?:also\s+|now\s+|still\s+|further\s+)?$", re.I)
_DEFINITE = re.compile(r"\b(?:the|its|this|that)\s+(?:[\w-]+\s+)?(?:ordinance|ordinances|bylaw|measure|bill|law|legislation|ban|moratorium|proposal|initiative|act)\b", re.I)
_PROHIBITIVE = re.compile(r"^(?:ban|bans|prohibit|bar|outlaw|block|forb|restrict|limit|curb|covers|applies)", re.I)
_FINITE = re.compile(r"\b(?:said|says|say|announced|told|has|have|had|is|was|were|are|will|would|became|becomes|voted|votes|decided|agreed|approved|adopted|passed|signed)\b", re.I)
_STRONG = re.compile(r"\b(?:ban(?:s|ned|ning)?|prohibit\w*|barred|halt\w*|paus\w*|suspend\w*|moratori\w+|outlaw\w*|forb\w+)\b", re.I)
#: Absolute dates (a year or a month name with a number): what "a day later" can be anchored to.
_HAS_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\.? \d")
_THE_TECH = re.compile(r"\bthe (?:technology|software|tool|system|service)\b", re.I)
#: Substrings without which the patterns below cannot match (a fast first test).
_FR_KEYS = ("face", "facial", "rekognition", "biometric")
_RELEVANT_KEYS = _FR_KEYS + (
    "ban", "boycott", "prohibit", "barred", "halt", "paus", "suspend", "moratori", "outlaw", "forb",
    "the technology", "the software", "the tool", "the system", "the service",
)
_RELEVANT = re.compile("|".join(f"(?:{p.pattern})" for p in (FR, _STRONG, _THE_TECH)), re.I)
_LAW_NOUN = re.compile(r"\b(?:ordinances?|bylaw|bill|law|legislation|measure|moratori\w+|bans?|proposals?|initiative|referendum|amendment|act|settlement|order)\b", re.I)
_ACTION = re.compile(
    r"\b(?:vot|pass|approv|adopt|sign|enact|introduc|die|fail|reject|defeat|repeal|revers|extend|"
    r"renew|expir|laps|sunset|took effect|went into effect|in effect|in place|in force|bar|"
    r"prohibit|restrict|limit|curb|lift|replac|overturn|rescind|settle|agree|issu|creat|stop|"
    r"won't|will not|would|no longer|exit|leav|abandon|shut)\w*",
    re.I,
)
_LIST_OF = re.compile(r"\b(?:a|the) (?:growing )?(?:list|number|group|handful) of (?:\w+ )?(?:cities|places|communities|towns|jurisdictions|states)(?: that| which)? (?:includes?|including|such as|like)\b", re.I)
_LAW_KEYS = (
    "ordinance", "bylaw", "bill", "law", "legislat", "measure", "moratori", "ban", "proposal",
    "initiative", "referendum", "amendment", "act", "settlement", "order",
)
_RELEVANT_LOWER = re.compile(_RELEVANT.pattern.lower())
_ACTION_LOWER = re.compile(_ACTION.pattern)
_LAW_NOUN_LOWER = re.compile(_LAW_NOUN.pattern)
_LAW_SENTENCE = re.compile(r"\b(?:signed|passed|approved|adopted|enacted)\b.{0,60}\b(?:law|bill|legislation|ordinance|measure|package)\b", re.I)
_CONTINUES = re.compile(r"^\s*(?:Among its|It|The (?:law|bill|measure|legislation|package|ordinance)|Under the|That law|The new law)\b")
_NEGATED_SCOPE = re.compile(r"\b(?:does not|doesn't|do not|don't|not|no|exempt\w*|exclud\w*)\b[^.;]{0,60}$", re.I)
_SUBJECT_BLOCK = re.compile(r"\b(?:followed|following|follows|follow|joining|joined|joins|like|after|than|as did|similar to|behind|unlike|namesake|includes|include|borders|home to|near|outside|neighboring|neighbouring)\s*$", re.I)
_MODIFIER = re.compile(r"^\s*(?:community|communities|city|cities|town|towns|county|counties|municipalit\w+|capital|village|residents|agencies|police|lawmakers'?)\b")
_PUBLICATIONS = re.compile(r"^\s*(?:Post|Times|Globe|Chronicle|Journal|Herald|Tribune|Examiner|University|College|Press|Bee|Star|Sun|Review|Public Schools)\b")
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
    r"(?:senate|house) (?:democrats|republicans)|"
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
    r"\b(?:the state|state lawmakers|lawmakers|legislators|the legislature|the governor|gov\.|a state law|the state law|state's|"
    r"the general assembly|state legislature|state senate)\b",
    re.I,
)
_PRONOUN = re.compile(r"^\s*(?:It|They|The (?:measure|ban|moratorium|ordinance|law|pause|move))\b")
_BOTH_CITIES = re.compile(
    r"\b(?P<a>[A-Z][a-z]+) and (?P<b>[A-Z][a-z]+) cities of (?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])")
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
    last_fact: Fact | None = None
    pending: str | None = None
    fr_article: bool = False
    places: list[Subject] = field(default_factory=list)
    gazetteer: Gazetteer | None = None


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
def _state_codes(text: str, gazetteer: Gazetteer, spans: list[tuple[int, int, str]] | None = None) -> list[str]:
    """States named in a text, in order (by name, or as "City, ST" / "City, Ore.")."""
    codes: list[str] = []
    for _, _, span in spans if spans is not None else capitalized_spans(text, 3):
        state = gazetteer.state(span) if len(span) > 2 or span.isupper() else None
        if state is not None and state.kind == "state" and state.state_code:
            codes.append(state.state_code)
    return codes


def _unambiguous_states(text: str, gazetteer: Gazetteer) -> list[str]:
    """States of the places an article names that have only one namesake ("Seattle" -> WA)."""
    codes: list[str] = []
    for _, _, span in capitalized_spans(text, 3):
        candidates = gazetteer.candidates(span)
        if len(candidates) == 1 and candidates[0].kind == "place" and candidates[0].population > 50000 and candidates[0].state_code:
            codes.append(candidates[0].state_code)
    return codes


def find_mentions(sentence: str, gazetteer: Gazetteer, ctx: Context) -> list[Mention]:
    """Jurisdictions and companies named in a sentence, longest names first, no overlaps."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    all_spans = list(capitalized_spans(sentence, gazetteer.max_words))
    sentence_states = _state_codes(sentence, gazetteer, [sp for sp in all_spans if len(sp[2].split()) <= 3])
    for m in _BOTH_CITIES.finditer(sentence):
        for key in ("a", "b"):
            state = gazetteer.state(m.group(key))
            place = _pick(gazetteer.candidates(m.group("name")), [state.state_code] if state and state.state_code else [])
            if place is not None and place.kind == "place":
                mentions.append(Mention(m.start("name"), m.end("name"), place.subject(), place))
        taken.append((m.start(), m.end()))
    spans = sorted(all_spans, key=lambda s: (-(s[1] - s[0]), s[0]))
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
        if " " in text and re.search(r"[A-Z][a-z]+,\s*$", sentence[:start]) and gazetteer.state(text.split()[0]):
            continue  # "Portland, Oregon City Council": a qualifier, not Oregon City
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
            if lower in ("ban", "bans", "pause", "pauses", "halt", "halts", "bar", "bars", "block", "blocks", "limit", "limits", "curb", "curbs", "restrict") and _NOUN_BEFORE.search(before) and not re.search(r"\b(?:to|will|would|also|and)\s+$", before):
                continue
            if lower in ("ban", "bans") and re.match(r"\s+on\b", sentence[m.end():]) and not re.search(r"\b(?:to|will|would)\s+$", before):
                continue
            if lower.startswith(("restrict", "limit", "curb", "bar", "block")) and re.search(r"\b(?:the|its|their|a|new|such|any|these|those)\s+$", before):
                continue
            if _WEAK.match(word) and not MEASURE_NOUN.search(sentence):
                continue
            if _WEAK.match(word) and not FR.search(sentence) and not _STRONG.search(sentence) and not _DEFINITE.search(sentence):
                continue  # "a surveillance law the city adopted": not the measure at hand
            taken.append((m.start(), m.end()))
            verbs.append(Verb(m.start(), m.end(), status, word))
    verbs.sort(key=lambda v: v.start)
    specific = [v for v in verbs if v.status not in (Status.ENACTED,)]
    if specific:
        kept = []
        for v in verbs:
            relative = re.search(r"\b(?:ban|moratorium|pause|prohibition|ordinance|law)\s+(?:that\s+|which\s+)?(?:it|they|the \w+)\s+$", sentence[: v.start], re.I)
            if v.status is Status.ENACTED and _WEAK.match(v.text) and not relative:
                lo, hi = clause(sentence, v)
                if any(lo <= o.start < hi for o in specific):
                    continue  # "voted to reverse the ban": the vote is the repeal
            kept.append(v)
        verbs = kept
    return verbs


def _demanded(sentence: str, verb: Verb, times: list[TimeMention]) -> bool:
    """Is the verb governed by a demand, hope, proposal or negation ("should ban")?"""
    masked = list(sentence)
    for t in times:
        masked[t.start:t.end] = "#" * (t.end - t.start)
    window = "".join(masked)[max(0, verb.start - 70): verb.start]
    window = re.split(r"[;:]|,\s+(?:and|but|while)\b|\bbut\b|\bwhile\b|\bwhen\b|\bafter\b|,\s+(?=(?:the|a|an|its|their|it|they)\b)", window)[-1]
    if re.search(r"\buntil\b", window, re.I):
        return True  # "until Congress passes a law": a condition, not an event
    if re.search(r"\bto\s+(?:\w+\s+)?$", window) and _ASKED.search(sentence[: verb.start]):
        return True  # "asked the city ... and to stop using it"
    if verb.status is Status.FAILED:
        return False
    if verb.status is Status.PROPOSED:
        return bool(re.search(r"\b(?:should|must|urg\w+|call\w* (?:on|for))\b", window, re.I))
    if verb.status is Status.ENACTED and _GOVERNED.search(window):
        return True  # "rejected proposals to curb", "a bill to ban": the object of another verb
    return bool(_DEMAND.search(window) or _MODAL.search(window))


# -- the measure ---------------------------------------------------------------------------------
_KIND_CUES = [
    (MeasureKind.MORATORIUM, re.compile(r"moratori|\bpause|\bhalt|\bsuspen|\btemporar", re.I)),
    (MeasureKind.BAN, re.compile(r"\bban|\bprohibit|\bbar(?:s|red|ring)?\b|\boutlaw|\bforb|\bstop|\bno longer|\bexit|\bleav(?:e|es|ing) the\b|\bwithdr|\bshut|\bdiscontinu|\babandon|\bwon't|\bwill not|\bwould not|\bnot (?:sell|offer|provide|add|use)|\bcannot use", re.I)),
    (MeasureKind.RESTRICTION, re.compile(r"\b(?:new|tighter|strict|sets?) (?:restrictions|limits|conditions)\b|\brestrictions on how\b|\blimits on\b|\brestrict(?:s|ed|ing)?\b|\blimit(?:s|ed|ing)?\b|\bcurb|\brules\b|\bregulat|\bconditions\b|\bwarrant|\boversight|\brequire", re.I)),
]


def _kind(sentence: str, verb: Verb, duration: bool) -> MeasureKind | None:
    """The kind of measure the words nearest the verb name (a duration makes a moratorium);
    None when the sentence names none ("approved the ordinance"), to be taken from the rest
    of the article."""
    if duration:
        return MeasureKind.MORATORIUM
    best: tuple[int, MeasureKind] | None = None
    for kind, pattern in _KIND_CUES:
        for m in pattern.finditer(sentence):
            distance = m.start() - verb.start if m.start() >= verb.start else 2 * (verb.start - m.start())
            if kind is MeasureKind.MORATORIUM:
                distance //= 2  # "a one-year ban ... the pause": the moratorium words win
            if best is None or distance < best[0]:
                best = (distance, kind)
    return best[1] if best else None


def _fill_kinds(facts: list[Fact], text: str) -> list[Fact]:
    """Give facts whose sentence named no kind the kind the article gives their subject, else
    the kind the article talks about most."""
    by_subject: dict[Subject, MeasureKind] = {}
    for fact in facts:
        if fact.kind is not None:
            by_subject.setdefault(fact.subject, fact.kind)
    lower = text.lower()
    counts = {
        MeasureKind.MORATORIUM: len(re.findall(r"moratori", lower)),
        MeasureKind.BAN: len(re.findall(r"\bban|\bprohibit", lower)),
        MeasureKind.RESTRICTION: len(re.findall(r"\brestrict|\bregulat|\brules\b", lower)),
    }
    default = max(counts, key=lambda k: counts[k]) if any(counts.values()) else MeasureKind.BAN
    filled = [
        f if f.kind is not None else replace(f, kind=by_subject.get(f.subject, default))
        for f in facts
    ]
    moratoria = {(f.subject, f.scope) for f in filled if f.kind is MeasureKind.MORATORIUM}
    return [
        replace(f, kind=MeasureKind.MORATORIUM)
        if f.kind is MeasureKind.BAN and (f.subject, f.scope) in moratoria else f
        for f in filled
    ]


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
    government = re.search(r"\b(?:city|county|state|municipal|government|public|town) (?:agenc(?:y|ies)|departments?|bureaus?|staff|employees|officials|use|offices)|\bagenc(?:y|ies)\b|\bbureaus\b|\bdepartments?\b|\bcity (?:use|government)|\bgovernment use|\bits own\b|\bcity staff", text)
    police = re.search(r"\bpolice|\blaw enforcement|\bsheriff", text)
    if government and re.match(r"police ", text[max(0, government.start() - 7): government.start()]):
        government = None
    if government or not (police or scopes):
        scopes.insert(0, Scope.GOVERNMENT.value)
    elif police:
        scopes.insert(0, Scope.POLICE.value)
    return scopes


# -- subjects ------------------------------------------------------------------------------------
def _groups(sentence: str, mentions: list[Mention]) -> list[list[Mention]]:
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


def _subjects(sentence: str, verb: Verb, mentions: list[Mention], ctx: Context) -> tuple[list[Subject], float]:
    """Who the verb is about, and how sure we are: the nearest named group before the verb that
    is not the object of "followed", "after", "like"...; else a reference back."""
    before = [m for m in mentions if m.end <= verb.start]
    head = sentence[: verb.start]
    company_before = any(m.subject.type is SubjectType.COMPANY for m in before)
    if not company_before and _FEDERAL.search(sentence) and re.search(r"\b(?:act|bill|legislation|law|version)\b", sentence, re.I):
        return [Subject(SubjectType.JURISDICTION, "ocd-division/country:us", "United States")], 0.75
    before = [
        m for m in before
        if not (m.place is not None and m.place.kind == "state" and _MODIFIER.match(sentence[m.end:])
                and not re.match(r"\s*lawmakers", sentence[m.end:]))
    ]
    for group in reversed(_groups(sentence, before)):
        first, last = group[0], group[-1]
        between = sentence[last.end: verb.start]
        possessive = re.fullmatch(r"'s?\s+(?:[\w-]+\s+){0,3}?(?:pledge|ban|moratorium|pause|decision|announcement|move|ordinance|law|vote|council|board|leaders|lawmakers|voters|supervisors|officials|legislature|government)\s+(?:(?:to|on \w+|unanimously|\w+ly)\s+)?", between)
        relative = re.match(r"\s*,?\s*(?:which|that|who|whose \w+)\s+(?:\w+\s+){0,2}$", between)
        own_verb = _FINITE.search(between)  # "after IBM said it was leaving": IBM's own clause
        if own_verb and "," in between[: own_verb.start()]:
            own_verb = None  # "after Amazon's announcement, the tech giant said": someone else's
        blocked = _SUBJECT_BLOCK.search(sentence[: first.start]) and not own_verb
        if blocked and not (possessive or relative):
            continue
        if len(between) > 160 and not relative:
            break
        local_states = {m.place.state_code for m in group if m.place is not None and m.place.kind in ("place", "county")}
        if len(group) == 1 and first.place is not None and first.place.kind == "state" and re.match(r"\s*,\s*(?:the|its)\s+(?:city|town|council|city council|voters)\b", sentence[first.end:], re.I):
            # "In Maine, the City Council voted": the council of the article's city in Maine
            local = _place_in_state(ctx, first.place.state_code)
            if local is not None:
                return [local], 0.7
        subjects: list[Subject] = []
        for m in group:
            if m.place is not None and m.place.kind == "state" and m.place.state_code in local_states:
                continue  # "Portland, Maine" or "In Massachusetts, Cambridge": a location
            if m.subject not in subjects:
                subjects.append(m.subject)
        return subjects, 0.85
    if re.search(r"\bGov(?:ernor|\.)\s", head):
        states = [m for m in mentions if m.place is not None and m.place.kind == "state"]
        if states:
            return [states[0].subject], 0.75
        if ctx.last_state:
            return [ctx.last_state], 0.7
    roles = []
    for pattern, referent in ((_COMPANY_ROLE, ctx.last_company), (_STATE_ROLE, ctx.last_state), (_PLACE_ROLE, ctx.last_place)):
        if referent is not None and (found := _last_match(pattern, head)):
            roles.append((found.start(), referent))
    if roles:
        return [max(roles, key=lambda r: r[0])[1]], 0.7
    if _PRONOUN.match(sentence) and ctx.last_subject:
        return [ctx.last_subject], 0.6
    after = [m for m in mentions if m.start >= verb.end]
    if after and not re.search(r"\b(?:by|for|from|in|to|with|on|of|than|like|after)\s*$", sentence[verb.end: after[0].start]):
        return [after[0].subject], 0.6
    return [], 0.0


def _place_in_state(ctx: Context, state_code: str | None) -> Subject | None:
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


# -- dates ---------------------------------------------------------------------------------------
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\b|\s+and\s+(?:earlier|later|then)\b|\s+(?:but|while|whereas)\s")
_FOREIGN_VERB = re.compile(r"\b(?:imposed|convened|formed|created|founded|launched|began|started|published|released|reported|found|hired|bought|acquired|sued|arrested|killed|elected|took office|introduced|proposed)\b", re.I)


def clause(sentence: str, verb: Verb) -> tuple[int, int]:
    """The bounds of the clause around a verb."""
    start, end = 0, len(sentence)
    for m in _CLAUSE_BREAK.finditer(sentence):
        if m.end() <= verb.start:
            start = m.end()
        elif m.start() >= verb.end:
            end = m.start()
            break
    return start, end


def _event_time(times: list[TimeMention], verb: Verb, sentence: str) -> TimeMention | None:  # noqa: C901
    """The time expression that dates the verb: the nearest event or "since" one in its clause
    (else in the sentence), preferring one after the verb, skipping those that date another
    verb ("a board it convened last year")."""
    lo, hi = clause(sentence, verb)
    roles = ("event", "since", "end") if verb.status is Status.EXPIRED else ("event", "since")
    events = [t for t in times if t.role in roles and t.date is not None]
    events = [
        t for t in events
        if not (t.start >= verb.end and _FOREIGN_VERB.search(sentence[max(verb.end, t.start - 25): t.start]))
    ]
    inside = [t for t in events if t.start >= lo and t.end <= hi]
    if (lo, hi) != (0, len(sentence)):
        events = inside
    events = inside or events
    if not events:
        return None
    def distance(t: TimeMention) -> int:
        d = t.start - verb.end if t.start >= verb.end else verb.start - t.end
        return d + (0 if t.start >= verb.end else 15)
    return min(events, key=distance)


# -- the whole article ---------------------------------------------------------------------------
def extract(article: Article, gazetteer: Gazetteer) -> list[Fact]:
    """Every status change an article reports, deduplicated; see the module docstring."""
    text = normalize(_relevant_paragraphs(article.text))
    title = normalize(article.title or "")
    title = re.sub(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+", "", title)
    sentences = ([title] if title else []) + split_sentences(text)
    fr_article = bool(FR.search(text) or FR.search(title))
    if not fr_article:
        return []  # no sentence can report a facial-recognition measure
    relevant = [_about_fr(sentence, True) for sentence in sentences]
    # What the rest of the article names matters only near what it reports, so sentences far
    # from any relevant one are not analysed at all (most of a long article).
    near = [
        i < 3 or relevant[i] or (i + 1 < len(sentences) and relevant[i + 1])
        for i in range(len(sentences))
    ]
    context_text = " ".join(s for s, keep in zip(sentences, near, strict=True) if keep)
    ctx = Context(
        published=_anchor(article),
        states=_state_codes(" ".join(sentences[:3]), gazetteer) + _unambiguous_states(context_text, gazetteer),
        fr_article=True,
        gazetteer=gazetteer,
    )
    facts: list[Fact] = []
    for index, sentence in enumerate(sentences):
        if not near[index]:
            if _HAS_DATE.search(sentence):
                ctx.pending = sentence
            continue
        following = sentences[index + 1] if index + 1 < len(sentences) else ""
        if not FR.search(sentence) and _LAW_SENTENCE.search(sentence) and FR.search(following) and _CONTINUES.match(following):
            sentence = f"{sentence} {following}"  # "Baker signed a police law. Among its provisions are limits on facial recognition."
        facts.extend(
            _sentence_facts(sentence, gazetteer, ctx, is_title=index == 0 and bool(title), relevant=relevant[index] or sentence != sentences[index])
        )
    return _dedupe(_fill_kinds(facts, text))


def _relevant_paragraphs(text: str) -> str:
    """The paragraphs that may report a measure, with their neighbours and the lead: the only
    ones worth normalizing and reading (a fast first cut through long articles)."""
    paragraphs = re.split(r"\n\s*\n", text)
    if len(paragraphs) <= 3:
        return text
    hits = [_about_fr(p, True) for p in paragraphs]
    keep = [
        i == 0 or hits[i] or (i > 0 and hits[i - 1]) or (i + 1 < len(hits) and hits[i + 1])
        for i in range(len(paragraphs))
    ]
    return "\n\n".join(p for p, k in zip(paragraphs, keep, strict=True) if k)


def _about_fr(sentence: str, fr_article: bool) -> bool:
    """Is a sentence about facial recognition (or, in an article that is, about a measure)?"""
    lowered = sentence.lower()
    if not fr_article:
        return any(k in lowered for k in _FR_KEYS) and bool(FR.search(sentence))
    if any(k in lowered for k in _RELEVANT_KEYS) and _RELEVANT_LOWER.search(lowered):
        return True
    if "list of" in lowered or "number of" in lowered:
        return bool(_LIST_OF.search(sentence))
    # the cheaper test first (these lower-case patterns are several times faster than re.I)
    return bool(
        _ACTION_LOWER.search(lowered)
        and any(k in lowered for k in _LAW_KEYS)
        and _LAW_NOUN_LOWER.search(lowered)
    )


def _sentence_facts(sentence: str, gazetteer: Gazetteer, ctx: Context, *, is_title: bool, relevant: bool | None = None) -> list[Fact]:
    mentions = find_mentions(sentence, gazetteer, ctx)
    if relevant is None or relevant:
        relevant = _about_fr(sentence, ctx.fr_article)
    verbs = find_verbs(sentence) if relevant else []
    if not verbs and not _LIST_OF.search(sentence):
        # nothing to report; only what the sentence names and dates matters for later ones
        if _HAS_DATE.search(sentence):
            ctx.pending = sentence  # its dates are read only if a later sentence needs them
        _remember(ctx, mentions, [], [], sentence, gazetteer)
        return []
    times = find_times(sentence, ctx.published, _last_date(ctx))
    facts: list[Fact] = []
    if (listed := _LIST_OF.search(sentence)) is not None:
        # "joins a list of cities that includes San Francisco, Boston and Portland, Maine"
        named = [m for m in mentions if m.start >= listed.end() and m.subject.type is SubjectType.JURISDICTION]
        for group in _groups(sentence, named)[:1]:
            local_states = {m.place.state_code for m in group if m.place is not None and m.place.kind != "state"}
            for m in group:
                if m.place is not None and m.place.kind == "state" and m.place.state_code in local_states:
                    continue
                facts.append(Fact(m.subject, None, Scope.GOVERNMENT.value, Status.ENACTED, None, sentence, confidence=0.6))  # type: ignore[arg-type]
    for verb in verbs:
        if _demanded(sentence, verb, times):
            continue
        descriptive = verb.status is Status.ENACTED and bool(
            _PROHIBITIVE.match(verb.text)
            and (_DESCRIPTIVE.match(sentence[: verb.start]) or _NOUN_SUBJECT.search(sentence[: verb.start]))
        )
        if descriptive:
            # "The first bans city bureaus...": describes the measure the article just
            # reported, so it inherits that fact's subject and date
            own = _event_time(times, verb, sentence)
            if ctx.last_fact is None or any(m.end <= verb.start for m in mentions):
                continue
            if own is None and ctx.last_fact.status not in (Status.ENACTED, Status.IN_FORCE):
                continue
            facts.extend(
                replace(f, evidence=sentence, confidence=0.6)
                if own is not None
                else replace(f, evidence=sentence, confidence=0.6, date=ctx.last_fact.date, end=ctx.last_fact.end)
                for f in _facts_for(sentence, verb, [ctx.last_fact.subject], 0.6, times, ctx, False)
            )
            continue
        subjects, confidence = _subjects(sentence, verb, mentions, ctx)
        if not subjects:
            continue
        if is_title:
            confidence *= 0.9  # a headline says less than the sentence that reports the event
        facts.extend(_facts_for(sentence, verb, subjects, confidence, times, ctx, is_title))
    _remember(ctx, mentions, times, facts, sentence, gazetteer)
    return facts


def _facts_for(sentence: str, verb: Verb, subjects: list[Subject], confidence: float, times: list[TimeMention], ctx: Context, is_title: bool) -> list[Fact]:
    status = verb.status
    time = None if is_title else _event_time(times, verb, sentence)
    date = time.date if time else None
    if time is not None and time.inverse is not None and time.end <= verb.start:
        date = time.inverse  # "two days after IBM said it was leaving": IBM's own date
    if status is Status.ENACTED and time is not None and time.role == "since":
        status = Status.IN_FORCE
    if date is not None and ctx.published and date.start > ctx.published and status in (Status.ENACTED, Status.IN_FORCE):
        return []  # "takes effect next year": not yet
    lo, hi = clause(sentence, verb)
    duration = find_duration(sentence[lo:hi])
    open_ended = is_open_ended(sentence[lo:hi])
    end_times = [t for t in times if t.role == "end" and t.date is not None]
    end = end_times[0].date if end_times and status in (Status.ENACTED, Status.IN_FORCE, Status.EXTENDED) else None
    if end is None and duration and date and status in (Status.ENACTED, Status.IN_FORCE):
        end = add_duration(date, duration.days, duration.months)
    if open_ended and status in (Status.ENACTED, Status.IN_FORCE, Status.EXTENDED):
        end = None
    if status is Status.ENACTED and re.search(r"\bexpire|\blapse", sentence, re.I) and not end:
        pass
    kind = _kind(sentence[lo:hi], verb, bool(duration) and status is not Status.EXTENDED)
    facts = []
    for subject in subjects:
        for scope in _scopes(sentence[lo:hi], subject):
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


def _last_date(ctx: Context) -> PartialDate | None:
    """The last date the article stated before this sentence (for "a day later")."""
    if ctx.pending is not None:
        dated = [t.date for t in find_times(ctx.pending, ctx.published, ctx.last_date) if t.date is not None and t.role != "end"]
        ctx.pending = None
        if dated:
            ctx.last_date = dated[-1]
    return ctx.last_date


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
            ctx.places.append(m.subject)
            if m.place.state_code:
                ctx.states.append(m.place.state_code)
                if m.place.state_code in gazetteer.states and ctx.last_state is None:
                    ctx.last_state = gazetteer.states[m.place.state_code].subject()
    for fact in facts:  # the subjects of what the sentence reported win over other names
        if fact.subject.type is SubjectType.COMPANY:
            ctx.last_company = fact.subject
        elif (place := gazetteer.by_ocd.get(fact.subject.key)) is not None:
            if place.kind == "state":
                ctx.last_state = fact.subject
            elif place.kind != "country":
                ctx.last_place = fact.subject
    if facts:
        ctx.last_subject = facts[-1].subject
        dated = [f for f in facts if f.date is not None]
        ctx.last_fact = dated[-1] if dated else facts[-1]
    dated = [t.date for t in times if t.date is not None and t.role != "end"]
    if dated:
        ctx.last_date = dated[-1]
        ctx.pending = None


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per subject, scope, status class and date; an undated one goes when a dated one
    says the same."""
    def group(status: Status) -> str:
        return "start" if status in (Status.ENACTED, Status.IN_FORCE) else status.value
    best: dict[tuple, Fact] = {}
    for fact in facts:
        key = (fact.subject, fact.kind is MeasureKind.RESTRICTION, fact.scope, group(fact.status), fact.date)
        if key not in best or fact.confidence > best[key].confidence:
            best[key] = fact
    def loose(f: Fact) -> tuple:
        return (f.subject, group(f.status))
    dated = {loose(f) for f in best.values() if f.date is not None}
    return [f for f in best.values() if f.date is not None or loose(f) not in dated]
