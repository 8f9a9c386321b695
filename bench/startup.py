"""Start-up benchmark: how long ``tracker --help`` and ``tracker --version`` take, and which
heavy modules they import (they should import none: only Click).

    python bench/startup.py [--runs 20] [--limit 0.3]

Each command runs ``--runs`` times as a fresh ``python cli.py ...`` process; the figures are the
median and the fastest wall-clock time, and the median CPU time (user + sys, which a machine
busy with other work inflates far less than the wall clock). The target (issue 12): under
0.3 s; the limit is checked on the CPU time. A bare ``python -c pass`` is timed beside them as
the floor. The heavy-import check runs ``python -X importtime cli.py --help``. Exits 1 when a
command's median CPU time is over the limit or a heavy module is imported.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "matplotlib", "trafilatura", "httpx", "feedparser", "lxml", "dateutil")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(args: list[str], runs: int) -> tuple[float, float, float]:
    """(median wall, fastest wall, median CPU) of ``runs`` fresh processes, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - cpu0)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def heavy_imports() -> list[str]:
    """The heavy top-level modules that ``cli.py --help`` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "cli.py", "--help"], cwd=ROOT, check=True,
        capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    found = set()
    for line in result.stderr.splitlines():
        if "|" not in line:
            continue
        name = line.rsplit("|", 1)[1].strip()
        if name.split(".")[0] in HEAVY:
            found.add(name.split(".")[0])
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=float, default=0.3, help="seconds (median CPU time)")
    options = parser.parse_args()

    py = sys.executable
    cases = {
        "python -c pass (floor)": [py, "-c", "pass"],
        "tracker --version": [py, "cli.py", "--version"],
        "tracker --help": [py, "cli.py", "--help"],
        "tracker ingest --help": [py, "cli.py", "ingest", "--help"],
    }
    print(f"{'command':<26} {'median':>8} {'fastest':>8} {'CPU':>8}   ({options.runs} runs each)")
    over = []
    for label, args in cases.items():
        median, fastest, cpu = time_command(args, options.runs)
        print(f"{label:<26} {median:>7.3f}s {fastest:>7.3f}s {cpu:>7.3f}s")
        if "floor" not in label and cpu > options.limit:
            over.append(label)
    heavy = heavy_imports()
    print(f"heavy modules imported by --help: {', '.join(heavy) if heavy else 'none'}")
    for label in over:
        print(f"over the limit of {options.limit} s: {label}", file=sys.stderr)
    return 1 if over or heavy else 0


if __name__ == "__main__":
    sys.exit(main())
