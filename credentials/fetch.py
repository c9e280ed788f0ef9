"""Outbound HTTP for verification (did:web documents, later status lists), refusing SSRF.

A credential chooses the URLs a verifier fetches, so every fetch is treated as hostile:
https only, every address the host name resolves to must be public, the connection goes to
the address that was checked (no second DNS lookup to rebind), redirects are re-checked hop by
hop, and time and size are capped.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit


class FetchError(Exception):
    """A URL was refused or could not be fetched; the message says which and why."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global unicast, judged by the IPv4 address an IPv6 form carries (mapped, NAT64, 6to4)
    when it carries one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            address = embedded
    return address.is_global and not address.is_multicast


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a host name, over a socket to an address that was already vetted."""

    def __init__(self, host: str, address: str, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


@dataclass(frozen=True)
class SafeFetcher:
    """Fetches JSON from URLs a credential names, within the limits above.

    ``allow_private`` and ``allow_http`` exist for tests and closed deployments only.
    """

    allow_private: bool = False
    allow_http: bool = False
    timeout: float = 5.0
    max_bytes: int = 1_000_000
    max_redirects: int = 3

    def _vetted_address(self, host: str, port: int) -> str:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError(f"cannot resolve host {host!r}: {error}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not addresses:
            raise FetchError(f"host {host!r} has no address")
        if not self.allow_private:
            private = [str(a) for a in addresses if not _is_public(a)]
            if private:
                raise FetchError(f"refusing to fetch from {host!r}: it resolves to a private, "
                                 f"loopback or reserved address ({', '.join(private)})")
        return str(addresses[0])

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (self.allow_http and parts.scheme == "http"):
            raise FetchError(f"refusing to fetch {url!r}: only https URLs are fetched")
        if not parts.hostname:
            raise FetchError(f"{url!r} has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self._vetted_address(parts.hostname, port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            context = ssl.create_default_context()
            return _PinnedHTTPSConnection(parts.hostname, address, port, self.timeout,
                                          context), path
        return _PinnedHTTPConnection(parts.hostname, address, port, self.timeout), path

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        """The body at ``url`` after at most ``max_redirects`` vetted redirects."""
        for _ in range(self.max_redirects + 1):
            connection, path = self._connection(url)
            try:
                connection.request("GET", path, headers={"Accept": accept,
                                                         "User-Agent": "competency-credentials"})
                response = connection.getresponse()
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"{url!r} redirected without a Location")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(f"{url!r} answered HTTP {response.status}")
                body = response.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise FetchError(f"{url!r} is larger than {self.max_bytes} bytes")
                return body
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(f"cannot fetch {url!r}: {error}") from None
            finally:
                connection.close()
        raise FetchError(f"{url!r} redirected more than {self.max_redirects} times")

    def get_json(self, url: str) -> Any:
        body = self.get_bytes(url)
        try:
            return json.loads(body)
        except ValueError as error:
            raise FetchError(f"{url!r} did not return JSON: {error}") from None
