"""Presentations across implementations: Digital Bazaar's ``@digitalbazaar/vc`` (npm, test
only) signs presentations we verify, and verifies ours; the official example credentials,
wrapped in a holder's presentation, verify as they do alone."""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credentials.dates import format_datetime
from credentials.verify.presentation import Binding, verify_presentation
from credentials.verify.report import Outcome
from keys import Ed25519Signer
from keys.did import did_key
from tests.test_interop import node  # noqa: F401  # the bridge fixture
from tests.test_official_examples import OFFLINE, ExampleStatusLists, read_example
from tests.test_presentation_verify import (
    CHALLENGE,
    DOMAIN,
    HOLDER,
    V2,
    credential,
    presentation,
    signed,
)

NOW = datetime.now(UTC).replace(microsecond=0)


def their_holder() -> tuple[str, str]:
    """A seed the bridge signs with, and the did:key it makes of it."""
    seed = secrets.token_bytes(32)
    return seed.hex(), did_key(Ed25519Signer.from_seed(seed).verification_key)


def theirs(node, document: dict, seed: str, **options: str) -> dict:  # noqa: F811
    answer = node({"action": "present", "presentation": document, "seed": seed,
                   "challenge": options.get("challenge", CHALLENGE),
                   "domain": options.get("domain", DOMAIN),
                   "created": format_datetime(NOW)})
    return answer["presentation"]


@pytest.mark.interop
def test_their_presentation_verifies_here(node) -> None:  # noqa: F811
    seed, did = their_holder()
    vp = theirs(node, presentation(credential(did), holder=did), seed)
    assert vp["proof"]["proofPurpose"] == "authentication"
    report = verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert report.verified, report.errors
    assert report.holder == did and report.holder_proven
    assert report.credentials[0].binding is Binding.HOLDER
    assert not verify_presentation(vp, challenge="another", domain=DOMAIN).verified
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"][0]["credentialSubject"]["id"] = HOLDER
    report = verify_presentation(tampered, challenge=CHALLENGE, domain=DOMAIN)
    assert not report.verified
    assert report.check("holder_proof").outcome is Outcome.FAILURE


@pytest.mark.interop
def test_their_holder_claim_verifies_only_as_vcdm_says(node) -> None:  # noqa: F811
    """The W3C VCDM 2.0 suite's holder-claims tests, with its signer (vc.signPresentation)."""
    seed, did = their_holder()

    def claim(issuer: str) -> dict:
        return {"@context": [V2], "type": ["VerifiableCredential"],
                "validFrom": "2023-02-27T05:03:28Z", "issuer": issuer,
                "credentialSubject": {"id": "did:example:subject"}}

    def result(holder: str | None, issuer: str) -> bool:
        document = presentation(claim(issuer), holder=holder)
        return verify_presentation(theirs(node, document, seed)).verified

    assert result(did, did)
    assert not result(None, did)
    assert not result("did:example:acme", did)
    assert not result(did, "did:example:acme")


@pytest.mark.interop
def test_our_presentation_verifies_there(node) -> None:  # noqa: F811
    vp = signed(presentation(credential()))
    answer = node({"action": "verifyPresentation", "presentation": vp,
                   "challenge": CHALLENGE, "domain": DOMAIN})
    assert answer == {"verified": True, "error": ""}
    wrong = node({"action": "verifyPresentation", "presentation": vp,
                  "challenge": "another", "domain": DOMAIN})
    assert wrong["verified"] is False
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"][0]["validFrom"] = "2020-01-01T00:00:00Z"
    assert node({"action": "verifyPresentation", "presentation": tampered,
                 "challenge": CHALLENGE, "domain": DOMAIN})["verified"] is False


# Official examples whose credential verifies offline alone, wrapped in a presentation.
WRAPPED = ["ob30-impl-guide-eddsa-rdfc-2022-test-vector/credential-signed.json",
           "ob30-1edtech-validator/simple.json",
           "ob30-1edtech-validator/simple-did-key-method.json",
           "clr20-1edtech-validator/simple.json",
           "ob30-1edtech-validator/simple-jwt.png"]
REFUSED = ["ob30-1edtech-validator/simple-err-proof-value.json",
           "ob30-1edtech-validator/simple-err-expired.json",
           "ob30-1edtech-validator/bit-string-list_credential-status-revoked.json"]


def _held(examples: Path, name: str) -> dict:
    held = read_example(examples / name)
    if isinstance(held, str):  # a VC-JWT (here, baked in a PNG): as VCDM 2.0 envelopes it
        held = {"@context": [V2], "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{held}"}
    return held


@pytest.mark.parametrize("name", WRAPPED + REFUSED)
def test_official_examples_in_a_presentation(examples: Path, example_loader,
                                             name: str) -> None:
    vp = signed(presentation(_held(examples, name)))
    report = verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, loader=example_loader,
                                 resolver=OFFLINE, status_source=ExampleStatusLists(examples),
                                 now=NOW)
    assert report.check("holder_proof").outcome is Outcome.SUCCESS, report.errors
    assert report.verified is (name in WRAPPED), report.errors
    if name in REFUSED:
        assert report.check("credentials").outcome is Outcome.FAILURE

