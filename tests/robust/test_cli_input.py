"""Other input that used to reach the database unchecked (issue 11, item 5's audit): values
longer than their columns. SQLite stores them; PostgreSQL refused them with a DataError
traceback. Now they are a one-line error, or cut to fit where cutting loses nothing that
identifies the article."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, text

import cli

LONG_URL = "http://example.org/" + "a" * 3000
ARTICLE = "Story\n\nThe Boston City Council voted in June 2020 to ban facial recognition.\n"


def run(db_url, *args, **kwargs):
    return CliRunner().invoke(cli.cli, ["--database", db_url, *args], **kwargs)


def test_a_feed_address_longer_than_its_column(db_url):
    result = run(db_url, "feeds", "add", LONG_URL)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.endswith("address too long (3,019 characters; the limit is 2,000)\n")


def test_a_feed_name_longer_than_its_column(db_url):
    result = run(db_url, "feeds", "add", "http://example.org/f.xml", "--name", "n" * 400)
    assert (result.exit_code, result.stderr) == (1, "error: http://example.org/f.xml: name too long (400 characters; the limit is 300)\n")


def test_an_article_url_longer_than_its_column(db_url):
    result = run(db_url, "ingest", "-", "--url", LONG_URL, input=ARTICLE)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--url too long (3,019 characters; the limit is 2,000)" in result.stderr
    typed = run(db_url, "ingest", LONG_URL)
    assert typed.exit_code == 1 and "URL too long" in typed.stderr


def test_a_title_longer_than_its_column_is_cut(db_url, tmp_path):
    page = tmp_path / "long.html"
    page.write_text(
        f"<html><head><title>{'Title words ' * 100}</title></head><body><article>"
        f"<p>{ARTICLE.split(chr(10))[2]}</p><p>{ARTICLE.split(chr(10))[2]}</p></article></body></html>"
    )
    front = tmp_path / "front.md"
    front.write_text(f"---\ntitle: {'T' * 900}\npublisher: {'P' * 900}\nurl: {LONG_URL}\n---\n{ARTICLE}")
    result = run(db_url, "ingest", str(page), str(front))
    assert result.exit_code == 0, result.output
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT length(title), length(publisher), url FROM sources")).all()
    engine.dispose()
    assert all(title <= 500 and (publisher or 0) <= 300 and url is None for title, publisher, url in rows)
