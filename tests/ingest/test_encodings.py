"""Legacy encodings (issue 11, item 4): Windows-1252 and Latin-1 articles are decoded, not
refused, and the source records the encoding assumed; binary is still refused; third-party
log lines stay off stderr unless -v."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import cli
from tracker.errors import InputError
from tracker.ingest.parse import declared_charset, decode_detected, parse_bytes
from tracker.models import Source

from ..conftest import ROOT

BODY = (
    "Caf\u00e9 owners in Montr\u00e9al welcomed the news. The Oakland City Council voted on "
    "July 16, 2019 to ban city agencies from using facial recognition technology."
)
SMART = "The council\u2019s \u201cban\u201d \u2014 the first of its kind \u2014 took effect."


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (f"City news\n\n{BODY}\n", "latin-1", "windows-1252"),  # the same bytes: browsers agree
        (f"City news\n\n{BODY} {SMART}\n", "cp1252", "windows-1252"),
        (f"Caf\u00e9\n\n{BODY} \x81\n", "latin-1", "iso-8859-1"),  # 0x81: undefined in 1252
        (f"City news\n\n{BODY}\n", "utf-8", "utf-8"),
        (f"\ufeffCity news\n\n{BODY}\n", "utf-8", "utf-8"),
    ],
    ids=["latin-1", "windows-1252", "latin-1-c1", "utf-8", "utf-8-bom"],
)
def test_text_in_a_legacy_encoding_is_decoded(text, codec, label):
    article = parse_bytes(text.encode(codec), "old.txt")
    assert article.encoding == label
    assert "Montr\u00e9al" in article.text
    if "\u201c" in text:
        assert SMART in article.text


def test_a_non_latin_script_takes_the_detectors_guess():
    russian = ("Городской совет запретил полиции распознавание лиц с первого июля. " * 3).encode("cp1251")
    text, encoding = decode_detected(russian, "ru.txt")
    assert encoding == "windows-1251" and text.startswith("Городской совет")


def test_html_uses_its_declared_charset():
    page = (
        "<html><head><meta charset='iso-8859-1'><title>Caf\u00e9 ban</title></head><body><article>"
        f"<p>{BODY}</p><p>{BODY}</p></article></body></html>"
    ).encode("latin-1")
    assert declared_charset(page) == "iso-8859-1"
    article = parse_bytes(page, "page.html", html=True)
    assert article.encoding == "iso-8859-1" and "Montr\u00e9al" in article.text


def test_an_http_charset_wins():
    data = f"City news\n\n{BODY}\n".encode("cp1252")
    assert parse_bytes(data, "u", content_type="text/plain; charset=windows-1252").encoding == "windows-1252"


@pytest.mark.parametrize("seed", range(5))
def test_binary_is_still_refused(seed):
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(4000))
    with pytest.raises(InputError) as caught:
        parse_bytes(data, "blob.txt")
    assert caught.value.reason.startswith("binary file")


def test_the_source_records_the_encoding(db_url, tmp_path):
    old = tmp_path / "old.txt"
    old.write_bytes(f"City news\n\n{BODY} {SMART}\n".encode("cp1252"))
    new = tmp_path / "new.txt"
    new.write_text("Other news\n\nThe Boston City Council voted in June 2020 to ban facial recognition.\n")
    result = CliRunner().invoke(cli.cli, ["--database", db_url, "ingest", str(old), str(new)])
    assert result.exit_code == 0, result.output
    from tracker.app import Tracker

    with Tracker(db_url) as tracker, tracker.sessions() as session:
        rows = dict(session.execute(select(Source.path, Source.encoding)).all())
    assert rows == {str(old): "windows-1252", str(new): "utf-8"}


def test_third_party_warnings_stay_off_stderr_unless_verbose(db_url, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")  # trafilatura warns "discarding data"
    quiet = CliRunner().invoke(cli.cli, ["--database", db_url, "ingest", str(page)])
    assert quiet.exit_code == 1
    assert quiet.stderr == f"error: {page}: no article text found in the HTML\n"
    # with -v they show (a new process: logging is configured once per process)
    verbose = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "--database", db_url, "-v", "ingest", str(page)],
        capture_output=True, text=True, timeout=60,
    )
    assert "trafilatura" in verbose.stderr


def test_charset_detection_is_bounded():
    data = ("Caf\u00e9 " * 400_000).encode("latin-1")  # 2 MB: detection looks at a sample
    assert len(data) > 1_000_000
    assert decode_detected(data, "big.txt")[1] == "windows-1252"
