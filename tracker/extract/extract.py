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

from tracker.data import Article, Fact, Subject
from tracker.dates import PartialDate, add_duration, add_months
from tracker.extract.confidence import confidence as score
from tracker.extract.confidence import subject_evidence
from tracker.extract.cues import (
    ABBREV,
    ACTION_LOWER,
    CONTINUES,
    DATES_LAST,
    DESCRIPTIVE,
    FOLLOWING_LEAD,
    FR,
    FR_KEYS,
    HAS_DATE,
    LAW_KEYS,
    LAW_NOUN_LOWER,
    LAW_SENTENCE,
    LIST_OF,
    NEGATED_SCOPE,
    NO_CHANGE,
    NOUN_SUBJECT,
    PROHIBITIVE,
    RELEVANT_PARTS,
    SENTENCE,
    Verb,
    clause,
    demanded,
    event_time,
    find_verbs,
    legislature_passed,
    process_stage,
)
from tracker.extract.gazetteer import Gazetteer
from tracker.extract.mentions import (
    Context,
    Mention,
    coordinated_groups,
    find_mentions,
    place_in_state,
    state_codes,
    subjects_of,
    unambiguous_states,
)
from tracker.extract.normalize import normalize
from tracker.extract.timex import TimeMention, find_duration, find_times, is_open_ended
from tracker.extract.trace import Trace
from tracker.limits import cap_sentences
from tracker.vocab import DateSource, MeasureKind, Scope, Status, SubjectType


