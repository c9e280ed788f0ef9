"""Outbound HTTP for verification (did:web and controller documents, status lists),
refusing SSRF.

A credential chooses the URLs a verifier fetches, so every fetch is treated as hostile:
https only, every address the host name resolves to must be public, the connection goes to
the address that was checked (no second DNS lookup to rebind), redirects are re-checked hop by
hop, and size is capped. Time is capped twice: each fetch (redirects included) has an overall
deadline however slowly the server trickles bytes, and :func:`deadline` sets one for all the
fetches of a verification.
"""

from __future__ import annotations

import contextvars
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit


class FetchProblem(StrEnum):
    """Why a fetch failed, for a caller to word its own report by (never by the message)."""

    REFUSED = "refused"  # not an address we fetch from: not https, private, unreadable
    NOT_FOUND = "not-found"  # the server answered 404 or 410
    UNREACHABLE = "unreachable"  # no answer, an error answer, too slow, too many redirects
    MALFORMED = "malformed"  # an answer, but not usable JSON (or too large)


class FetchError(Exception):
    """A URL was refused or could not be fetched; the message says which and why, and
    ``problem`` which kind of failure it was."""

    def __init__(self, message: str, problem: FetchProblem = FetchProblem.UNREACHABLE) -> None:
        super().__init__(message)
        self.problem = problem


# IPv6 forms that carry an IPv4 address in their low 32 bits: judged by that address.
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated (RFC 4291), still routed by some
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT (RFC 2765)
# The only IPv6 unicast space the Internet routes (RFC 4291, IANA); everything outside it is
# refused whatever Python's ``is_global`` says of it: the local-use NAT64 prefix
# 64:ff9b:1::/48 (RFC 8215), deprecated site-local fec0::/10 (RFC 3879), SRv6 SIDs
# 5f00::/16 (RFC 9602), ULA, link-local and the rest.
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
IPV6_DOCUMENTATION = ipaddress.ip_network("3fff::/20")  # RFC 9637, inside 2000::/3

