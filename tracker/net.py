"""The network policy for URLs tracker did not get from its user: which addresses they may
reach, and a total deadline on every response.

A URL the user types (``tracker ingest URL``) or a feed the user adds may name any host: the
user trusts it. A link that comes from a feed entry, and every redirect that leaves the host
the user named, is untrusted: it must not reach loopback, private, link-local, multicast,
reserved or cloud-metadata addresses (server-side request forgery, SSRF). The address is
checked after DNS resolution, and the connection is made to the address that was checked, so a
name that resolves to a public address first and to 127.0.0.1 next (DNS rebinding) gains
nothing. ``--allow-private-hosts`` (``TRACKER_ALLOW_PRIVATE_HOSTS``) lifts the rule for a
trusted intranet.

The deadline: a per-read timeout alone lets a server that sends one byte a second hold a
response forever. ``deadline(seconds)`` bounds the whole exchange (connect, headers, body):
each read waits at most until the deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import time
import typing
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpcore

#: Addresses that are never "outside" even when ``is_global`` says so (cloud metadata).
METADATA = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba Cloud
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS over IPv6
)

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("tracker_deadline", default=None)


class BlockedAddressError(Exception):
    """A host resolved to an address that untrusted URLs may not reach."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host, self.address, self.kind = host, address, kind
        where = host if host == address else f"{host} ({address})"
        super().__init__(f"refused: {where} is a {kind} address; links from feeds and redirects "
                         "may not reach it (--allow-private-hosts lifts this)")


def classify(address: str) -> str | None:
    """What kind of non-public address ``address`` is ("loopback", "private"...), or None when
    it is a public (global unicast) address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in METADATA):
        return "cloud-metadata"
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-public"
    return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (an IP literal is itself)."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return [host]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_host(host: str, port: int) -> list[str]:
    """The public addresses of ``host``; BlockedAddressError if any of them is not public
    (a name with one private address among public ones is refused whole).

    Raises:
        OSError: the name does not resolve.
    """
    addresses = resolve(host, port)
    for address in addresses:
        kind = classify(address)
        if kind is not None:
            raise BlockedAddressError(host, address, kind)
    return addresses


def check_url(url: str) -> None:
    """``check_host`` for the host of an http(s) URL."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    check_host(parts.hostname or "", port)


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs name the same host and port (a redirect that stays on the host the
    user named is as trusted as the URL itself)."""
    pa, pb = urlsplit(a), urlsplit(b)
    port_a = pa.port or (443 if pa.scheme == "https" else 80)
    port_b = pb.port or (443 if pb.scheme == "https" else 80)
    return (pa.hostname or "").lower() == (pb.hostname or "").lower() and port_a == port_b


# -- the deadline --------------------------------------------------------------------------------
@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Every read by a ``GuardedBackend`` connection in this block ends by ``seconds`` from now."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (None: no deadline)."""
    end = _deadline.get()
    return None if end is None else end - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise httpcore.ReadTimeout("the total deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A connection whose reads and writes stop at the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self.inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the deadline on every read and, unless ``allow_private``,
    the address policy at connect time: the name is resolved here, each address checked, and
    the socket connects to the checked address."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None, *, allow_private: bool = True) -> None:
        self.inner = inner or httpcore.SyncBackend()
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(timeout)
        if self.allow_private:
            return _Stream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options))
        try:
            addresses = check_host(host, port)
        except OSError as e:
            raise httpcore.ConnectError(f"cannot resolve {host}: {e}") from e
        except BlockedAddressError as e:
            raise httpcore.ConnectError(str(e)) from e
        last: Exception | None = None
        for address in addresses:
            try:
                return _Stream(self.inner.connect_tcp(address, port, timeout, local_address, socket_options))
            except httpcore.ConnectError as e:
                last = e
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: typing.Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)
