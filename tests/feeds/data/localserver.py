"""A real HTTP server on 127.0.0.1 for the feed tests and benchmarks (never the internet).

Routes are set per test: a static body (with ETag / Last-Modified and 304s, gzip on request,
a delay) or a function of the request. Every request is recorded with its headers.
"""

from __future__ import annotations

import gzip as gzip_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    #: Send the body in pieces with this many seconds between them.
    trickle: float = 0.0
    #: False: no Content-Length; the body ends when the connection closes.
    send_length: bool = True
    #: Called with the handler; returns (status, headers, body). Overrides the fields above.
    handler: Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]] | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (a timeout, the size cap) is what some tests are about


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """``with FeedServer() as server: server.route("/a.xml", body=...); server.url("/a.xml")``"""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(
                        Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                    )
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"not found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.handler is not None:
                    self._send(*route.handler(self))
                    return
                headers = {"Content-Type": "application/rss+xml; charset=utf-8"} | route.headers
                if route.etag:
                    headers["ETag"] = route.etag
                    if self.headers.get("If-None-Match") == route.etag:
                        self._send(304, {"ETag": route.etag}, b"")
                        return
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                    if not route.etag and self.headers.get("If-Modified-Since") == route.last_modified:
                        self._send(304, {}, b"")
                        return
                body = route.body
                if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip_module.compress(body)
                    headers["Content-Encoding"] = "gzip"
                if not route.send_length:
                    headers["Connection"] = "close"
                    self.close_connection = True
                self._send(route.status, headers, body, route.trickle, route.send_length)

            def _send(
                self, status: int, headers: dict[str, str], body: bytes, trickle: float = 0.0,
                send_length: bool = True,
            ) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if send_length and "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not trickle:
                        self.wfile.write(body)
                        return
                    for start in range(0, len(body), 64):
                        self.wfile.write(body[start:start + 64])
                        self.wfile.flush()
                        time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout or the size cap): as it should

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes = b"", **options: object) -> str:
        """Serve ``body`` (and the options of ``Route``) at ``path``; returns its URL."""
        self.routes[path] = Route(body=body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
