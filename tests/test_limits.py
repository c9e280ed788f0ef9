"""Caps on one verification, the same for every way in; status lists read once per
verification; bounded caching of remote lists; deadlines on outbound fetches."""

from __future__ import annotations

import copy
import http.server
import json
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from credentials.baking import extract
from credentials.fetch import FetchError, SafeFetcher, deadline
from credentials.status import Bitstring, status_entry
from credentials.verify import StatusUnavailable, verify_credential
from credentials.verify.inputs import read_credential
from credentials.verify.limits import (
    MAX_BYTES,
    MAX_PROOFS,
    MAX_STATUS_ENTRIES,
    LimitExceeded,
    check_credential,
    parse_json,
)
from credentials.verify.status_check import HttpStatusListSource
from loadtest.attacks import nested, png_holding
from tests.factories import signed_credential
from tests.test_status_lists import LIST, credential_with, signed_list


def cpu(call, *args, **kwargs):
    started = time.process_time()
    result = call(*args, **kwargs)
    return result, time.process_time() - started


@pytest.mark.parametrize("depth", [65, 900, 200_000])
def test_deep_json_names_the_depth_cap_on_every_way_in(depth: int) -> None:
    for read in (lambda: parse_json(nested(depth)), lambda: read_credential(nested(depth).encode()),
                 lambda: extract(png_holding(nested(depth).encode()))):
        with pytest.raises(LimitExceeded) as raised:
            read()
        assert raised.value.cap in ("max_depth", "max_bytes")
        assert raised.value.cap == "max_depth" or len(nested(depth)) > MAX_BYTES


def test_a_small_png_holding_a_huge_json_is_refused_by_size_without_inflating_it() -> None:
    png = png_holding(nested(200_000).encode())
    assert len(png) < 4000
    with pytest.raises(LimitExceeded) as raised:
        extract(png)
    assert raised.value.cap == "max_bytes" and raised.value.status == 413


