"""Parse: a feed's bytes and response headers to ``FeedData``. No I/O happens here: feedparser
is handed a stream of bytes, never a URL or a path (given a string, it would fetch the URL or
open the file itself).

Untrusted input is refused before feedparser sees it when it is plainly not a feed (empty,
an image, a PDF, JSON) or when its DTD declares entities that would expand past
``MAX_ENTITY_EXPANSION`` bytes (the "billion laughs" and quadratic-blowup bombs). After parsing,
a document with no feed in it is reported as what it is: an HTML page, another XML document.
Only http(s) links are kept; entry HTML becomes plain text (``htmltext``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from .data import EntryData, FeedData
from .errors import FeedError, NotAFeedError
from .htmltext import CONTROLS, clean_lines, html_to_text

MAX_ENTITY_EXPANSION = 1_000_000
MAX_TITLE = 500
MAX_URL = 2000

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ENTITY_DECL = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s\"'>]+)\s+(?:\"([^\"]*)\"|'([^']*)'|[^>]*)>", re.S
)
_ENTITY_REF = re.compile(rb"[&%]([A-Za-z_:][\w:.-]*);")
_PROLOG_TOKEN = re.compile(rb"\[|\]|<(?![?!])")
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_ALTERNATE = re.compile(
    rb"<link\b[^>]*\btype=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.I
)
_HREF = re.compile(rb"\bhref=[\"']([^\"']+)[\"']", re.I)


def parse_feed(
    content: bytes,
    where: str,
    headers: Mapping[str, str] | None = None,
    base_url: str | None = None,
) -> FeedData:
    """Parse a feed document.

    Args:
        content: the body, as fetched (decompressed) or read from the file.
        where: the feed's URL or path, for error messages.
        headers: response headers (lower-case names); the charset in ``content-type`` counts.
        base_url: the http(s) address relative links are resolved against.

    Raises:
        NotAFeedError: empty, an image or other binary, JSON, an HTML page, another XML document.
        FeedError: refused as an entity bomb, or unreadable.
    """
    headers = headers or {}
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    refuse_non_feeds(content, ctype, where)
    check_entities(content, where)
    response_headers = {k: headers[k] for k in ("content-type", "content-language") if k in headers}
    # Relative links are resolved here, against ``base``, for the few links tracker keeps.
    base = base_url if base_url and _is_http(base_url) else None
    try:
        parsed = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            sanitize_html=False,  # the text is all we keep: htmltext drops every tag
            resolve_relative_uris=False,
        )
    except Exception as e:  # a third-party parser on hostile input: wrap whatever it raises
        raise FeedError(where, f"unreadable feed ({_describe(e)})") from e
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        raise NotAFeedError(where, _what_it_is(content, ctype, parsed))
    feed = parsed.get("feed") or {}
    title = _plain(feed.get("title"), feed.get("title_detail"))
    malformed = is_malformed(parsed)
    seen: set[str] = set()
    out: list[EntryData] = []
    skipped: list[str] = []
    repeated = 0
    cut_off = malformed and entries and last_entry_cut_off(content)
    for number, raw in enumerate(entries, 1):
        if cut_off and number == len(entries):
            skipped.append(f"entry {number}: cut off where the document ends")
            continue
        entry = _entry(raw, base)
        if entry is None:
            skipped.append(f"entry {number}: neither a link, an id nor any text")
            continue
        if malformed and not (raw.get("id") or entry.link):
            # in a broken document, an entry nothing identifies may be a fragment of another
            skipped.append(f"entry {number}: neither a link nor an id, in a malformed document")
            continue
        if entry.entry_id in seen:
            repeated += 1
            continue
        seen.add(entry.entry_id)
        out.append(entry)
    warning = _describe(parsed["bozo_exception"]) if parsed.get("bozo") else None
    if malformed and not out:
        detail = f"; {len(skipped)} unusable {'entry' if len(skipped) == 1 else 'entries'}" if skipped else ""
        raise FeedError(where, f"malformed feed with no usable entry: {warning}{detail}")
    return FeedData(
        title=title[:MAX_TITLE] if title else None,
        link=safe_link(feed.get("link"), base),
        entries=tuple(out),
        repeated=repeated,
        warning=warning,
        skipped=tuple(skipped),
    )


def is_malformed(parsed: Any) -> bool:
    """Whether feedparser found the document not well-formed XML (a wrong charset or content
    type is a complaint, not a malformation)."""
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    return error is not None and type(error).__name__ in ("SAXParseException", "SAXException")


_ENTRY_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])")
_ENTRY_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def last_entry_cut_off(content: bytes) -> bool:
    """Whether the document ends inside its last entry: no closing tag after the last
    ``<item>`` or ``<entry>`` opens (a truncated download)."""
    data = _as_utf8_document(content)
    starts = [m.end() for m in _ENTRY_OPEN.finditer(data)]
    return bool(starts) and _ENTRY_CLOSE.search(data, starts[-1]) is None


# -- refusing what is not a feed ---------------------------------------------------------------
def refuse_non_feeds(content: bytes, ctype: str, where: str) -> None:
    """Raise NotAFeedError for an empty body, binary formats and JSON."""
    head = content[:512].lstrip()
    if not head:
        raise NotAFeedError(where, "not a feed: empty")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise NotAFeedError(where, f"not a feed: {what}")
    if ctype.startswith(("image/", "audio/", "video/", "font/")):
        raise NotAFeedError(where, f"not a feed: the server sent {ctype}")
    if ctype in ("application/json", "application/feed+json") or head[:1] in (b"{", b"["):
        raise NotAFeedError(where, "not a feed: JSON (JSON Feed is not supported)")


def check_entities(content: bytes, where: str, limit: int = MAX_ENTITY_EXPANSION) -> None:
    """Raise FeedError when the entities the document declares would expand past ``limit``
    bytes where it uses them (nested "billion laughs" or one big entity used many times)."""
    data = _as_utf8_document(content)
    if b"<!ENTITY" not in data:
        return
    start = _first_element(data)
    declared: dict[bytes, bytes] = {}
    for match in _ENTITY_DECL.finditer(data, 0, start):
        name, value = match.group(2), match.group(3) or match.group(4) or b""
        declared.setdefault(name, value)
    sizes: dict[bytes, int] = {}

    def size(name: bytes, depth: int = 0) -> int:
        if name in sizes:
            return sizes[name]
        if depth > 16:
            raise FeedError(where, "refused: XML entities nested too deep (an entity bomb?)")
        sizes[name] = limit + 1  # a reference cycle counts as unbounded
        value = declared[name]
        total = len(_ENTITY_REF.sub(b"", value))
        for ref in _ENTITY_REF.findall(value):
            if ref in declared:
                total += size(ref, depth + 1)
                if total > limit:
                    break
        sizes[name] = total
        return total

    body = data[start:]
    expansion = 0
    for ref in _ENTITY_REF.findall(body):
        if ref in declared:
            expansion += size(ref)
            if expansion > limit:
                raise FeedError(
                    where,
                    f"refused: XML entities would expand to over {limit:,} bytes (an entity bomb?)",
                )


def _as_utf8_document(content: bytes) -> bytes:
    """The document as UTF-8 when it is UTF-16 or UTF-32 (so that the entity scan sees it)."""
    if b"\x00" not in content[:4]:
        return content
    for encoding in ("utf-32", "utf-16", "utf-32-be", "utf-32-le", "utf-16-be", "utf-16-le"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "<" in text[:64]:
            return text.encode("utf-8")
    return content


def _first_element(data: bytes) -> int:
    """Where the root element starts: after the XML declaration, comments and the DOCTYPE
    (whose internal subset may hold ``<!ENTITY`` declarations with ``<`` inside values)."""
    depth = 0
    for match in _PROLOG_TOKEN.finditer(data):
        token = match.group(0)
        if token == b"[":
            depth += 1
        elif token == b"]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return match.start()
    return len(data)


def _what_it_is(content: bytes, ctype: str, parsed: Any) -> str:
    head = content[:4096].lower()
    if ctype in _HTML_TYPES or b"<html" in head or b"<!doctype html" in head:
        reason = "not a feed: an HTML page"
        link = _ALTERNATE.search(content[:65536])
        href = _HREF.search(link.group(0)) if link else None
        if href:
            reason += f" (it links to a feed: {href.group(1).decode('utf-8', 'replace')[:300]})"
        return reason
    if parsed.get("bozo"):
        return f"not a feed: {_describe(parsed.get('bozo_exception'))}"
    root = _ROOT.search(content[_first_element(content):][:4096])
    if root:
        return f"not a feed: an XML document whose root is <{root.group(1).decode('ascii', 'replace')}>"
    return "not a feed: no RSS, RDF or Atom document found"


def _describe(error: object) -> str:
    """One line about a parser's complaint: ``malformed XML (line 3, column 2: mismatched tag)``."""
    if error is None:
        return "malformed"
    text = " ".join(str(error).split())
    match = re.match(r"^[^:]*:(\d+):(\d+): (.*)$", text)
    if match and type(error).__name__ == "SAXParseException":
        line, column, message = match.groups()
        return f"malformed XML (line {line}, column {column}: {message})"
    name = type(error).__name__
    if name == "CharacterEncodingOverride":
        return f"wrong character encoding ({text[:200]})"
    if name == "NonXMLContentType":
        return f"unexpected content type ({text[:200]})"
    return f"{name}: {text[:200]}" if text else name


