"""The command line: exact output, exit codes, the JSON contract, and help on every command."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import cli as cli_module
from tracker import db

OAKLAND = """Oakland bars city use of face recognition
date 2019-07-17

The Oakland City Council voted on July 16, 2019 to ban city agencies from using facial recognition technology.
"""
AMAZON = """Amazon halts police use of Rekognition
date 2020-06-11

Amazon said on June 10, 2020 that it was putting a one-year moratorium on police use of Rekognition, its facial recognition service.
"""
NOTHING = """Library hours change
date 2021-03-02

The public library will open an hour later on Mondays, the city said.
"""


def run(db_url: str, *args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    return runner.invoke(cli_module.cli, ["--database", db_url, *args], input=input, catch_exceptions=False)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    (folder / "nested").mkdir(parents=True)
    (folder / "oakland.txt").write_text(OAKLAND, encoding="utf-8")
    (folder / "nested" / "amazon.md").write_text(AMAZON, encoding="utf-8")
    (folder / "library.txt").write_text(NOTHING, encoding="utf-8")
    (folder / "notes.csv").write_text("not,an,article\n", encoding="utf-8")  # skipped: not an article type
    return folder


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli_module.cli)], ids=" ".join)
def test_every_command_has_help_with_a_summary_and_an_example(path):
    result = CliRunner().invoke(cli_module.cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = dict(_commands(cli_module.cli))[path]
    assert command.help and command.help.strip().splitlines()[0], f"{path} has no summary"
    if not isinstance(command, click.Group):
        assert "Example" in command.help or "tracker " in command.help, f"{path} has no example"


def test_version_and_short_help():
    runner = CliRunner()
    assert runner.invoke(cli_module.cli, ["--version"]).output.startswith("tracker, version ")
    assert runner.invoke(cli_module.cli, ["-h"]).exit_code == 0


def test_ingest_folder_summary_and_duplicates(db_url, articles):
    first = run(db_url, "ingest", str(articles))
    assert first.exit_code == 0, first.output
    assert first.output == "3 new, 0 duplicate, 0 updated, 0 failed; 2 facts extracted\n"
    again = run(db_url, "ingest", str(articles))
    assert again.output == "0 new, 3 duplicate, 0 updated, 0 failed; 0 facts extracted\n"


def test_ingest_json_summary(db_url, articles):
    result = run(db_url, "ingest", "--format", "json", str(articles / "oakland.txt"))
    assert json.loads(result.output) == {
        "new": 1, "duplicate": 0, "updated": 0, "failed": 0, "facts": 1, "errors": [],
    }


def test_bad_inputs_get_one_line_errors_and_the_run_goes_on(db_url, tmp_path, articles):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 ban".encode("latin-1"))
    result = run(
        db_url, "ingest", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"),
        str(tmp_path / "latin1.txt"), str(tmp_path / "missing.txt"), str(articles / "oakland.txt"),
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {tmp_path / 'empty.txt'}: empty file",
        f"error: {tmp_path / 'binary.txt'}: binary file, not text",
        f"error: {tmp_path / 'latin1.txt'}: not UTF-8 text (byte 0xe9 at offset 3)",
        f"error: {tmp_path / 'missing.txt'}: no such file or folder",
    ]
    assert result.stdout == "1 new, 0 duplicate, 0 updated, 4 failed; 1 facts extracted\n"
    assert "Traceback" not in result.output


def test_stdin_with_published_and_url(db_url):
    text = "Town bans face scans\n\nThe town of Brookline banned facial recognition last month.\n"
    result = run(db_url, "ingest", "-", "--published", "2020-01-15", "--url", "https://example.org/brookline", input=text)
    assert result.exit_code == 0, result.output
    report = json.loads(run(db_url, "status", "--all", "--format", "json", "--as-of", "2020-06-01").output)
    (row,) = report["measures"]
    assert row["subject"]["ocd_id"] == "ocd-division/country:us/state:ma/place:brookline"
    assert row["since"] == "2019-12"
    assert row["evidence"][0]["source"] == "https://example.org/brookline"
    assert row["evidence"][0]["published"] == "2020-01-15"


def test_single_article_options_need_a_single_input(db_url, articles):
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "ingest", "--published", "2020-01-01", str(articles), str(articles)])
    assert result.exit_code == 2
    assert "apply to a single article" in result.output


def test_status_json_contract(db_url, articles):
    run(db_url, "ingest", str(articles))
    report = json.loads(run(db_url, "status", "--as-of", "2021-01-01", "--format", "json").output)
    assert report["as_of"] == "2021-01-01"
    by_name = {m["subject"]["name"]: m for m in report["measures"]}
    assert set(by_name) == {"Oakland, CA", "Amazon"}  # the moratorium runs to June 2021
    oakland = by_name["Oakland, CA"]
    assert oakland["subject"] == {"type": "jurisdiction", "name": "Oakland, CA", "ocd_id": "ocd-division/country:us/state:ca/place:oakland"}
    assert oakland["measure"]["kind"] == "ban"
    assert oakland["status"] == "in_force" and oakland["since"] == "2019-07-16" and oakland["until"] is None
    assert oakland["evidence"][0]["quote"].startswith("The Oakland City Council voted on July 16, 2019")
    assert set(oakland) >= {"subject", "measure", "status", "since", "until", "evidence"}


def test_status_as_of_dates_and_all(db_url, articles):
    run(db_url, "ingest", str(articles))
    during = json.loads(run(db_url, "status", "--as-of", "2020-12-01", "--company", "Amazon", "--format", "json").output)
    (amazon,) = during["measures"]
    assert amazon["subject"] == {"type": "company", "name": "Amazon", "ocd_id": None}
    assert (amazon["measure"]["kind"], amazon["status"], amazon["since"], amazon["until"]) == ("moratorium", "in_force", "2020-06-10", "2021-06-10")
    after = json.loads(run(db_url, "status", "--as-of", "2021-07-01", "--company", "Rekognition", "--all", "--format", "json").output)
    (expired,) = after["measures"]
    assert (expired["status"], expired["since"]) == ("expired", "2021-06-10")
    before = json.loads(run(db_url, "status", "--as-of", "2019-01-01", "--all", "--format", "json").output)
    assert before["measures"] == []


def test_status_table_and_csv(db_url, articles):
    run(db_url, "ingest", str(articles))
    table = run(db_url, "status", "--as-of", "2020-07-01").output
    assert table.splitlines()[0] == "Facial-recognition measures in force as of 2020-07-01"
    assert "Oakland, CA" in table and "Amazon (company)" in table
    assert all(len(line) <= 80 for line in table.splitlines())
    rows = list(csv.DictReader(io.StringIO(run(db_url, "status", "--as-of", "2020-07-01", "--format", "csv").output)))
    assert [(r["subject"], r["status"]) for r in rows] == [("Oakland, CA", "in_force"), ("Amazon", "in_force")]


def test_unknown_names_are_errors_not_empty_reports(db_url):
    result = run(db_url, "status", "--jurisdiction", "Atlantis")
    assert result.exit_code == 1
    assert result.stderr == "error: no jurisdiction is called 'Atlantis'\n"


def test_bad_date_is_a_usage_error(db_url):
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "status", "--as-of", "last tuesday"])
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_show_prints_history_with_evidence(db_url, articles):
    run(db_url, "ingest", str(articles))
    report = json.loads(run(db_url, "status", "--all", "--format", "json").output)
    amazon = next(m for m in report["measures"] if m["subject"]["name"] == "Amazon")
    shown = run(db_url, "show", str(amazon["measure"]["id"]))
    assert shown.exit_code == 0
    assert "2020-06-10  enacted, until 2021-06-10" in shown.output
    assert "nested/amazon.md, published 2020-06-11" in shown.output
    missing = run(db_url, "show", "9999")
    assert (missing.exit_code, missing.stderr) == (1, "error: no measure has id 9999\n")


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/story.html":
            body = (
                b"<html><head><title>Council acts</title><meta property='article:published_time' content='2020-08-04'></head>"
                b"<body><nav>Home | News</nav><article><h1>Portland council bans face scans</h1>"
                b"<p>PORTLAND, Maine - The City Council voted on Monday, August 3, to ban city employees from using facial recognition technology.</p>"
                b"<p>The ban passed unanimously after a short debate in which councilors said the technology was too error prone.</p>"
                b"</article><footer>Copyright</footer></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"gone"
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_ingest_urls_from_a_local_server(db_url, server):
    result = run(db_url, "ingest", f"{server}/story.html", f"{server}/missing.html")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {server}/missing.html: HTTP 404"
    assert result.stdout == "1 new, 0 duplicate, 0 updated, 1 failed; 1 facts extracted\n"
    report = json.loads(run(db_url, "status", "--as-of", "2020-09-01", "--format", "json").output)
    (row,) = report["measures"]
    assert row["subject"]["ocd_id"] == "ocd-division/country:us/state:me/place:portland"
    assert row["since"] == "2020-08-03"
    assert row["evidence"][0] == {
        "source": f"{server}/story.html",
        "published": "2020-08-04",
        "quote": "PORTLAND, Maine - The City Council voted on Monday, August 3, to ban city employees from using facial recognition technology.",
    }


def test_db_commands(db_url):
    current = run(db_url, "db", "current")
    assert current.exit_code == 0
    assert f"revision: {db.head_revision()}" in current.output and "(up to date)" in current.output
    assert run(db_url, "db", "path").output.strip() == db_url
    seeded = run(db_url, "db", "seed")
    assert seeded.output.startswith("jurisdictions: 0 added, 0 updated; aliases: 0 added; companies: 0 added")


def test_evaluation_on_the_sample_corpus_meets_the_bar():
    """The quality gate of the sample corpus: no false 'in force' claim, high recall."""
    result = CliRunner().invoke(cli_module.cli, ["evaluate", "--format", "json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert data["status"]["false_in_force"] == 0
    assert data["status"]["recall"] >= 0.95
    assert data["facts"]["precision"] >= 0.9
    assert data["facts"]["recall"] >= 0.7


def test_an_empty_folder_and_a_non_http_url_are_failures_that_say_why(db_url, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run(db_url, "ingest", str(tmp_path / "empty"), "ftp://example.org/story.txt")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'empty'}: no article files (.txt, .md, .markdown, .text, .html, .htm, .xhtml) in this folder",
        "error: ftp://example.org/story.txt: only http(s) URLs are fetched",
    ]


def test_an_unreachable_database_is_one_line(tmp_path):
    result = CliRunner().invoke(cli_module.cli, ["--database", "postgresql+psycopg://nobody@127.0.0.1:1/none", "status"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open postgresql+psycopg://nobody@127.0.0.1:1/none: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_status_imports_no_fetch_extract_or_chart_stack(tmp_path):
    """A report loads neither Alembic (the schema is at head), nor the HTTP, feed, extraction or
    chart libraries."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'lazy.sqlite'}"
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "cli.py", "--database", url, "status"], check=True, capture_output=True, cwd=root)
    probe = (
        "import sys; from click.testing import CliRunner; import cli; "
        f"r = CliRunner().invoke(cli.cli, ['--database', {url!r}, 'status', '--format', 'json']); "
        "assert r.exit_code == 0, r.output; "
        "heavy = ('alembic', 'httpx', 'trafilatura', 'feedparser', 'matplotlib', 'tracker.extract', 'tracker.feeds'); "
        "print(sorted({m.split('.')[0] if not m.startswith('tracker') else '.'.join(m.split('.')[:2]) "
        "for m in sys.modules if m.startswith(heavy)}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=root)
    assert out.stdout.strip() == "[]"
