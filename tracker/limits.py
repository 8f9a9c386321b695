"""Bounds that keep text handling linear in the input's size.

The extractor looks at each sentence several times (once per verb it finds, once per subject),
so its cost grows faster than a sentence's length. Real sentences stay short (in the shared
corpus, 99% are under 520 characters, the median 126); a hostile input with no full stop, or the same word
repeated, would make one "sentence" of megabytes. ``cap_sentences`` cuts every sentence to at
most ``MAX_SENTENCE`` characters, at a space where there is one, so that extraction costs at
most a fixed amount per megabyte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

#: The total deadline for one HTTP response, in seconds (``--timeout``).
DEFAULT_DEADLINE = 30.0
#: The size cap on every input: HTTP bodies, files, stdin (``--max-bytes``).
MAX_BYTES = 10 * 1024 * 1024

#: The longest sentence the extractor analyses, in characters.
MAX_SENTENCE = 600


def cap_sentences(sentences: Iterable[str], limit: int = MAX_SENTENCE) -> Iterator[str]:
    """Each sentence as it is, or, when longer than ``limit``, in pieces of at most ``limit``
    characters cut at the last space before the limit (or at the limit, when there is none)."""
    for sentence in sentences:
        while len(sentence) > limit:
            cut = sentence.rfind(" ", limit // 2, limit + 1)
            if cut <= 0:
                cut = limit
            head, sentence = sentence[:cut].rstrip(), sentence[cut:].lstrip()
            if head:
                yield head
        if sentence:
            yield sentence
