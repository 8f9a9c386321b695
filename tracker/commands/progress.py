"""The progress bar of long-running commands (``ingest``, ``feeds poll``): on stderr, with the
count, the rate and the time left.

    ingesting [#########-----------]  27/60  45%  13.5/s  ETA 0:02

Commands show it when stderr is a terminal (``--progress`` forces it, ``--no-progress`` hides
it); it knows its length before it starts, so the count and the time left are real ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


def _clock_text(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressBar:
    """A one-line bar redrawn in place (at most ten times a second, and at the end)."""

    def __init__(
        self,
        total: int,
        label: str,
        file: TextIO,
        *,
        width: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.label, self.file, self.width, self.clock = total, label, file, width, clock
        self.done = 0
        self.started = clock()
        self._drawn_at: float | None = None
        self._last_len = 0

    def __enter__(self) -> ProgressBar:
        self.draw()
        return self

    def __exit__(self, *exc: object) -> None:
        self.draw(final=True)
        self.file.write("\n")
        self.file.flush()

    def update(self, steps: int = 1) -> None:
        self.done += steps
        now = self.clock()
        if self.done >= self.total or self._drawn_at is None or now - self._drawn_at >= 0.1:
            self.draw()

    def message(self, text: str) -> None:
        """Print a line above the bar (an error), then draw the bar again under it."""
        self.file.write("\r" + text.ljust(self._last_len) + "\n")
        self._last_len = 0
        self.draw()

    def line(self, final: bool = False) -> str:
        """The bar as text: label, bar, count, percentage, rate, and the time left (or taken)."""
        elapsed = self.clock() - self.started
        fraction = self.done / self.total if self.total else 1.0
        filled = int(round(self.width * min(fraction, 1.0)))
        digits = len(str(self.total))
        parts = [
            f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}]",
            f"{self.done:>{digits}}/{self.total}",
            f"{fraction:4.0%}",
        ]
        rate = self.done / elapsed if elapsed > 0 and self.done else None
        parts.append(f"{rate:.1f}/s" if rate else "-/s")
        if final or self.done >= self.total:
            parts.append(f"in {_clock_text(elapsed)}")
        elif rate:
            parts.append(f"ETA {_clock_text((self.total - self.done) / rate)}")
        else:
            parts.append("ETA -")
        return "  ".join(parts)

    def draw(self, final: bool = False) -> None:
        text = self.line(final)
        self.file.write("\r" + text + " " * max(0, self._last_len - len(text)))
        self.file.flush()
        self._last_len = len(text)
        self._drawn_at = self.clock()
