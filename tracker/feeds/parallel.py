"""Parsing feeds in worker processes. feedparser is pure Python, so in threads all parsing would
share one core; a small process pool lets the poller's threads fetch and store while other cores
parse. A parser process that dies (a crash in a C library on hostile input) fails its feed, not
the run: the pool is replaced and the other feeds it was parsing are tried once more."""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .data import FeedData
from .errors import FeedError
from .feedparse import parse_feed


class ParserPool:
    """``parse(...)`` as ``feedparse.parse_feed``, in ``processes`` worker processes (none:
    in this process). The processes start on the first parse; ``close`` stops them."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def parse(
        self, content: bytes, where: str, headers: Mapping[str, str], base_url: str | None
    ) -> FeedData:
        if self.processes < 1:
            return parse_feed(content, where, headers, base_url)
        for attempt in (1, 2):
            pool = self._get()
            try:
                return pool.submit(parse_feed, content, where, dict(headers), base_url).result()
            except BrokenProcessPool:
                self._discard(pool)
                if attempt == 2:
                    raise FeedError(where, "the parser process died on this feed") from None
        raise AssertionError("unreachable")

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")  # no fork of a threaded process
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_ignore_interrupts
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the poller stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
