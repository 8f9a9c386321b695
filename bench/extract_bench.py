"""Extraction benchmark: the CPU cost of reading, normalising and extracting one article, in
this process (no database writes, no workers), on the ingestion benchmark's articles.

    python bench/extract_bench.py                  # 400 articles, the least of 7 rounds
    python bench/extract_bench.py --callgrind      # also count instructions (valgrind)

The articles are ``bench/ingest_bench.py``'s (a measure in one paragraph, filler of which a
third talks about facial recognition). Each round extracts every article once, exactly as an
ingest worker does (``pipeline._prepare``: parse, ``extract.read``, ``infer_published``,
``extract``); the figure is the least CPU time of the rounds, per article. With ``--callgrind``
the script runs itself under ``valgrind --tool=callgrind`` over 50 articles with collection
switched on only around the extraction, and prints instructions per article: a count that
does not move with the machine's load (the CPU time does), so it compares two versions of the
extractor exactly. The ingest target of 300 articles a second on two cores leaves about
6.6 ms of CPU per article for extraction, storing and the hand-off together.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_bench import cities_list, make_article  # noqa: E402

from tracker.app import Tracker  # noqa: E402
from tracker.ingest import pipeline  # noqa: E402


def articles(folder: Path, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    cities = cities_list()
    paths = []
    for i in range(count):
        path = folder / f"{i:05d}.txt"
        path.write_text(make_article(rng, cities, i), encoding="utf-8")
        paths.append(str(path))
    return paths


def _facts(prepared) -> int:  # type: ignore[no-untyped-def]
    """Facts in what ``_prepare`` gave: (where, Extracted) now, (where, article, facts) in
    versions before the batched writer (to compare with them)."""
    last = prepared[-1]
    return len(getattr(last, "facts", last))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--callgrind", action="store_true", help="also count instructions under valgrind")
    parser.add_argument("--measured", action="store_true", help=argparse.SUPPRESS)  # internal: under valgrind
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tracker = Tracker(f"sqlite:///{folder / 'bench.sqlite'}")
        gazetteer = tracker.gazetteer
        count = 60 if args.measured else args.articles
        inputs = [pipeline.read_source(p, None, 10**7) for p in articles(folder, count, args.seed)]
        for article in inputs[:10]:  # warm: compiled patterns, caches
            pipeline._prepare("-", article, None, None, gazetteer)
        if args.measured:
            pid = str(os.getpid())
            subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
            for article in inputs[10:]:
                pipeline._prepare("-", article, None, None, gazetteer)
            subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
            return
        rounds = []
        for _ in range(args.rounds):
            start = time.process_time()
            for article in inputs:
                pipeline._prepare("-", article, None, None, gazetteer)
            rounds.append(time.process_time() - start)
        facts = sum(_facts(pipeline._prepare("-", a, None, None, gazetteer)) for a in inputs)
        best = min(rounds) / len(inputs)
        print(f"{len(inputs)} articles, {facts} facts: {best * 1000:.2f} ms CPU an article (least of {args.rounds} rounds;"
              f" median {sorted(rounds)[len(rounds) // 2] / len(inputs) * 1000:.2f} ms)")
    if args.callgrind:
        if shutil.which("valgrind") is None:
            sys.exit("valgrind is not installed: no instruction count")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            subprocess.run(
                ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                 sys.executable, __file__, "--measured", "--seed", str(args.seed)],
                check=True, capture_output=True,
            )
            summary = subprocess.run(["callgrind_annotate", str(out)], check=True, capture_output=True, text=True).stdout
            total = next(int(line.split()[0].replace(",", "")) for line in summary.splitlines() if "PROGRAM TOTALS" in line)
            print(f"{total / 50 / 1e6:.1f} million instructions an article (callgrind, 50 articles)")


if __name__ == "__main__":
    main()
