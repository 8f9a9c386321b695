"""Feed polling benchmark: 200 feeds of 50 entries served from a local HTTP server (in its own
process), polled twice by tracker: a first poll that ingests every entry and a second poll of the
unchanged feeds (ETag -> 304). The same feeds are then polled by the ``reader`` library, which is
installed only in its own virtual environment (made on first use). Prints the times side by side.

    python bench/feeds_poll.py [--feeds 200] [--entries 50] [--workers 4] [--no-reader]
           [--reader-venv /tmp/tracker-bench-reader]

Targets (docs/benchmarks.md): a first poll under 10 s, a second under 2 s, faster than reader.
"tracker, poller only" stubs out the extractor, to compare the feed machinery with reader's
(reader extracts nothing); "tracker" is the full pipeline, extraction included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.feeds.data.localserver import FeedServer  # noqa: E402

READER_VENV = Path(tempfile.gettempdir()) / "tracker-bench-reader"
TOPICS = [
    "the council debated a contract for license plate readers",
    "the police commission reviewed its camera policy",
    "a state senator proposed limits on biometric data",
    "parents asked the school board about hallway cameras",
    "the transit agency described its new fare gates",
]

READER_SCRIPT = r"""
import json, sys, time
from reader import make_reader
db, workers, urls = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
reader = make_reader(db)
for url in urls:
    reader.add_feed(url)
times = []
for _ in range(2):
    start = time.perf_counter()
    reader.update_feeds(workers=workers, scheduled=False)
    times.append(time.perf_counter() - start)
entries = reader.get_entry_counts().total
print(json.dumps({"first": times[0], "second": times[1], "entries": entries}))
"""


def make_feed(n: int, entries: int) -> bytes:
    """An RSS 2.0 feed of ``entries`` items, written for this benchmark."""
    items = []
    for i in range(entries):
        when = dt.datetime(2021, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n * entries + i)
        topic = TOPICS[(n + i) % len(TOPICS)]
        items.append(
            f"<item><title>Town {n}, story {i}: {topic}</title>"
            f"<link>http://news.example.org/town{n}/story{i}</link>"
            f'<guid isPermaLink="false">bench-{n}-{i}</guid>'
            f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
            f"<description>&lt;p&gt;In town {n}, {topic} on {when:%B %d, %Y}. "
            f"Story {i} quotes &lt;b&gt;three residents&lt;/b&gt; and a &lt;a href=\"/agenda\"&gt;"
            f"meeting agenda&lt;/a&gt;.&lt;/p&gt;&lt;p&gt;A second paragraph adds that a vote is "
            f"expected next month, after a public comment period.&lt;/p&gt;</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Town {n} news'
        f"</title><link>http://news.example.org/town{n}/</link><description>Local news</description>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


def serve(feeds: int, entries: int, port_queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    server = FeedServer()
    for n in range(feeds):
        server.route(f"/town{n}.xml", make_feed(n, entries), etag=f'"town{n}-v1"')
    server.start()
    port_queue.put(server.port)
    stop.wait()
    server.stop()


def bench_tracker(urls: list[str], workers: int, template: Path, extract: bool) -> dict[str, float]:
    from tracker import feeds
    from tracker.app import Tracker
    from tracker.extract import extract as extract_module

    original = extract_module.extract
    if not extract:
        extract_module.extract = lambda article, gazetteer: []  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.sqlite"
            shutil.copyfile(template, path)
            with Tracker(f"sqlite:///{path}") as tracker:
                for url in urls:
                    feeds.add_feed(tracker, url)
                tracker.gazetteer  # noqa: B018  (loaded before the clock starts, as a long run would have it)
                times, summaries = [], []
                for _ in range(2):
                    start = time.perf_counter()
                    summaries.append(feeds.poll(tracker, workers=workers))
                    times.append(time.perf_counter() - start)
        assert summaries[0].entries["new"] == len(urls) * ENTRIES[0], summaries[0].as_dict()
        assert summaries[1].feeds["unchanged"] == len(urls)
        return {"first": times[0], "second": times[1], "facts": summaries[0].facts}
    finally:
        extract_module.extract = original


def ensure_reader(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making {venv} with reader (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # reader's vendored feedparser imports sgmllib, which sgmllib3k provides
        subprocess.run([str(python), "-m", "pip", "install", "-q", "reader", "sgmllib3k"], check=True)
    return python


def bench_reader(urls: list[str], workers: int, venv: Path) -> dict[str, float]:
    python = ensure_reader(venv)
    version = subprocess.run(
        [str(python), "-c", "import reader; print(reader.__version__)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [str(python), "-c", READER_SCRIPT, str(Path(tmp) / "reader.sqlite"), str(workers), *urls],
            capture_output=True, text=True,
        )
    if out.returncode:
        raise SystemExit(f"reader failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout)
    result["version"] = version
    return result


ENTRIES = [50]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="for both (tracker's default)")
    parser.add_argument("--no-reader", action="store_true")
    parser.add_argument("--reader-venv", type=Path, default=READER_VENV)
    args = parser.parse_args(argv)
    ENTRIES[0] = args.entries

    from tracker.app import Tracker

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.sqlite"
        Tracker(f"sqlite:///{template}").close()  # migrated and seeded once, copied per run
        ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        stop = multiprocessing.Event()
        process = multiprocessing.Process(target=serve, args=(args.feeds, args.entries, ports, stop), daemon=True)
        process.start()
        try:
            port = ports.get(timeout=60)
            urls = [f"http://127.0.0.1:{port}/town{n}.xml" for n in range(args.feeds)]
            rows = [
                ("tracker (full pipeline)", bench_tracker(urls, args.workers, template, extract=True)),
                ("tracker (poller only)", bench_tracker(urls, args.workers, template, extract=False)),
            ]
            if not args.no_reader:
                result = bench_reader(urls, args.workers, args.reader_venv)
                rows.append((f"reader {result['version']}", result))
        finally:
            stop.set()
            process.join(10)
    print(f"{args.feeds} feeds x {args.entries} entries from 127.0.0.1, {args.workers} workers, SQLite")
    print(f"{'':26}{'first poll':>12}{'second poll':>14}")
    for name, result in rows:
        print(f"{name:26}{result['first']:>10.2f} s{result['second']:>12.2f} s")
    print(f"{'target':26}{'< 10':>10} s{'< 2':>12} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
