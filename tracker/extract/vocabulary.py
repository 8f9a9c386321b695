"""The extractor's word lists, loaded from the data files beside it (``data/*.txt``), so a
reader can review the vocabulary without reading code.

A file is a list of sections (``[name]``), one entry per line; ``#`` starts a comment line.

Part of the extractor (``tracker.extract``); reads package data once, at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources


@cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The sections of ``data/<name>``, each a tuple of its entries in order."""
    text = resources.files("tracker.extract").joinpath("data", name).read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"data/{name}: an entry before any [section]: {line!r}")
        else:
            current.append(line)
    return {k: tuple(v) for k, v in out.items()}


def alternation(entries: tuple[str, ...] | list[str]) -> str:
    """One pattern matching any of the entries, between word boundaries."""
    return r"\b(?:" + "|".join(f"(?:{e})" for e in entries) + r")\b"


def pattern(name: str, section: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(alternation(sections(name)[section]), flags)


class Folded:
    """A case-insensitive pattern, run where it can be as a case-sensitive one over the text
    lower-cased: on ASCII text the two find the same spans, and Python's ``re`` matches
    several times faster without ``re.I``. Other text takes the case-insensitive pattern.
    The source must be written in lower case (the vocabulary's files are)."""

    def __init__(self, source: str) -> None:
        if source != source.lower():
            raise ValueError(f"a folded pattern is written in lower case: {source[:60]!r}")
        self.folded = re.compile(source)
        self.any_case = re.compile(source, re.I)
        self.pattern = source

    def finditer(self, text: str, lowered: str | None = None) -> Iterator[re.Match[str]]:
        """Matches in ``text``; ``lowered`` is ``text.lower()`` if the caller has it, and
        only ASCII text may be passed with it."""
        if lowered is not None:
            return self.folded.finditer(lowered)
        if text.isascii():
            return self.folded.finditer(text.lower())
        return self.any_case.finditer(text)

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        if lowered is not None:
            return self.folded.search(lowered)
        if text.isascii():
            return self.folded.search(text.lower())
        return self.any_case.search(text)


def folded(name: str, section: str) -> Folded:
    return Folded(alternation(sections(name)[section]))


def trie(words: Iterable[str]) -> str:
    """A pattern matching exactly the strings ``words`` are, factored by common prefix, longer
    continuations tried first ("New(?: (?:Hampshire|Jersey|Mexico|York))?"): Python's ``re``
    tries each branch of a flat alternation at every position, and far fewer here."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        alternation = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{alternation})?" if "" in node else alternation

    return build(root)
