"""OpenID4VCI 1.0: what a wallet reads before it asks for anything. The credential issuer
metadata and the authorization server metadata (this service is both, under one identifier:
``PUBLIC_BASE_URL``), the Credential Offer object an offer's ``credential_offer_uri`` serves,
and the employer's way to make an offer for a learner.

The grants and the credential itself are in :mod:`issuer.services.oid4vci_grants`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from credentials.build import OB_CONTEXT
from credentials.clr import CLR_CONTEXT
from credentials.key_proofs import ALGORITHMS, BINDING_METHODS
from issuer.services import audit, wallet_links, wallet_offers
from issuer.services.callers import Caller
from issuer.services.errors import Forbidden, NotFound
from issuer.services.issuers import get_issuer
from issuer.store.models import Credential
from keys.encryption import KeyEncryptionKey

SERVICE_NAME = "Competency Credentials"
# VC-JWTs (jwt_vc_json) are signed ES256; Data Integrity proofs (ldp_vc) eddsa-rdfc-2022.
JWT_ALGORITHM = "ES256"
DATA_INTEGRITY_SUITE = "eddsa-rdfc-2022"
_TYPES = {
    "OpenBadgeCredential": (list(OB_CONTEXT), ["VerifiableCredential", "OpenBadgeCredential",
                                               "AchievementCredential"],
                            "Open Badge", "A competency or programme credential "
                            "(Open Badges 3.0)"),
    "ClrCredential": (list(CLR_CONTEXT), ["VerifiableCredential", "ClrCredential"],
                      "Comprehensive Learner Record", "A learner's record of credentials "
                      "(CLR 2.0)"),
}


def logo(base_url: str) -> dict[str, str]:
    return {"uri": f"{base_url}/static/favicon.svg", "alt_text": f"{SERVICE_NAME} logo"}


def _configuration(base_url: str, name: str, form: str) -> dict[str, Any]:
    context, types, title, description = _TYPES[name]
    configuration: dict[str, Any] = {
        "format": form,
        "cryptographic_binding_methods_supported": list(BINDING_METHODS),
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported":
                                          list(ALGORITHMS)}},
    }
    if form == "ldp_vc":
        configuration["credential_signing_alg_values_supported"] = [DATA_INTEGRITY_SUITE]
        configuration["credential_definition"] = {"@context": context, "type": types}
    else:
        configuration["credential_signing_alg_values_supported"] = [JWT_ALGORITHM]
        configuration["credential_definition"] = {"type": types}
    configuration["credential_metadata"] = {"display": [{
        "name": title, "locale": "en-US", "description": description,
        "logo": logo(base_url)}]}
    return configuration


def configurations(base_url: str) -> dict[str, dict[str, Any]]:
    """Every configuration an offer may name (wallet_links.CONFIGURATIONS), by id."""
    ids = sorted({i for pair in wallet_links.CONFIGURATIONS.values() for i in pair})
    return {i: _configuration(base_url, i.partition("_")[0], i.partition("_")[2])
            for i in ids}


def issuer_metadata(base_url: str) -> dict[str, Any]:
    """The Credential Issuer Metadata (OpenID4VCI 1.0 section 12.2.4). No
    ``authorization_servers``: the issuer is its own authorization server."""
    return {
        "credential_issuer": base_url,
        "credential_endpoint": f"{base_url}/oid4vci/credential",
        "nonce_endpoint": f"{base_url}/oid4vci/nonce",
        "display": [{"name": SERVICE_NAME, "locale": "en-US", "logo": logo(base_url)}],
        "credential_configurations_supported": configurations(base_url),
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """RFC 8414 metadata of the authorization server (the same identifier): the token
    endpoint and the pre-authorized code grant only, taken without client authentication."""
    return {
        "issuer": base_url,
        "token_endpoint": f"{base_url}/oid4vci/token",
        "grant_types_supported": [wallet_links.PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def offered_configurations(db: Session, offer: Any) -> tuple[str, ...]:
    """The configuration ids of the credential an offer is for, by its kind."""
    kind = db.get(Credential, offer.credential_id).kind
    return wallet_links.CONFIGURATIONS.get(kind, wallet_links.CONFIGURATIONS["achievement"])


def credential_offer(db: Session, kek: KeyEncryptionKey, base_url: str,
                     offer_id: str) -> dict[str, Any]:
    """The Credential Offer object of an open offer (by reference); NotFound or Gone
    (offer-expired, offer-used) otherwise."""
    with db.begin():
        offer = wallet_offers.offer_by_id(db, offer_id)
        return wallet_links.credential_offer(
            base_url, offered_configurations(db, offer),
            wallet_offers.pre_authorized_code(kek, offer),
            wallet_offers.TX_CODE_LENGTH if offer.tx_code_hash else None)


def employer_offer(db: Session, kek: KeyEncryptionKey, base_url: str, caller: Caller,
                   slug: str, credential_id: str, with_tx_code: bool) -> dict[str, Any]:
    """An offer of one of the issuer's credentials to the learner's wallet, made by its
    staff (assessor or admin) to hand over in person: the links and QR code to show the
    learner, and the transaction code (once, here only) to tell them apart from it."""
    caller.require(slug, ("assessor", "admin"))
    try:
        uuid.UUID(credential_id)
    except ValueError:
        raise NotFound(f"no credential {credential_id!r}") from None
    with db.begin():
        issuer = get_issuer(db, slug)
        credential = db.get(Credential, credential_id)
        if credential is None:
            raise NotFound(f"no credential {credential_id!r}")
        if credential.issuer_id != issuer.id:
            raise Forbidden(f"credential {credential_id} was not issued by {slug!r}")
        if not credential.learner_email:
            raise NotFound(f"credential {credential_id} names no learner to offer it to")
        made = wallet_offers.create_offer(db, kek, credential_id, credential.learner_email,
                                          with_tx_code=with_tx_code)
        offer = made.offer
        audit.record(db, issuer, caller, "credential.offer", f"credential:{offer.credential_id}",
                     {"offer": offer.id[:8], "txCode": with_tx_code})
        ids = offered_configurations(db, offer)
        by_reference = wallet_links.offer_by_reference(base_url, offer.id)
        length = wallet_offers.TX_CODE_LENGTH if made.tx_code else None
        answer: dict[str, Any] = {
            "offerId": offer.id,
            "credentialId": offer.credential_id,
            "expiresAt": offer.expires_at.isoformat().replace("+00:00", "Z"),
            "credentialOfferUri": wallet_links.credential_offer_uri(base_url, offer.id),
            "offerByReference": by_reference,
            "offerByValue": wallet_links.offer_by_value(base_url, ids, made.pre_authorized_code,
                                                        length),
            "qrSvg": wallet_links.qr_svg(by_reference, "Credential offer for a wallet"),
        }
        if made.tx_code:
            answer["txCode"] = made.tx_code
        return answer
