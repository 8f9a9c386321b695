"""From bytes to an ``Article``: decoding, headers and front matter, HTML text extraction.

No I/O here besides what the caller hands in; ``pipeline`` reads files and fetches URLs.
"""

from __future__ import annotations

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


def decode(data: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped); a clear InputError for empty, binary or other bytes."""
    if not data.strip():
        raise InputError(where, "empty file")
    if b"\x00" in data[:4096]:
        raise InputError(where, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            where, f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})"
        ) from None
    controls = len(_CONTROLS.findall(text, 0, 4096))
    if controls > 8:
        raise InputError(where, "binary file, not text")
    return text


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


def parse_bytes(data: bytes, where: str, *, url: str | None = None, html: bool | None = None) -> Article:
    """Parse a file's or response's bytes; ``html`` None means: guess from the content."""
    if html is None:
        head = data[:2048].lstrip().lower()
        html = head.startswith((b"<!doctype html", b"<html")) or b"<body" in head
    if html:
        if not data.strip():
            raise InputError(where, "empty file")
        return parse_html(data, where, url)
    article = parse_text(decode(data, where), where)
    return replace(article, url=url or article.url)
