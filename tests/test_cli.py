"""The command line: exact output, exit codes, the JSON contract, and help on every command."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import http.server
import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

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
        f"error: {tmp_path / 'missing.txt'}: no such file or folder",
    ]
    # Latin-1 is decoded, not refused (issue 11; tests/ingest/test_encodings.py)
    assert result.stdout == "2 new, 0 duplicate, 0 updated, 3 failed; 1 fact extracted\n"
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
    assert result.stdout == "1 new, 0 duplicate, 0 updated, 1 failed; 1 fact extracted\n"
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
    path = run(db_url, "db", "path").output.strip()
    if db_url.startswith("sqlite:///"):
        assert path == db_url.removeprefix("sqlite:///")
    else:
        assert path == make_url(db_url).render_as_string(hide_password=True)
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


# -- conventions (issue 12; docs/cli.md) -------------------------------------------------------
REPORT_COMMANDS = {("status",), ("show",), ("timeline",), ("export",), ("feeds", "list"), ("changes",), ("sources", "list")}
#: the formats a report command offers after the four, and only these (changes: its Atom feed)
EXTRA_FORMATS = {("changes",): ("atom",)}
SUMMARY_COMMANDS = {("ingest",), ("feeds", "poll")}


def _format_choices(command: click.Command) -> tuple[str, ...] | None:
    for param in command.params:
        if param.name == "fmt":
            assert isinstance(param.type, click.Choice)
            return tuple(param.type.choices)
    return None


def test_every_report_command_offers_the_same_format_names():
    commands = dict(_commands(cli_module.cli))
    for path in REPORT_COMMANDS:
        assert _format_choices(commands[path]) == ("table", "json", "csv", "ndjson", *EXTRA_FORMATS.get(path, ())), path
    for path in SUMMARY_COMMANDS:
        assert _format_choices(commands[path]) == ("text", "json"), path
    # no command invents a name of its own, and only the changes feed speaks Atom
    names = {c for cmd in commands.values() for c in (_format_choices(cmd) or ())}
    assert names <= {"table", "json", "csv", "ndjson", "text", "atom"}
    assert [path for path, cmd in commands.items() if "atom" in (_format_choices(cmd) or ())] == [("changes",)]


@pytest.fixture
def loaded(db_url, articles):
    assert run(db_url, "ingest", str(articles)).exit_code == 0
    return db_url


def _measure_id(db_url: str, name: str) -> str:
    report = json.loads(run(db_url, "status", "--all", "--format", "json").output)
    return str(next(m["measure"]["id"] for m in report["measures"] if m["subject"]["name"] == name))


@pytest.mark.parametrize(("args", "key"), [
    (("status", "--as-of", "2020-07-01"), "measures"),
    (("show", "AMAZON"), "history"),
    (("timeline",), "events"),
    (("export", "--view", "status_change_evidence"), None),
    (("feeds", "list"), None),
    (("changes", "--since", "1d"), "changes"),
    (("sources", "list"), None),
], ids=lambda a: " ".join(a[:2]) if isinstance(a, tuple) else None)
def test_every_format_parses_and_agrees_on_the_rows(loaded, tmp_path, args, key):
    feed = tmp_path / "news.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>", encoding="utf-8")
    run(loaded, "feeds", "add", str(feed))
    args = tuple(_measure_id(loaded, "Amazon") if a == "AMAZON" else a for a in args)
    out = {fmt: run(loaded, *args, "--format", fmt) for fmt in ("table", "json", "csv", "ndjson")}
    assert all(r.exit_code == 0 for r in out.values()), {f: r.output for f, r in out.items()}
    document = json.loads(out["json"].stdout)
    listed = document[key] if key else document
    csv_rows = list(csv.DictReader(io.StringIO(out["csv"].stdout)))
    ndjson_rows = [json.loads(line) for line in out["ndjson"].stdout.splitlines()]
    assert len(listed) == len(csv_rows) == len(ndjson_rows) > 0
    assert out["table"].stdout.strip()
    with pytest.raises(json.JSONDecodeError):  # text for people, not JSON ("[3] path" is a source)
        json.loads(out["table"].stdout)


def test_status_ndjson_lines_are_the_json_measures(loaded):
    document = json.loads(run(loaded, "status", "--all", "--format", "json").stdout)
    lines = [json.loads(line) for line in run(loaded, "status", "--all", "--format", "ndjson").stdout.splitlines()]
    assert [{k: v for k, v in line.items() if k != "as_of"} for line in lines] == document["measures"]
    assert {line["as_of"] for line in lines} == {document["as_of"]}


BOOLEAN_COLUMNS = {
    ("status", "--all"): ("uncertain",),
    ("show", "AMAZON"): ("open_ended",),
    ("timeline",): ("open_ended", "end_of_term"),
    ("export", "--view", "measures_current"): ("in_force", "uncertain"),
    ("export", "--view", "status_change_evidence"): ("open_ended",),
    ("export", "--table", "status_changes"): ("open_ended",),
    ("sources", "list"): ("published_guessed",),
}


@pytest.mark.parametrize("args", list(BOOLEAN_COLUMNS), ids=" ".join)
def test_booleans_are_true_and_false_in_every_format(loaded, args):
    columns = BOOLEAN_COLUMNS[args]
    args = tuple(_measure_id(loaded, "Amazon") if a == "AMAZON" else a for a in args)
    rows = list(csv.DictReader(io.StringIO(run(loaded, *args, "--format", "csv").stdout)))
    assert rows
    for column in columns:
        assert {r[column] for r in rows} <= {"true", "false"}, column
    for line in run(loaded, *args, "--format", "ndjson").stdout.splitlines():
        obj = json.loads(line)
        for column in columns:
            if column in obj:
                assert isinstance(obj[column], bool), (column, obj[column])
    if args[0] == "export":
        header, *lines = run(loaded, *args, "--format", "table").stdout.splitlines()
        starts = [header.index(c.upper()) for c in columns]
        for line in lines:
            assert all(line[i:].split(" ", 1)[0] in ("true", "false") for i in starts), line


def test_feeds_list_csv_booleans(db_url, tmp_path):
    feed = tmp_path / "news.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>", encoding="utf-8")
    assert run(db_url, "feeds", "add", str(feed)).exit_code == 0
    (row,) = csv.DictReader(io.StringIO(run(db_url, "feeds", "list", "--format", "csv").stdout))
    assert (row["fetch_articles"], row["disabled"]) == ("false", "false")


def test_database_takes_a_plain_file_path_and_db_path_prints_it(tmp_path, monkeypatch, articles):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli_module.cli, ["--database", "./fr.sqlite", "ingest", str(articles / "oakland.txt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fr.sqlite").is_file()
    printed = runner.invoke(cli_module.cli, ["--database", "./fr.sqlite", "db", "path"]).stdout
    assert printed == f"{(tmp_path / 'fr.sqlite').resolve()}\n"  # what sqlite3 and datasette open
    by_url = runner.invoke(cli_module.cli, ["--database", f"sqlite:///{tmp_path / 'fr.sqlite'}", "db", "path"]).stdout
    assert by_url == printed
    env = runner.invoke(cli_module.cli, ["db", "path"], env={"TRACKER_DATABASE_URL": "fr.sqlite"}).stdout
    assert env == printed


@pytest.mark.parametrize(("given", "url"), [
    ("postgres://me:secret@db.example.org/fr", "postgresql+psycopg://me:***@db.example.org/fr"),
    ("postgresql://me@db.example.org:5433/fr", "postgresql+psycopg://me@db.example.org:5433/fr"),
    ("postgresql+psycopg://me@db.example.org/fr", "postgresql+psycopg://me@db.example.org/fr"),
])
def test_postgres_urls_mean_postgresql_through_psycopg(given, url):
    assert CliRunner().invoke(cli_module.cli, ["--database", given, "db", "path"]).stdout == url + "\n"
    assert db.resolve_url(given).startswith("postgresql+psycopg://")


@pytest.mark.parametrize("case", ["folder of one", "folder", "two files"])
def test_published_and_url_refuse_folders_and_several_articles(db_url, tmp_path, case):
    one = tmp_path / "one"
    one.mkdir()
    (one / "oakland.txt").write_text(OAKLAND, encoding="utf-8")
    (tmp_path / "amazon.txt").write_text(AMAZON, encoding="utf-8")
    inputs = {
        "folder of one": [str(one)],
        "folder": [str(tmp_path)],
        "two files": [str(one / "oakland.txt"), str(tmp_path / "amazon.txt")],
    }[case]
    for option in (["--published", "2019-07-17"], ["--url", "https://example.org/a"]):
        result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "ingest", *option, *inputs])
        assert result.exit_code == 2, result.output
        assert "--published and --url apply to a single article" in result.output
        assert ("not a folder" in result.output) == (case != "two files")
    assert json.loads(run(db_url, "status", "--all", "--format", "json").output)["measures"] == []


def test_published_applies_to_one_file(db_url, articles):
    result = run(db_url, "ingest", "--published", "2019-07-18", str(articles / "oakland.txt"))
    assert result.exit_code == 0, result.output
    report = json.loads(run(db_url, "status", "--all", "--format", "json").output)
    assert report["measures"][0]["evidence"][0]["published"] == "2019-07-18"


def test_progress_bar_only_on_a_terminal_or_when_asked(db_url, articles):
    quiet = run(db_url, "ingest", str(articles))  # CliRunner's stderr is no terminal
    assert quiet.stderr == ""
    shown = run(db_url, "ingest", "--progress", str(articles))
    final = shown.stderr.rstrip("\n").split("\r")[-1].rstrip()  # the bar pads a shorter line
    assert final.startswith("ingesting [####################]  3/3  100%")
    assert re.search(r"\d+\.\d/s  in \d+:\d\d$", final), final
    first = shown.stderr.split("\r")[1]
    assert "0/3" in first  # the length is known before the first article: inputs are expanded first


def test_errors_print_above_the_progress_bar(db_url, articles, tmp_path):
    shown = run(db_url, "ingest", "--progress", str(tmp_path / "missing.txt"), str(articles / "oakland.txt"))
    lines = shown.stderr.split("\n")
    error = next(line for line in lines if "error:" in line)
    assert error.split("\r")[-1].rstrip() == f"error: {tmp_path / 'missing.txt'}: no such file or folder"
    assert lines[-2].split("\r")[-1].startswith("ingesting [####################]  2/2  100%")


def test_progress_bar_shows_count_rate_and_eta():
    from tracker.commands.progress import ProgressBar

    now = [100.0]
    out = io.StringIO()
    with ProgressBar(8, "working", out, width=8, clock=lambda: now[0]) as bar:
        now[0] += 2.0
        bar.update(2)
        assert bar.line() == "working [##------]  2/8   25%  1.0/s  ETA 0:06"
        now[0] += 2.0
        bar.update(6)
    assert out.getvalue().split("\r")[-1] == "working [########]  8/8  100%  2.0/s  in 0:04\n"


def test_help_imports_only_click():
    """--help and --version import no heavy module (python -X importtime cli.py --help)."""
    root = Path(cli_module.__file__).resolve().parent
    for args in (["--help"], ["--version"]):
        result = subprocess.run([sys.executable, "-X", "importtime", "cli.py", *args], cwd=root,
                                capture_output=True, text=True, check=True)
        imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
        assert not imported & {"sqlalchemy", "alembic", "matplotlib", "trafilatura", "httpx", "feedparser"}, args


@pytest.mark.parametrize("group", [(), ("feeds",), ("db",)], ids=lambda g: " ".join(g) or "tracker")
def test_command_summaries_are_not_cut_off(group):
    output = CliRunner().invoke(cli_module.cli, [*group, "--help"]).output
    commands = dict(_commands(cli_module.cli))
    names = [p[-1] for p in commands if p[:-1] == group]
    assert names
    for name in names:
        summary = commands[(*group, name)].get_short_help_str(limit=500)
        assert summary in " ".join(output.split()), name
    assert "..." not in output.split("Commands:")[1]


def _status_table(db_url: str, *args: str, columns: int | None = None) -> str:
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "status", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _count_line(table: str) -> str:
    return " ".join(table.rstrip("\n").split("\n\n")[-1].split())


def test_table_counts_in_words_and_never_an_empty_breakdown(db_url, articles):
    assert _count_line(_status_table(db_url, "--all")).startswith("0 measures. ")
    run(db_url, "ingest", str(articles / "oakland.txt"))
    assert _count_line(_status_table(db_url)).startswith("1 measure. ")
    assert _count_line(_status_table(db_url, "--all")).startswith("1 measure (1 in force). ")


def test_tables_use_the_terminal_width(db_url, articles):
    run(db_url, "ingest", str(articles))
    narrow = _status_table(db_url, "--as-of", "2020-07-01", columns=50)
    wide = _status_table(db_url, "--as-of", "2020-07-01", columns=160)
    assert max(len(line) for line in narrow.splitlines()) <= 50 < max(len(line) for line in wide.splitlines())
    piped = _status_table(db_url, "--as-of", "2020-07-01")
    assert max(len(line) for line in piped.splitlines()) <= 80  # not a terminal: 80 columns


@pytest.fixture
def fixed(monkeypatch):
    """Commands run with the fixed clock (2026-11-22)."""
    from tracker.app import Tracker
    from tracker.commands import options

    from .conftest import fixed_clock

    monkeypatch.setattr(options, "make_tracker", functools.partial(Tracker, clock=fixed_clock))


RECENT = """Denver bars city use of face recognition
date 2026-10-01

