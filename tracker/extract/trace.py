"""What the extractor saw and decided, sentence by sentence: the hook behind ``tracker
explain``. Extraction runs the same with or without a trace; with one, each stage adds a
line of what it found and why a candidate was kept or thrown away.

Part of the extractor (``tracker.extract``); pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SentenceTrace:
    index: int
    text: str
    skipped: str | None = None  # why the sentence was not analysed
    mentions: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class Trace:
    """Collects one SentenceTrace per sentence, in order, and the article-level decisions."""

    sentences: list[SentenceTrace] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    current: SentenceTrace | None = None

    def begin(self, index: int, text: str) -> SentenceTrace:
        self.current = SentenceTrace(index, text)
        self.sentences.append(self.current)
        return self.current

    def note(self, message: str) -> None:
        (self.current.decisions if self.current else self.notes).append(message)

    def as_dict(self) -> dict[str, object]:
        return {"notes": self.notes, "sentences": [s.as_dict() for s in self.sentences]}
