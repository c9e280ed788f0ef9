"""The verdict for a key that could not be resolved (review #15, L4): it says so, and why,
and never that the credential "was changed after it was signed", which is only for a
signature that does not match. Decided from what the checks record, not their messages."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from credentials import fetch
from credentials.fetch import FetchError, FetchProblem, SafeFetcher
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import sign_jwt
from credentials.verify import Outcome, verify_credential
from credentials.verify.report import KEY_PROBLEMS, Check, VerificationReport
from credentials.verify.resolvers import KeyProblem, default_resolver
from keys.jose import generate
from tests.hostile_documents import DID, DOCUMENT_URL, ED, METHOD, credential, document
from tests.resolvers_support import FakeFetcher

TAMPERED = "the credential was changed after it was signed"


class FailingFetcher(SafeFetcher):
    """Every fetch fails with one kind of problem."""

    def __init__(self, problem: FetchProblem) -> None:
        super().__init__()
        object.__setattr__(self, "problem", problem)

    def get_json(self, url: str) -> Any:
        raise FetchError(f"{url!r} failed ({self.problem})", self.problem)


def signed() -> dict[str, Any]:
    return create_proof(credential(), EDDSA_RDFC_2022, ED)


@pytest.mark.parametrize("fetcher, problem, why", [
    (FakeFetcher({}), "not-found", "the document that should publish it was not found"),
    (FailingFetcher(FetchProblem.UNREACHABLE), "unreachable",
     "the document that should publish it could not be fetched"),
    (FailingFetcher(FetchProblem.REFUSED), "refused-address",
     "was refused: only public https addresses are fetched"),
    (FailingFetcher(FetchProblem.MALFORMED), "malformed-document",
     "the document that should publish it is malformed"),
    (FakeFetcher({DOCUMENT_URL: {**document(), "id": "did:web:someone.else"}}),
     "malformed-document", "the document that should publish it is malformed"),
    (FakeFetcher({DOCUMENT_URL: document(assertionMethod=[])}), "not-authorised",
     "does not authorise it to sign credentials"),
    (FakeFetcher({DOCUMENT_URL: document(verificationMethod=[])}), "not-listed",
     "its controller's document does not list it"),
])
def test_an_unresolved_did_web_key_is_not_called_tampering(fetcher: SafeFetcher, problem: str,
                                                           why: str) -> None:
    report = verify_credential(signed(), resolver=default_resolver(fetcher))
    proof = report.check("proof")
    assert proof.detail["failure"] == "key" and proof.detail["keyProblem"] == problem
    assert report.verdict.startswith("Not verified: its signing key could not be resolved (")
    assert why in report.verdict
    assert TAMPERED not in report.verdict
    assert report.as_json()["verdict"] == report.verdict


def test_a_private_did_web_host_is_refused_by_the_real_fetcher() -> None:
    report = verify_credential(create_proof(credential("did:web:127.0.0.1"), EDDSA_RDFC_2022,
                                            ED.with_id("did:web:127.0.0.1#k1")))
    assert report.check("proof").detail["keyProblem"] == "refused-address"
    assert "was refused" in report.verdict and TAMPERED not in report.verdict


def test_an_unresolved_jwt_kid_is_not_called_tampering() -> None:
    token = sign_jwt(credential(), ED)
    report = verify_credential(token, resolver=default_resolver(FakeFetcher({})))
    assert report.check("proof").detail["keyProblem"] == "not-found"
    assert "could not be resolved" in report.verdict and TAMPERED not in report.verdict


def test_a_signature_that_does_not_match_is_called_tampering() -> None:
    resolver = default_resolver(FakeFetcher({DOCUMENT_URL: document()}))
    altered = {**signed(), "credentialSubject": {"id": "did:example:someone-else"}}
    report = verify_credential(altered, resolver=resolver)
    assert report.check("proof").detail["failure"] == "signature"
    assert TAMPERED in report.verdict
    token = sign_jwt(credential(), ED)
    header, _, signature = token.split(".")
    other_payload = sign_jwt({**credential(), "name": "x"}, ED).split(".")[1]
    forged = f"{header}.{other_payload}.{signature}"
    report = verify_credential(forged, resolver=resolver)
    assert report.check("proof").detail["failure"] == "signature"
    assert TAMPERED in report.verdict


def test_a_signature_by_another_key_than_the_one_named_is_called_tampering_too() -> None:
    """A signature by a key other than the one named is the same failure ("or was not
    signed by the key it names")."""
    other = generate("Ed25519").with_id(METHOD, DID)
    resolver = default_resolver(FakeFetcher({DOCUMENT_URL: document()}))
    report = verify_credential(create_proof(credential(), EDDSA_RDFC_2022, other),
                               resolver=resolver)
    assert report.check("proof").detail["failure"] == "signature"
    assert TAMPERED in report.verdict


@pytest.mark.parametrize("change, failure, words", [
    (lambda c: c.pop("proof"), "missing", "it carries no proof"),
    (lambda c: c["proof"].update(cryptosuite="made-up-2099"), "proof",
     "its proof is malformed or of a kind this verifier does not check"),
    (lambda c: c["proof"].update(proofPurpose="authentication"), "proof",
     "its proof is malformed"),
    (lambda c: c["proof"].update(proofValue="not multibase"), "proof", "its proof is malformed"),
])
def test_proofs_that_cannot_be_checked_say_so(change: Any, failure: str, words: str) -> None:
    document_ = signed()
    change(document_)
    resolver = default_resolver(FakeFetcher({DOCUMENT_URL: document()}))
    report = verify_credential(document_, resolver=resolver)
    assert report.check("proof").detail["failure"] == failure
    assert words in report.verdict and TAMPERED not in report.verdict


def test_in_a_proof_set_the_mismatch_decides_the_verdict() -> None:
    """One proof's key cannot be found, another's signature does not match: the mismatch is
    the graver, and the verdict names it whatever the order."""
    unfound = create_proof(credential(), EDDSA_RDFC_2022, ED.with_id("did:web:gone.example#k",
                                                                     "did:web:gone.example"))
    mismatched = {**signed()["proof"], "proofValue": unfound["proof"]["proofValue"]}
    both = {**unfound, "proof": [unfound["proof"], mismatched]}
    report = verify_credential(both, resolver=default_resolver(FakeFetcher({
        DOCUMENT_URL: document()})))
    assert report.check("proof").detail["failure"] == "signature"
    assert TAMPERED in report.verdict


def test_every_key_problem_has_words_but_the_unspecific_one() -> None:
    assert set(KEY_PROBLEMS) == set(KeyProblem) - {KeyProblem.UNAVAILABLE}
    unspecific = Check("proof", Outcome.FAILURE, "no", {"failure": "key",
                                                        "keyProblem": "unavailable"})
    assert VerificationReport((unspecific,)).verdict == \
        "Not verified: its signing key could not be resolved."


def test_a_proof_check_without_a_recorded_kind_never_claims_tampering() -> None:
    """A check built elsewhere, saying nothing of the kind of failure."""
    report = VerificationReport((Check("proof", Outcome.FAILURE, "no"),))
    assert report.verdict == "Not verified: its signature could not be checked."


class Answers(http.server.BaseHTTPRequestHandler):
    """/gone 404, /went 410, /broken 500, /text not JSON, /ok a JSON object."""

    def do_GET(self) -> None:
        status = {"/gone": 404, "/went": 410, "/broken": 500}.get(self.path, 200)
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"not json" if self.path == "/text" else b'{"id": "x"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local server posing as a public host, public.test (see tests/test_ssrf.py)."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Answers)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    public, real_resolve, real_connect = "93.184.215.14", socket.getaddrinfo, \
        socket.create_connection

    def resolve(host: str, port_: int, *args: object, **kwargs: object) -> list:
        if host == "public.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (public, port_))]
        return real_resolve(host, port_, *args, **kwargs)

    def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        if address[0] == public:
            return real_connect(("127.0.0.1", port), *args, **kwargs)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(fetch.socket, "create_connection", connect)
    yield f"http://public.test:{port}"
    httpd.shutdown()


@pytest.mark.parametrize("path, problem", [
    ("/gone", FetchProblem.NOT_FOUND), ("/went", FetchProblem.NOT_FOUND),
    ("/broken", FetchProblem.UNREACHABLE), ("/text", FetchProblem.MALFORMED),
])
def test_fetch_failures_say_which_kind_they_are(server: str, path: str,
                                                problem: FetchProblem) -> None:
    with pytest.raises(FetchError) as raised:
        SafeFetcher(allow_http=True).get_json(server + path)
    assert raised.value.problem is problem
    assert SafeFetcher(allow_http=True).get_json(server + "/ok") == {"id": "x"}


@pytest.mark.parametrize("url", ["http://example.com/did.json", "https://127.0.0.1/did.json",
                                 "https://10.0.0.1/", "https://evil.example:0/k",
                                 "https://[zz]/k"])
def test_refused_addresses_say_so(url: str) -> None:
    with pytest.raises(FetchError) as raised:
        SafeFetcher().get_json(url)
    assert raised.value.problem is FetchProblem.REFUSED


def test_a_document_too_large_is_malformed(server: str) -> None:
    with pytest.raises(FetchError, match="larger than") as raised:
        SafeFetcher(allow_http=True, max_bytes=4).get_json(server + "/ok")
    assert raised.value.problem is FetchProblem.MALFORMED
