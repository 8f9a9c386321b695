"""The start-up of the commands that open the database (issue 10): a read-only report on an
up-to-date database loads only what it needs, and the CLI collects garbage rarely until its
Tracker is open (``options.start_up_gc``)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli as cli_module
from tracker.commands import options

ROOT = Path(__file__).resolve().parent.parent
#: what a report on an up-to-date database never needs: Alembic (the schema check reads
#: ``alembic_version`` only), and the HTTP, feed, HTML, extraction and chart stacks
NOT_FOR_REPORTS = (
    "alembic", "mako", "httpx", "feedparser", "trafilatura", "lxml", "matplotlib", "dateutil",
    "tracker.extract", "tracker.ingest", "tracker.feeds", "tracker.evaluate", "tracker.report.chart",
)

# Written for these tests; the dates and places are the point, not the prose.
ARTICLES = {
    "oakland.txt": """Oakland stops city use of face recognition
date 2019-07-17

The Oakland City Council voted on July 16, 2019 to ban city agencies from using facial recognition technology.
""",
    "amazon.txt": """Amazon pauses Rekognition sales to police
date 2020-06-11

Amazon said on June 10, 2020 that it was putting a one-year moratorium on police use of Rekognition, its facial recognition service.
""",
}


def invoke(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def loaded(db_url: str, tmp_path: Path) -> str:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    invoke(db_url, "ingest", str(folder))
    return db_url


def run_cli(*args: str) -> tuple[str, set[str]]:
    """Run ``python -X importtime cli.py ARGS`` as a fresh process: its output and every module
    it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "cli.py", *args], cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return result.stdout, modules


def unneeded(modules: set[str]) -> list[str]:
    return sorted({name for name in NOT_FOR_REPORTS for m in modules if m == name or m.startswith(name + ".")})


@pytest.mark.parametrize("args", [
    ("status",),
    ("status", "--as-of", "2020-07-01", "--format", "json"),
    ("status", "--all", "--jurisdiction", "Oakland, CA", "--as-of", "2020-07-01"),
    ("status", "--company", "Amazon", "--as-of", "2020-07-01", "--format", "csv"),
    ("show", "OAKLAND"),
    ("sources", "list"),
    ("export", "--view", "measures_current"),
    ("export", "--view", "status_change_evidence", "--format", "ndjson"),
    ("timeline", "--format", "csv"),
], ids=" ".join)
def test_a_report_imports_only_what_it_needs(loaded, args):
    report = json.loads(invoke(loaded, "status", "--all", "--as-of", "2020-07-01", "--format", "json"))
    oakland = next(m["measure"]["id"] for m in report["measures"] if m["subject"]["name"].startswith("Oakland"))
    args = tuple(str(oakland) if a == "OAKLAND" else a for a in args)

    output, modules = run_cli("--database", loaded, *args)

    assert "sqlalchemy.orm" in modules and "tracker.models" in modules  # the probe sees imports
    assert unneeded(modules) == [], args
    # and the command did its work: each of these reports names Oakland or Amazon (or their files)
    assert "oakland" in output.lower() or "amazon" in output.lower()


def test_a_database_behind_head_is_upgraded_with_alembic(tmp_path):
    """The control for the test above: on a fresh SQLite file the schema check finds no
    ``alembic_version`` and runs the migrations, so Alembic is imported there, and only there."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    _, first = run_cli("--database", url, "status")
    _, second = run_cli("--database", url, "status")
    assert "alembic" in first and "alembic.command" in first
    assert unneeded(second) == []


PROBE = """
import atexit, gc, sys
from tracker.commands import options
default = gc.get_threshold()
seen = {}
make_tracker = options.make_tracker
def spy(*args, **kwargs):
    seen["threshold at start-up"] = gc.get_threshold()[0]
    return make_tracker(*args, **kwargs)
options.make_tracker = spy
atexit.register(lambda: print(seen.get("threshold at start-up"), gc.get_threshold() == default, gc.get_freeze_count() > 0))
sys.argv = ["tracker", *sys.argv[1:]]
import cli
cli.main()
"""


def test_the_cli_collects_garbage_rarely_until_its_tracker_is_open(loaded):
    result = subprocess.run([sys.executable, "-c", PROBE, "--database", loaded, "status", "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    *report, probe = result.stdout.splitlines()
    assert json.loads("\n".join(report))["measures"]
    # while it started (imports, mappers, engine) a pass every 100,000 new objects; then the
    # start-up's objects are frozen out of the collector's sight and the default is back
    assert probe.split() == [str(options.START_UP_GC_THRESHOLD), "True", "True"]


def test_start_up_gc_is_the_cli_s_alone(loaded):
    """In-process (tests, the library) nothing changes the collector: only ``cli.main`` starts
    the start-up policy, and ``settle_gc`` does nothing without it."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    invoke(loaded, "status")
    options.settle_gc()
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    options.start_up_gc()
    try:
        assert gc.get_threshold() == (options.START_UP_GC_THRESHOLD, *before[1:])
    finally:
        options.settle_gc()
        gc.unfreeze()
    assert gc.get_threshold() == before


MAPPERS_PROBE = """
import atexit, sys
atexit.register(lambda: print("mappers configured:", sys.modules["tracker.models"].Measure.__mapper__.configured))
sys.argv = ["tracker", *sys.argv[1:]]
import cli
cli.main()
"""


@pytest.mark.parametrize("args", [
    ("status", "--as-of", "2020-07-01"),
    ("status", "--jurisdiction", "Oakland, CA", "--as-of", "2020-07-01", "--format", "json"),
    ("status", "--within", "California", "--as-of", "2020-07-01"),
    ("show", "OAKLAND"),
    ("export", "--view", "measures_current"),
], ids=" ".join)
def test_core_reports_never_configure_the_orm_mappers(loaded, args):
    """``status`` and ``show`` read with Core (names resolved by ``tracker.geography`` too), so
    they never pay the ORM's ``configure_mappers`` (20 ms): nothing builds a loader option or an
    ORM query on their way, not even at import."""
    report = json.loads(invoke(loaded, "status", "--all", "--as-of", "2020-07-01", "--format", "json"))
    oakland = next(m["measure"]["id"] for m in report["measures"] if m["subject"]["name"].startswith("Oakland"))
    args = tuple(str(oakland) if a == "OAKLAND" else a for a in args)
    result = subprocess.run([sys.executable, "-c", MAPPERS_PROBE, "--database", loaded, *args],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    assert "Oakland" in result.stdout
    assert result.stdout.splitlines()[-1] == "mappers configured: False"
    # the control: a report through the ORM (the Python path of --reviewed) does configure them
    if args[0] == "status" and "--within" not in args:
        control = subprocess.run([sys.executable, "-c", MAPPERS_PROBE, "--database", loaded, *args, "--reviewed"],
                                 cwd=ROOT, capture_output=True, text=True, check=True)
        assert control.stdout.splitlines()[-1] == "mappers configured: True"