_verification_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "verification_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every fetch inside the block ends by ``seconds`` from now (an enclosing block's
    deadline still holds if it is earlier)."""
    outer = _verification_deadline.get()
    ends = time.monotonic() + seconds
    token = _verification_deadline.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _verification_deadline.reset(token)


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global unicast, judged by the IPv4 address an IPv6 form carries (mapped, translated,
    compatible, NAT64, 6to4) when it carries one; any other IPv6 address must lie in the
    global unicast space 2000::/3 as well."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if any(address in network for network in (NAT64, IPV4_COMPATIBLE, IPV4_TRANSLATED)):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            address = embedded
        elif address not in GLOBAL_UNICAST or address in IPV6_DOCUMENTATION:
            return False
    return address.is_global and not address.is_multicast


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a host name, over a socket to an address that was already vetted."""

    def __init__(self, host: str, address: str, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self.opened: socket.socket | None = None  # kept after a response takes over sock

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self.opened = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self.opened: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.opened = socket.create_connection((self._address, self.port),
                                                           self.timeout)


@dataclass(frozen=True)
class SafeFetcher:
    """Fetches JSON from URLs a credential names, within the limits above.

    ``allow_private`` and ``allow_http`` exist for tests and closed deployments only.
    """

    allow_private: bool = False
    allow_http: bool = False
    timeout: float = 5.0  # per connect, send or receive
    fetch_seconds: float = 5.0  # the whole fetch, redirects included
    max_bytes: int = 1_000_000
    max_redirects: int = 3

    def _ends(self) -> float:
        ends = time.monotonic() + self.fetch_seconds
        outer = _verification_deadline.get()
        return ends if outer is None else min(ends, outer)

    def _vetted_address(self, host: str, port: int) -> str:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError) as error:  # ValueError: a NUL in the name
            raise FetchError(f"cannot resolve host {host!r}: {error}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not addresses:
            raise FetchError(f"host {host!r} has no address")
        if not self.allow_private:
            private = [str(a) for a in addresses if not _is_public(a)]
            if private:
                # Which address stays unsaid: the answer must not map internal names.
                raise FetchError(f"refusing to fetch from {host!r}: it resolves to a private, "
                                 "loopback or reserved address", FetchProblem.REFUSED)
        return str(addresses[0])

    def _connection(self, url: str, ends: float) -> tuple[
            _PinnedHTTPConnection | _PinnedHTTPSConnection, str]:
        parts, port = _split(url)
        if parts.scheme != "https" and not (self.allow_http and parts.scheme == "http"):
            raise FetchError(f"refusing to fetch {url!r}: only https URLs are fetched",
                             FetchProblem.REFUSED)
        if not parts.hostname:
            raise FetchError(f"{url!r} has no host", FetchProblem.REFUSED)
        address = self._vetted_address(parts.hostname, port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = max(0.001, min(self.timeout, ends - time.monotonic()))
        if parts.scheme == "https":
            context = ssl.create_default_context()
            return _PinnedHTTPSConnection(parts.hostname, address, port, timeout,
                                          context), path
        return _PinnedHTTPConnection(parts.hostname, address, port, timeout), path

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        """The body at ``url`` after at most ``max_redirects`` vetted redirects, all within
        ``fetch_seconds`` (and the verification's :func:`deadline`)."""
        ends = self._ends()
        for _ in range(self.max_redirects + 1):
            if time.monotonic() >= ends:
                raise FetchError(f"{url!r}: the fetch ran out of time")
            connection, path = self._connection(url, ends)
            # A server can trickle a byte just inside each socket timeout; at the deadline
            # the socket is shut, which ends whatever read is waiting on it.
            alarm = threading.Timer(max(0.0, ends - time.monotonic()), _shut, [connection])
            alarm.daemon = True
            alarm.start()
            try:
                connection.request("GET", path, headers={"Accept": accept,
                                                         "User-Agent": "competency-credentials"})
                response = connection.getresponse()
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"{url!r} redirected without a Location")
                    try:
                        url = urljoin(url, location)
                    except ValueError as error:  # a Location such as https://[zz]/
                        raise FetchError(f"{url!r} redirected to {location!r}, which is "
                                         f"not a valid URL ({error})",
                                         FetchProblem.REFUSED) from None
                    continue
                if response.status != 200:
                    raise FetchError(f"{url!r} answered HTTP {response.status}",
                                     FetchProblem.NOT_FOUND if response.status in (404, 410)
                                     else FetchProblem.UNREACHABLE)
                body = response.read(self.max_bytes + 1)
                if time.monotonic() >= ends:  # the read was cut short at the deadline
                    raise FetchError(f"{url!r}: the fetch ran out of time")
                if len(body) > self.max_bytes:
                    raise FetchError(f"{url!r} is larger than {self.max_bytes} bytes",
                                     FetchProblem.MALFORMED)
                return body
            except (OSError, http.client.HTTPException) as error:
                if time.monotonic() >= ends:
                    raise FetchError(f"{url!r}: the fetch ran out of time") from None
                raise FetchError(f"cannot fetch {url!r}: {error}") from None
            finally:
                alarm.cancel()
                connection.close()
        raise FetchError(f"{url!r} redirected more than {self.max_redirects} times")

    def get_json(self, url: str) -> Any:
        """The JSON at ``url``, within the size and shape caps every credential input has."""
        from credentials.verify.limits import parse_json  # the verify package imports us

        body = self.get_bytes(url)
        try:
            return parse_json(body, repr(url))
        except ValueError as error:
            raise FetchError(f"{url!r} did not return usable JSON: {error}",
                             FetchProblem.MALFORMED) from None


def _split(url: str) -> tuple[SplitResult, int]:
    """``url``'s parts and port (the scheme's default when none is given); a URL whose host
    or port cannot be read is refused as a :class:`FetchError`, not a ``ValueError``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # "[zz]" as a host, a port out of range or not a number
        raise FetchError(f"refusing to fetch {url!r}: its host or port is not valid "
                         f"({error})", FetchProblem.REFUSED) from None
    if port == 0:
        raise FetchError(f"refusing to fetch {url!r}: port 0 is not a port one can fetch "
                         "from", FetchProblem.REFUSED)
    return parts, port or (443 if parts.scheme == "https" else 80)


def _shut(connection: _PinnedHTTPConnection | _PinnedHTTPSConnection) -> None:
    """End the connection's socket under a reader blocked on it (any thread)."""
    sock = connection.opened
    if sock is not None:
        with suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
