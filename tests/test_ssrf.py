"""The outbound fetcher against SSRF: redirects into private space, names that resolve to
loopback, and the many spellings of a private address."""

from __future__ import annotations

import http.server
import ipaddress
import re
import socket
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from credentials import fetch
from credentials.fetch import FetchError, SafeFetcher

PUBLIC = "93.184.215.14"  # stands for a public host; connections to it reach our test server


@pytest.mark.parametrize("url", [
    "https://[fe80::1]/", "https://[fc00::1]/", "https://[::]/", "https://[::ffff:10.0.0.1]/",
    "https://[64:ff9b::7f00:1]/", "https://[2002:7f00:1::]/", "https://0x7f000001/", "https://2130706433/",
    "https://127.1/", "https://0177.0.0.1/", "https://100.64.0.1/", "https://192.168.1.1/",
    "https://[ff02::1]/", "https://224.0.0.1/", "https://[::127.0.0.1]/",
    "https://[::169.254.169.254]/", "https://[::a9fe:a9fe]/",
    "https://[::ffff:0:7f00:1]/", "https://[::ffff:0:a9fe:a9fe]/", "https://[64:ff9b:1::7f00:1]/",
    "https://[64:ff9b:1::808:808]/", "https://[fec0::1]/", "https://[5f00::1]/",
    "https://[3fff::1]/", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
])
def test_every_spelling_of_a_private_address_is_refused(url: str) -> None:
    with pytest.raises(FetchError, match=r"refusing|cannot resolve"):
        SafeFetcher().get_bytes(url)


@pytest.mark.parametrize("address", [
    "::ffff:0:7f00:1", "::ffff:0:a00:1", "64:ff9b:1::808:808", "64:ff9b:1::1", "fec0::1",
    "feff::1", "5f00::1", "3fff::1", "100::1", "2001:db8::1",
])
def test_non_global_ipv6_is_not_public(address: str) -> None:
    assert not fetch._is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2606:4700::1", "64:ff9b::808:808", "::ffff:8.8.8.8",
                                     "::ffff:0:808:808", "2002:808:808::1", "8.8.8.8"])
def test_global_addresses_stay_public(address: str) -> None:
    assert fetch._is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(("url", "why"), [
    ("https://evil.example:99999/k", "Port out of range"),
    ("https://evil.example:abc/k", "could not be cast"),
    ("https://evil.example:-1/k", "could not be cast"),
    ("https://[zz]/k", "'zz' does not appear"),
    ("https://[::1/k", "Invalid IPv6 URL"),
    ("https://evil.example:0/k", "port 0"),
])
def test_a_url_with_an_unreadable_host_or_port_is_a_fetch_error(url: str, why: str) -> None:
    with pytest.raises(FetchError, match=r"refusing to fetch .*" + re.escape(why)):
        SafeFetcher().get_bytes(url)


def test_a_nul_in_the_host_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot resolve host"):
        SafeFetcher().get_bytes("https://evil\x00.example/k")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Redirects /start to wherever the test says; records every path it serves."""
    target = ""
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(self.path)
        if self.path == "/bad":
            self.send_response(302)
            self.send_header("Location", "https://[zz]/x")
            self.end_headers()
            return
        if self.path == "/start":
            self.send_response(302)
            self.send_header("Location", Recorder.target)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"secret": true}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def public_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A local server posing as public.test (a public address); rebind.test resolves to
    127.0.0.1 and mixed.test to one public and one private address."""
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real_resolve, real_connect = socket.getaddrinfo, socket.create_connection
    names = {"public.test": [PUBLIC], "rebind.test": ["127.0.0.1"],
             "mixed.test": [PUBLIC, "10.0.0.7"], "internal.test": ["10.0.0.5"]}

    def resolve(host: str, port_: int, *args: object, **kwargs: object) -> list:
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port_))
                    for a in names[host]]
        return real_resolve(host, port_, *args, **kwargs)

    def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        if address[0] == PUBLIC:
            return real_connect(("127.0.0.1", port), *args, **kwargs)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(fetch.socket, "create_connection", connect)
    Recorder.seen = []
    yield port
    server.shutdown()


def test_the_test_server_is_reachable_as_a_public_host(public_host: int) -> None:
    fetcher = SafeFetcher(allow_http=True)
    assert fetcher.get_json(f"http://public.test:{public_host}/ok") == {"secret": True}


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/secret", "http://[::1]:{port}/secret",
    "http://rebind.test:{port}/secret", "http://internal.test/secret",
    "http://169.254.169.254/latest/meta-data", "http://2130706433:{port}/secret",
])
def test_a_redirect_into_private_space_is_refused(public_host: int, target: str) -> None:
    Recorder.target = target.format(port=public_host)
    with pytest.raises(FetchError, match="refusing"):
        SafeFetcher(allow_http=True).get_bytes(f"http://public.test:{public_host}/start")
    assert Recorder.seen == ["/start"]  # the private target was never asked


@pytest.mark.parametrize("host", ["rebind.test", "mixed.test"])
def test_names_resolving_to_private_addresses_are_refused(public_host: int, host: str) -> None:
    with pytest.raises(FetchError, match="private, loopback"):
        SafeFetcher(allow_http=True).get_bytes(f"http://{host}:{public_host}/secret")
    assert Recorder.seen == []


def test_a_redirect_to_an_unreadable_url_is_a_fetch_error(public_host: int) -> None:
    with pytest.raises(FetchError, match=r"redirected to 'https://\[zz\]/x', which is not"):
        SafeFetcher(allow_http=True).get_bytes(f"http://public.test:{public_host}/bad")
