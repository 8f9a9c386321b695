"""Retrieve: get a feed's bytes, over HTTP with tracker's ``Fetcher`` (timeouts, a size cap
enforced while streaming, http(s) only, a descriptive User-Agent) or from a local file. I/O
only; what a status code means is decided by the poller.

Conditional requests: the stored ETag and Last-Modified go out as If-None-Match and
If-Modified-Since. A local file's "ETag" is its modification time and size, so an unchanged
file is a 304 too.
"""

from __future__ import annotations

import os
import stat
from types import MappingProxyType

from tracker.ingest.fetch import MAX_BYTES, Fetcher

from .data import FeedState, Retrieved
from .errors import FeedError

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def is_http(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def retrieve(fetcher: Fetcher | None, feed: FeedState, max_bytes: int | None = None) -> Retrieved:
    """Fetch ``feed``'s document, conditionally.

    Raises:
        FetchError: a network error, a timeout, a response over the size cap, a bad redirect.
        FeedError: a local file that is missing, not a regular file or too large.
    """
    if not is_http(feed.url):
        return read_file(feed.url, feed.etag, max_bytes or MAX_BYTES)
    assert fetcher is not None
    headers = {"Accept": ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    response = fetcher.get(feed.url, headers)
    return Retrieved(
        url=response.url,
        status=response.status_code,
        headers=MappingProxyType(dict(response.headers)),
        content=response.content,
        permanent_url=response.permanent_url,
    )


def file_signature(st: os.stat_result) -> str:
    return f"file:{st.st_mtime_ns}:{st.st_size}"


def read_file(path: str, etag: str | None, max_bytes: int) -> Retrieved:
    """Read a local feed file; a 304 when its modification time and size are unchanged."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FeedError(path, "no such file") from None
    except OSError as e:
        raise FeedError(path, e.strerror or str(e)) from e
    if not stat.S_ISREG(st.st_mode):
        raise FeedError(path, "not a regular file")  # a FIFO or a device could block or never end
    signature = file_signature(st)
    headers = MappingProxyType({"etag": signature})
    if etag == signature:
        return Retrieved(url=path, status=304, headers=headers)
    if st.st_size > max_bytes:
        raise FeedError(path, f"file too large ({st.st_size:,} bytes; the limit is {max_bytes:,})")
    try:
        with open(path, "rb") as f:
            content = f.read(max_bytes + 1)
    except OSError as e:
        raise FeedError(path, e.strerror or str(e)) from e
    if len(content) > max_bytes:
        raise FeedError(path, f"file too large (over {max_bytes:,} bytes)")
    return Retrieved(url=path, status=200, headers=headers, content=content)


def fetch_page(fetcher: Fetcher, url: str) -> tuple[bytes, str]:
    """The body and content type of an article page an entry links to (2xx only). The link
    comes from the feed's author, so it may reach public addresses only (``tracker.net``).

    Raises:
        FetchError: as ``Fetcher.get_ok``.
    """
    response = fetcher.get_ok(url, trusted=False)  # a link from a feed: public hosts only
    return response.content, response.headers.get("content-type", "")

