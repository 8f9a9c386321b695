"""From bytes to an ``Article``: decoding, headers and front matter, HTML text extraction.

No I/O here besides what the caller hands in; ``pipeline`` reads files and fetches URLs.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import replace

from dateutil import parser as dateparser

from tracker.data import Article
from tracker.errors import InputError
from tracker.vocab import DateSource

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES

_DATE_LINE = re.compile(
    r"^\s*(?:date|published|posted|updated|dateline)\s*[:=]?\s*(?P<date>.+?)\s*$", re.I
)
_DATE_PREFIX = re.compile(r"^\s*date\s*[:=]?\s*(?P<date>\d{4}-\d{2}-\d{2})\s+(?P<rest>.*)$", re.I)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)


def decode(data: bytes, where: str, declared: str | None = None) -> str:
    """The text of ``data`` (see ``decode_detected``)."""
    return decode_detected(data, where, declared)[0]


def decode_detected(data: bytes, where: str, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding assumed: UTF-8 (a BOM is dropped), else the ``declared`` charset
    (an HTTP header, an HTML ``<meta>``) when the bytes fit it, else what detection finds
    (``legacy_encoding``). InputError for empty or binary data."""
    if not data.strip():
        raise InputError(where, "empty file")
    if b"\x00" in data[:4096]:
        raise InputError(where, "binary file, not text")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        first_bad = f"byte 0x{data[e.start]:02x} at offset {e.start}"
        text, encoding = _decode_legacy(data, where, declared, first_bad)
    if not text.strip():  # only separators such as \x1c-\x1f, which bytes.strip() keeps
        raise InputError(where, "empty file")
    controls = len(_CONTROLS.findall(text, 0, 4096))
    if controls > 8:
        raise InputError(where, "binary file, not text")
    return text, encoding


#: Unicode blocks of Latin-script text: a guess of another script is trusted only when the
#: detector also names one of its blocks (``legacy_encoding``).
_LATIN_BLOCKS = ("Basic Latin", "Latin", "General Punctuation", "Control character", "Currency", "Letterlike", "Spacing Modifier")
#: Non-ASCII bytes needed before a detector's non-Latin guess is believed.
_MIN_EVIDENCE = 20


