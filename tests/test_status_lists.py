"""Status lists in the library: bitstrings, and the status check for every list kind."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from credentials.fetch import FetchError
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.status import (
    MIN_ENTRIES,
    Bitstring,
    StatusListError,
    status_entry,
    status_list_credential,
)
from credentials.verify import StatusUnavailable, verify_credential
from credentials.verify.status_check import HttpStatusListSource
from tests.factories import did_key_signer, unsigned_credential

LIST = "https://issuer.example/status/7"
ONE_BIT = Bitstring()
ONE_BIT.set(1)


def test_bitstring_is_msb_first_and_round_trips() -> None:
    bits = Bitstring()
    for index in (0, 7, 8, 23, MIN_ENTRIES - 1):
        bits.set(index)
    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0001 and raw[1] == 0b1000_0000 and raw[2] == 0b0000_0001
    decoded = Bitstring.decode(bits.encode())
    assert decoded.set_indexes() == [0, 7, 8, 23, MIN_ENTRIES - 1]
    decoded.set(7, False)
    assert not decoded.get(7)
    with pytest.raises(StatusListError):
        decoded.get(MIN_ENTRIES)


@pytest.mark.parametrize("bad", ["not multibase", "u!!!!", "u" + "A" * 10, 42])
def test_bad_encoded_lists_are_refused(bad) -> None:
    with pytest.raises(StatusListError):
        Bitstring.decode(bad)


def test_gzip_bombs_are_capped() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(32 * 1024 * 1024))).decode()
    with pytest.raises(StatusListError, match="size limit"):
        Bitstring.decode(bomb)


class Lists:
    """A StatusListSource over fixed documents."""

    def __init__(self, documents: dict) -> None:
        self.documents = documents

    def handles(self, url: str) -> bool:
        return True

    def get(self, url: str) -> dict:
        if url not in self.documents:
            raise StatusUnavailable(f"{url} answered HTTP 503")
        return self.documents[url]


def signed_list(bits: Bitstring, purpose: str = "revocation", issuer: str | None = None,
                valid_until: str = "2099-01-01T00:00:00Z") -> dict:
    signer = did_key_signer()
    unsigned = status_list_credential(LIST, issuer or signer.controller, purpose, bits,
                                      "2026-01-01T00:00:00Z", valid_until, 300_000)
    return create_proof(unsigned, EDDSA_RDFC_2022, signer)


def credential_with(crosswalk, *entries: dict) -> dict:
    unsigned = unsigned_credential(crosswalk)
    unsigned["credentialStatus"] = entries[0] if len(entries) == 1 else list(entries)
    return create_proof(unsigned, EDDSA_RDFC_2022, did_key_signer())


def status_of(credential: dict, documents: dict):
    return verify_credential(credential, status_source=Lists(documents)).check("status")


def test_revoked_and_valid(crosswalk) -> None:
    bits = Bitstring()
    bits.set(94)
    documents = {LIST: signed_list(bits)}
    revoked = credential_with(crosswalk, status_entry(LIST, 94, "revocation"))
    assert status_of(revoked, documents).message.startswith("revoked")
    fine = credential_with(crosswalk, status_entry(LIST, 95, "revocation"))
    assert status_of(fine, documents).outcome.value == "success"


def test_suspension_is_reported_as_such(crosswalk) -> None:
    bits = Bitstring()
    bits.set(3)
    credential = credential_with(crosswalk, status_entry(LIST, 3, "suspension"))
    assert status_of(credential, {LIST: signed_list(bits, "suspension")}).message \
        .startswith("suspended")


@pytest.mark.parametrize("change, words", [
    (lambda d: d["credentialSubject"].update(encodedList=ONE_BIT.encode()), "does not verify"),
    (lambda d: d.update(issuer="did:example:someone-else"), "issued by"),
    (lambda d: d["credentialSubject"].update(statusPurpose="suspension"), "is not for"),
])
def test_lists_that_must_not_be_trusted(crosswalk, change, words: str) -> None:
    document = signed_list(Bitstring())
    change(document)
    if words != "does not verify":  # re-sign so only the property under test is wrong
        document = create_proof({k: v for k, v in document.items() if k != "proof"},
                                EDDSA_RDFC_2022, did_key_signer())
    credential = credential_with(crosswalk, status_entry(LIST, 1, "revocation"))
    check = status_of(credential, {LIST: document})
    assert check.outcome.value == "failure" and words in check.message


def test_expired_or_short_lists_fail(crosswalk) -> None:
    credential = credential_with(crosswalk, status_entry(LIST, 1, "revocation"))
    expired = signed_list(Bitstring(), valid_until="2026-02-01T00:00:00Z")
    assert "does not verify" in status_of(credential, {LIST: expired}).message
    short = signed_list(Bitstring(1024))
    assert "fewer than" in status_of(credential, {LIST: short}).message


def test_unreachable_list_fails_the_status_check(crosswalk) -> None:
    """Bitstring Status List 3.2: a list that cannot be dereferenced raises
    STATUS_RETRIEVAL_ERROR. A status nobody could learn is not verified, never "every check
    passed"."""
    credential = credential_with(crosswalk, status_entry(LIST, 1, "revocation"))
    report = verify_credential(credential, status_source=Lists({}))
    check = report.check("status")
    assert check.outcome.value == "failure"
    assert check.message.startswith("its status could not be checked (list unreachable")
    assert check.detail["entries"][0]["status"] == "unknown" and check.detail["unchecked"]
    assert not report.verified and report.standing.value == "failed"
    assert report.verdict.startswith("Not verified: its status could not be checked")
    assert "every check passed" not in report.verdict


