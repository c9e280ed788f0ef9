"""VC API exchanges for wallet offers (workflow ``claim``), as the Learner Credential Wallet
runs them: the interaction URL answers the ``protocols`` object; an empty POST to the
exchange asks for DID Authentication (the offer's challenge, this service's domain); a POST
of the wallet's signed presentation takes the offer, and the credential comes back bound to
the DID that signed, in an unsigned presentation (VC API "Participate in an exchange").

The exchange is the offer: it lives as long (15 minutes) and is taken once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from credentials.proofs import ED25519_SIGNATURE_2020, EDDSA_RDFC_2022
from credentials.verify.presentation_auth import AuthenticationError, verify_authentication
from credentials.verify.resolvers import ChainResolver, DidKeyResolver, DidWebResolver
from issuer.services import wallet_links
from issuer.services.context import ServiceContext
from issuer.services.errors import Forbidden, Unauthenticated
from issuer.services.identifiers import credential_url
from issuer.services.learner_credentials import headline_of
from issuer.services.wallet_offers import (
    issue_to_holder,
    needs_tx_code,
    offer_by_id,
    offer_state,
)
from issuer.store.models import Credential, Issuer, WalletOffer

PROTOCOL = "vcapi"
DID_METHODS = ("key", "web")
# What LCW signs with (Ed25519Signature2020) and the Data Integrity suite of today.
CRYPTOSUITES = (EDDSA_RDFC_2022.label, ED25519_SIGNATURE_2020.label)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
AUTHENTICATION_FAILED = "/problems/did-authentication-failed"
NEEDS_TX_CODE = "/problems/offer-needs-transaction-code"


def domain(base_url: str) -> str:
    """The domain a wallet's proof must name: the host (and port) of the public base URL,
    the address the wallet reached us at. A proof made for another site names that site, so
    it cannot be replayed here."""
    return urlsplit(base_url).netloc


@dataclass(frozen=True)
class OfferView:
    """What the interaction URL's browser page says about an offer (someone who scanned
    its QR code with a camera): its state, and the credential it offers."""

    state: str | None  # open, used or expired; None for no such offer
    title: str | None = None
    issuer: str | None = None
    share_url: str | None = None
    needs_tx_code: bool = False


def offer_view(db: Session, base_url: str, offer_id: str, now: datetime | None = None
               ) -> OfferView:
    with db.begin():
        offer = db.get(WalletOffer, offer_id) if len(offer_id) <= 64 else None
        if offer is None:
            return OfferView(None)
        credential = db.get(Credential, offer.credential_id)
        title, _competency, _level = headline_of(credential)
        return OfferView(offer_state(offer, now), title,
                         db.get(Issuer, credential.issuer_id).name,
                         credential_url(base_url, credential.id), needs_tx_code(offer))


def _exchangeable(db: Session, offer_id: str, now: datetime | None) -> WalletOffer:
    """The open offer, if a VC API exchange may take it (not one that needs a code)."""
    offer = offer_by_id(db, offer_id, now=now)  # NotFound, or Gone when over
    if needs_tx_code(offer):
        raise Forbidden("this offer needs its transaction code, which only an OpenID4VCI "
                        "wallet can give: scan the OpenID4VCI offer instead",
                        code=NEEDS_TX_CODE)
    return offer


def interaction(db: Session, base_url: str, offer_id: str, now: datetime | None = None
                ) -> dict[str, Any]:
    """The interaction URL's answer: the ways to take an open offer (OpenID4VCI only for
    an offer with a transaction code)."""
    with db.begin():
        offer = offer_by_id(db, offer_id, now=now)  # NotFound, or Gone when over
        ways = wallet_links.protocols(base_url, offer.id)
        if needs_tx_code(offer):
            del ways["vcapi"]
        return {"protocols": ways}


def presentation_request(db: Session, base_url: str, offer_id: str,
                         now: datetime | None = None) -> dict[str, Any]:
    """The answer to an empty POST: a Verifiable Presentation Request for DID
    Authentication, to be answered at the same exchange URL."""
    with db.begin():
        challenge = _exchangeable(db, offer_id, now).challenge
    return {"verifiablePresentationRequest": {
        "query": {"type": "DIDAuthentication",
                  "acceptedMethods": [{"method": method} for method in DID_METHODS],
                  "acceptedCryptosuites": [{"cryptosuite": c} for c in CRYPTOSUITES]},
        "challenge": challenge,
        "domain": domain(base_url),
        "interact": {"service": [{
            "type": "UnmediatedPresentationService2021",
            "serviceEndpoint": wallet_links.exchange_url(base_url, offer_id)}]}}}


def take_offer(db: Session, context: ServiceContext, offer_id: str, presentation: Any,
               now: datetime | None = None) -> dict[str, Any]:
    """Verify the wallet's DID Authentication and issue the offered credential to the DID
    that signed it; the answer is a presentation holding that credential.

    The presentation is checked outside any transaction (a did:web holder's document is
    fetched); the offer is then read again, locked, so of two wallets answering one offer
    the second finds it used (410)."""
    now = now or datetime.now(UTC)
    with db.begin():
        challenge = _exchangeable(db, offer_id, now).challenge
    resolver = ChainResolver([DidKeyResolver(), DidWebResolver(context.fetcher)])
    try:
        holder = verify_authentication(presentation, challenge=challenge,
                                       domain=domain(context.base_url), resolver=resolver,
                                       now=now, did_methods=DID_METHODS).holder
    except AuthenticationError as error:
        raise Unauthenticated(f"the presentation does not authenticate a DID: {error}",
                              code=AUTHENTICATION_FAILED, reason=error.problem.value
                              ) from None
    with db.begin():
        offer = _exchangeable(db, offer_id, now)
        issued = issue_to_holder(db, context.kek, context.base_url, offer, holder,
                                 protocol=PROTOCOL, now=now)
    return {"verifiablePresentation": {"@context": [VC_V2],
                                       "type": ["VerifiablePresentation"],
                                       "verifiableCredential": [issued.signed]}}
