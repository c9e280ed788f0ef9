"""Builders for signed test credentials, shared by several test modules."""

from __future__ import annotations

import datetime as dt

from credentials.achievements import build_achievement
from credentials.build import EvidenceItem, IssuerProfile, Learner, build_achievement_credential
from credentials.clr import build_clr_credential
from credentials.frameworks import Crosswalk
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from keys import Ed25519Signer
from keys.did import did_key, did_key_verification_method

SEED = bytes(range(32))


def did_key_signer(seed: bytes = SEED) -> Ed25519Signer:
    """A deterministic Ed25519 signer whose verification method is its did:key."""
    signer = Ed25519Signer.from_seed(seed)
    did = did_key(signer.verification_key)
    return signer.with_id(did_key_verification_method(did), did)


def unsigned_credential(crosswalk: Crosswalk, competency: str = "de-escalation",
                        level: str = "developing", issuer_id: str | None = None,
                        base_url: str = "https://credentials.example.org") -> dict:
    signer = did_key_signer()
    achievement = build_achievement(crosswalk, competency, base_url)
    return build_achievement_credential(
        credential_id=f"{base_url}/credentials/4f1c0f6e-2d7b-4c1e-9a55-0b7f0e3c2a10",
        issuer=IssuerProfile(issuer_id or signer.controller, "Riverbend Behavioral Health",
                             url="https://riverbend.example.org"),
        achievement=achievement,
        level=level,
        learner=Learner("Jordan Rivera", "Jordan.Rivera@example.com"),
        completed_on=dt.date(2026, 11, 2),
        evidence=[EvidenceItem("Observed shift", "Talked down an agitated patient.",
                               "https://riverbend.example.org/evidence/1")],
        issued_at=dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC),
        salt="7b1c4e0a9d3f2e61",
    )


def signed_credential(crosswalk: Crosswalk, **kwargs: str) -> dict:
    return create_proof(unsigned_credential(crosswalk, **kwargs), EDDSA_RDFC_2022,
                        did_key_signer(), created="2026-11-03T15:00:00Z")


def whole_record(crosswalk: Crosswalk) -> tuple[dict, list[dict]]:
    """An unsigned CLR embedding one signed credential per competency of the model (25 for
    the DLI model), and those credentials."""
    signer = did_key_signer()
    embedded = [create_proof(unsigned_credential(crosswalk, c.id, "proficient"),
                             EDDSA_RDFC_2022, signer) for c in crosswalk.model.competencies]
    record = build_clr_credential(
        credential_id="urn:uuid:6e0c9a43-55b4-4a57-9f0d-3c1d7e3f8a11",
        issuer=IssuerProfile(signer.controller, "Riverbend"),
        learner=Learner("Jordan Rivera", "Jordan.Rivera@example.com"), credentials=embedded,
        crosswalk=crosswalk, base_url="https://credentials.example.org", salt="00")
    return record, embedded
