"""Start-up benchmark: how long ``tracker --help``, ``--version`` and the read-only report
commands take as fresh processes, and which heavy modules they import.

    python bench/startup.py [--runs 20] [--limit 0.3] [--db-limit 0.3]

Each command runs ``--runs`` times as a fresh ``python cli.py ...`` process, the commands taking
turns so that a burst of load on the machine hits them all alike; the figures are the median and
the fastest wall-clock time, and the median CPU time (user + sys, which a machine busy with other
work inflates far less than the wall clock). Floors timed in the same run: a bare
``python -c pass``, and ``python -c 'import sqlalchemy'`` (and ``sqlalchemy.orm``, also with the
garbage collector held back as the CLI holds it while it starts), which every command that opens
the database must pay.

The report commands read a small database built first in a temporary folder (the sample
articles under seeds/articles, ingested and so upgraded to head): ``status`` (in force, and on a
day when nothing is), ``status --jurisdiction``, ``show``, ``sources list``, ``export``. Their
start-up is everything but the few milliseconds of the query itself: the imports, the engine,
the schema check (``alembic_version`` against ``db.HEAD_REVISION``, without Alembic), the
reference-data check, the ORM's mappers.

Every process gets a bytecode cache in the temporary folder (``PYTHONPYCACHEPREFIX``, one
warm-up run per command first), as an installed package has its ``.pyc`` files: with
``PYTHONDONTWRITEBYTECODE=1`` a checkout would compile tracker's modules on every run.

Targets (issue 12, issue 10): ``--version`` and ``--help`` under ``--limit`` (0.3 s CPU); the
report commands under ``--db-limit`` (0.3 s CPU, which this machine's ``import sqlalchemy``
alone nearly reaches). Exits 1 when a command is over its limit, or imports a heavy module it
does not need: ``--help`` and ``--version`` only Click, the reports neither Alembic nor the
HTTP, feed, extraction or chart stacks.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: top-level modules --help and --version must not import
HEAVY = ("sqlalchemy", "alembic", "matplotlib", "trafilatura", "httpx", "feedparser", "lxml", "dateutil")
#: modules (or packages) a report on an up-to-date database must not import
REPORT_HEAVY = (
    "alembic", "mako", "matplotlib", "trafilatura", "httpx", "feedparser", "lxml", "dateutil",
    "tracker.extract", "tracker.ingest", "tracker.feeds", "tracker.evaluate", "tracker.report.chart",
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) of one fresh process, in seconds."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def time_commands(cases: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    """label -> (median wall, fastest wall, median CPU) of ``runs`` fresh processes each, the
    commands taking turns; one untimed warm-up run each fills the bytecode cache."""
    for args in cases.values():
        run_once(args, env)
    walls: dict[str, list[float]] = {label: [] for label in cases}
    cpus: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(runs):
        for label, args in cases.items():
            wall, cpu = run_once(args, env)
            walls[label].append(wall)
            cpus[label].append(cpu)
    return {label: (statistics.median(walls[label]), min(walls[label]), statistics.median(cpus[label])) for label in cases}


def imported_modules(args: list[str], env: dict[str, str]) -> set[str]:
    """Every module ``python -X importtime <args>`` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=ROOT, check=True, capture_output=True, text=True, env=env,
    )
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line and "import time:" in line}


def heavy_in(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    """The entries of ``heavy`` that ``modules`` contains (a package counts by any of its modules)."""
    return sorted({h for h in heavy for m in modules if m == h or m.startswith(h + ".")})


def build_database(folder: Path, env: dict[str, str]) -> str:
    url = f"sqlite:///{folder / 'startup.sqlite'}"
    subprocess.run(
        [sys.executable, "cli.py", "--database", url, "ingest", "seeds/articles"], cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=float, default=0.3, help="seconds (median CPU time) for --help and --version")
    parser.add_argument("--db-limit", type=float, default=0.3, help="seconds (median CPU time) for the report commands")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tracker-startup-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        env.pop("TRACKER_DATABASE_URL", None)
        url = build_database(Path(tmp), env)

        py = sys.executable
        floors = {
            "python -c pass (floor)": [py, "-c", "pass"],
            "import sqlalchemy (floor)": [py, "-c", "import sqlalchemy"],
            "import sqlalchemy.orm (floor)": [py, "-c", "import sqlalchemy.orm"],
            # the same with the collector held back as the CLI holds it while it starts
            "... with start-up GC (floor)": [py, "-c", "import gc; gc.set_threshold(100_000); import sqlalchemy.orm"],
        }
        plain = {
            "tracker --version": ["cli.py", "--version"],
            "tracker --help": ["cli.py", "--help"],
            "tracker ingest --help": ["cli.py", "ingest", "--help"],
        }
        db = ["cli.py", "--database", url]
        reports = {
            "status --as-of 1900-01-01": [*db, "status", "--as-of", "1900-01-01", "--format", "json"],
            "status --as-of 2022-01-01": [*db, "status", "--as-of", "2022-01-01", "--format", "json"],
            "status --jurisdiction Oakland": [*db, "status", "--jurisdiction", "Oakland, CA", "--as-of", "2022-01-01"],
            "show 1": [*db, "show", "1"],
            "sources list": [*db, "sources", "list"],
            "export --view measures_current": [*db, "export", "--view", "measures_current"],
        }
        cases = {**floors, **{k: [py, *v] for k, v in plain.items()}, **{k: [py, *v] for k, v in reports.items()}}
        timed = time_commands(cases, options.runs, env)

        width = max(map(len, cases)) + 2
        print(f"{'command':<{width}} {'median':>8} {'fastest':>8} {'CPU':>8}   ({options.runs} runs each; CPU = user + sys)")
        over = []
        for label, (median, fastest, cpu) in timed.items():
            print(f"{label:<{width}} {median:>7.3f}s {fastest:>7.3f}s {cpu:>7.3f}s")
            limit = options.db_limit if label in reports else options.limit
            if "floor" not in label and cpu > limit:
                over.append(f"{label}: {cpu:.3f} s CPU, over the limit of {limit} s")
        floor = timed["import sqlalchemy (floor)"][2]
        print(f"report commands beyond the 'import sqlalchemy' floor ({floor:.3f} s CPU): "
              + ", ".join(f"{label} +{timed[label][2] - floor:.3f} s" for label in reports))

        problems = list(over)
        heavy = heavy_in(imported_modules(["cli.py", "--help"], env), HEAVY)
        print(f"heavy modules imported by --help: {', '.join(heavy) if heavy else 'none'}")
        problems += [f"--help imports {name}" for name in heavy]
        for label, args in reports.items():
            found = heavy_in(imported_modules(args, env), REPORT_HEAVY)
            problems += [f"{label} imports {name}" for name in found]
        print(f"modules the report commands need not import, imported: {'none' if len(problems) == len(over) else 'see below'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
