"""Compare what two versions of tracker store for the same articles: the sample articles plus N
of ingest_bench's generated ones, ingested by each version (``--jobs``) into a database of its
own, compared table by table by what identifies each row (tests/ingest/contents.py: no row ids,
no timestamps). Exits 1 and names the tables that differ.

    git worktree add /tmp/tracker-old <commit>      # or: git archive <commit> | tar -x -C /tmp/tracker-old
    python bench/compare_ingest.py --old /tmp/tracker-old --articles 500
    python bench/compare_ingest.py --old /tmp/tracker-old --url postgresql+psycopg://postgres@127.0.0.1:5433/{name}

With ``--url``, ``{name}`` is replaced by ``old`` and ``new``: two empty databases on the server
(created by the caller), upgraded first with ``tracker db upgrade``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from tests.ingest.contents import contents  # noqa: E402

INGEST = """
import sys
from tracker.app import Tracker
from tracker import db
url, folder, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
if not url.startswith("sqlite"):
    engine = db.make_engine(url); db.upgrade(engine); engine.dispose()
with Tracker(url) as t:
    s = t.ingest([folder], jobs=jobs)
import tracker.ingest.pipeline as p
print(s.new, s.duplicate, s.failed, s.facts, "batched" if hasattr(p, "_Writer") else "savepoints")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="a checkout of the other version")
    parser.add_argument("--articles", type=int, default=500, help="generated articles besides the samples")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--url", help="a database URL with {name} (default: SQLite files in a temporary folder)")
    args = parser.parse_args()
    import ingest_bench

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for path in sorted((ROOT / "seeds" / "articles").glob("*.txt")):
            shutil.copyfile(path, folder / f"a-{path.name}")
        rng, cities = random.Random(7), ingest_bench.cities_list()
        for i in range(args.articles):
            (folder / f"b-{i:06d}.txt").write_text(ingest_bench.make_article(rng, cities, i), encoding="utf-8")
        got = {}
        for name, tree in (("old", Path(args.old).resolve()), ("new", ROOT)):
            url = args.url.format(name=name) if args.url else f"sqlite:///{tmp}/{name}.sqlite"
            env = {**os.environ, "PYTHONPATH": str(tree)}
            out = subprocess.run([sys.executable, "-c", INGEST, url, str(folder), str(args.jobs)],
                                 env=env, cwd=tmp, check=True, capture_output=True, text=True)
            print(f"{name}: {out.stdout.strip()} (new, duplicate, failed, facts, writer)")
            got[name] = contents(url)
    differ = [table for table in got["old"] if got["old"][table] != got["new"][table]]
    for table, rows in got["new"].items():
        print(f"{table}: {len(rows)} rows, {'DIFFERENT' if table in differ else 'the same'}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