def test_an_unsupported_status_type_fails_the_status_check(crosswalk) -> None:
    credential = credential_with(crosswalk, {"type": "https://status.example/OtherEntry",
                                             "id": "https://issuer.example/s/1"})
    report = verify_credential(credential, status_source=Lists({}))
    assert report.check("status").outcome.value == "failure" and not report.verified
    assert "'https://status.example/OtherEntry' is not supported" in report.verdict


def test_status_list_2021_entries_are_read() -> None:
    bits = Bitstring()
    bits.set(12)
    signer = did_key_signer()
    contexts = ["https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/vc/status-list/2021/v1",
                "https://w3id.org/security/data-integrity/v2"]
    document = create_proof({
        "@context": contexts, "id": LIST,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": signer.controller, "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"{LIST}#list", "type": "StatusList2021",
                              "statusPurpose": "revocation",
                              "encodedList": bits.encode()[1:]}}, EDDSA_RDFC_2022, signer)
    credential = create_proof({
        "@context": contexts, "id": "urn:uuid:5b3c1f0e-8d1e-4f4e-9b8e-0c6d2a1b7e55",
        "type": ["VerifiableCredential"], "issuer": signer.controller,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": {"id": f"{LIST}#12", "type": "StatusList2021Entry",
                             "statusPurpose": "revocation", "statusListIndex": "12",
                             "statusListCredential": LIST}}, EDDSA_RDFC_2022, signer)
    assert status_of(credential, {LIST: document}).message.startswith("revoked")


def test_1edtech_revocation_lists_are_read(crosswalk) -> None:
    unsigned = unsigned_credential(crosswalk)
    unsigned["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    unsigned["credentialStatus"] = {"id": "https://issuer.example/revocations",
                                    "type": "1EdTechRevocationList"}
    credential = create_proof(unsigned, EDDSA_RDFC_2022, did_key_signer())
    listed = {"https://issuer.example/revocations": {"revokedCredentials": [
        {"id": credential["id"], "revocationReason": "issued in error"}]}}
    check = status_of(credential, listed)
    assert check.message.startswith("revoked") and "issued in error" in check.message
    empty = {"https://issuer.example/revocations": {"revokedCredentials": []}}
    assert status_of(credential, empty).outcome.value == "success"


class CountingFetcher:
    def __init__(self, document: dict) -> None:
        self.document, self.calls = document, 0

    def get_json(self, url: str) -> dict:
        self.calls += 1
        if self.document is None:
            raise FetchError("refused")
        return self.document


def test_http_source_cache_bounds_bytes_and_ends_each_lists_lifetime() -> None:
    """Lists past the byte bound push out the least recently used; each list leaves the cache
    at its own ttl (300 s here), on the cache's clock."""
    now = [0.0]
    document = signed_list(Bitstring())
    size = len(json.dumps(document))
    fetcher = CountingFetcher(document)
    source = HttpStatusListSource(fetcher, max_bytes=2 * size + size // 2,  # type: ignore[arg-type]
                                  clock=lambda: now[0])
    for number in range(3):
        source.keep(f"{LIST}/{number}", document)
    assert source.cached() == (2, 2 * size)
    source.get(f"{LIST}/2")
    source.get(f"{LIST}/0")  # pushed out: fetched
    assert fetcher.calls == 1
    now[0] = 299.0
    source.get(f"{LIST}/2")
    assert fetcher.calls == 1 and source.cached()[0] == 2
    now[0] = 300.0
    assert source.cached() == (0, 0)
    source.get(f"{LIST}/2")
    assert fetcher.calls == 2


def test_http_source_caches_for_the_ttl() -> None:
    document = signed_list(Bitstring())
    fetcher = CountingFetcher(document)
    source = HttpStatusListSource(fetcher)  # type: ignore[arg-type]
    assert source.get(LIST) == document and source.get(LIST) == document
    assert fetcher.calls == 2  # not kept: nobody said it verified
    source.keep(LIST, document)
    assert source.get(LIST) == document and fetcher.calls == 2
    document["credentialSubject"]["ttl"] = 0
    source = HttpStatusListSource(fetcher)  # type: ignore[arg-type]
    source.keep(LIST, source.get(LIST))
    source.get(LIST)
    assert fetcher.calls == 4
    with pytest.raises(StatusUnavailable):
        HttpStatusListSource(CountingFetcher(None)).get(LIST)  # type: ignore[arg-type]
