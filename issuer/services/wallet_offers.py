"""Offers of a credential to the learner's wallet, and the wallet-bound copies they yield.

An offer is made for a signed-in learner (or by the employer) and taken once, within 15
minutes, by whichever protocol the wallet speaks: a VC API exchange (the DIDAuth challenge
is the offer's) or OpenID4VCI's pre-authorized code. Taking it issues a new credential of
the same completion, bound to the wallet's DID and sharing the root's status entries.
Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from credentials.build import normalise_email
from credentials.holder_binding import BindingError, bound_copy, unsigned_form
from credentials.vcdm import issuer_id_of
from issuer.services import issuance
from issuer.services.errors import Conflict, Gone, Invalid, NotFound
from issuer.services.tokens import hash_token
from issuer.store.models import Credential, Issuer, WalletOffer
from keys.encryption import KeyEncryptionKey

OFFER_LIFETIME = timedelta(minutes=15)
TX_CODE_LENGTH = 6  # digits: typed by hand, as the employer gave them


@dataclass(frozen=True)
class CreatedOffer:
    """A new offer with its secrets in clear, shown once to whoever asked for it."""

    offer: WalletOffer
    pre_authorized_code: str
    tx_code: str | None


def _root(db: Session, credential_id: str) -> Credential | None:
    """The credential, or its root when it is itself a wallet-bound copy."""
    credential = db.get(Credential, credential_id)
    if credential is not None and credential.source_id:
        return db.get(Credential, credential.source_id)
    return credential


def offerable(db: Session, credential_id: str, learner_email: str) -> Credential:
    """What an offer of ``credential_id`` would carry: the credential, or its root when it
    is a wallet-bound copy. NotFound unless it was issued to ``learner_email``; Conflict
    when revoked (a revoked credential goes to no wallet). The one place these rules live,
    for the learner's page and the employer's API alike."""
    credential = _root(db, credential_id)
    if credential is None or credential.learner_email != normalise_email(learner_email):
        raise NotFound(f"no credential {credential_id!r} issued to this learner")
    if credential.status == "revoked":
        reason = f" ({credential.status_reason})" if credential.status_reason else ""
        raise Conflict(f"credential {credential_id} was revoked by its issuer{reason}, so "
                       "it cannot go to a wallet", code="/problems/credential-revoked")
    return credential


def create_offer(db: Session, kek: KeyEncryptionKey, credential_id: str, learner_email: str,
                 *, with_tx_code: bool = False, now: datetime | None = None) -> CreatedOffer:
    """An offer of the credential to the wallet of the learner it was issued to."""
    now = now or datetime.now(UTC)
    credential = offerable(db, credential_id, learner_email)
    offer_id, code = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH)) \
        if with_tx_code else None
    offer = WalletOffer(
        id=offer_id, credential_id=credential.id, learner_email=credential.learner_email,
        challenge=secrets.token_urlsafe(24), pre_authorized_code_hash=hash_token(code),
        pre_authorized_code_encrypted=kek.encrypt(code.encode(), _aad(offer_id)),
        tx_code_hash=hash_token(tx_code) if tx_code else None,
        created_at=now, expires_at=now + OFFER_LIFETIME)
    db.add(offer)
    db.flush()
    return CreatedOffer(offer, code, tx_code)


def _aad(offer_id: str) -> bytes:
    """Ties an encrypted code to its offer: it cannot be moved to another row."""
    return f"wallet-offer:{offer_id}".encode()


def pre_authorized_code(kek: KeyEncryptionKey, offer: WalletOffer) -> str:
    return kek.decrypt(offer.pre_authorized_code_encrypted, _aad(offer.id)).decode()


def tx_code_matches(offer: WalletOffer, tx_code: str | None) -> bool:
    """Whether ``tx_code`` is the offer's (compared in constant time)."""
    if offer.tx_code_hash is None or not isinstance(tx_code, str):
        return False
    return hmac.compare_digest(offer.tx_code_hash, hash_token(tx_code))


