"""The words that carry a measure: compiled patterns for facial recognition, measure nouns
and verbs, demands, roles and clause breaks, and the verb finder that uses them.

Part of the extractor (``tracker.extract``); pure, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.extract import vocabulary
from tracker.extract.timex import TimeMention
from tracker.vocab import Status

#: Facial recognition named (any case; matched over lower-cased text, see ``Folded``).
FR = vocabulary.Folded(
    r"\b(?:facial|face)[\s-]*(?:recognition|surveillance|matching|analysis|scan\w*|id\b)|"
    r"\bbiometric surveillance|\brekognition\b|\bface[\s-]?print|\bface templates?|"
    r"\bfacial\s*(?:\.\.\.|…)",  # a feed excerpt cut off after "facial ..."
)
MEASURE_NOUN = vocabulary.pattern("cues.txt", "measure nouns")

# Measure verbs, with the status they report (data/events.txt). Order matters only for
# overlaps (first wins).
_VERB_RES = [(Status(name), vocabulary.folded("events.txt", name)) for name in vocabulary.sections("events.txt")]
#: Any of them: most sentences have none, and one search over the whole says so.
_ANY_VERB = vocabulary.Folded("|".join(f"(?:{p.pattern})" for _, p in _VERB_RES))
#: Verbs that only count with a measure noun nearby ("passed an ordinance", "signed a law").
_WEAK = re.compile("^(?:" + "|".join(vocabulary.sections("cues.txt")["weak"]) + ")", re.I)
#: "ban" as a noun ("a ban", "its ban", "the city's ban on") is an object, not a verb.
_NOUN_BEFORE = re.compile(r"(?:\b(?:a|an|the|its|their|his|her|this|that|such|any|city's|state's|company's|outright|permanent|total|blanket|citywide|statewide|nationwide|temporary|proposed|new|first|existing|similar|software|police|private|sales|federal|government|broad|broader|strict|strictest|comparable|own|ordinance's|one-year|two-year|three-year|five-year|\w+'s|\w+s')\s+(?:[\w-]+\s+)?)$", re.I)
_DEMAND = re.compile(vocabulary.alternation(vocabulary.sections("cues.txt")["demand"] + vocabulary.sections("cues.txt")["plans"]), re.I)
_PLANS = vocabulary.pattern("cues.txt", "plans")
_ASKED = re.compile(r"\b(?:ask(?:s|ed)?|urg(?:e|es|ed)|call(?:s|ed)? on|demand(?:s|ed)?|press(?:es|ed)|petition(?:s|ed)?|want(?:s|ed)?|pushed|lobbied|encourag(?:e|es|ed))\b", re.I)
_MODAL = re.compile(r"\b(?:could|might|may)\b")
_GOVERNED = re.compile(
    r"\b(?:reject\w*|defeat\w*|vot\w+ down|fail\w*|introduc\w*|propos\w*|repeal\w*|(?:bill|proposal|resolution|effort|attempt|plan|measure|amendment|petition|initiative|ordinance|motion|push|campaign)s?)\b[^,;]{0,40}\bto\s+(?:\w+\s+)?$",
    re.I,
)
DESCRIPTIVE = re.compile(
    r"^\s*(?:the|this|that|its|their|a|an)\s+(?:[\w-]+\s+){0,2}(?:ban|bans|ordinance|law|bylaw|measure|bill|rule|rules|policy|moratorium|legislation|prohibition|restriction|restrictions|pause|first|second|one|other|version|provision|settlement|agreement|deal|order|decree|determination)\b",
    re.I,
)
NOUN_SUBJECT = re.compile(r"\b(?:ban|ordinance|law|bylaw|measure|bill|rule|rules|policy|moratorium|legislation|prohibition|provision|settlement|order)\s+(?:also\s+|now\s+|still\s+|further\s+)?$", re.I)
_DEFINITE = re.compile(r"\b(?:the|its|this|that)\s+(?:[\w-]+\s+)?(?:ordinance|ordinances|bylaw|measure|bill|law|legislation|ban|moratorium|proposal|initiative|act)\b", re.I)
PROHIBITIVE = re.compile(r"^(?:ban|bans|prohibit|bar|outlaw|block|forb|restrict|limit|curb|covers|applies)", re.I)
FINITE = re.compile(r"\b(?:said|says|say|announced|told|has|have|had|is|was|were|are|will|would|became|becomes|voted|votes|decided|agreed|approved|adopted|passed|signed)\b", re.I)
_STRONG = re.compile(r"\b(?:ban(?:s|ned|ning)?|prohibit\w*|barred|halt\w*|paus\w*|suspend\w*|moratori\w+|outlaw\w*|forb\w+)\b", re.I)
#: Absolute dates (a year or a month name with a number): what "a day later" can be anchored to.
HAS_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\.? \d")
#: "passed laws on the tech": a measure about the technology the article is about
_ON_THE_TECH = re.compile(
    r"\b(?:laws?|legislation|bills?|ordinances?|measures?|rules|regulations|restrictions|limits|bans?)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:on|about|around|across|regarding|governing|over|for|against|surrounding|concerning|covering|targeting)\s+"
    r"(?:the|its|this|that) (?:technology|tech|software|tool)\b",
    re.I,
)
_THE_TECH = re.compile(r"\bthe (?:technology|tech|software|tool|system|service)\b", re.I)
#: Substrings without which the patterns below cannot match (a fast first test).
FR_KEYS = ("face", "facial", "rekognition", "biometric")
#: "San Francisco, whose supervisors took the same step in May": a measure by reference.
_SAME_STEP = re.compile(r"\b(?:took the (?:same )?step|followed (?:suit|in|last|this|soon)|joined in|(?:did|done|doing) the same|follow(?:ing|ed|s)? (?:soon |shortly |quickly )?(?:after|suit)|(?:following|followed|follows|joining|joins|joined) (?:the )?(?:lead|example|footsteps) of)\b", re.I)
#: "following the lead of Brookline, Northampton and Somerville": their measures, by reference
FOLLOWING_LEAD = re.compile(r"\b(?:following|followed|follows|joining|joins|joined) (?:the )?(?:lead|example|footsteps) of\s+", re.I)
_LAW_NOUN = re.compile(r"\b(?:ordinances?|bylaw|bill|law|legislation|measure|moratori\w+|bans?|proposals?|initiative|referendum|amendment|act|settlement|order)\b", re.I)
#: Word beginnings that report an action on a measure (matched at a word's start).
_ACTION_WORDS = (
    "vot", "pass", "approv", "adopt", "sign", "enact", "introduc", "die", "fail", "reject", "defeat",
    "repeal", "revers", "extend", "renew", "expir", "laps", "sunset", "took effect", "take effect",
    "takes effect", "into effect", "effective", "in effect", "in place", "in force", "bar",
    "prohibit", "restrict", "limit", "curb", "lift", "replac", "overturn", "rescind", "settle",
    "agree", "issu", "creat", "stop", "won't", "will not", "would", "no longer", "exit", "leav",
    "abandon", "shut",
)
LIST_OF = re.compile(r"\b(?:a|the) (?:growing )?(?:list|number|group|handful) of (?:\w+ )?(?:cities|places|communities|towns|jurisdictions|states)(?: that| which)? (?:includes?|including|such as|like)\b", re.I)
LAW_KEYS = (
    "ordinance", "bylaw", "bill", "law", "legislat", "measure", "moratori", "ban", "proposal",
    "initiative", "referendum", "amendment", "act", "settlement", "order",
)
#: The relevance test in parts, each tried only where the lower-cased sentence has one of the
#: substrings without which it cannot match.
RELEVANT_PARTS = tuple(
    (keys, re.compile(part.pattern.lower()))
    for keys, part in (
        (FR_KEYS, FR),
        (("ban", "prohibit", "barred", "halt", "paus", "suspend", "moratori", "outlaw", "forb"), _STRONG),
        (("the tech", "the software", "the tool", "the system", "the service"), _THE_TECH),
        (("step", "follow", "joined in", "the same", "lead of", "example of", "footsteps of"), _SAME_STEP),
    )
)
#: Lower-cased text only; a test, not a span (the word's ending is not matched).
ACTION_LOWER = re.compile(r"\b" + vocabulary.trie(_ACTION_WORDS))
LAW_NOUN_LOWER = re.compile(_LAW_NOUN.pattern)
LAW_SENTENCE = re.compile(r"\b(?:signed|passed|approved|adopted|enacted)\b.{0,60}\b(?:law|bill|legislation|ordinance|measure|package)\b", re.I)
CONTINUES = re.compile(r"^\s*(?:Among its|It|The (?:law|bill|measure|legislation|package|ordinance)|Under the|That law|The new law)\b")
NEGATED_SCOPE = re.compile(r"\b(?:does not|doesn't|do not|don't|not|no|exempt\w*|exclud\w*)\b[^.;]{0,60}$", re.I)
SUBJECT_BLOCK = re.compile(r"\b(?:with|against|from|about|followed|following|follows|follow|joining|joined|joins|like|after|than|as did|similar to|behind|unlike|namesake|includes|include|borders|home to|near|outside|neighboring|neighbouring)\s*$", re.I)
MODIFIER = re.compile(r"^\s*(?:region|area|metro|sheriff\S*|community|communities|city|cities|town|towns|county|counties|municipalit\w+|capital|village|residents|agencies|police|lawmakers'?)\b")
#: Matched where a name ends (``PUBLICATIONS.match(sentence, end)``): "Seattle Times".
PUBLICATIONS = re.compile(r"\s*(?:Post|Times|Globe|Chronicle|Journal|Herald|Tribune|Examiner|University|College|Press|Bee|Star|Sun|Review|Public Schools)\b")
STOP_PLACES = {
    "mobile", "independence", "liberty", "commerce", "enterprise", "mission", "paradise", "justice",
    "union", "progress", "florence", "marion", "hamilton", "lincoln", "opportunity", "spring",
    "hollywood", "aurora", "victoria", "ontario", "warren", "franklin", "clinton", "monroe",
    "madison", "irving", "burlington", "mentor", "normal", "surprise", "temple", "orange",
    "pearl", "parker", "bell", "brighton", "dorchester", "wheeling", "goodyear", "security",
    "americus", "us", "usa", "america", "united states", "house", "senate",
    "congress",
}
FEDERAL = re.compile(
    r"\b(?:congress|federal (?:lawmakers|legislation|bill|ban|moratorium|law|government|agencies)|"
    r"u\.?s\.? (?:senators?|representatives?|house|senate)|senators?\b[^.]{0,80}\b(?:act|bill)|"
    r"(?:senate|house) (?:democrats|republicans)|"
    r"moratorium act|biometric technology moratorium)\b",
    re.I,
)
COMPANY_ROLE = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w-]+[\s-]+){0,3}?(?:company|firm|giant|retailer|corporation|"
    r"vendor|maker|provider|organization|startup|start-up|business)\b",
    re.I,
)
PLACE_ROLE = re.compile(
    r"\b(?:the|its) (?:city|town|council|city council|board(?: of supervisors)?|supervisors|"
    r"municipality|county|mayor|ordinance|voters)\b|\bcity (?:leaders|officials|lawmakers|council)\b|"
    r"\b(?:councilors|councillors|council members|councilmembers|supervisors|aldermen|selectmen|commissioners)\b",
    re.I,
)
STATE_ROLE = re.compile(
    r"\b(?:the state|state lawmakers|lawmakers|legislators|the legislature|the governor|gov\.|a state law|the state law|state's|"
    r"the general assembly|state legislature|state senate)\b",
    re.I,
)
#: "The order was issued Friday.": a sentence that only dates the measure just reported
DATES_LAST = re.compile(r"^\s*(?:The|That|This|Its|Their) (?:[\w-]+ )?(?:order|ban|ordinance|vote|decision|measure|bill|law|directive|moratorium|policy|announcement|pledge|move|rule|rules|resolution)\s+(?:was|were|had been|has been)\s+(?:\w+ly\s+)?(?:issued|signed|approved|adopted|passed|announced|made|taken|cast|enacted|introduced|unveiled|filed|held)\b")
PRONOUN = re.compile(r"^\s*(?:It|They|The (?:measure|ban|moratorium|ordinance|law|pause|move|bill|proposal|legislation|resolution|order))\b")
BOTH_CITIES = re.compile(
    r"\b(?P<a>[A-Z][a-z]+) and (?P<b>[A-Z][a-z]+) cities of (?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
#: A sentence break: the space (group 1) after a full stop, "?" or "!" (perhaps closing a
#: quotation or a parenthesis) before a capital or a digit. The pattern begins with the
#: punctuation, so Python's ``re`` skips ahead to it instead of trying every position.
SENTENCE = re.compile(r"(?:[.!?…]|[.!?][\"')\]])(\s+)(?=[\"'(\[]?[A-Z0-9])")
ABBREV = re.compile(r"\b(?:Gov|Sen|Rep|Mr|Ms|Mrs|Dr|St|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Ore|Mass|Calif|Wash|Ill|Minn|Va|Vt|Me|Ga|Fla|Conn|Mich|Ariz|Colo|Tenn|Pa|Mo|No|Inc|Co|Corp|U\.S|D\.C|U\.N|a\.m|p\.m|vs|Jr|Sr|Lt|Gen|Sgt|Ft)\.$")



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
    lowered = sentence.lower() if sentence.isascii() else None
    if _ANY_VERB.search(sentence, lowered) is None:
        return verbs
    for status, pattern in _VERB_RES:
        for m in pattern.finditer(sentence, lowered):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            word = sentence[m.start(): m.end()]
            lower = word.lower()
            before = sentence[max(0, m.start() - 120): m.start()]  # what decides is near: linear
            if lower in ("ban", "bans", "pause", "pauses", "halt", "halts", "bar", "bars", "block", "blocks", "limit", "limits", "curb", "curbs", "restrict") and _is_noun(before):
                continue  # "a ban", "the city's ban", "the facial recognition ban": a noun
            if _REPORTING.match(word) and _TAG_END.match(sentence, m.end()):
                continue  # "..., the ACLU announced.": who reports it, not an event
            if lower in ("ban", "bans") and re.match(r"\s+on\b", sentence[m.end():]) and not re.search(r"\b(?:to|will|would)\s+$", before):
                continue
            if lower.startswith(("restrict", "limit", "curb", "bar", "block")) and re.search(r"\b(?:the|its|their|a|new|such|any|these|those)\s+$", before):
                continue
            if _WEAK.match(word) and not MEASURE_NOUN.search(sentence):
                continue
            if _WEAK.match(word) and not FR.search(sentence) and not _STRONG.search(sentence) and not _DEFINITE.search(sentence) and not _ON_THE_TECH.search(sentence):
                continue  # "a surveillance law the city adopted": not the measure at hand
            taken.append((m.start(), m.end()))
            verbs.append(Verb(m.start(), m.end(), status, word))
    verbs.sort(key=lambda v: v.start)
    verbs = [_pledged(sentence, v) for v in verbs]
    specific = [v for v in verbs if v.status not in (Status.ENACTED,)]
    if specific:
        kept = []
        for v in verbs:
            relative = re.search(r"\b(?:ban|moratorium|pause|prohibition|ordinance|law)\s+(?:that\s+|which\s+)?(?:it|they|the \w+)\s+$", sentence[max(0, v.start - 80): v.start], re.I)
            if v.status is Status.ENACTED and _WEAK.match(v.text) and not relative:
                lo, hi = clause(sentence, v)
                if any(lo <= o.start < hi for o in specific):
                    continue  # "voted to reverse the ban": the vote is the repeal
            kept.append(v)
        verbs = kept
    return verbs


#: "said it would stop", "announced that it will not sell": a pledge, reported
_PLEDGE = re.compile(r"\b(?:said|says|announced|announces|pledged|pledges|promised|vowed|committed|confirmed|declared|stated|mentioned|told \w+)\b[^;]{0,60}?\b(?:that\s+)?(?:it|they|the (?:company|firm|giant))\s+(?:\w+ly\s+)?$", re.I)


def _pledged(sentence: str, verb: Verb) -> Verb:
    """A 'would'/'will' verb reported as what the speaker will do is a commitment made now
    (enacted), not a proposal; whose commitment it is is decided later (only companies
    commit themselves this way)."""
    if verb.status is Status.PROPOSED and verb.text.lower().startswith(("would", "will")) and _PLEDGE.search(sentence[max(0, verb.start - 150): verb.start]):
        return Verb(verb.start, verb.end, Status.ENACTED, verb.text)
    return verb


_STAGE_BEFORE = re.compile("(?:" + "|".join(vocabulary.sections("cues.txt")["proposal before"]) + r")\s+(?:[\w-]+\s+)?$", re.I)
_STAGE_AFTER = re.compile(r"\s+(?:" + "|".join(vocabulary.sections("cues.txt")["proposal after"]) + r")\b", re.I)
_CHAMBER = vocabulary.pattern("cues.txt", "chamber")
_ENACTING = vocabulary.pattern("cues.txt", "enacting body")
LEGISLATURE = vocabulary.pattern("cues.txt", "legislature")
NO_CHANGE = vocabulary.pattern("cues.txt", "no change")
_PASSING = re.compile(r"^(?:pass|approv|adopt|vot|advanc|sign)", re.I)


def legislature_passed(sentence: str, verb: Verb, lo: int) -> bool:
    """Did a state legislature pass something, with no signature or vote of the people in the
    clause ("state lawmakers approved a three-year ban")? Only a stage for a state."""
    return bool(
        verb.status is Status.ENACTED
        and (_PASSING.match(verb.text) or re.search(r"\bvot\w*\s+(?:\w+\s+)?to\s+$", sentence[lo: verb.start], re.I))
        and LEGISLATURE.search(sentence, lo, verb.start) and not _ENACTING.search(sentence[lo:])
    )


def process_stage(sentence: str, verb: Verb, lo: int) -> Status:
    """The status a verb reports once the legislative process is taken into account: a bill
    that was introduced, moved forward, passed a committee or one chamber, or passed both and
    awaits a signature is proposed; a council's adoption, a signature or a vote of the people
    enacts (data/cues.txt: proposal before/after, chamber, enacting body)."""
    if verb.status not in (Status.ENACTED, Status.IN_FORCE):
        return verb.status
    head = sentence[lo: verb.start]
    if _STAGE_BEFORE.search(head[-60:]):
        return Status.PROPOSED
    if _PASSING.match(verb.text):
        if _STAGE_AFTER.match(sentence, verb.end):
            return Status.PROPOSED
        if _CHAMBER.search(head) and not _ENACTING.search(sentence[lo:]):
            return Status.PROPOSED
    return verb.status


def _is_noun(before: str) -> bool:
    """Is a word that can be a verb or a noun ("ban", "bars", "limits") a noun here, from the
    words before it? Determiners and modifiers make it a noun ("its ban", "a citywide ban");
    so does the technology it is about ("a facial recognition ban"). A capitalized word is a
    name, not a modifier ("New Jersey bars police")."""
    if re.search(r"\b(?:to|will|would|also|and)\s+$", before):
        return False
    if _COMPOUND_BEFORE.search(before):
        return True
    m = _NOUN_BEFORE.search(before)
    if m is None:
        return False
    word = m.group(0).lstrip()
    return not (word[:1].isupper() and word.split()[0].lower() not in _DETERMINERS and not word.split()[0].endswith(("'s", "s'")))


_DETERMINERS = {"a", "an", "the", "its", "their", "his", "her", "this", "that", "such", "any"}
#: "the facial recognition ban", "a surveillance technology ban": the technology names the ban
_COMPOUND_BEFORE = re.compile(r"\b(?:recognition|technology|tech|surveillance|software|scanning|biometrics?|camera|cameras)\s+$", re.I)
_REPORTING = re.compile(r"^(?:announc|said|says|report)", re.I)
#: the end of a sentence or clause right after a reporting verb ("..., the group announced.")
_TAG_END = re.compile(r"\s*(?:[.!?;\"”]|,\s*(?:adding|saying|noting|citing)\b|$)")


_CONTENT = re.compile(r"\b(?:bill|ordinance|measure|proposal|legislation|resolution|amendment|referendum|initiative)s?\s+(?:\w+ly\s+)?$", re.I)


def demanded(sentence: str, verb: Verb, times: list[TimeMention]) -> bool:
    """Is the verb governed by a demand, hope, proposal or negation ("should ban")?"""
    masked = list(sentence)
    for t in times:
        masked[t.start:t.end] = "#" * (t.end - t.start)
    window = "".join(masked)[max(0, verb.start - 70): verb.start]
    window = re.split(r"[;:]|,\s+(?:and|but|while)\b|\bbut\b|\bwhile\b|\bwhen\b|\bafter\b|,\s+(?=(?:the|a|an|its|their|it|they)\b)|\bhowever\s+(?=\w)", window)[-1]
    if re.search(r"\buntil\b", window, re.I):
        return True  # "until Congress passes a law": a condition, not an event
    if re.search(r"\bto\s+(?:\w+\s+)?$", window) and _ASKED.search(sentence[: verb.start]):
        return True  # "asked the city ... and to stop using it"
    if verb.status is Status.FAILED:
        return False
    if verb.status is not Status.PROPOSED and _GOVERNED.search(window):
        return True  # "an ordinance to repeal the ban", "a bill to extend it": a proposal's object
    if verb.status is Status.PROPOSED:
        return bool(re.search(r"\b(?:should|must|urg\w+|call\w* (?:on|for))\b", window, re.I) or _PLANS.search(window))
    if verb.status is Status.ENACTED and _CONTENT.search(window):
        return True  # "a bill temporarily banning it": what a bill says, not an event
    if verb.status is Status.ENACTED and _GOVERNED.search(window):
        return True  # "rejected proposals to curb", "a bill to ban": the object of another verb
    return bool(_DEMAND.search(window) or _MODAL.search(window))


# -- dates ---------------------------------------------------------------------------------------
#: "however" joins two clauses where no comma follows it ("failed in 2020 however has since
#: passed"); ", however," is an adverb inside one clause.
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\b|\s+and\s+(?:earlier|later|then)\b|\s+(?:but|while|whereas)\s|\s+however\s+(?=\w)")
#: (a participle after an article is an adjective: "a proposed ban in 2020" dates the ban)
_FOREIGN_VERB = re.compile(r"(?<!\ba )(?<!\ban )(?<!\bthe )(?<!\bits )\b(?:imposed|convened|formed|created|founded|launched|began|started|published|released|reported|found|hired|bought|acquired|sued|arrested|killed|elected|took office|introduced|proposed)\b", re.I)


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


def event_time(times: list[TimeMention], verb: Verb, sentence: str) -> TimeMention | None:  # noqa: C901
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


