"""Names to entities: an in-memory index of the reference jurisdictions and companies, built
once per run from the database, so that extraction stays a pure function of text."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.data import Subject
from tracker.extract.vocabulary import trie
from tracker.models import Company, CompanyAlias, Jurisdiction, JurisdictionAlias, Product
from tracker.seeds import normalize_alias
from tracker.vocab import SubjectType

#: Names recur from sentence to sentence and article to article ("The", "Main Street", the
#: months): their lookup keys are worth remembering (bounded, a pure function).
_key = lru_cache(maxsize=1 << 16)(normalize_alias)

#: Abbreviations newspapers use for states (AP style and postal codes after a comma).
AP_STATES = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "colo": "CO", "conn": "CT",
    "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN", "kan": "KS", "ky": "KY",
    "la": "LA", "md": "MD", "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO",
    "mont": "MT", "neb": "NE", "nev": "NV", "nh": "NH", "nj": "NJ", "nm": "NM", "ny": "NY",
    "nc": "NC", "nd": "ND", "okla": "OK", "ore": "OR", "pa": "PA", "ri": "RI", "sc": "SC",
    "sd": "SD", "tenn": "TN", "vt": "VT", "va": "VA", "wash": "WA", "wis": "WI", "wva": "WV",
    "wyo": "WY",
}


@dataclass(frozen=True)
class Place:
    ocd_id: str
    name: str
    kind: str
    state_code: str | None
    population: int

    def subject(self) -> Subject:
        return Subject(SubjectType.JURISDICTION, self.ocd_id, self.name)


class Gazetteer:
    """Look up jurisdictions and companies by the names articles use."""

    def __init__(
        self,
        places: dict[str, list[Place]],
        states: dict[str, Place],
        companies: dict[str, Subject],
        products: dict[str, Subject],
    ) -> None:
        self.places = places  # normalized alias -> candidates
        self.states = states  # two-letter code -> state (or DC / territory)
        self.companies = companies  # normalized alias -> company
        self.products = products  # normalized product name -> company
        self.by_ocd = {p.ocd_id: p for ps in places.values() for p in ps}
        self._state_names: re.Pattern[str] | None = None
        self._state_by_name: dict[str, str] = {}
        self.names = frozenset(places) | frozenset(companies) | frozenset(products)
        self._words = _word_trie(self.names)  # every name, word by word
        #: places with a single namesake, big enough to say which state an article is about
        self.sole_places = {
            key: found[0]
            for key, found in places.items()
            if len(found) == 1 and found[0].kind == "place" and found[0].population > 50000 and found[0].state_code
        }
        self._sole_words = _word_trie(self.sole_places)
        self.max_words = max((len(a.split()) for a in [*places, *companies, *products]), default=1)

    @classmethod
    def load(cls, session: Session) -> Gazetteer:
        rows = session.execute(
            select(
                JurisdictionAlias.alias, Jurisdiction.ocd_id, Jurisdiction.name, Jurisdiction.kind,
                Jurisdiction.state_code, Jurisdiction.population,
            ).join(Jurisdiction, JurisdictionAlias.jurisdiction_id == Jurisdiction.id)
        )
        places: dict[str, list[Place]] = defaultdict(list)
        states: dict[str, Place] = {}
        for alias, ocd_id, name, kind, state_code, population in rows:
            place = Place(ocd_id, name, kind, state_code, population or 0)
            places[alias].append(place)
            if kind in ("state", "district", "territory") and state_code:
                states[state_code] = place
        companies: dict[str, Subject] = {}
        for alias, slug, name in session.execute(
            select(CompanyAlias.alias, Company.slug, Company.name).join(Company)
        ):
            companies[alias] = Subject(SubjectType.COMPANY, slug, name)
        products: dict[str, Subject] = {}
        for product, slug, name in session.execute(
            select(Product.name, Company.slug, Company.name).join(Company)
        ):
            products[normalize_alias(product)] = Subject(SubjectType.COMPANY, slug, name)
        for candidates in places.values():
            candidates.sort(key=lambda p: (p.kind != "state", -p.population))
        return cls(dict(places), states, companies, products)

    def states_named(self, text: str) -> list[str]:
        """The codes of the states a text names by their full names, in order (one regular
        expression over the text: cheap enough for a whole article)."""
        if self._state_names is None:
            names = {p.name for p in self.states.values() if p.kind == "state"}
            self._state_names = re.compile(r"\b" + trie(names) + r"\b")  # the longest name first
            self._state_by_name = {p.name: code for code, p in self.states.items() if p.kind == "state"}
        return [self._state_by_name[m.group(0)] for m in self._state_names.finditer(text)]

    def state(self, name: str) -> Place | None:
        """A state by name, postal code or AP abbreviation ("Oregon", "OR", "Ore.")."""
        key = _key(name)
        if len(key) == 2 and key.upper() in self.states and name.strip(".").isupper():
            return self.states[key.upper()]
        code = AP_STATES.get(key.replace(" ", ""))
        if code and code in self.states:
            return self.states[code]
        for place in self.places.get(key, ()):
            if place.kind in ("state", "district", "territory"):
                return place
        return None

    def may_name(self, sentence: str) -> bool:
        """Whether any run of capitalized words in the sentence (as ``capitalized_spans`` finds
        them) is a known name; always true of text that is not ASCII (worth the full look)."""
        if not sentence.isascii():
            return True
        return next(_names_in(sentence, self._words, self.max_words), None) is not None

    def sole_places_in(self, text: str) -> list[Place]:
        """Every place with a single namesake that a run of 1..3 capitalized words names, in
        the order of ``capitalized_spans`` ("Seattle")."""
        if not text.isascii():
            return [place for _, _, span in capitalized_spans(text, 3) if (place := self.sole_places.get(_key(span)))]
        return [self.sole_places[key] for key in _names_in(text, self._sole_words, 3)]

    def candidates(self, name: str) -> list[Place]:
        return self.places.get(_key(name), [])

    def company(self, name: str) -> Subject | None:
        key = _key(name)
        return self.companies.get(key) or self.products.get(key)





_TOKEN = re.compile(r"[\w'’.&-]+")
_JOINERS = frozenset({"of", "de", "la", "del", "and"})
#: A run of words, each capitalized (or a number) or a joiner, one space apart: in ASCII text,
#: where it finds exactly the runs the token walk below would, without visiting other words.
_ASCII_RUN = re.compile(
    r"(?<![\w'’.&-])[A-Z0-9][\w'’.&-]*(?: (?:[A-Z0-9][\w'’.&-]*|(?:of|de|la|del|and)(?![\w'’.&-])))*"
)


def capitalized_spans(sentence: str, max_words: int) -> list[tuple[int, int, str]]:
    """(start, end, text) for every run of 1..max_words capitalized words ("San Francisco",
    "Bank of America"), a trailing possessive or full stop left out."""
    if not sentence.isascii():
        return list(_spans_by_tokens(sentence, max_words))
    spans: list[tuple[int, int, str]] = []
    for run in _ASCII_RUN.finditer(sentence):
        base, words = run.start(), run.group(0)
        if " " not in words:
            spans.append(_span(sentence, base, run.end()))
            continue
        run_text = words
        words = run_text.split(" ")
        starts, ends, at = [], [], 0
        for word in words:
            starts.append(at)
            at += len(word)
            ends.append(at)
            at += 1
        for i, word in enumerate(words):
            if word in _JOINERS:
                continue
            start = starts[i]
            for end in ends[i: i + max_words]:
                text = run_text[start:end]
                if text[-1] in ".'’s":  # the only endings _trimmed changes
                    text = _trimmed(text)
                spans.append((base + start, base + start + len(text), text))
    return spans


def _span(sentence: str, start: int, end: int) -> tuple[int, int, str]:
    text = _trimmed(sentence[start:end])
    return start, start + len(text), text


def _trimmed(text: str) -> str:
    """A span without its trailing full stop, quotes or possessive ("Maine's." -> "Maine")."""
    text = text.rstrip(".'’")
    return text[:-2] if text.endswith(("'s", "’s")) else text


def _spans_by_tokens(sentence: str, max_words: int):  # type: ignore[no-untyped-def]
    """The same spans by walking every token (any script: ``str.isupper`` decides)."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    n = len(tokens)
    for i in range(n):
        start = tokens[i][0]
        first = sentence[start]
        if not (first.isupper() or first.isdigit()):
            continue
        for j in range(i, min(i + max_words, n)):
            s, e = tokens[j]
            if j > i:
                if s != tokens[j - 1][1] + 1 or sentence[s - 1] != " ":
                    break  # punctuation or more than a space between words
                word_first = sentence[s]
                if not (word_first.isupper() or word_first.isdigit() or sentence[s:e] in _JOINERS):
                    break
            yield _span(sentence, start, e)