def needs_tx_code(offer: WalletOffer) -> bool:
    """An offer made with a transaction code can be taken only where the code is asked
    for (OpenID4VCI's token request): a VC API exchange has no place for it."""
    return offer.tx_code_hash is not None


def offer_state(offer: WalletOffer, now: datetime | None = None) -> str:
    """open, used, or expired."""
    if offer.used_at is not None:
        return "used"
    return "expired" if (now or datetime.now(UTC)) >= offer.expires_at else "open"


def _locked(db: Session, *conditions: Any) -> WalletOffer | None:
    """The offer, its row locked until the transaction ends (PostgreSQL; SQLite has one
    writer): of two wallets taking one offer, the second sees it used."""
    return db.scalars(select(WalletOffer).where(*conditions).with_for_update()).first()


def offer_by_id(db: Session, offer_id: str, *, now: datetime | None = None) -> WalletOffer:
    """The open offer ``offer_id``; NotFound, or Gone when expired or used."""
    offer = _locked(db, WalletOffer.id == offer_id) \
        if isinstance(offer_id, str) and len(offer_id) <= 64 else None
    if offer is None:
        raise NotFound("no such wallet offer")
    _require_open(offer, now)
    return offer


def offer_by_pre_authorized_code(db: Session, code: str, *, now: datetime | None = None
                                 ) -> WalletOffer | None:
    """The offer a pre-authorized code belongs to (in whatever state), or None."""
    if not isinstance(code, str) or not code or len(code) > 200:
        return None
    return _locked(db, WalletOffer.pre_authorized_code_hash == hash_token(code))


def _require_open(offer: WalletOffer, now: datetime | None) -> None:
    state = offer_state(offer, now)
    if state == "used":
        raise Gone("this wallet offer was used already: an offer is good once",
                   code="/problems/offer-used")
    if state == "expired":
        raise Gone("this wallet offer expired (offers last 15 minutes)",
                   code="/problems/offer-expired")


def issue_to_holder(db: Session, kek: KeyEncryptionKey, base_url: str, offer: WalletOffer,
                    holder_id: str, *, protocol: str, jwt_algorithm: str | None = None,
                    now: datetime | None = None) -> issuance.Issued:
    """Take the offer: issue its credential anew, bound to ``holder_id`` (a DID), signed
    by the issuer's active key under the root's issuer identifier, with the root's status
    entries; the offer is then used."""
    now = now or datetime.now(UTC)
    _require_open(offer, now)
    # Taken with a conditional update, so of two wallets answering at once exactly one
    # wins on either store (SQLite takes no row lock on a read: both may have read it open).
    taken = db.execute(update(WalletOffer).where(
        WalletOffer.id == offer.id, WalletOffer.used_at.is_(None),
        WalletOffer.expires_at > now).values(used_at=now, protocol=protocol))
    if taken.rowcount != 1:
        raise Gone("this wallet offer was used already: an offer is good once",
                   code="/problems/offer-used")
    root = db.get(Credential, offer.credential_id)
    if root is None or root.status == "revoked":
        raise Conflict("the offered credential was revoked since the offer was made",
                       code="/problems/credential-revoked")
    issuer = db.get(Issuer, root.issuer_id)
    claims = unsigned_form(root.document)

    def build(new: issuance.NewCredential, _entries: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            return bound_copy(claims, new.url, holder_id)
        except BindingError as error:
            raise Invalid(str(error), code="/problems/validation",
                          errors=[{"pointer": "/holder", "detail": str(error)}]) from None

    issued = issuance.issue(db, issuer, kek, base_url, build, issuance.Issuance(
        issuance.Audit(None, "credential.bind", {"source": root.id, "holder": holder_id,
                                                 "protocol": protocol}),
        issuer_id=issuer_id_of(claims), jwt_algorithm=jwt_algorithm, purposes=(),
        kind=root.kind, learner_email=root.learner_email, notify=False,
        source_id=root.id, holder_id=holder_id))
    bound = db.get(Credential, issued.credential.id)
    bound.status, bound.status_reason = root.status, root.status_reason
    offer.bound_credential_id = issued.credential.id
    return issued
