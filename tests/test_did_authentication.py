"""DID Authentication presentations (credentials.verify.presentation_auth), without a service."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.dates import format_datetime
from credentials.proofs import ED25519_SIGNATURE_2020, EDDSA_RDFC_2022, create_proof
from credentials.proofs.data_integrity import Cryptosuite
from credentials.verify.presentation_auth import (
    AuthenticationError,
    AuthProblem,
    verify_authentication,
)
from credentials.verify.resolvers import ChainResolver, DidKeyResolver, DidWebResolver
from keys.did import did_key, did_key_verification_method
from keys.ed25519 import Ed25519Signer, generate_ed25519
from tests.resolvers_support import FakeFetcher

CHALLENGE = "kX8c1n3vQ7m2"
DOMAIN = "credentials.example.org"
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
# The suite the Learner Credential Wallet signs with; ours only verifies it, so the test
# makes a signing copy.
LCW_SUITE = dataclasses.replace(ED25519_SIGNATURE_2020, verify_only=False)


def holder_key() -> tuple[str, Ed25519Signer]:
    key = generate_ed25519()
    did = did_key(key.verification_key.multikey)
    return did, key.with_id(did_key_verification_method(did), did)


def presentation(holder: str | None, context: list[str] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": context or ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"]}
    if holder:
        document["holder"] = holder
    return document


def signed(signer: Ed25519Signer, holder: str | None, *, suite: Cryptosuite = EDDSA_RDFC_2022,
           context: list[str] | None = None, purpose: str = "authentication",
           created: datetime = NOW, **options: Any) -> dict[str, Any]:
    options = {"challenge": CHALLENGE, "domain": DOMAIN, **options}
    return create_proof(presentation(holder, context), suite, signer,
                        created=format_datetime(created), proof_purpose=purpose,
                        options={k: v for k, v in options.items() if v is not None})


def refused(vp: Any, problem: AuthProblem, **kwargs: Any) -> str:
    with pytest.raises(AuthenticationError) as caught:
        verify_authentication(vp, challenge=kwargs.pop("challenge", CHALLENGE),
                              domain=kwargs.pop("domain", DOMAIN), now=NOW, **kwargs)
    assert caught.value.problem is problem, caught.value
    return str(caught.value)


def test_a_did_key_holder_authenticates_with_eddsa_rdfc_2022() -> None:
    did, key = holder_key()
    result = verify_authentication(signed(key, did), challenge=CHALLENGE, domain=DOMAIN,
                                   now=NOW)
    assert result.holder == did
    assert result.verification_method == key.id
    assert result.cryptosuite == "eddsa-rdfc-2022"
    assert result.created == NOW


def test_the_wallets_ed25519_signature_2020_form_authenticates_too() -> None:
    did, key = holder_key()
    vp = signed(key, did, suite=LCW_SUITE, context=[
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1"])
    assert vp["proof"]["type"] == "Ed25519Signature2020"
    result = verify_authentication(vp, challenge=CHALLENGE, domain=DOMAIN, now=NOW)
    assert (result.holder, result.cryptosuite) == (did, "Ed25519Signature2020")


def test_the_domains_must_be_ours_alone_and_expires_in_the_future_is_fine() -> None:
    """VC Data Integrity 1.0, 4.4 step 6: the given domain and proof.domain hold the same
    strings (one string is a set of one), so a proof also made for another domain fails."""
    did, key = holder_key()
    vp = signed(key, did, domain=[DOMAIN], expires=format_datetime(NOW + timedelta(minutes=5)))
    assert verify_authentication(vp, challenge=CHALLENGE, domain=DOMAIN, now=NOW).holder == did
    refused(signed(key, did, domain=["other.example", DOMAIN]), AuthProblem.DOMAIN)


def test_a_challenge_or_domain_not_asked_for_is_not_checked() -> None:
    did, key = holder_key()
    vp = signed(key, did, challenge="theirs", domain="theirs.example")
    assert verify_authentication(vp, challenge=None, domain=None, now=NOW).holder == did
    refused(vp, AuthProblem.CHALLENGE, domain=None)
    refused(vp, AuthProblem.DOMAIN, challenge="theirs")


def test_a_presentation_naming_no_holder_passes_when_no_holder_is_required() -> None:
    did, key = holder_key()
    other, _ = holder_key()
    found = verify_authentication(signed(key, None), challenge=CHALLENGE, domain=DOMAIN,
                                  now=NOW, holder_required=False)
    assert found.holder == did
    refused(signed(key, other), AuthProblem.HOLDER, holder_required=False)


@pytest.mark.parametrize(("change", "problem", "words"), [
    ({"challenge": "another"}, AuthProblem.CHALLENGE, "challenge is not the one"),
    ({"challenge": None}, AuthProblem.CHALLENGE, "no challenge"),
    ({"domain": "evil.example"}, AuthProblem.DOMAIN, "not 'credentials.example.org'"),
    ({"domain": None}, AuthProblem.DOMAIN, "no domain"),
    ({"purpose": "assertionMethod"}, AuthProblem.PURPOSE, "'assertionMethod'"),
    ({"expires": format_datetime(NOW - timedelta(seconds=1))}, AuthProblem.EXPIRED,
     "expired at"),
    ({"created": NOW + timedelta(hours=1)}, AuthProblem.EXPIRED, "later than now"),
])
def test_a_proof_that_does_not_answer_this_request_is_refused(
        change: dict[str, Any], problem: AuthProblem, words: str) -> None:
    did, key = holder_key()
    assert words in refused(signed(key, did, **change), problem)


def test_a_proof_signed_for_another_challenge_or_domain_cannot_be_edited_to_fit() -> None:
    did, key = holder_key()
    vp = signed(key, did, challenge="theirs", domain="theirs.example")
    vp["proof"] = {**vp["proof"], "challenge": CHALLENGE, "domain": DOMAIN}
    assert "altered after signing" in refused(vp, AuthProblem.SIGNATURE)


def test_a_tampered_presentation_fails_its_signature() -> None:
    did, key = holder_key()
    other, _ = holder_key()
    vp = signed(key, did)
    vp["id"] = "urn:uuid:0b6f8f3e-6d36-4f53-9d6a-1c1a7c0d2f55"
    refused(vp, AuthProblem.SIGNATURE)
    vp = signed(key, did)
    vp["holder"] = other
    refused(vp, AuthProblem.SIGNATURE)


def test_the_holder_must_be_the_did_that_signed() -> None:
    did, key = holder_key()
    other, _ = holder_key()
    assert f"names {other!r} as its holder, but {did} signed it" in \
        refused(signed(key, other), AuthProblem.HOLDER)
    assert "names no holder" in refused(signed(key, None), AuthProblem.HOLDER)
    # A holder object naming the DID is the holder too (signed as such).
    vp = create_proof({**presentation(None), "holder": {"id": did}}, EDDSA_RDFC_2022, key,
                      created=format_datetime(NOW), proof_purpose="authentication",
                      options={"challenge": CHALLENGE, "domain": DOMAIN})
    assert verify_authentication(vp, challenge=CHALLENGE, domain=DOMAIN, now=NOW).holder == did


def test_a_key_claiming_anothers_did_fails() -> None:
    did, _ = holder_key()
    _, mine = holder_key()
    # My key, under the other DID's verification method: the did:key says whose key it is.
    forged = mine.with_id(did_key_verification_method(did), did)
    refused(signed(forged, did), AuthProblem.SIGNATURE)


@pytest.mark.parametrize(("vp", "words"), [
    ("not an object", "JSON object"),
    ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential"},
     "does not include VerifiablePresentation"),
    ({"@context": ["https://example.org/ctx"], "type": "VerifiablePresentation"},
     "first @context"),
    ({"@context": "https://www.w3.org/ns/credentials/v2", "type": "VerifiablePresentation"},
     "no proof"),
    ({"@context": "https://www.w3.org/ns/credentials/v2", "type": "VerifiablePresentation",
      "proof": [{}, {}]}, "one proof, not 2"),
])
def test_what_is_not_a_presentation_with_one_proof_is_malformed(vp: Any, words: str) -> None:
    assert words in refused(vp, AuthProblem.MALFORMED)


def test_an_unknown_context_is_malformed_never_fetched() -> None:
    did, key = holder_key()
    vp = signed(key, did)
    vp["@context"] = [*vp["@context"], "https://unknown.example/context.jsonld"]
    refused(vp, AuthProblem.MALFORMED)


def test_only_accepted_did_methods_and_authentication_keys_sign() -> None:
    did, key = holder_key()
    assert "not accepted here (did:web)" in refused(signed(key, did), AuthProblem.KEY,
                                                    did_methods=("web",))
    web = "did:web:wallet.example"
    document = {"id": web, "verificationMethod": [
        {"id": f"{web}#k", "type": "Multikey", "controller": web,
         "publicKeyMultibase": key.verification_key.multikey}],
        "assertionMethod": [f"{web}#k"]}
    resolver = ChainResolver([DidKeyResolver(), DidWebResolver(FakeFetcher(
        {"https://wallet.example/.well-known/did.json": document}))])
    web_key = key.with_id(f"{web}#k", web)
    assert "not authorised for authentication" in refused(
        signed(web_key, web), AuthProblem.KEY, resolver=resolver)
    document["authentication"] = [f"{web}#k"]
    resolver = ChainResolver([DidWebResolver(FakeFetcher(
        {"https://wallet.example/.well-known/did.json": document}))])
    assert verify_authentication(signed(web_key, web), challenge=CHALLENGE, domain=DOMAIN,
                                 now=NOW, resolver=resolver).holder == web
    https_key = key.with_id("https://wallet.example/keys/1", "https://wallet.example")
    assert "not a DID URL" in refused(signed(https_key, "https://wallet.example"),
                                      AuthProblem.KEY)