The Denver City Council voted on September 30, 2026 to ban city agencies from using facial recognition technology.
"""


@pytest.mark.parametrize(("since", "shown"), [
    ("1y", "2025-11-22"), ("6m", "2026-05-22"), ("30d", "2026-10-23"), ("2w", "2026-11-08"),
    ("2020-07-01", "2020-07-01"), ("2020", "2020-01-01"),
])
def test_since_takes_dates_and_durations(db_url, articles, fixed, since, shown):
    result = run(db_url, "timeline", "--since", since, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["since"] == shown


def test_since_duration_selects_the_window(db_url, articles, fixed, tmp_path):
    (tmp_path / "recent.txt").write_text(RECENT, encoding="utf-8")
    run(db_url, "ingest", str(articles), str(tmp_path / "recent.txt"))
    events = json.loads(run(db_url, "timeline", "--since", "3m", "--format", "json").stdout)["events"]
    assert [(e["subject"], e["date"]) for e in events] == [("Denver, CO", "2026-09-30")]
    everything = json.loads(run(db_url, "timeline", "--format", "json").stdout)["events"]
    assert len(everything) > len(events)


def test_a_bad_since_is_a_usage_error(db_url):
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, "timeline", "--since", "7 days ago"])
    assert result.exit_code == 2
    assert "neither a date" in result.output and "7d" in result.output


def test_a_chart_of_an_empty_window_says_so(db_url, articles, fixed, tmp_path):
    pytest.importorskip("matplotlib")
    empty = run(db_url, "timeline", "--chart", str(tmp_path / "a.svg"))
    assert empty.stderr == f"chart written to {tmp_path / 'a.svg'} (0 measures; nothing to show: no measure)\n"
    run(db_url, "ingest", str(articles))
    future = run(db_url, "timeline", "--since", "2030-01-01", "--chart", str(tmp_path / "b.svg"))
    assert future.stderr == (f"chart written to {tmp_path / 'b.svg'} "
                             "(0 measures; nothing to show: the window starts on 2030-01-01, after today)\n")
    assert (tmp_path / "a.svg").stat().st_size > 0 and (tmp_path / "b.svg").stat().st_size > 0


def test_an_empty_window_runs_forward(tracker, articles):
    from tracker.report.chart import _span
    from tracker.report.timeline import load_timeline

    tracker.ingest([str(articles)])
    window = load_timeline(tracker.sessions, tracker.today(), since=dt.date(2030, 1, 1))
    start, end = _span(window)
    assert start == dt.date(2030, 1, 1) < end


def test_evaluate_runs_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_module.cli, ["evaluate", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["facts"]["expected"] > 0


def test_docs_point_only_to_files_in_the_repository():
    root = Path(cli_module.__file__).resolve().parent
    for doc in [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}"
        for name in re.findall(r"\b([A-Z][A-Z_]+\.md)\b", text):
            assert (root / name).exists(), f"{doc.name} cites {name}"


def test_the_distribution_has_a_name_of_its_own_and_hints_use_it():
    import tomllib

    from tracker import DISTRIBUTION

    root = Path(cli_module.__file__).resolve().parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION != "tracker"
    assert project["scripts"] == {"tracker": "cli:main"}  # the command keeps its name
    help_text = " ".join(CliRunner().invoke(cli_module.cli, ["timeline", "--help"]).output.split())
    assert f"pip install '{DISTRIBUTION}[chart]'" in help_text


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