def _word_trie(names: Iterable[str]) -> dict:  # type: ignore[type-arg]
    """Names (lookup keys) as a trie of words; "" marks where a name ends."""
    root: dict = {}  # type: ignore[type-arg]
    for name in names:
        node = root
        for word in name.split(" "):
            node = node.setdefault(word, {})
        node[""] = {}
    return root


def _names_in(text: str, names: dict, max_words: int) -> Iterator[str]:  # type: ignore[type-arg]
    """The keys of the names (a ``_word_trie``) that runs of capitalized words in ASCII ``text``
    spell, in the order of ``capitalized_spans``: walking each run's words down the trie
    visits only the spans that can still become a name."""
    for run in _ASCII_RUN.finditer(text):
        words = run.group(0).split(" ")
        for i, word in enumerate(words):
            if word in _JOINERS:
                continue
            node, key = names, ""
            for last in words[i: i + max_words]:
                end = _key(_trimmed(last))  # if the span ends here: its full stop or possessive off
                if "" in node.get(end, ()):
                    yield key + end
                node = node.get(_key(last))  # type: ignore[assignment]
                if node is None:
                    break
                key += _key(last) + " "


def resolve(gazetteer: Gazetteer, name: str, state_hint: str | None = None) -> Place | None:
    """The jurisdiction a name means: "Portland, Oregon", "Portland (Maine)", "Portland, Ore.",
    "Massachusetts", "San Francisco". A bare ambiguous name takes ``state_hint`` (a postal
    code) if given, else its largest namesake (states before cities: "Washington")."""
    text = name.strip()
    m = re.match(r"^(?P<base>.+?)\s*(?:,\s*|\(\s*|\s+)(?P<state>[A-Z][\w. ]*?)\s*\)?$", text)
    if m and (state := gazetteer.state(m.group("state"))) and gazetteer.candidates(m.group("base")):
        for place in gazetteer.candidates(m.group("base")):
            if place.state_code == state.state_code and place.kind not in ("state", "territory"):
                return place
    candidates = gazetteer.candidates(text)
    if state_hint:
        for place in candidates:
            if place.state_code == state_hint and place.kind not in ("state", "territory"):
                return place
    return candidates[0] if candidates else None
