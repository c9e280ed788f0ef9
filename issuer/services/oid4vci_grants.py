"""OpenID4VCI 1.0: the pre-authorized code grant, c_nonces and the credential endpoint.

The pre-authorized code buys one access token (the token endpoint spends it); the access
token (random, only its SHA-256 kept, five minutes at most) buys one credential of its
offer; a c_nonce (the same) goes into one key proof. A wrong transaction code counts against
the offer, and the third ends it. Refusals are :class:`Oid4vciError`, named as RFC 6749,
RFC 6750 and OpenID4VCI name them, for the web layer to send as the specification says.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials.key_proofs import KeyProofError, verify_key_proof
from issuer.services import wallet_links, wallet_offers
from issuer.services.errors import DomainError
from issuer.services.oid4vci import JWT_ALGORITHM, configurations, offered_configurations
from issuer.services.tokens import hash_token
from issuer.store.models import (
    Oid4vciAccessToken,
    Oid4vciNonce,
    Oid4vciTxCodeFailure,
    WalletOffer,
)
from keys.encryption import KeyEncryptionKey

ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME = timedelta(minutes=5)
TX_CODE_ATTEMPTS = 3


class Oid4vciError(Exception):
    """A refusal by its protocol name (``invalid_grant``, ``invalid_proof``...) and a
    description for the wallet's developer (ASCII, as the specifications require)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description.encode("ascii", "replace").decode().replace('"', "'")


def new_nonce(db: Session, now: datetime | None = None) -> str:
    """A fresh c_nonce, good for one key proof within NONCE_LIFETIME. Nonces that ended
    more than a lifetime ago are cleared on the way."""
    now = now or datetime.now(UTC)
    nonce = secrets.token_urlsafe(32)
    with db.begin():
        db.execute(delete(Oid4vciNonce).where(Oid4vciNonce.expires_at < now - NONCE_LIFETIME))
        db.add(Oid4vciNonce(nonce_hash=hash_token(nonce), expires_at=now + NONCE_LIFETIME))
    return nonce