def _decode_legacy(data: bytes, where: str, declared: str | None, first_bad: str) -> tuple[str, str]:
    if declared:
        try:
            codec = codecs.lookup(declared).name
            return data.decode(codec), _label(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    encoding = legacy_encoding(data)
    if encoding is None:
        raise InputError(where, f"binary file, or text in an unknown encoding ({first_bad} is not UTF-8)")
    return data.decode(encoding, errors="replace"), _label(encoding)


def legacy_encoding(data: bytes) -> str | None:
    """The encoding of text that is not UTF-8, or None when no encoding fits (binary).

    charset-normalizer decides text or not and names the script. Text in a non-Latin script
    (Cyrillic, Greek...) with enough evidence takes its guess; Latin-script text is read as
    Windows-1252 (which browsers also use for "ISO-8859-1"; its typographic quotes and dashes
    are what news sites send), or Latin-1 when a byte is undefined in Windows-1252.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    non_ascii = sum(1 for b in data[:200_000] if b >= 0x80)
    if non_ascii >= _MIN_EVIDENCE and any(not a.startswith(_LATIN_BLOCKS) for a in best.alphabets):
        return str(best.encoding)
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _label(codec: str) -> str:
    """The usual name of a Python codec: windows-1252, iso-8859-1, utf-8."""
    name = codecs.lookup(codec).name
    return {"cp1252": "windows-1252", "iso8859-1": "iso-8859-1", "latin-1": "iso-8859-1"}.get(
        name, name.replace("_", "-").replace("cp125", "windows-125")
    )


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset an HTTP content type or an HTML ``<meta>`` (in the first 4 KB) declares."""
    if content_type and (m := re.search(r"charset\s*=\s*[\"']?([\w.:-]{1,40})", content_type, re.I)):
        return m.group(1)
    if m := _META_CHARSET.search(data[:4096]):
        return m.group(1).decode("ascii")
    return None


def parse_date(text: str) -> dt.date | None:
    """A publication date from a header value ("2021-05-19", "May 19, 2021"), or None."""
    text = text.strip()
    if not re.search(r"\d{4}", text):
        return None
    try:
        return dateparser.parse(text, fuzzy=False, default=dt.datetime(1900, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def parse_text(text: str, where: str) -> Article:
    """A plain-text or Markdown article: front matter or a title line, and a date line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    url: str | None = None
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group("body").splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip().lower(), value.strip().strip("'\"")
            if key == "title":
                title = value or None
            elif key in ("date", "published", "pubdate"):
                published = parse_date(value)
            elif key in ("publisher", "source", "site"):
                publisher = value or None
            elif key in ("url", "link"):
                url = value or None
        text = text[match.end():]
    lines = text.split("\n")
    body_start = 0
    # The header: up to four leading non-empty lines may be the title and a date line.
    for i, line in enumerate(lines[:6]):
        if not line.strip():
            continue
        if published is None and (m := _DATE_PREFIX.match(line)):
            published = parse_date(m.group("date"))
            if title is None:
                title = m.group("rest").strip() or None
            body_start = i + 1
            continue
        if published is None and (m := _DATE_LINE.match(line)) and (d := parse_date(m.group("date"))):
            published = d
            body_start = i + 1
            continue
        if title is None and len(line) < 200:
            title = line.strip().lstrip("#").strip()
            body_start = i + 1
            continue
        break
    body = "\n".join(lines[body_start:]).strip()
    if not body:
        body = text.strip()
    return Article(
        text=body,
        title=title,
        published=published,
        published_how=DateSource.STATED if published else DateSource.UNKNOWN,
        path=where,
        url=url,
        publisher=publisher,
    )


def _first_nonempty(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def parse_html(data: bytes | str, where: str, url: str | None = None) -> Article:
    """The main text and metadata of an HTML page (trafilatura); InputError when it has none."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, favor_recall=True
        )
    except Exception as e:  # trafilatura raises many kinds on hostile HTML
        raise InputError(where, f"cannot read the HTML: {e}") from e
    if doc is None:
        raise InputError(where, "no article text found in the HTML")
    data_dict = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    # trafilatura puts each block (heading, paragraph, list item) on a line of its own
    text = "\n\n".join(line.strip() for line in (data_dict.get("text") or "").splitlines() if line.strip())
    if len(text) < 40:
        raise InputError(where, "no article text found in the HTML")
    published = parse_date(data_dict.get("date") or "") if data_dict.get("date") else None
    return Article(
        text=text,
        title=data_dict.get("title") or None,
        published=published,
        published_how=DateSource.METADATA if published else DateSource.UNKNOWN,
        url=url,
        path=None if url else where,
        publisher=data_dict.get("sitename") or None,
    )


#: The lengths of the ``sources`` columns these fields go to (PostgreSQL enforces them).
MAX_TITLE, MAX_PUBLISHER, MAX_URL = 500, 300, 2000


def fit_columns(article: Article) -> Article:
    """An article whose title and publisher fit their columns (cut), and whose URL does
    (a longer one is dropped: a cut URL would name another page)."""
    title = article.title[:MAX_TITLE] if article.title else article.title
    publisher = article.publisher[:MAX_PUBLISHER] if article.publisher else article.publisher
    url = article.url if article.url is None or len(article.url) <= MAX_URL else None
    if (title, publisher, url) == (article.title, article.publisher, article.url):
        return article
    return replace(article, title=title, publisher=publisher, url=url)


def parse_bytes(
    data: bytes, where: str, *, url: str | None = None, html: bool | None = None,
    content_type: str | None = None,
) -> Article:
    """Parse a file's or response's bytes; ``html`` None means: guess from the content.

    Text in a legacy encoding (Windows-1252, Latin-1...) is decoded, by the charset that
    ``content_type`` or the page declares, else by detection; the article records the
    encoding assumed. Binary data is refused (InputError).
    """
    if html is None:
        head = data[:2048].lstrip().lower()
        html = head.startswith((b"<!doctype html", b"<html")) or b"<body" in head
    if html:
        if not data.strip():
            raise InputError(where, "empty file")
        text, encoding = decode_detected(data, where, declared_charset(data, content_type))
        return fit_columns(replace(parse_html(text, where, url), encoding=encoding))
    text, encoding = decode_detected(data, where, declared_charset(b"", content_type))
    article = parse_text(text, where)
    return fit_columns(replace(article, url=url or article.url, encoding=encoding))
