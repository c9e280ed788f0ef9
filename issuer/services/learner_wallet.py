"""The "Add to wallet" page of one of a signed-in learner's credentials: a new wallet offer
(issuer.services.wallet_offers) and every way a wallet takes it, each as a QR code and a
link. The Learner Credential Wallet scans its lcw.app request link (the VC API
``protocols`` object), or opens the older ``dccrequest://`` link; an OpenID4VCI wallet scans
the ``openid-credential-offer://`` offer by reference (small enough for a reliable QR code),
or takes it by value. An offer made here has no transaction code: the learner proved who
they are by signing in (a code is for offers shown by the employer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from credentials.build import normalise_email
from issuer.services import wallet_links, wallet_offers
from issuer.services.errors import Conflict, Forbidden, NotFound
from issuer.services.identifiers import credential_url
from issuer.services.learner_credentials import CREDENTIAL_ID, headline_of
from issuer.store.models import Credential, Issuer
from keys.encryption import KeyEncryptionKey


@dataclass(frozen=True)
class WalletLink:
    """One way to take the offer: what it is for, the link, its QR code (None: too long
    for a QR code a phone reads reliably; shown as a link only)."""

    label: str
    url: str
    qr_svg: str | None


@dataclass(frozen=True)
class WalletPage:
    credential_id: str
    share_url: str
    title: str
    issuer: str
    expires_at: datetime
    lcw: WalletLink
    dcc: WalletLink
    by_reference: WalletLink
    by_value: WalletLink

    @property
    def expires_at_text(self) -> str:
        return self.expires_at.strftime("%H:%M UTC")


def offer_page(db: Session, kek: KeyEncryptionKey, base_url: str, email: str,
               credential_id: str) -> WalletPage:
    """A new offer of the credential to ``email``'s wallet, and its links. NotFound for an
    unknown credential, Forbidden for one issued to someone else (the share page is public;
    binding a credential to a wallet is for its learner alone), Conflict when revoked."""
    with db.begin():
        credential = db.get(Credential, credential_id) \
            if CREDENTIAL_ID.match(credential_id) else None
        if credential is None:
            raise NotFound(f"no credential {credential_id!r}")
        if credential.learner_email != normalise_email(email):
            raise Forbidden(f"this credential was not issued to {email}: only the person it "
                            "was issued to can add it to their wallet")
        if credential.source_id:  # a wallet-bound copy: its root is what is offered
            credential = db.get(Credential, credential.source_id)
        if credential.status == "revoked":
            reason = f": {credential.status_reason}" if credential.status_reason else ""
            raise Conflict(f"it was revoked by its issuer{reason}. A revoked credential "
                           "cannot go to a wallet", code="/problems/credential-revoked")
        made = wallet_offers.create_offer(db, kek, credential.id, email)
        offer = made.offer
        configurations = wallet_links.CONFIGURATIONS[credential.kind]
        title, _competency, _level = headline_of(credential)
        issuer = db.get(Issuer, credential.issuer_id).name
        lcw = wallet_links.lcw_request_link(base_url, offer.id)
        by_reference = wallet_links.offer_by_reference(base_url, offer.id)
        by_value = wallet_links.offer_by_value(base_url, configurations,
                                               made.pre_authorized_code, None)
        return WalletPage(
            credential_id=credential.id, share_url=credential_url(base_url, credential.id),
            title=title, issuer=issuer, expires_at=offer.expires_at,
            lcw=WalletLink("Learner Credential Wallet", lcw, wallet_links.qr_svg(
                lcw, "QR code for the Learner Credential Wallet")),
            dcc=WalletLink("Learner Credential Wallet (older versions)",
                           wallet_links.dcc_request_link(base_url, offer), None),
            by_reference=WalletLink("OpenID4VCI wallet", by_reference, wallet_links.qr_svg(
                by_reference, "QR code for an OpenID4VCI wallet")),
            by_value=WalletLink("OpenID4VCI offer by value", by_value, None))
