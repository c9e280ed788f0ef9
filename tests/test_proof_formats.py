"""Proof chains, issuer identity and endorsements, in the library."""

from __future__ import annotations

import copy

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify import verify_credential
from credentials.verify.resolvers import (
    ChainResolver,
    DidKeyResolver,
    DidWebResolver,
    MultikeyFragmentResolver,
)
from keys import Ed25519Signer
from keys.did import did_web_document
from tests.factories import did_key_signer, unsigned_credential
from tests.resolvers_support import FakeFetcher

FIRST = "urn:uuid:aaaaaaaa-1111-4111-8111-111111111111"
SECOND = "urn:uuid:bbbbbbbb-2222-4222-8222-222222222222"


def test_proof_chain_verifies_only_with_its_previous_proof(crosswalk) -> None:
    signer = did_key_signer()
    one = create_proof(unsigned_credential(crosswalk), EDDSA_RDFC_2022, signer, proof_id=FIRST)
    chained = create_proof(one, EDDSA_RDFC_2022, signer, proof_id=SECOND, previous_proof=FIRST)
    assert [p["id"] for p in chained["proof"]] == [FIRST, SECOND]
    assert chained["proof"][1]["previousProof"] == FIRST
    assert verify_credential(chained).verified
    alone = {**chained, "proof": [chained["proof"][1]]}
    report = verify_credential(alone)
    assert not report.verified
    assert "previousProof names" in report.check("proof").message
    broken = copy.deepcopy(chained)
    broken["proof"][0]["proofValue"] = chained["proof"][1]["proofValue"]
    message = verify_credential(broken).check("proof").message
    assert message.startswith("proof 1 of 2: the signature does not match")
    assert "proof 2 of 2: the signature does not match" in message  # it signed proof 1 too


def test_issuer_identity(crosswalk) -> None:
    signer = did_key_signer()
    own = create_proof(unsigned_credential(crosswalk), EDDSA_RDFC_2022, signer)
    assert verify_credential(own).check("issuer").outcome.value == "success"
    other = create_proof(unsigned_credential(crosswalk, issuer_id="https://other.example/i"),
                         EDDSA_RDFC_2022, signer)
    check = verify_credential(other).check("issuer")
    assert check.outcome.value == "warning" and "nothing ties the key" in check.message
    assert check.detail["bound"] is False


def did_web_setup(also_known_as: list[str], others: dict | None = None):
    did = "did:web:issuer.example"
    signer = Ed25519Signer.from_seed(bytes(range(32))).with_id(f"{did}#k1", did)
    document = did_web_document(did, [signer.verification_key])
    document["alsoKnownAs"] = also_known_as
    resolver = ChainResolver([DidKeyResolver(), DidWebResolver(FakeFetcher({
        "https://issuer.example/.well-known/did.json": document, **(others or {})})),
        MultikeyFragmentResolver()])
    return signer, resolver


def test_a_did_web_key_of_someone_else_is_refused(crosswalk) -> None:
    signer, resolver = did_web_setup([])
    forged = create_proof(unsigned_credential(crosswalk, issuer_id="https://victim.example/i"),
                          EDDSA_RDFC_2022, signer)
    report = verify_credential(forged, resolver=resolver)
    assert not report.verified
    assert report.check("issuer").message.startswith("signed by a key of did:web:issuer.example")


def test_also_known_as_binds_a_profile_url_that_names_its_did_back(crosswalk) -> None:
    profile = "https://issuer.example/profile"
    signer, resolver = did_web_setup([profile], {profile: {
        "id": profile, "type": "Profile", "otherIdentifier": [{
            "type": "IdentifierEntry", "identifier": "did:web:issuer.example",
            "identifierType": "identifier"}]}})
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=profile),
                              EDDSA_RDFC_2022, signer)
    report = verify_credential(credential, resolver=resolver)
    assert report.verified and report.check("issuer").outcome.value == "success"


def test_also_known_as_alone_binds_nothing(crosswalk) -> None:
    profile = "https://issuer.example/profile"
    signer, resolver = did_web_setup([profile])  # the profile cannot be read: one-way only
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=profile),
                              EDDSA_RDFC_2022, signer)
    report = verify_credential(credential, resolver=resolver)
    assert not report.verified and not report.issuer_bound
    assert report.check("issuer").message == (
        f"signed by a key of did:web:issuer.example, not of the credential's issuer {profile}")


def test_embedded_endorsements_are_verified(crosswalk) -> None:
    signer = did_key_signer()
    endorsement = create_proof({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:cccccccc-3333-4333-8333-333333333333",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed by the state board",
        "issuer": {"id": signer.controller, "type": ["Profile"], "name": "State board"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://credentials.example.org/achievements/x",
                              "type": ["EndorsementSubject"],
                              "endorsementComment": "A sound competency."}},
        EDDSA_RDFC_2022, signer)
    unsigned = unsigned_credential(crosswalk)
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    credential = create_proof(unsigned, EDDSA_RDFC_2022, signer)
    report = verify_credential(credential)
    assert report.verified, report.errors
    assert report.check("endorsements").message == "all 1 endorsements verify"
    endorsement_bad = copy.deepcopy(endorsement)
    endorsement_bad["credentialSubject"]["endorsementComment"] = "Forged praise."
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [endorsement_bad]
    report = verify_credential(create_proof(unsigned, EDDSA_RDFC_2022, signer))
    assert not report.verified
    assert "urn:uuid:cccccccc-3333-4333-8333-333333333333" in report.check("endorsements").message
