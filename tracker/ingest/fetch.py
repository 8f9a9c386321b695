"""Fetching and reading: I/O only, within tracker's limits. Everything else (parsing, storing)
happens elsewhere.

- Only http(s) URLs are fetched, on every hop.
- Every response has a total deadline (``DEFAULT_DEADLINE``, ``--timeout``) as well as a
  per-read timeout: a server that trickles one byte a second fails when the deadline passes.
- Every input has one size cap (``MAX_BYTES``, ``--max-bytes``), checked as bytes arrive:
  HTTP bodies, files and stdin alike.
- Untrusted URLs (links from feeds, and redirects that leave the host the user named) may not
  reach loopback, private, link-local or metadata addresses (``tracker.net``), unless
  ``allow_private_hosts``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx

from tracker import __version__, net
from tracker.errors import FetchError, InputError
from tracker.limits import DEFAULT_DEADLINE, MAX_BYTES

USER_AGENT = f"tracker/{__version__} (facial-recognition policy tracker; +https://example.org/tracker)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: Seconds for a whole response (connect, headers, body, redirects), unless told otherwise.
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Response:
    """What a fetch brings back: the final URL, status, headers and the body bytes."""

    url: str
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    #: The URL after permanent (301/308) redirects only: what a feed's stored URL becomes.
    permanent_url: str | None = None


def check_http_url(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(url, "only http and https URLs are fetched")


def too_large(max_bytes: int) -> str:
    return f"too large (over {max_bytes:,} bytes; --max-bytes raises the limit)"


def read_capped(stream: BinaryIO, where: str, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a file or stdin to its end, in chunks; InputError as soon as it passes ``max_bytes``
    (nothing larger is ever held in memory)."""
    chunks, size = [], 0
    try:
        while chunk := stream.read(min(_CHUNK, max_bytes + 1 - size)):
            size += len(chunk)
            if size > max_bytes:
                raise InputError(where, too_large(max_bytes))
            chunks.append(chunk)
    except OSError as e:
        raise InputError(where, e.strerror or str(e)) from e
    return b"".join(chunks)


def read_file(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """A file's bytes, capped (``read_capped``)."""
    try:
        with open(path, "rb") as f:
            return read_capped(f, path, max_bytes)
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from e


class Fetcher:
    """An HTTP client with tracker's limits. Tests swap it for a fake.

    Args:
        timeout: per-operation timeouts (connect, each read).
        deadline: seconds for a whole ``get`` (every hop, the whole body); None: no deadline.
        max_bytes: the size cap on a body.
        allow_private_hosts: let untrusted URLs reach private and loopback addresses too.
        transport: an httpx transport (tests); the connect-time address check then does not
            apply, the check before each hop still does.
    """

    def __init__(
        self,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_bytes: int = MAX_BYTES,
        allow_private_hosts: bool = False,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.allow_private_hosts = allow_private_hosts
        self._client = self._make_client(timeout, user_agent, transport, allow_private=True)
        self._guarded = (
            self._client if allow_private_hosts
            else self._make_client(timeout, user_agent, transport, allow_private=False)
        )

    @staticmethod
    def _make_client(
        timeout: httpx.Timeout, user_agent: str, transport: httpx.BaseTransport | None, *, allow_private: bool
    ) -> httpx.Client:
        if transport is None:
            transport = httpx.HTTPTransport()
            pool = getattr(transport, "_pool", None)
            backend = getattr(pool, "_network_backend", None)
            if backend is not None:  # httpcore's pool: wrap its backend (deadline, addresses)
                pool._network_backend = net.GuardedBackend(backend, allow_private=allow_private)  # type: ignore[union-attr]
        return httpx.Client(
            timeout=timeout, headers={"User-Agent": user_agent}, follow_redirects=False, transport=transport
        )

    def close(self) -> None:
        self._client.close()
        if self._guarded is not self._client:
            self._guarded.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        max_redirects: int = 5,
        trusted: bool = True,
    ) -> Response:
        """GET ``url``, following up to ``max_redirects`` redirects to http(s) URLs only.

        ``trusted``: the user named this URL (it may be a private host); a redirect that leaves
        its host, and any untrusted URL, must reach public addresses only.

        Returns any status code (callers decide what 304 or 410 mean); raises FetchError for
        network errors, timeouts, the deadline, a body larger than ``max_bytes``, bad redirects
        and refused addresses.
        """
        check_http_url(url)
        permanent: str | None = None
        all_permanent = True
        current = url
        started = time.monotonic()
        with net.deadline(self.deadline):
            for _ in range(max_redirects + 1):
                hop_trusted = self.allow_private_hosts or (trusted and net.same_origin(url, current))
                if not hop_trusted:
                    self._check_address(url, current)
                response = self._get_once(current, headers or {}, hop_trusted, started)
                if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                    try:
                        target = str(httpx.URL(current).join(response.headers["location"]))
                    except (httpx.InvalidURL, ValueError) as e:
                        raise FetchError(url, f"bad redirect: {e}") from e
                    if urlsplit(target).scheme not in ("http", "https"):
                        raise FetchError(url, f"redirect to a non-http URL refused: {target}")
                    all_permanent = all_permanent and response.status_code in (301, 308)
                    if all_permanent:
                        permanent = target
                    current = target
                    continue
                return Response(
                    current, response.status_code, response.headers, response.content, permanent
                )
        raise FetchError(url, f"more than {max_redirects} redirects")

    @staticmethod
    def _check_address(url: str, current: str) -> None:
        try:
            net.check_url(current)
        except net.BlockedAddressError as e:
            via = "" if current == url else f" (redirected to {current})"
            raise FetchError(url, f"{e}{via}") from None
        except (OSError, UnicodeError, ValueError) as e:
            raise FetchError(url, f"cannot resolve {urlsplit(current).hostname}: {e}") from None

    def _timed_out(self, started: float) -> str:
        if self.deadline is not None and time.monotonic() - started >= self.deadline - 0.05:
            return f"timed out (no complete response within {self.deadline:g} s)"
        return "timed out"

    def _get_once(self, url: str, headers: dict[str, str], trusted: bool, started: float) -> Response:
        client = self._client if trusted else self._guarded
        try:
            with client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(url, f"response too large ({declared} bytes; the limit is {self.max_bytes:,})")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(url, f"response {too_large(self.max_bytes)}")
                    chunks.append(chunk)
                    if self.deadline is not None and time.monotonic() - started > self.deadline:
                        raise FetchError(url, self._timed_out(started))
                return Response(
                    str(response.url),
                    response.status_code,
                    {k.lower(): v for k, v in response.headers.items()},
                    b"".join(chunks),
                )
        except httpx.TimeoutException as e:
            raise FetchError(url, self._timed_out(started)) from e
        except httpx.HTTPError as e:
            raise FetchError(url, f"network error: {' '.join(str(e).split()) or type(e).__name__}") from e

    def get_ok(self, url: str, *, trusted: bool = True) -> Response:
        """GET ``url`` and raise FetchError unless the final status is 2xx."""
        response = self.get(url, trusted=trusted)
        if not 200 <= response.status_code < 300:
            raise FetchError(url, f"HTTP {response.status_code}", response.status_code)
        return response
