"""Sign a credential as one of our issuers, under the identifier it names as issuer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import sign_jwt
from credentials.vcdm import issuer_id_of
from issuer.services.errors import Forbidden, Unavailable
from issuer.services.identifiers import IssuerIdentifiers, verification_method
from issuer.services.keyring import JWS_ALGORITHMS, active_key, signer_for
from issuer.store.models import Issuer, SigningKey
from keys.did import did_key, did_key_verification_method
from keys.ed25519 import Ed25519VerificationKey
from keys.encryption import KeyEncryptionKey


def method_for(issuer_id: str, ids: IssuerIdentifiers, key: SigningKey) -> tuple[str, str]:
    """(verification method, controller) matching the identifier a credential's issuer uses;
    Forbidden when it is not one of this issuer's identifiers."""
    key_did = did_key(Ed25519VerificationKey.from_multikey(key.public_multikey)) \
        if key.public_multikey else None
    if issuer_id in (ids.profile, ids.did_web):
        return verification_method(issuer_id, key.kid), issuer_id
    if key_did and issuer_id == key_did:
        return did_key_verification_method(key_did), key_did
    raise Forbidden(f"issuer {issuer_id!r} is not one of this token's issuer identifiers "
                    f"({ids.profile}, {ids.did_web}, or the did:key of its Ed25519 key)",
                    errors=[{"pointer": "/credential/issuer", "detail": "not this issuer"}])


def signing_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey, base_url: str,
                issuer_id: str, jwt_algorithm: str | None = None
                ) -> tuple[SigningKey, str, str]:
    """The issuer's active key for a Data Integrity proof (``jwt_algorithm`` None) or a
    VC-JWT, with the (verification method, controller) to sign under; Forbidden unless
    ``issuer_id`` is one of this issuer's identifiers. Resolved once per credential.

    A VC-JWT's ``kid`` is the key's did:web method URL, which resolves through did.json,
    whichever of the issuer's identifiers the credential names.
    """
    ids = IssuerIdentifiers.for_slug(base_url, issuer.slug)
    if jwt_algorithm is None:
        key = active_key(db, issuer, kek)
        return (key, *method_for(issuer_id, ids, key))
    key = active_key(db, issuer, kek, JWS_ALGORITHMS[jwt_algorithm])
    if issuer_id not in (ids.profile, ids.did_web):
        method_for(issuer_id, ids, key)  # did:key issuers: Ed25519 only, else Forbidden
    return key, verification_method(ids.did_web, key.kid), ids.did_web


def sign_with(issuer: Issuer, key: SigningKey, kek: KeyEncryptionKey, method: str,
              controller: str, credential: Mapping[str, Any], jwt_algorithm: str | None = None
              ) -> dict[str, Any] | str:
    """The credential with an eddsa-rdfc-2022 proof, or as a compact VC-JWT, by ``key``."""
    signer = signer_for(issuer, key, kek, method, controller)
    if jwt_algorithm is None:
        return create_proof(credential, EDDSA_RDFC_2022, signer)
    return sign_jwt(credential, signer)


def sign_as(db: Session, issuer: Issuer, kek: KeyEncryptionKey, base_url: str,
            credential: Mapping[str, Any]) -> tuple[dict[str, Any], SigningKey]:
    """The credential with an eddsa-rdfc-2022 proof, for what is not a credential issued to
    anyone (status lists): under a did:key, by the key that did:key is, while it is not
    revoked (a rotation retires it, yet its credentials' lists must still be re-signed, and
    no other key can speak for that identifier); otherwise by the issuer's active key."""
    issuer_id = issuer_id_of(credential) or ""
    if issuer_id.startswith("did:key:"):
        key = db.scalars(select(SigningKey).where(
            SigningKey.issuer_id == issuer.id, SigningKey.status != "revoked",
            SigningKey.public_multikey == issuer_id.removeprefix("did:key:"))).first()
        if key is None:
            raise Unavailable(f"{issuer_id} is a key of issuer {issuer.slug!r} that was "
                              "revoked, so what it issued can have no status published")
        method, controller = did_key_verification_method(issuer_id), issuer_id
    else:
        key, method, controller = signing_key(db, issuer, kek, base_url, issuer_id)
    signer = signer_for(issuer, key, kek, method, controller)
    return create_proof(credential, EDDSA_RDFC_2022, signer), key


def stored_form(signed: dict[str, Any] | str) -> str:
    """What the credentials table keeps: the JSON text, or the compact JWS as it is."""
    return signed if isinstance(signed, str) else json.dumps(signed, ensure_ascii=False)

