"""Fetching over HTTP: I/O only, with timeouts, a size cap enforced while streaming, and only
http(s). Everything else (parsing, storing) happens elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from tracker import __version__
from tracker.errors import FetchError

USER_AGENT = f"tracker/{__version__} (facial-recognition policy tracker; +https://example.org/tracker)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_BYTES = 10 * 1024 * 1024


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


class Fetcher:
    """An HTTP client with tracker's limits. Tests swap it for a fake."""

    def __init__(
        self,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_BYTES,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, headers: dict[str, str] | None = None, *, max_redirects: int = 5
    ) -> Response:
        """GET ``url``, following up to ``max_redirects`` redirects to http(s) URLs only.

        Returns any status code (callers decide what 304 or 410 mean); raises FetchError for
        network errors, timeouts, a body larger than ``max_bytes`` and bad redirects.
        """
        check_http_url(url)
        permanent: str | None = None
        all_permanent = True
        current = url
        for _ in range(max_redirects + 1):
            response = self._get_once(current, headers or {})
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                target = str(httpx.URL(current).join(response.headers["location"]))
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

    def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(url, f"response too large ({declared} bytes)")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(url, f"response too large (over {self.max_bytes} bytes)")
                    chunks.append(chunk)
                return Response(
                    str(response.url),
                    response.status_code,
                    {k.lower(): v for k, v in response.headers.items()},
                    b"".join(chunks),
                )
        except httpx.TimeoutException as e:
            raise FetchError(url, "timed out") from e
        except httpx.HTTPError as e:
            raise FetchError(url, f"network error: {e}") from e

    def get_ok(self, url: str) -> Response:
        """GET ``url`` and raise FetchError unless the final status is 2xx."""
        response = self.get(url)
        if not 200 <= response.status_code < 300:
            raise FetchError(url, f"HTTP {response.status_code}", response.status_code)
        return response
