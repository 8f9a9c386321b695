"""Feed content to plain text. Entries carry HTML that nobody vetted; tracker keeps only its
text, so this is also the sanitizer: every tag goes, and the content of scripts, styles,
embedded objects and forms goes with it. Block elements become line breaks."""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_DROP = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "svg",
    "math", "head", "title", "form", "button", "select", "textarea", "canvas", "audio", "video",
})
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
#: Control characters: no text needs them, and PostgreSQL refuses NUL in a string.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NEEDS_PARSER = re.compile(r"<[A-Za-z!/?]")
#: Document-level tags: inside a fragment they would end it early (``</body><p>lost``).
_DOCUMENT_TAGS = re.compile(r"</?(?:html|head|body)\b[^>]*>", re.I)


def clean_lines(text: str) -> str:
    """Fold runs of spaces, strip every line, drop empty lines."""
    text = CONTROLS.sub("", text).replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment (entities decoded, tags and hidden content removed)."""
    if not markup:
        return ""
    if not _NEEDS_PARSER.search(markup):
        return clean_lines(html.unescape(markup))
    try:
        root = lxml_html.fragment_fromstring(_DOCUMENT_TAGS.sub(" ", markup), create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_lines(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    out: list[str] = []
    # An explicit stack, not recursion: hostile content may nest without end.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if closing:
            if tag.lower() in _BLOCK:
                out.append("\n")
            if element.tail:
                out.append(element.tail)
            continue
        stack.append((element, True))
        if not tag or tag.lower() in _DROP:
            continue  # a comment, a processing instruction or hidden content: only its tail
        if tag.lower() in _BLOCK:
            out.append("\n")
        if element.text:
            out.append(element.text)
        stack.extend((child, False) for child in reversed(element))
    return clean_lines("".join(out))
