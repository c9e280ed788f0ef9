"""The "Add to wallet" page of one of a signed-in learner's credentials. Opening it (a GET:
the claim link lands there, and any site can navigate a browser to it) only reads: it names
the credential and offers a button; pressing the button (a POST with the form's CSRF token)
makes a new wallet offer (issuer.services.wallet_offers) and shows every way a wallet takes
it. The QR code for VC API wallets such as the Learner Credential Wallet is the interaction
URL (``/interactions/<offer>?iuv=1``: a wallet reads its ``protocols``; a phone's camera app
opens a page that says what to do), with LCW's lcw.app and ``dccrequest://`` links beside it;
an OpenID4VCI wallet scans the ``openid-credential-offer://`` offer by reference (small
enough for a reliable QR code), or takes it by value. An offer made here has no transaction
code: the learner proved who they are by signing in (a code is for offers shown by the
employer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from credentials.build import normalise_email
from issuer.services import wallet_links, wallet_offers
from issuer.services.errors import Forbidden, NotFound
from issuer.services.identifiers import credential_url
from issuer.services.learner_credentials import CREDENTIAL_ID, headline_of
from issuer.store.models import Credential, Issuer
from keys.encryption import KeyEncryptionKey


@dataclass(frozen=True)
class WalletLink:
    """One way to take the offer: what it is for, the link, and its QR code when the page
    shows one for it (None: shown as a link only)."""

    label: str
    url: str
    qr_svg: str | None


@dataclass(frozen=True)
class WalletTarget:
    """The credential the page offers, named before any offer exists."""

    credential_id: str
    share_url: str
    title: str
    issuer: str


@dataclass(frozen=True)
class WalletPage:
    target: WalletTarget
    expires_at: datetime
    interaction: WalletLink
    lcw: WalletLink
    dcc: WalletLink
    by_reference: WalletLink
    by_value: WalletLink


def _offerable(db: Session, base_url: str, email: str, credential_id: str
               ) -> tuple[Credential, WalletTarget]:
    credential = db.get(Credential, credential_id) \
        if CREDENTIAL_ID.match(credential_id) else None
    if credential is None:
        raise NotFound(f"no credential {credential_id!r}")
    if credential.learner_email != normalise_email(email):
        raise Forbidden(f"this credential was not issued to {email}: only the person it "
                        "was issued to can add it to their wallet")
    root = wallet_offers.offerable(db, credential_id, email)
    title, _competency, _level = headline_of(root)
    return root, WalletTarget(credential_id=root.id,
                              share_url=credential_url(base_url, root.id), title=title,
                              issuer=db.get(Issuer, root.issuer_id).name)


def target(db: Session, base_url: str, email: str, credential_id: str) -> WalletTarget:
    """The credential ``email`` may add to a wallet (read only). NotFound for an unknown
    credential, Forbidden for one issued to someone else (the share page is public; binding
    a credential to a wallet is for its learner alone), Conflict when revoked."""
    with db.begin():
        return _offerable(db, base_url, email, credential_id)[1]


def offer_page(db: Session, kek: KeyEncryptionKey, base_url: str, email: str,
               credential_id: str) -> WalletPage:
    """A new offer of the credential to ``email``'s wallet, and its links (the refusals of
    ``target``)."""
    with db.begin():
        root, named = _offerable(db, base_url, email, credential_id)
        made = wallet_offers.create_offer(db, kek, root.id, email)
        offer = made.offer
        interaction = wallet_links.interaction_url(base_url, offer.id)
        by_reference = wallet_links.offer_by_reference(base_url, offer.id)
        by_value = wallet_links.offer_by_value(
            base_url, wallet_links.CONFIGURATIONS[root.kind], made.pre_authorized_code, None)
        return WalletPage(
            target=named, expires_at=offer.expires_at,
            interaction=WalletLink("VC API wallets (Learner Credential Wallet)", interaction,
                                   wallet_links.qr_svg(
                                       interaction,
                                       "QR code for the Learner Credential Wallet")),
            lcw=WalletLink("Learner Credential Wallet (web link)",
                           wallet_links.lcw_request_link(base_url, offer.id), None),
            dcc=WalletLink("Learner Credential Wallet (app link)",
                           wallet_links.dcc_request_link(base_url, offer.id), None),
            by_reference=WalletLink("OpenID4VCI wallet", by_reference, wallet_links.qr_svg(
                by_reference, "QR code for an OpenID4VCI wallet")),
            by_value=WalletLink("OpenID4VCI offer by value", by_value, None))
