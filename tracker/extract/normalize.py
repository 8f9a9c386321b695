"""Undo what machine paraphrasing ("article spinning") does to wire copy, before matching.

Spinners swap words for thesaurus synonyms, sense-blind: "facial acknowledgment" for facial
recognition, "legislation enforcement" for law enforcement, "Could 2019" for May 2019, "didn't
go a proposed ban" for didn't pass, "a modified invoice" for a modified bill, "till further
discover" for until further notice. The synonyms come from a table generated from WordNet for
the extractor's own cue words (``data/spin_synonyms.tsv``, see ``build_thesaurus``), plus a short
hand-written list of those WordNet lacks (``data/spin_extra.tsv``).

A synonym is put back only in a *slot* where its cue is expected, so ordinary text is left
alone: "go" is "pass" right before "a proposed ban", and stays "go" everywhere else; "could" is
"May" only before a year. Each slot is one pattern compiled at import from the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

_DATA = Path(__file__).parent / "data"


# -- the table -----------------------------------------------------------------------------------
def _load(*paths: Path) -> dict[str, dict[str, str]]:
    """cue -> {synonym form (lower case): the cue's form to put back}; the first row wins."""
    table: dict[str, dict[str, str]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            cue, _pos, synonym, cue_form = line.split("\t")
            table.setdefault(cue, {}).setdefault(synonym, cue_form)
    return table


SYNONYMS = _load(_DATA / "spin_synonyms.tsv", _DATA / "spin_extra.tsv")


def synonyms(*cues: str) -> dict[str, str]:
    """The synonym forms of some cues, each with the cue form it stands for; where two cues
    share a synonym, the first cue named wins (the slot's likeliest reading)."""
    merged: dict[str, str] = {}
    for cue in cues:
        for form, target in SYNONYMS.get(cue, {}).items():
            merged.setdefault(form, target)
    return merged


def alternation(words: Iterable[str], capitalized: bool = False) -> str:
    """A regex matching any of ``words``, factored as a trie (fast on long lists); a space
    matches any run of white space."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in (word[:1].upper() + word[1:]) if capitalized else word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return emit(trie)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _case(source: str, target: str) -> str:
    """``target`` with the capital of ``source``'s first letter."""
    return target[:1].upper() + target[1:] if source[:1].isupper() else target


# -- the slots -----------------------------------------------------------------------------------
_DET = r"(?:a|an|the|its|their|this|that|his|her|our|these|those)"
_MEASURE_NOUNS = (
    "ban", "bans", "bill", "bills", "law", "laws", "legislation", "ordinance", "ordinances",
    "measure", "measures", "moratorium", "moratoriums", "moratoria", "resolution", "resolutions",
    "proposal", "proposals", "restriction", "restrictions", "prohibition", "prohibitions",
    "statute", "statutes", "regulation", "regulations", "pause", "act",
)
#: A word right after an article is a noun ("the purpose the ban serves"), not the verb.
_AFTER_DET = re.compile(rf"\b{_DET}\s+$", re.I)
_PLURAL_NOUNS = tuple(n for n in _MEASURE_NOUNS if n.endswith("s") or n == "legislation")
#: Verbs expected before "a ban", "the bill", "laws", in the order ties are read.
_LEGISLATIVE = ("pass", "approve", "sign", "enact", "repeal", "adopt", "extend", "propose", "introduce", "impose")
_BILL = synonyms("bill")
_LEG_VERBS = synonyms(*_LEGISLATIVE)
#: Verbs after which a noun is the bill at hand ("passed a modified invoice").
_BILL_CONTEXT = (
    r"(?:pass|passe[sd]|passing|sign(?:s|ed|ing)?|introduc(?:e|es|ed|ing)|propos(?:e|es|ed|ing)|"
    r"veto(?:es|ed|ing)?|approv(?:e|es|ed|ing)|adopt(?:s|ed|ing)?|enact(?:s|ed|ing)?|"
    r"fil(?:e|es|ed|ing)|sponsor(?:s|ed|ing)?|draft(?:s|ed|ing)?|vot(?:e|es|ed|ing) on)"
)
_MONTHS = synonyms(
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
#: Month synonyms that need no capital: the modal verbs of the supplement ("could 2019").
_EXTRA_MONTHS = {w for cue in ("May", "July") for w in _load(_DATA / "spin_extra.tsv").get(cue, {})}
_YEAR = r"(?:19|20)\d{2}\b"
_GERUND = r"(?!(?:during|nothing|something|anything|everything|thing|things|king|spring|bring|string|ring)\b)[a-z]+ing\b"
#: A participle that only "extend" has among the cues ("prolonged", not "gone").
_EXTENDED = {
    k: v for k, v in synonyms("extend").items()
    if v == "extended" and not any(k in SYNONYMS[c] for c in SYNONYMS if c != "extend")
}
_EXPIRE = {k: v for k, v in synonyms("expire").items() if not k.startswith(("go", "went"))}

_TOKEN = re.compile(r"[a-z]+")


class Anchor:
    """Phrases of which a text must contain one for a slot to be worth running: a set test for
    single words, a substring test for phrases of several (whose first word is present)."""

    def __init__(self, *groups: Iterable[str]) -> None:
        phrases = {" ".join(_TOKEN.findall(p.lower())) for g in groups for p in g}
        self.words = frozenset(p for p in phrases if " " not in p)
        multi: dict[str, list[str]] = {}
        for p in phrases - self.words:
            multi.setdefault(p.split(" ", 1)[0], []).append(p)
        self.multi = multi
        self.firsts = frozenset(multi)

    def met(self, words: set[str], flat: str) -> bool:
        if not self.words.isdisjoint(words):
            return True
        return any(p in flat for w in self.firsts.intersection(words) for p in self.multi[w])


Rule = tuple["_Scan | _BeforeYear", Callable[[re.Match[str]], str], tuple[Anchor, ...]]


def _recognition(m: re.Match[str]) -> str:
    return m["a"] + " recognition"


def _law_enforcement(m: re.Match[str]) -> str:
    if _key(m["a"]) == "law" and _key(m["b"]) == "enforcement":
        return m[0]
    return _case(m["a"], "law enforcement")


def _until(m: re.Match[str]) -> str:
    if (_key(m["u"]), _key(m["f"]), _key(m["n"])) == ("until", "further", "notice"):
        return m[0]
    return _case(m["u"], "until further notice")


def _month(m: re.Match[str]) -> str:
    """The month for a spun month name before a year: a synonym of one word or two ("English
    hawthorn 2019"), written with a capital as a month is ("could" and "might" need none)."""
    words = m["w"].split()
    for first in range(len(words)):
        phrase = " ".join(words[first:])
        month = _MONTHS.get(phrase.lower())
        if month is None or (phrase[:1].islower() and phrase.lower() not in _EXTRA_MONTHS):
            continue
        at = m["w"].index(words[first])
        return m[0][:at] + month + m[0][m.end("w") - m.start():]
    return m[0]


class _Scan:
    """A slot's pattern run over the whole text."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def sub(self, repl: Callable[[re.Match[str]], str], text: str, words: set[str]) -> str:
        return self.pattern.sub(repl, text)


class _AtWords(_Scan):
    """A slot's pattern that starts with one of some words, tried only where the text has one
    (found by ``str.find``, far cheaper than scanning with a long alternation)."""

    def __init__(self, pattern: re.Pattern[str], starts: Iterable[str]) -> None:
        super().__init__(pattern)
        self.firsts = frozenset(_TOKEN.findall(p.lower())[0] for p in starts)

    def sub(self, repl: Callable[[re.Match[str]], str], text: str, words: set[str]) -> str:
        lowered = text.lower()
        if len(lowered) != len(text):
            return self.pattern.sub(repl, text)  # lower() changed the length: scan
        starts: set[int] = set()
        for word in self.firsts.intersection(words):
            at = lowered.find(word)
            while at >= 0:
                if not (at and lowered[at - 1].isalpha()):
                    starts.add(at)
                at = lowered.find(word, at + len(word))
        out, done = [], 0
        for at in sorted(starts):
            m = self.pattern.match(text, at) if at >= done else None
            if m is not None:
                out += [text[done:at], repl(m)]
                done = m.end()
        return "".join(out) + text[done:] if out else text


class _BeforeYear:
    """The month slot's pattern, searched from each year back (years are rare, words are not):
    ``sub`` as ``re.Pattern.sub`` does it."""

    _year = re.compile(r"\b(?:19|20)\d{2}\b")
    _before = re.compile(
        r"\b(?P<w>[A-Za-z]+(?:[ \t]+[A-Za-z]+)?)\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{2}$"
    )
    pattern = _before.pattern

    def sub(self, repl: Callable[[re.Match[str]], str], text: str, words: set[str]) -> str:
        out, done = [], 0
        for year in self._year.finditer(text):
            m = self._before.search(text, max(done, year.start() - 40), year.end())
            if m is not None:
                out += [text[done: m.start()], repl(m)]
                done = m.end()
        return "".join(out) + text[done:] if out else text


def _month_day(m: re.Match[str]) -> str:
    month = _MONTHS.get(m["w"].lower())
    return m[0] if month is None else m[0].replace(m["w"], month, 1)


def _council(m: re.Match[str]) -> str:
    a, b = _key(m["a"]), _key(m["b"])
    if b != "council":
        return "City Council"
    return m[0] if a in ("city", "town") else _case(m["a"], "city") + " " + m["b"]


def _replace(group: str, table: dict[str, str]) -> Callable[[re.Match[str]], str]:
    """Put the cue back for the synonym in ``group``, keeping what is around it."""

    def sub(m: re.Match[str]) -> str:
        start, end = m.start(group) - m.start(), m.end(group) - m.start()
        return m[0][:start] + _case(m[group], table[_key(m[group])]) + m[0][end:]

    return sub


def _verb(replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """``replace``, unless the word follows an article (then it is a noun)."""

    def sub(m: re.Match[str]) -> str:
        if _AFTER_DET.search(m.string, max(0, m.start() - 8), m.start()):
            return m[0]
        return replace(m)

    return sub


#: A refusal right before a verb: "will not be", "no longer", "stopped".
_REFUSED = re.compile(r"\b(?:not|n't|no\s+longer|never|stop|stops|stopped|cease|ceases|ceased)\s+(?:be\s+)?(?:(?:also|\w+ly)\s+)?$", re.I)


def _after(before: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """``replace``, only where ``before`` matches the words just before the match."""

    def sub(m: re.Match[str]) -> str:
        return replace(m) if before.search(m.string, max(0, m.start() - 40), m.start()) else m[0]

    return sub


def _rules() -> list[Rule]:
    """The slots, in the order they run (a later slot sees what an earlier one put back). Each
    comes with the word sets the text must meet, one word of each, for it to be worth running."""
    city = synonyms("city", "town")
    stop = synonyms("stop")
    government = synonyms("government")
    recently = synonyms("recently")
    develop = {k: v for k, v in synonyms("develop").items() if v == "developing"}
    spun_law = [*synonyms("law"), *synonyms("enforcement")]
    spun_until = [*synonyms("until"), *synonyms("further"), *synonyms("notice")]
    spun_council = [*city, *synonyms("council")]
    nouns = [*_MEASURE_NOUNS, *_BILL]
    same = synonyms("same")
    sell = {k: v for k, v in synonyms("sell").items() if k.endswith("ing") or v == "sell"}
    report = {k: v for k, v in synonyms("announce", "say").items() if k not in ("saying", "said", "says")}
    say_measure = {k: v for k, v in synonyms("announce").items() if k in ("saying", "said", "says")}
    rules: list[tuple[str | _Scan | _BeforeYear, Callable[[re.Match[str]], str], tuple[Anchor, ...], int]] = [
        # "facial acknowledgment" -> facial recognition
        (
            _AtWords(re.compile(rf"\b(?P<a>facial|face)[\s-]+(?P<b>{alternation(synonyms('recognition'))})\b", re.I), ["facial", "face"]),
            _recognition, (Anchor(["facial", "face"]), Anchor(synonyms("recognition"))), re.I,
        ),
        # "legislation enforcement", "law requirement" -> law enforcement
        (
            _AtWords(re.compile(rf"\b(?P<a>{alternation(['law', *synonyms('law')])})\s+(?P<b>{alternation(['enforcement', *synonyms('enforcement')])})\b", re.I), ["law", *synonyms("law")]),
            _law_enforcement, (Anchor(["law", *synonyms("law")]), Anchor(["enforcement", *synonyms("enforcement")]), Anchor(spun_law)), re.I,
        ),
        # "till further discover" -> until further notice
        (
            _AtWords(re.compile(rf"\b(?P<u>{alternation(['until', *synonyms('until')])})\s+(?P<f>{alternation(['further', *synonyms('further')])})\s+(?P<n>{alternation(['notice', *synonyms('notice')])})\b", re.I), ["until", *synonyms("until")]),
            _until, (Anchor(["until", *synonyms("until")]), Anchor(["further", *synonyms("further")]), Anchor(spun_until)), re.I,
        ),
        # "Could 2019", "Marching 31, 2020" -> the month, before a year
        (_BeforeYear(), _month, (Anchor(_MONTHS),), 0),
        # "on Could 14" -> the month, before a day after a preposition
        (
            r"\b(?:on|since|until|by|from|in)\s+(?P<w>[A-Z][a-z]+)\s+\d{1,2}\b(?!\s*(?:per|percent|%))",
            _month_day, (Anchor(_MONTHS),), 0,
        ),
        # "the metropolis council", "the town board" -> city council
        (
            _AtWords(re.compile(rf"\b(?P<a>{alternation(['city', 'town', *city])})\s+(?P<b>{alternation(['council', *synonyms('council')])})\b", re.I), ["city", "town", *city]),
            _council, (Anchor(["city", "town", *city]), Anchor(["council", *synonyms("council")]), Anchor(spun_council)), re.I,
        ),
        # "the first US metropolis to" -> city
        (
            rf"\b(?:the|a|an|US|U\.S\.|American|its|every|each|another|other)\s+(?:[\w-]+\s+)?(?P<c>{alternation(city)})\b",
            _replace("c", city), (Anchor(city),), re.I,
        ),
        # "authorities use of" -> government use of
        (
            _AtWords(re.compile(rf"\b(?P<g>{alternation(government)})(?=\s+(?:use|usage|utilization|utilisation)\s+of\b)", re.I), government),
            _replace("g", government), (Anchor(government), Anchor(["use", "usage", "utilization", "utilisation"])), re.I,
        ),
        # "didn't go a proposed ban", "handed laws", "prolonged its moratorium" -> the cue verb
        (
            _AtWords(re.compile(rf"\b(?P<v>{alternation(_LEG_VERBS)})(?=\s+(?:{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:{alternation(nouns)})|(?:[\w-]+\s+)?(?:{alternation(_PLURAL_NOUNS)}))\b)", re.I), _LEG_VERBS),
            _verb(_replace("v", _LEG_VERBS)), (Anchor(_LEG_VERBS), Anchor(nouns)), re.I,
        ),
        # "the moratorium was being prolonged" -> extended
        (
            rf"\b(?:ban|moratorium|pause|prohibition|halt)\s+(?:(?:was|is|has\s+been|had\s+been|will\s+be|would\s+be|being|was\s+being|is\s+being)\s+)?(?P<v>{alternation(_EXTENDED)})\b",
            _replace("v", _EXTENDED), (Anchor(_EXTENDED),), re.I,
        ),
        # "passed a modified invoice", "the invoice that would ban" -> bill
        (
            rf"\b{_BILL_CONTEXT}\s+(?:{_DET}\s+)?(?:[\w-]+\s+){{0,2}}?(?P<n>{alternation(_BILL)})\b",
            _replace("n", _BILL), (Anchor(_BILL),), re.I,
        ),
        (
            rf"\b(?:{_DET}|Senate|House|Assembly)\s+(?:[\w-]+\s+)?(?P<n>{alternation(_BILL)})(?=\s+(?:that|which)\s+would\b|\s+(?:to|would)\s+(?:ban|bar|prohibit|restrict|limit|regulate|halt|pause)\b)",
            _replace("n", _BILL), (Anchor(_BILL),), re.I,
        ),
        # "was set to run out", "the moratorium runs out in June" -> expire
        (
            rf"\b(?:set|due|scheduled|slated|expected|about|going)\s+to\s+(?P<v>{alternation(_EXPIRE)})(?=\s+(?:in|on|at|next|this|by|after|when|later)\b|\s*[.,;])",
            _replace("v", _EXPIRE), (Anchor(_EXPIRE),), re.I,
        ),
        (
            rf"\b(?:ban|moratorium|pause|ordinance|law|measure|it)\s+(?:will\s+|would\s+|is\s+to\s+)?(?P<v>{alternation(_EXPIRE)})(?=\s+(?:in|on|at|next|this|by|after|when|later)\b|\s*[.,;])",
            _replace("v", _EXPIRE), (Anchor(_EXPIRE),), re.I,
        ),
        # "cease developing", "quit offering" -> stop, before a gerund
        (_AtWords(re.compile(rf"\b(?P<v>{alternation(stop)})(?=\s+{_GERUND})", re.I), stop), _replace("v", stop), (Anchor(stop),), re.I),
        # "stop growing or researching" -> stop developing, what a company stops
        (
            rf"\b(?:stop|stops|stopped|stopping)\s+(?P<v>{alternation(develop)})\b",
            _replace("v", develop), (Anchor(develop), Anchor(["stop", "stops", "stopped", "stopping"])), re.I,
        ),
        # "the identical week" -> the same week: a time anchored to another event
        (
            _AtWords(re.compile(rf"(?<=\bthe\s)(?P<s>{alternation(same)})(?=\s+(?:day|week|month|year|time)\b)", re.I), same),
            _replace("s", same), (Anchor(same), Anchor(["day", "week", "month", "year", "time"])), re.I,
        ),
        # "will not be promoting its services to police" -> selling: what a company stops
        (
            _AtWords(re.compile(
                rf"\b(?P<v>{alternation(sell)})(?=\s+(?:[\w'-]+\s+){{0,5}}?to\s+(?:the\s+)?"
                r"(?:police|law\s+enforcement|government|federal|agencies|departments|ICE)\b)", re.I), sell),
            _after(_REFUSED, _replace("v", sell)),
            (Anchor(sell), Anchor(["police", "enforcement", "government", "federal", "agencies", "departments", "ice"])), re.I,
        ),
        # "introduced that it will", "mentioned that it would" -> announced, said: a report
        (
            _AtWords(re.compile(rf"\b(?P<v>{alternation(report)})(?=\s+that\b)", re.I), report),
            _replace("v", report), (Anchor(report), Anchor(["that"])), re.I,
        ),
        # "led to the company saying a yearlong moratorium" -> announcing: "say" takes no
        # measure as its object, unless a clause follows ("said a ban would be premature")
        (
            _AtWords(re.compile(
                rf"\b(?P<v>{alternation(say_measure)})(?=\s+(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?(?:moratorium|ban|pause|halt|prohibition)\b"
                r"(?![^.;:]*\b(?:would|will|is|was|could|should|might|may|has|had|were|are|must|can|wo)\b))", re.I), say_measure),
            _replace("v", say_measure), (Anchor(say_measure), Anchor(["moratorium", "ban", "pause", "halt", "prohibition"])), re.I,
        ),
        # "has just lately passed" -> has recently passed
        (
            rf"\b(?:has|have|had|was|were|is|are)\s+(?P<r>(?:just\s+)?(?:{alternation(recently)}))\b",
            lambda m: m[0][: m.start("r") - m.start()] + "recently", (Anchor(recently),), re.I,
        ),
    ]
    return [(_Scan(re.compile(p, flags)) if isinstance(p, str) else p, fn, needs) for p, fn, needs, flags in rules]


_SLOTS = _rules()


# -- phrases no slot covers yet ------------------------------------------------------------------
_PHRASES: list[tuple[str, str]] = [
    (r"\b(facial|face)-recognition\b", r"\1 recognition"),
    (r"\bface coordinat(ing|es|e)\b", "face matching"),
    (r"\b(computerized|computerised|synthetic|man-made) (reasoning|intelligence|brainpower)\b", "artificial intelligence"),
    (r"\bcast(?:ed)? (?:a |their )?ballots?\b", "voted"),
    (r"\bboycott(s|ed|ing)?\b", r"ban\1"),
    (r"\bprohibitions\b", "bans"),
    (r"\bprohibition\b", "ban"),
    (r"\bdisallow(s|ed)?\b", r"ban\1"),
    (r"\butiliz(?:ation|ing|es|ed|e)\b", "use"),
    (r"\binnovation\b", "technology"),
    (r"\bprogramming\b", "software"),
    (r"\bmandates\b", "ordinances"),
    (r"\bmandate\b", "ordinance"),
    (r"\bstatute\b", "ordinance"),
    (r"\bmanagers\b", "supervisors"),
    (r"\bcity (?:divisions|offices)\b", "city agencies"),
    (r"\bpolice (?:division|office|agency)\b", "police department"),
    (r"\bmarked (a|the) (law|bill|measure)\b", r"signed \1 \2"),
    (r"\bproduces? results\b", "takes effect"),
    (r"\bproduced results\b", "took effect"),
    (r"\b(?:will )?become effective\b", "take effect"),
    (r"\bfor the current (month|week|year)\b", r"this \1"),
    (r"\brecently this year\b", "earlier this year"),
    (r"\blead representative\b", "governor"),
    (r"\blimitations\b", "restrictions"),
    (r"\bforced\b(?= (?:last|in|on|this))", "imposed"),
    (r"\bclose down\b", "shut down"),
]
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
    r"\bcity (?:divisions|offices)\b": ("divisions", "offices"),
    r"\bpolice (?:division|office|agency)\b": ("police division", "police office", "police agency"),
    r"\bface coordinat(ing|es|e)\b": ("coordinat",),
    r"\b(?:will )?become effective\b": ("effective",),
    r"\bfor the current (month|week|year)\b": ("current",),
    r"\blead representative\b": ("representative",),
    r"\bclose down\b": ("close down",),
    r"\b(facial|face)-recognition\b": ("-recognition",),
}
_KEYS = [_RARER.get(p) or _needed_words(p) for p, _ in _PHRASES]


def normalize(text: str) -> str:
    """Return ``text`` with spun words put back in the slots where the extractor expects its
    cues, and typography made plain (curly quotes, dashes, no-break spaces)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", " - ")
    lowered = text.lower()
    for (pattern, replacement), key in zip(_COMPILED, _KEYS, strict=True):
        if any(k in lowered for k in key):
            changed = pattern.sub(replacement, text)
            if changed != text:
                text, lowered = changed, changed.lower()
    tokens = _TOKEN.findall(lowered)
    words, flat = set(tokens), " ".join(tokens)
    for pattern, replace, needs in _SLOTS:
        if all(need.met(words, flat) for need in needs):
            changed = pattern.sub(replace, text, words)
            if changed != text:
                text = changed
                tokens = _TOKEN.findall(text.lower())
                words, flat = set(tokens), " ".join(tokens)
    return text