def exchange_pre_authorized_code(db: Session, form: Mapping[str, str],
                                 now: datetime | None = None) -> dict[str, Any]:
    """The token endpoint: an access token for a pre-authorized code (and its transaction
    code when the offer has one), or :class:`Oid4vciError`."""
    now = now or datetime.now(UTC)
    if form.get("grant_type") != wallet_links.PRE_AUTHORIZED_GRANT:
        raise Oid4vciError("unsupported_grant_type", "only the grant type "
                           f"{wallet_links.PRE_AUTHORIZED_GRANT} is supported")
    code, tx_code = form.get("pre-authorized_code"), form.get("tx_code")
    if not code:
        raise Oid4vciError("invalid_request", "pre-authorized_code is missing")
    refusal: Oid4vciError | None = None
    token = secrets.token_urlsafe(32)
    with db.begin():
        offer = wallet_offers.offer_by_pre_authorized_code(db, code, now=now)
        if offer is None:
            raise Oid4vciError("invalid_grant", "this pre-authorized code is not one of ours")
        spent = db.scalar(select(Oid4vciAccessToken.id).where(
            Oid4vciAccessToken.offer_id == offer.id))
        state = wallet_offers.offer_state(offer, now)
        if spent is not None or state == "used":
            raise Oid4vciError("invalid_grant", "this pre-authorized code was used already")
        if state == "expired":
            raise Oid4vciError("invalid_grant", "this pre-authorized code has expired (or "
                               "its offer was ended by wrong transaction codes)")
        if offer.tx_code_hash is None and tx_code is not None:
            raise Oid4vciError("invalid_request", "this offer has no transaction code")
        if offer.tx_code_hash is not None and not tx_code:
            raise Oid4vciError("invalid_request", "this offer needs its transaction code "
                               "(tx_code)")
        if offer.tx_code_hash is not None and not wallet_offers.tx_code_matches(offer, tx_code):
            db.add(Oid4vciTxCodeFailure(offer_id=offer.id, failed_at=now))
            db.flush()
            failures = db.scalar(select(func.count()).select_from(Oid4vciTxCodeFailure)
                                 .where(Oid4vciTxCodeFailure.offer_id == offer.id))
            left = TX_CODE_ATTEMPTS - failures
            if left <= 0:
                offer.expires_at = min(offer.expires_at, now)  # the offer is dead
            refusal = Oid4vciError("invalid_grant", "wrong transaction code; " + (
                f"{left} more {'try' if left == 1 else 'tries'}" if left > 0
                else "the offer is ended: ask for a new one"))
        else:
            db.add(Oid4vciAccessToken(
                token_hash=hash_token(token), offer_id=offer.id, created_at=now,
                expires_at=min(now + ACCESS_TOKEN_LIFETIME, offer.expires_at)))
            try:
                db.flush()
            except IntegrityError:  # another request spent the code at the same moment
                raise Oid4vciError("invalid_grant", "this pre-authorized code was used "
                                   "already") from None
    if refusal is not None:  # after the commit: the wrong try is counted
        raise refusal
    return {"access_token": token, "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds())}


def _live_token(db: Session, token: str | None, now: datetime) -> Oid4vciAccessToken:
    if not token:
        raise Oid4vciError("invalid_token", "send the access token: Authorization: Bearer "
                           "<access_token>")
    row = db.scalars(select(Oid4vciAccessToken).where(
        Oid4vciAccessToken.token_hash == hash_token(token))).first()
    if row is None:
        raise Oid4vciError("invalid_token", "this access token is not one of ours")
    if row.used_at is not None:
        raise Oid4vciError("invalid_token", "this access token was used already: it is "
                           "good for one credential")
    if row.expires_at <= now:
        raise Oid4vciError("invalid_token", "this access token has expired")
    return row


def _requested(body: Any, offered: tuple[str, ...]) -> tuple[str, str]:
    """(configuration id, the one jwt key proof) of a Credential Request."""
    if not isinstance(body, Mapping):
        raise Oid4vciError("invalid_credential_request", "the request is a JSON object")
    if "credential_identifier" in body:
        raise Oid4vciError("unknown_credential_identifier", "no credential_identifiers were "
                           "given with this access token; send credential_configuration_id")
    configuration = body.get("credential_configuration_id")
    if not isinstance(configuration, str):
        raise Oid4vciError("invalid_credential_request",
                           "credential_configuration_id is missing")
    if configuration not in configurations(""):
        raise Oid4vciError("unknown_credential_configuration",
                           f"no credential configuration {configuration[:80]!r}")
    if configuration not in offered:
        raise Oid4vciError("unknown_credential_configuration",
                           f"this access token's offer is for {' or '.join(offered)}")
    proofs = body.get("proofs")
    if not isinstance(proofs, Mapping) or not proofs:
        hint = " (OpenID4VCI 1.0 names it proofs, not proof)" if "proof" in body else ""
        raise Oid4vciError("invalid_proof", f"proofs is missing{hint}")
    if set(proofs) != {"jwt"}:
        raise Oid4vciError("invalid_proof", "proofs must hold the one proof type jwt")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise Oid4vciError("invalid_proof", "proofs.jwt must be a list of one key proof "
                           "(one credential per request)")
    return configuration, jwts[0]


def issue_credential(db: Session, kek: KeyEncryptionKey, base_url: str, token: str | None,
                     body: Any, now: datetime | None = None) -> dict[str, Any]:
    """The credential endpoint: the offered credential, bound to the key the proof shows,
    in the format the configuration names; the token and the nonce are spent with it."""
    now = now or datetime.now(UTC)
    with db.begin():
        row = _live_token(db, token, now)
        offer_id = row.offer_id
        offered = offered_configurations(db, db.get(WalletOffer, offer_id))
    configuration, jwt = _requested(body, offered)
    try:
        proof = verify_key_proof(jwt, audience=base_url, now=int(now.timestamp()))
    except KeyProofError as error:
        raise Oid4vciError("invalid_proof", str(error)) from None
    with db.begin():
        nonce_spent = db.execute(update(Oid4vciNonce).where(
            Oid4vciNonce.nonce_hash == hash_token(proof.nonce), Oid4vciNonce.used_at.is_(None),
            Oid4vciNonce.expires_at > now).values(used_at=now)).rowcount
        if nonce_spent != 1:
            raise Oid4vciError("invalid_nonce", "the proof's nonce is not a live c_nonce of "
                               "ours (unknown, expired or used): take a new one")
        token_spent = db.execute(update(Oid4vciAccessToken).where(
            Oid4vciAccessToken.id == row.id, Oid4vciAccessToken.used_at.is_(None),
            Oid4vciAccessToken.expires_at > now).values(used_at=now)).rowcount
        if token_spent != 1:
            raise Oid4vciError("invalid_token", "this access token was used already: it is "
                               "good for one credential")
        try:
            offer = wallet_offers.offer_by_id(db, offer_id, now=now)
            issued = wallet_offers.issue_to_holder(
                db, kek, base_url, offer, proof.holder, protocol="oid4vci",
                jwt_algorithm=JWT_ALGORITHM if configuration.endswith("_jwt_vc_json")
                else None, now=now)
        except DomainError as error:
            if error.kind == "unavailable":  # this host cannot sign: a 503, try another
                raise
            raise Oid4vciError("credential_request_denied", error.detail) from None
    return {"credentials": [{"credential": issued.signed}]}