def split_sentences(text: str) -> list[str]:
    """Sentences of a text: paragraphs, then sentence ends (not after "Gov." or "Ore.")."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*[-*•]\s)", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for m in SENTENCE.finditer(paragraph):
            end = m.start(1)
            # only the last word decides ("Gov.", "Ore.", "J."): a bounded look keeps it linear
            near = max(start, end - 12)
            if ABBREV.search(paragraph, near, end) or _INITIAL.search(paragraph, near, end):
                continue
            sentences.append(paragraph[start:end].strip())
            start = m.end()
        sentences.append(paragraph[start:].strip())
    return list(cap_sentences(s for s in sentences if s))  # bounded: tracker.limits


_INITIAL = re.compile(r"\b[A-Z]\.$")


# -- publication dates --------------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    """An article read once for every later stage: its text normalised (de-spun) once and cut
    into paragraphs of sentences once, and its title normalised. ``read`` makes it;
    ``infer_published`` and ``extract`` take it, so no stage normalises or splits again."""

    article: Article
    title: str
    paragraphs: tuple[str, ...]
    sentences: tuple[tuple[str, ...], ...]  # per paragraph

    def all_sentences(self) -> list[str]:
        return [s for paragraph in self.sentences for s in paragraph]


def read(article: Article) -> Document:
    """The article as a Document (see there)."""
    paragraphs = tuple(re.split(r"\n\s*\n", normalize(article.text)))
    return Document(
        article, normalize(article.title or ""), paragraphs, tuple(tuple(split_sentences(p)) for p in paragraphs)
    )


def _document(source: Article | Document) -> Document:
    return source if isinstance(source, Document) else read(source)


def infer_published(source: Article | Document) -> Article | Document:
    """An article with no publication date gets the latest full date its text states, marked
    inferred (a lower bound: relative dates are not resolved against it). Given a Document,
    gives the Document with its article so dated."""
    article = source.article if isinstance(source, Document) else source
    if article.published is not None:
        return source
    doc = _document(source)
    days = [
        t.date.start
        for sentence in doc.all_sentences()
        for t in find_times(sentence, None)
        if t.date is not None and t.date.precision.value == "day"
    ]
    if not days:
        return source
    dated = replace(article, published=max(days), published_how=DateSource.INFERRED)
    return replace(source, article=dated) if isinstance(source, Document) else dated


def _anchor(article: Article) -> dt.date | None:
    if article.published_how in (DateSource.INFERRED, DateSource.UNKNOWN):
        return None
    return article.published


# -- the measure ---------------------------------------------------------------------------------
_KIND_CUES = [
    (MeasureKind.MORATORIUM, re.compile(r"moratori|\bpause|\bhalt|\bsuspen|\btemporar", re.I)),
    (MeasureKind.BAN, re.compile(r"\bban|\bprohibit|\bbar(?:s|red|ring)?\b|\boutlaw|\bforb|\bstop|\bno longer|\bexit|\bleav(?:e|es|ing) the\b|\bwithdr|\bshut|\bdiscontinu|\babandon|\bwon't|\bwill not|\bwould not|\bnot (?:sell|offer|provide|add|use)|\bcannot use|\bbefore (?:selling|offering|providing|supplying)", re.I)),
    (MeasureKind.RESTRICTION, re.compile(r"\b(?:new|tighter|strict|sets?) (?:restrictions|limits|conditions)\b|\b(?:some|several|certain|modest|limited|provides|provide|imposes|impose|places|place|puts|adds|with) restrictions (?:on|to)\b|\blimits on\b|\brestrict(?:s|ed|ing)?\b|\blimit(?:s|ed|ing)?\b|\bcurb|\brules\b|\bregulat|\bconditions\b|\bwarrant|\boversight|\brequire", re.I)),
]


_CONDITION = re.compile(r"\b(?:await\w*|wait\w* for|until)\s+(?:[\w-]+\s+){0,4}?(?:regulation|regulations|rules|law|laws|legislation)\b", re.I)


def _kind(sentence: str, verb: Verb, duration: bool) -> MeasureKind | None:
    """The kind of measure the words nearest the verb name (a duration makes a moratorium);
    None when the sentence names none ("approved the ordinance"), to be taken from the rest
    of the article."""
    if duration:
        return MeasureKind.MORATORIUM
    # "will await federal regulation before selling": the regulation is the condition, not the kind
    sentence = _CONDITION.sub(lambda m: " " * len(m.group(0)), sentence)
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
    strength = {MeasureKind.RESTRICTION: 0, MeasureKind.BAN: 1, MeasureKind.MORATORIUM: 2}
    by_subject: dict[Subject, MeasureKind] = {}
    for fact in facts:  # "limits" in a headline, "bans" in the body: the body's ban it is
        if fact.kind is not None and strength[fact.kind] >= strength.get(by_subject.get(fact.subject), -1):  # type: ignore[arg-type]
            by_subject[fact.subject] = fact.kind
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


_LEAD = re.compile(r"(?:'s)?\s+(?:(?:lead|example|footsteps|move|ban|vote)\s+(?:from|in|of|on)\s+|(?:from|in|on)\s+)", re.I)
#: The scope of a sentence that names none ("created a three-year moratorium").
_UNSTATED = "?"


def _fill_scopes(facts: list[Fact]) -> list[Fact]:
    """A fact whose sentence named no scope takes the one the article gives its subject
    elsewhere ("a moratorium on body-camera face recognition ... the moratorium began"), else
    government use."""
    stated: dict[Subject, str] = {}
    for fact in facts:
        if fact.scope != _UNSTATED:
            stated.setdefault(fact.subject, fact.scope)
    return [
        f if f.scope != _UNSTATED else replace(f, scope=stated.get(f.subject, Scope.GOVERNMENT.value))
        for f in facts
    ]


def _scopes(sentence: str, subject: Subject) -> list[str]:
    text = sentence.lower()
    scopes: list[str] = []
    if re.search(r"body[\s-]?(?:worn )?cam", text):
        return [Scope.BODY_CAMERAS.value]
    if re.search(r"\bschools?\b", text):
        return [Scope.SCHOOLS.value]
    private = re.search(r"\bprivate(?:ly owned)? (?:businesses|companies|entities|sector|firms)|\bbusinesses\b|\bstores\b|places of public accommodation|\bpublic accommodation|\bprivate[\s-](?:sector|area|use)", text)
    if private and not NEGATED_SCOPE.search(text[: private.start()]):
        scopes.append(Scope.PRIVATE.value)
    if subject.type is SubjectType.COMPANY:
        if re.search(r"\bpolice|law enforcement", text):
            return [Scope.SALES_TO_POLICE.value]
        return scopes or [Scope.GENERAL.value]
    government = re.search(r"\b(?:city|county|state|municipal|government|public|town) (?:agenc(?:y|ies)|departments?|bureaus?|staff|employees|officials|use|offices)|\bagenc(?:y|ies)\b|\bbureaus\b|\bdepartments?\b|\bcity (?:use|government)|\bgovernment use|\bits own\b|\bcity staff", text)
    police = re.search(r"\bpolice|\blaw enforcement|\bsheriff", text)
    if government and re.match(r"police ", text[max(0, government.start() - 7): government.start()]):
        government = None
    if government:
        scopes.insert(0, Scope.GOVERNMENT.value)
    elif not (police or scopes):
        scopes.insert(0, _UNSTATED)  # decided by the rest of the article (_fill_scopes)
    elif police:
        scopes.insert(0, Scope.POLICE.value)
    return scopes


# -- the whole article ---------------------------------------------------------------------------
def extract(source: Article | Document, gazetteer: Gazetteer, trace: Trace | None = None) -> list[Fact]:
    """Every status change an article (or its Document, read once) reports, deduplicated; see
    the module docstring. With ``trace``, what each sentence showed and what was decided is
    recorded there."""
    doc = _document(source)
    article = doc.article
    keep = _relevant_paragraphs(doc.paragraphs)
    text = "\n\n".join(p for p, k in zip(doc.paragraphs, keep, strict=True) if k)
    title = re.sub(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+", "", doc.title)
    sentences = [s for p, k in zip(doc.sentences, keep, strict=True) if k for s in p]
    if title and sentences and sentences[0] == title:
        sentences = sentences[1:]  # a feed entry's text begins with its title
    sentences = ([title] if title else []) + sentences
    fr_article = bool(FR.search(text) or FR.search(title))
    if not fr_article:
        if trace is not None:
            trace.note("the article never names facial recognition: nothing to report")
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
        # the states the article names anywhere count least, those of its lead more, and the
        # states of unambiguous places it names most ("Springfield" in an article that names
        # Massachusetts is Springfield, Massachusetts)
        states=gazetteer.states_named(text) + state_codes(" ".join(sentences[:3]), gazetteer) + unambiguous_states(context_text, gazetteer),
        fr_article=True,
        gazetteer=gazetteer,
        trace=trace,
    )
    facts: list[Fact] = []
    for index, sentence in enumerate(sentences):
        if trace is not None:
            trace.begin(index, sentence)
            if not near[index]:
                trace.current.skipped = "far from any sentence about facial recognition or a measure"  # type: ignore[union-attr]
        if not near[index]:
            if HAS_DATE.search(sentence):
                ctx.pending = sentence
            continue
        following = sentences[index + 1] if index + 1 < len(sentences) else ""
        if not FR.search(sentence) and LAW_SENTENCE.search(sentence) and FR.search(following) and CONTINUES.match(following):
            sentence = f"{sentence} {following}"  # "Baker signed a police law. Among its provisions are limits on facial recognition."
        facts.extend(
            _sentence_facts(sentence, gazetteer, ctx, is_title=index == 0 and bool(title), relevant=relevant[index] if sentence == sentences[index] else None)
        )
    final = _dedupe(_fill_kinds(_fill_scopes(facts), text))
    if trace is not None:
        trace.current = None
        dropped = len(facts) - len(final)
        if dropped:
            trace.note(f"{dropped} candidate fact(s) merged into others saying the same (same subject, scope, status class and date)")
        trace.notes.extend(f"fact: {describe(f)}" for f in final)
    return final


def describe(fact: Fact) -> str:
    """A fact on one line, for traces."""
    date = fact.date.iso() if fact.date else "undated"
    end = f" until {fact.end.iso()}" if fact.end else (" until further notice" if fact.open_ended else "")
    return f"{fact.subject.name} {fact.kind.value if fact.kind else '?'} ({fact.scope}) {fact.status.value} {date}{end} [confidence {fact.confidence:.2f}]"


def _relevant_paragraphs(paragraphs: tuple[str, ...]) -> list[bool]:
    """Which paragraphs may report a measure, with their neighbours and the lead: the only
    ones worth reading (a fast first cut through long articles)."""
    if len(paragraphs) <= 3:
        return [True] * len(paragraphs)
    hits = [_about_fr(p, True) for p in paragraphs]
    return [
        i == 0 or hits[i] or (i > 0 and hits[i - 1]) or (i + 1 < len(hits) and hits[i + 1])
        for i in range(len(paragraphs))
    ]


def _about_fr(sentence: str, fr_article: bool) -> bool:
    """Is a sentence about facial recognition (or, in an article that is, about a measure)?"""
    lowered = sentence.lower()
    if not fr_article:
        return any(k in lowered for k in FR_KEYS) and bool(FR.search(sentence))
    for keys, part in RELEVANT_PARTS:
        for key in keys:
            if key in lowered:
                if part.search(lowered):
                    return True
                break
    if "list of" in lowered or "number of" in lowered:
        return bool(LIST_OF.search(sentence))
    # the cheaper test first (these lower-case patterns are several times faster than re.I)
    return bool(
        ACTION_LOWER.search(lowered)
        and any(k in lowered for k in LAW_KEYS)
        and LAW_NOUN_LOWER.search(lowered)
    )


def _leads(sentence: str) -> re.Match[str] | None:
    """"following the lead of ...", tested for its nouns first."""
    if "lead of" in sentence or "example of" in sentence or "footsteps of" in sentence:
        return FOLLOWING_LEAD.search(sentence)
    return None




def _sentence_facts(sentence: str, gazetteer: Gazetteer, ctx: Context, *, is_title: bool, relevant: bool | None = None) -> list[Fact]:
    mentions = find_mentions(sentence, gazetteer, ctx)
    if relevant is None:
        relevant = _about_fr(sentence, ctx.fr_article)
    verbs = find_verbs(sentence) if relevant else []
    tr = ctx.trace.current if ctx.trace is not None else None
    if tr is not None:
        tr.mentions = [f"{sentence[m.start:m.end]} -> {m.subject.name} ({m.subject.label})" for m in mentions]
        tr.cues = [f"{v.text!r} -> {v.status.value}" for v in verbs]
        if not relevant:
            tr.decisions.append("not about facial recognition or a measure: only its names and dates are remembered")
    last = ctx.last_fact
    if not verbs and last is not None and last.date is None and DATES_LAST.match(sentence):
        own = [t for t in find_times(sentence, ctx.published, _last_date(ctx)) if t.date is not None and t.role == "event"]
        if own and not (ctx.published and own[0].date.start > ctx.published):  # type: ignore[union-attr]
            if tr is not None:
                tr.decisions.append(f"dates the measure just reported ({last.subject.name}): {own[0].date.iso()}")  # type: ignore[union-attr]
            dated = replace(last, date=own[0].date, evidence=sentence)
            ctx.last_fact = dated
            return [dated]
    if not verbs and not LIST_OF.search(sentence) and not _leads(sentence):
        # nothing to report; only what the sentence names and dates matters for later ones
        if HAS_DATE.search(sentence):
            ctx.pending = sentence  # its dates are read only if a later sentence needs them
        _remember(ctx, mentions, [], [], sentence, gazetteer)
        return []
    adopted = ctx.last_fact.date if ctx.last_fact is not None and ctx.last_fact.status is Status.ENACTED else None
    times = find_times(sentence, ctx.published, _last_date(ctx), adopted)
    if tr is not None:
        tr.times = [f"{sentence[t.start:t.end]!r} -> {t.date.iso() if t.date else '?'} ({t.role}{', relative' if t.relative else ''})" for t in times]
    facts: list[Fact] = []
    if (listed := LIST_OF.search(sentence)) is not None:
        # "joins a list of cities that includes San Francisco, Boston and Portland, Maine"
        named = [m for m in mentions if m.start >= listed.end() and m.subject.type is SubjectType.JURISDICTION]
        for group in coordinated_groups(sentence, named)[:1]:
            local_states = {m.place.state_code for m in group if m.place is not None and m.place.kind != "state"}
            for m in group:
                if m.place is not None and m.place.kind == "state" and m.place.state_code in local_states:
                    continue
                facts.append(Fact(m.subject, None, Scope.GOVERNMENT.value, Status.ENACTED, None, sentence, confidence=_by_reference(sentence, None)))  # type: ignore[arg-type]
    if (lead := _leads(sentence)) is not None:
        # "Following the lead of Brookline, Northampton and Somerville, Cambridge ...": the
        # leaders' measures, undated unless a date follows them
        named = [m for m in mentions if m.start >= lead.end() and m.subject.type is SubjectType.JURISDICTION]
        for group in coordinated_groups(sentence, named)[:1]:
            if group[0].start != lead.end():
                continue
            for i, m in enumerate(group):
                if i and re.search(r"\b(?:and|or)\s*$", sentence[group[i - 1].end: m.start]) is None and re.search(r"\b(?:and|or)\s*$", sentence[group[i - 2].end: group[i - 1].start] if i > 1 else ""):
                    break  # "A, B, and C, Cambridge ...": the list ended with "and C"
                if m.place is not None and m.place.kind == "state" and len(group) > 1:
                    continue
                facts.append(Fact(m.subject, None, _UNSTATED, Status.ENACTED, None, sentence, confidence=_by_reference(sentence, None)))  # type: ignore[arg-type]
                if tr is not None:
                    tr.decisions.append(f"{m.subject.name}: a leader the sentence's subject followed, so its own measure")
    # "following San Francisco's lead from last month": San Francisco's measure, dated there;
    # that date is not the date of the sentence's own verb
    for m in mentions:
        lead = _LEAD.match(sentence, m.end)
        if lead is None or not re.search(r"\b(?:following|joining|after|like)\s+$", sentence[: m.start]):
            continue
        dated = next((t for t in times if t.start == lead.end() and t.date is not None), None)
        if dated is not None:
            facts.append(Fact(m.subject, _kind(sentence, verbs[0], False) if verbs else None, _UNSTATED, Status.ENACTED, dated.date, sentence, confidence=_by_reference(sentence, dated)))  # type: ignore[arg-type]
            times = [t for t in times if t is not dated]
    if ("postpon" in sentence or "delay" in sentence or "tabl" in sentence or " off" in sentence or " back" in sentence) and NO_CHANGE.search(sentence):
        # "the vote was postponed": nothing changed; only the verbs of another clause count
        stalled = NO_CHANGE.search(sentence)
        verbs = [v for v in verbs if clause(sentence, v) != clause(sentence, Verb(stalled.start(), stalled.end(), Status.ENACTED, ""))]  # type: ignore[union-attr]
        if tr is not None:
            tr.decisions.append(f"{stalled.group(0)!r}: a postponed or tabled step changes nothing in its clause")  # type: ignore[union-attr]
    for verb in verbs:
        if demanded(sentence, verb, times):
            if tr is not None:
                tr.decisions.append(f"rejected {verb.text!r}: governed by a demand, hope, condition, modal or negation")
            continue
        descriptive = verb.status is Status.ENACTED and bool(
            PROHIBITIVE.match(verb.text)
            and (DESCRIPTIVE.match(sentence[: verb.start]) or NOUN_SUBJECT.search(sentence[: verb.start]))
        )
        if descriptive:
            # "The first bans city bureaus...": describes the measure the article just
            # reported, so it inherits that fact's subject and date
            own = event_time(times, verb, sentence)
            if ctx.last_fact is None or any(m.end <= verb.start for m in mentions):
                continue
            if own is None and ctx.last_fact.status not in (Status.ENACTED, Status.IN_FORCE):
                continue
            facts.extend(
                replace(f, evidence=sentence, confidence=_by_reference(sentence, own))
                if own is not None
                else replace(f, evidence=sentence, confidence=_by_reference(sentence, None), date=ctx.last_fact.date, end=ctx.last_fact.end)
                for f in _facts_for(sentence, verb, [ctx.last_fact.subject], 0.6, times, ctx, False)
            )
            continue
        subjects, confidence = subjects_of(sentence, verb, mentions, ctx)
        if verb.status is Status.ENACTED and verb.text.lower().startswith(("would", "will")):
            subjects = [x for x in subjects if x.type is SubjectType.COMPANY]  # only companies pledge
        if not subjects:
            if tr is not None:
                tr.decisions.append(f"rejected {verb.text!r}: no subject (no jurisdiction or company acts, none to refer back to)")
            continue
        if tr is not None:
            tr.decisions.append(f"{verb.text!r}: subject {', '.join(s.name for s in subjects)} (confidence {confidence:.2f})")
        facts.extend(_facts_for(sentence, verb, subjects, confidence, times, ctx, is_title))
    _remember(ctx, mentions, times, facts, sentence, gazetteer)
    if tr is not None:
        tr.facts = [describe(f) for f in facts]
    return facts


def _facts_for(sentence: str, verb: Verb, subjects: list[Subject], confidence: float, times: list[TimeMention], ctx: Context, is_title: bool) -> list[Fact]:
    status = process_stage(sentence, verb, clause(sentence, verb)[0])
    if status is Status.ENACTED and ctx.gazetteer is not None and legislature_passed(sentence, verb, clause(sentence, verb)[0]) and all(
        (p := ctx.gazetteer.by_ocd.get(x.key)) is not None and p.kind == "state" for x in subjects
    ):
        status = Status.PROPOSED  # passed by the legislature, not yet signed
    anchored = None
    if status is not verb.status and ctx.trace is not None:
        ctx.trace.note(f"{verb.text!r}: a stage of the legislative process, so {status.value}")
    time = None if is_title else event_time(times, verb, sentence)
    date = time.date if time else None
    follows = sentence[time.end:].lstrip() if time is not None else ""
    if time is not None and time.inverse is not None and time.end <= verb.start and any(follows.startswith(s.name) for s in subjects):
        date = time.inverse  # "two days after IBM said it was leaving": IBM's own date
    if (
        date is not None and time is not None and ctx.published is not None and date.start < ctx.published
        and (_FUTURE.search(sentence[max(0, verb.start - 25): verb.start]) or verb.text.lower().startswith("will"))
        and _BARE_MONTH.match(sentence[time.start: time.end])
    ):
        date = PartialDate(add_months(date.start, 12), date.precision)  # "will end in July": next July
    if date is None and (anchored := _anchored(sentence, verb, time, ctx)) is not None:
        date = anchored
    if status is Status.ENACTED and time is not None and time.role == "since":
        status = Status.IN_FORCE
    if date is not None and ctx.published and date.start > ctx.published and status is Status.ENACTED:
        if ctx.trace is not None:
            ctx.trace.note(f"rejected {verb.text!r}: dated {date.iso()}, after publication")
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
                    confidence=score(
                        subject=subject_evidence(confidence),
                        cue="reference" if _BY_REFERENCE.search(verb.text) else "weak" if _WEAK_VERB.match(verb.text) else "strong",
                        date="anchored" if anchored is not None else "none" if date is None else "relative" if time is not None and time.relative else "absolute",
                        fr=bool(FR.search(sentence)), title=is_title, stage=status is not verb.status,
                    ),
                )
            )
    return facts


_FUTURE = re.compile(r"\b(?:will|is set to|are set to|is scheduled to)\s+(?:\w+\s+)?$", re.I)
_BARE_MONTH = re.compile(r"^(?:in |on |by |from |as of )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?: \d{1,2}(?:st|nd|rd|th)?)?$")
#: "the day after Amazon's pledge", "shortly after IBM's announcement": a date by another event
_ANCHOR = re.compile(
    r"\b(?P<rel>the (?:day|week) after|(?:days|weeks|shortly|soon|just|hours) after|after|following|within days of|the same (?:day|week|month) as)\s+"
    r"(?P<who>[A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3})['’]s\s+(?:[\w-]+\s+){0,2}?"
    r"(?:pledge|announcement|move|decision|ban|moratorium|vote|step|statement|pause)\b"
)


def _anchored(sentence: str, verb: Verb, time: TimeMention | None, ctx: Context) -> PartialDate | None:
    """The date of a verb dated only by another subject's event ("Microsoft said it would not
    sell the day after Amazon's pledge", "... and IBM the same week"): that event's date as the
    article gave it, a day later for "the day after" a day. Only when the verb's clause holds
    the anchor or a relative time that could not be resolved."""
    lo, hi = clause(sentence, verb)
    for m in _ANCHOR.finditer(sentence):
        if not (lo <= m.start() < hi or (time is not None and time.date is None)):
            continue
        who = next((s for s, d in ctx.subject_dates.items() if s.name == m.group("who")), None)
        if who is None:
            continue
        date = ctx.subject_dates[who]
        if date.precision.value == "day" and m.group("rel").startswith("the day after"):
            date = PartialDate(date.start + dt.timedelta(days=1))
        if ctx.trace is not None:
            ctx.trace.note(f"{verb.text!r} dated by {m.group(0)!r}: {date.iso()}")
        return date
    return None


_BY_REFERENCE = re.compile(r"\b(?:follow\w*|join\w*|same|step|acted|did|done|doing)\b", re.I)
_WEAK_VERB = re.compile(r"^(?:vot|pass|approv|adopt|sign|enact|implement|execut|announc|put|placed|join|strength|tough|settle|agreed|impos|introduc|unveil|filed|advanc)", re.I)


def _by_reference(sentence: str, time: TimeMention | None) -> float:
    """The confidence of a fact read by reference (a list, a leader followed, a description
    of the measure just reported)."""
    date = "none" if time is None else "relative" if time.relative else "absolute"
    return score(subject="reference", cue="reference", date=date, fr=bool(FR.search(sentence)))


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
            if re.match(r"\s+(?:city|town)\b", sentence[m.end:]) and re.search(r"\b[Tt]he\s+$", sentence[max(0, m.start - 10): m.start]):
                # "The Oregon city went further": the article's place in that state
                local = place_in_state(ctx, m.place.state_code)
                if local is not None:
                    ctx.last_place = local
                    ctx.places.append(local)
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
    for fact in facts:
        if fact.date is not None and fact.status in (Status.ENACTED, Status.IN_FORCE):
            ctx.subject_dates[fact.subject] = fact.date
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
    dated: dict[tuple, set[Status]] = {}
    for f in best.values():
        if f.date is not None:
            dated.setdefault((f.subject, group(f.status)), set()).add(f.status)

    def said_better(f: Fact) -> bool:
        statuses = dated.get((f.subject, group(f.status)), set())
        # an effective date says nothing of when the measure was adopted
        return bool(statuses - {Status.IN_FORCE}) if f.status is Status.ENACTED else bool(statuses)

    return [f for f in best.values() if f.date is not None or not said_better(f)]



def explain(article: Article, gazetteer: Gazetteer) -> tuple[Article, list[Fact], Trace]:
    """Extract with a trace: the article as dated for extraction, its facts, and per sentence
    what was seen and decided (``tracker explain``)."""
    trace = Trace()
    doc = infer_published(read(article))
    assert isinstance(doc, Document)
    article = doc.article
    if article.published_how is DateSource.INFERRED:
        trace.notes.append(f"publication date inferred from the text: {article.published} (relative dates are not resolved against it)")
    elif article.published is None:
        trace.notes.append("no publication date: relative dates stay unresolved")
    facts = extract(doc, gazetteer, trace)
    return article, facts, trace