# -- entries -----------------------------------------------------------------------------------
def _entry(raw: Mapping[str, Any], base: str | None) -> EntryData | None:
    link = safe_link(raw.get("link"), base)
    title = _plain(raw.get("title"), raw.get("title_detail"))
    contents = [c for c in raw.get("content") or [] if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value") or ""))
        body = _plain(best.get("value"), best)
    else:
        body = _plain(raw.get("summary"), raw.get("summary_detail"))
    text = compose_text(title, body)
    if not text:
        return None
    raw_id = CONTROLS.sub("", str(raw.get("id") or "")).strip()
    fingerprint = hashlib.sha256(
        json.dumps(
            [raw_id, raw.get("link"), raw.get("title"), [c.get("value") for c in contents],
             raw.get("summary"), raw.get("published")],
            default=str,
        ).encode("utf-8", "replace")
    ).hexdigest()
    entry_id = raw_id or link or f"sha256:{fingerprint}"
    if len(entry_id) > MAX_URL:
        entry_id = "sha256:" + hashlib.sha256(entry_id.encode("utf-8", "replace")).hexdigest()
    return EntryData(
        entry_id=entry_id,
        title=title[:MAX_TITLE] if title else None,
        link=link,
        text=text,
        published=_date(
            raw.get("published_parsed") or raw.get("updated_parsed") or raw.get("created_parsed")
        ),
        entry_hash=fingerprint,
    )


def compose_text(title: str | None, body: str | None) -> str:
    """An entry's article text: its title as the first paragraph (feeds often carry little
    more), then its content or summary."""
    if title and body:
        return body if body.startswith(title) else f"{title}\n\n{body}"
    return title or body or ""


def _plain(value: object, detail: Mapping[str, Any] | None) -> str | None:
    if not value or not isinstance(value, str):
        return None
    kind = (detail or {}).get("type") or "text/html"
    text = html_to_text(value) if ("html" in kind or "<" in value) else clean_lines(value)
    return text or None


def safe_link(link: object, base: str | None) -> str | None:
    """An absolute http(s) URL, or None (a link to anything else is never followed)."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    if CONTROLS.search(link):
        return None
    if base:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    if not _is_http(link) or len(link) > MAX_URL:
        return None
    return link


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _date(value: object) -> dt.date | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    except ValueError:
        return None
