"""Ids at the command line (issue 11, item 5): out of the database's range (the id columns are
INTEGER: 32-bit on PostgreSQL), negative or not a number, an id is a usage error (exit 2, one
clear line), never an OverflowError or "integer out of range" traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cli

HUGE = "99999999999999999999"
COMMANDS = {
    "show": ["show", "{}"],
    "feeds poll --feed": ["feeds", "poll", "--feed", "{}"],
    "feeds remove": ["feeds", "remove", "{}"],
    "facts confirm": ["facts", "confirm", "{}"],
    "facts reject": ["facts", "reject", "{}"],
    "facts correct": ["facts", "correct", "{}", "--status", "enacted"],
    "sources show": ["sources", "show", "{}"],
    "sources remove": ["sources", "remove", "{}"],
    "reextract": ["reextract", "{}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HUGE, f"{HUGE} is out of range (ids run from 1 to 2147483647)"),
        ("9223372036854775808", "is out of range"),  # past SQLite's 64 bits: OverflowError
        ("2147483648", "is out of range"),  # past PostgreSQL's INTEGER: "integer out of range"
        ("0", "0 is out of range"),
        ("-1", ""),  # Click reads it as an option: still a usage error
        ("1.5", "is not an id"),
        ("٣", "is not an id"),  # an Arabic-Indic digit: isdigit() but no id
    ],
)
def test_a_bad_id_is_a_usage_error(db_url, command, value, message):
    if command == "feeds remove" and value == "1.5":
        pytest.skip("not digits: a feed's path or URL, looked up as such")
    args = [a.format(value) for a in COMMANDS[command]]
    result = CliRunner().invoke(cli.cli, ["--database", db_url, *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_largest_id_is_looked_up(db_url, command):
    args = [a.format(str(2**31 - 1)) for a in COMMANDS[command]]
    result = CliRunner().invoke(cli.cli, ["--database", db_url, *args])
    assert result.exit_code == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_feeds_remove_still_takes_a_url(db_url, tmp_path):
    feed = tmp_path / "f.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>")
    runner = CliRunner()
    assert runner.invoke(cli.cli, ["--database", db_url, "feeds", "add", str(feed)]).exit_code == 0
    result = runner.invoke(cli.cli, ["--database", db_url, "feeds", "remove", str(feed)])
    assert result.exit_code == 0 and result.stdout.startswith("removed feed 1:")
