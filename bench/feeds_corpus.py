"""Robustness check: add every file of feedparser's own test corpus
(``../shared/corpus/feedparser-tests``, over 2,000 odd, broken and hostile feeds) as a
local-file feed, poll them all, and report: no traceback, no hang, every failure a one-line
reason. Prints the counts, the failures grouped by reason, and the slowest feeds.

    python bench/feeds_corpus.py [--corpus PATH] [--workers 2] [--database URL] [--json]

By default the feeds go into a throwaway SQLite file; ``--database`` names another database
(an empty PostgreSQL one, say), which is upgraded first and keeps what was stored.

Exit code 1 when a feed crashed (an internal error), hung, or failed without a one-line reason.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import db, feeds  # noqa: E402
from tracker.app import Tracker  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feedparser-tests"
HANG_SECONDS = 60.0


class _Errors(logging.Handler):
    """Counts ERROR records (an internal error is logged with its traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _reason_kind(reason: str) -> str:
    """A failure reason without its variable parts (line numbers, sizes), to group by."""
    return re.sub(r"\d+", "N", reason.split(" (")[0] if reason.startswith("malformed") else reason)[:120]


def run(corpus: Path, workers: int, database: str | None = None) -> dict[str, object]:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "README.md")
    errors = _Errors()
    logging.getLogger("tracker").addHandler(errors)
    last = [time.monotonic()]
    stop = threading.Event()

    def watchdog() -> None:
        while not stop.wait(1.0):
            if time.monotonic() - last[0] > HANG_SECONDS:
                print(f"HANG: no feed finished for {HANG_SECONDS:.0f} s; stacks follow", file=sys.stderr)
                faulthandler.dump_traceback(file=sys.stderr)
                sys.stderr.flush()
                os._exit(2)

    timings: dict[int, float] = {}

    def progress(outcome: feeds.FeedOutcome, done: int, total: int) -> None:
        now = time.monotonic()
        timings[outcome.feed_id] = now - last[0]
        last[0] = now

    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite:///{tmp}/corpus.sqlite"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        tracker = Tracker(url)
        paths = {feeds.add_feed(tracker, str(p)).id: p for p in files}
        threading.Thread(target=watchdog, daemon=True).start()
        start = time.monotonic()
        last[0] = start
        summary = feeds.poll(tracker, workers=workers, progress=progress)
        elapsed = time.monotonic() - start
        stop.set()
        tracker.close()
    failed = [o for o in summary.outcomes if o.result == "failed"]
    crashes = [o for o in failed if (o.error or "").startswith(("internal error", "database error"))]
    not_one_line = [o for o in failed if not o.error or "\n" in o.error or len(o.error) > 400]
    reasons = collections.Counter(_reason_kind(o.error or "") for o in failed)
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:5]
    return {
        "files": len(files),
        "ok": len(summary.outcomes) - len(failed),
        "failed": len(failed),
        "crashes": len(crashes) + len(errors.records),
        "hangs": 0,
        "not_one_line": len(not_one_line),
        "entries": summary.entries,
        "seconds": round(elapsed, 1),
        "reasons": reasons.most_common(),
        "slowest": [(str(paths[i].relative_to(corpus)), round(t, 3)) for i, t in slowest],
        "crashed": [(str(paths[o.feed_id].relative_to(corpus)), o.error) for o in crashes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", metavar="URL", help="default: a throwaway SQLite file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.CRITICAL)
    result = run(args.corpus, args.workers, args.database)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"files {result['files']}, ok {result['ok']}, failed with a reason {result['failed']}, "
            f"crashes {result['crashes']}, hangs {result['hangs']}, "
            f"reasons not on one line {result['not_one_line']}, time {result['seconds']} s"
        )
        print("entries:", ", ".join(f"{v} {k}" for k, v in result["entries"].items()))  # type: ignore[attr-defined]
        print("failures by reason:")
        for reason, n in result["reasons"]:  # type: ignore[attr-defined]
            print(f"  {n:5}  {reason}")
        print("slowest feeds:", ", ".join(f"{p} {t} s" for p, t in result["slowest"]))  # type: ignore[attr-defined]
        for path, error in result["crashed"]:  # type: ignore[attr-defined]
            print(f"CRASH {path}: {error}")
    return 1 if result["crashes"] or result["not_one_line"] else 0


if __name__ == "__main__":
    sys.exit(main())