def test_counts_are_capped_and_named(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    many_proofs = {**credential, "proof": [credential["proof"]] * (MAX_PROOFS + 1)}
    with pytest.raises(LimitExceeded, match="max_proofs"):
        check_credential(many_proofs)
    entries = [status_entry(LIST, i, "revocation") for i in range(MAX_STATUS_ENTRIES + 1)]
    with pytest.raises(LimitExceeded, match="max_status_entries"):
        check_credential({**credential, "credentialStatus": entries})
    clr = {"type": ["ClrCredential"], "credentialSubject": {
        "verifiableCredential": [credential] * 501}}
    with pytest.raises(LimitExceeded, match="max_embedded_credentials"):
        check_credential(clr)
    with pytest.raises(LimitExceeded, match="max_endorsements"):
        check_credential({**credential, "endorsement": [{}] * 30,
                          "issuer": {"id": "x", "endorsementJwt": ["a.b.c"] * 30}})
    check_credential(credential)


def test_verification_over_a_cap_fails_at_once_naming_it(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    attack = copy.deepcopy(credential)
    attack["credentialSubject"]["evidence"] = [
        {"id": f"https://e.example/{i}", "type": ["Evidence"], "narrative": "x" * 60}
        for i in range(2000)]
    attack["proof"] = [credential["proof"]] * 200
    report, seconds = cpu(verify_credential, attack)
    assert seconds < 1.0
    assert not report.verified and [c.name for c in report.checks] == ["limits"]
    assert "max_proofs" in report.errors[0] and report.check("limits").detail["limit"] == 8


class CountingLists:
    def __init__(self, documents: dict) -> None:
        self.documents, self.gets = documents, 0

    def handles(self, url: str) -> bool:
        return True

    def get(self, url: str) -> dict:
        self.gets += 1
        if url not in self.documents:
            raise StatusUnavailable("gone")
        return self.documents[url]


def test_one_list_is_fetched_and_verified_once_however_many_entries_point_at_it(
        crosswalk, monkeypatch: pytest.MonkeyPatch) -> None:
    from credentials.verify import checks

    verified_lists = []
    real = checks.check_validity_period

    def counting(document, moment):
        if "BitstringStatusListCredential" in document.get("type", []):
            verified_lists.append(document["id"])
        return real(document, moment)

    monkeypatch.setattr("credentials.verify.check_validity_period", counting)
    bits = Bitstring()
    bits.set(9)
    source = CountingLists({LIST: signed_list(bits)})
    entries = [status_entry(LIST, i, "revocation") for i in range(MAX_STATUS_ENTRIES)]
    report = verify_credential(credential_with(crosswalk, *entries), status_source=source)
    assert report.check("status").message.startswith("revoked: revocation bit 9")
    assert source.gets == 1 and verified_lists == [LIST]


class FakeFetcher:
    def __init__(self, documents: dict) -> None:
        self.documents, self.calls = documents, 0

    def get_json(self, url: str) -> dict:
        self.calls += 1
        return copy.deepcopy(self.documents[url])


def test_only_verified_lists_are_cached_and_the_cache_is_bounded(crosswalk) -> None:
    good = signed_list(Bitstring())
    forged = {**good, "credentialSubject": {**good["credentialSubject"], "ttl": 10**12}}
    fetcher = FakeFetcher({LIST: good, "https://evil.example/1": forged})
    source = HttpStatusListSource(fetcher, max_entries=2)  # type: ignore[arg-type]
    hostile = credential_with(crosswalk, status_entry("https://evil.example/1", 1, "revocation"))
    for _ in range(3):
        assert not verify_credential(hostile, status_source=source).verified
    assert fetcher.calls == 3 and source.cached() == (0, 0)
    fine = credential_with(crosswalk, status_entry(LIST, 1, "revocation"))
    for _ in range(3):
        assert verify_credential(fine, status_source=source).verified
    assert fetcher.calls == 4 and source.cached()[0] == 1
    for number in range(5):
        source.keep(f"https://other.example/{number}", good)
    assert source.cached()[0] == 2
    small = HttpStatusListSource(fetcher, max_bytes=100)  # type: ignore[arg-type]
    small.keep(LIST, good)
    assert small.cached() == (0, 0)


def test_a_lists_ttl_is_capped() -> None:
    document = signed_list(Bitstring())
    document["credentialSubject"]["ttl"] = 10**15
    source = HttpStatusListSource(max_ttl_seconds=3600)
    assert source._lifetime(document) <= 3600


class Trickle(http.server.BaseHTTPRequestHandler):
    """Sends a body one byte every 0.2 s: each read is well inside any socket timeout."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):
            try:
                self.wfile.write(b" ")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/list"
    server.shutdown()


def test_a_trickling_server_is_cut_off_at_the_fetch_deadline(trickle: str) -> None:
    """The whole body would take 20 s, every byte well inside the socket timeout."""
    fetcher = SafeFetcher(allow_private=True, allow_http=True, fetch_seconds=1.0)
    started = time.process_time()
    with pytest.raises(FetchError, match="ran out of time"):
        fetcher.get_bytes(trickle)
    assert time.process_time() - started < 1.0


def test_the_verification_deadline_bounds_all_its_fetches(trickle: str) -> None:
    fetcher = SafeFetcher(allow_private=True, allow_http=True, fetch_seconds=30.0)
    with deadline(1.0):
        with pytest.raises(FetchError, match="ran out of time"):
            fetcher.get_bytes(trickle)
        with pytest.raises(FetchError, match="ran out of time"):  # none left for the next
            fetcher.get_bytes(trickle)


def test_fetched_json_has_the_same_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = SafeFetcher()
    monkeypatch.setattr(SafeFetcher, "get_bytes", lambda self, url: nested(5000).encode())
    with pytest.raises(FetchError, match="nested more than 64"):
        fetcher.get_json("https://example.org/deep")
    monkeypatch.setattr(SafeFetcher, "get_bytes",
                        lambda self, url: json.dumps({"a": [0] * 10_001}).encode())
    with pytest.raises(FetchError, match="array of 10001"):
        fetcher.get_json("https://example.org/long")
