"""Learners sign in by emailed link, as staff do (issuer.services.sign_in), but a learner is
no account: only the (normalised) email address their credentials were issued to. A link is
256 random bits in the query of a /me URL; the store keeps its SHA-256, the address, the
page it lands on, when it expires and when it was used. It works once.

Two kinds of link: the one a learner asks for on the sign-in page (15 minutes), and the
claim link every issue email carries (7 days: it waits in an inbox), which lands on that
credential's "Add to wallet" page. A claim link is one row written in the issuance's own
transaction, nothing more, so issuing stays as fast as it was.

The session a claim link opens is an ordinary learner session (every credential of the
address, for at most learner_sessions.LIFETIME, ending after IDLE unused): no longer than a
fresh sign-in's, and not narrowed to the one credential. That is why the issue email tells
the learner not to forward it (issue emails are the kind people forward)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from credentials.build import normalise_email
from issuer.services import learner_sessions
from issuer.services.errors import Unauthenticated
from issuer.services.field_text import bad_character
from issuer.services.outbox import Mail, queue_mail
from issuer.services.tokens import hash_token
from issuer.store.models import Credential, LearnerSignInLink

LINK_LIFETIME = timedelta(minutes=15)
CLAIM_LIFETIME = timedelta(days=7)  # an issue email is read days later, and once
SWEPT_AFTER = timedelta(days=1)  # an expired link is kept this long (it says "expired")
# The secret travels in the query (and then in a form's body), never in a path: request
# logs record paths.
LINK_PATH = "/me/sign-in/link?link="
HOME = "/me"
# Where a link may land: the learner's own pages only (never another site). Matched whole
# (fullmatch): "$" would also pass "/me\n", which no redirect can carry.
LANDING = re.compile(r"/me(?:/credentials/[0-9a-f-]{36}/wallet"
                     r"|/authorize/[A-Za-z0-9_-]{43})?")  # (an OB API authorization)


def landing_or_home(path: str | None) -> str:
    """``path`` when it is one of the learner's pages a link may land on, else /me."""
    return path if isinstance(path, str) and LANDING.fullmatch(path) else HOME


def wallet_page(credential_id: str) -> str:
    return f"/me/credentials/{credential_id}/wallet"


def _add_link(db: Session, email: str, landing: str, lifetime: timedelta, now: datetime
              ) -> str:
    link = secrets.token_urlsafe(32)
    db.add(LearnerSignInLink(email=email, link_hash=hash_token(link), landing=landing,
                             created_at=now, expires_at=now + lifetime))
    return link


def claim_url(db: Session, base_url: str, email: str, credential_id: str) -> str:
    """A new claim link for the credential's issue email (inside the issuance's
    transaction): signs ``email`` in once, within 7 days, onto the credential's wallet
    page."""
    now = datetime.now(UTC)
    link = _add_link(db, normalise_email(email), wallet_page(credential_id), CLAIM_LIFETIME,
                     now)
    return base_url + LINK_PATH + link


def request_link(db: Session, email: str, base_url: str, landing: str | None = None,
                 application: str | None = None) -> bool:
    """Email a sign-in link to ``email`` if any credential was issued to it. The caller
    answers the same either way (no one learns whose address holds credentials); the result
    is for logs and tests. ``application``: the OB API client (name and redirect host) whose
    consent page the link lands on, named in the mail so the learner knows what it is for."""
    address = normalise_email(email)
    if bad_character(address):  # no one's address; and not a query PostgreSQL can run
        return False
    with db.begin():
        if not db.scalar(select(exists().where(Credential.learner_email == address))):
            return False
        link = _add_link(db, address, landing_or_home(landing), LINK_LIFETIME,
                         datetime.now(UTC))
        text = ("Someone (we hope you) asked to see the credentials issued to this address "
                f"on Competency Credentials.\n\nSign in: {base_url}{LINK_PATH}{link}\n\n"
                "The link works once, within 15 minutes. If you did not ask for it, ignore "
                "this message: nothing happens without the link.\n")
        subject = "Sign in to see your credentials"
        if application:
            subject = "Sign in to decide whether an application may use your credentials"
            text = (f"The application {application} asks to use the credentials issued to "
                    "this address. After signing in you decide whether to allow it. If you "
                    "did not just start this from that application yourself, do not sign in."
                    "\n\n" + text)
        queue_mail(db, Mail("learner-sign-in-link", address, subject, text))
        return True


def _usable(db: Session, link: str, now: datetime) -> LearnerSignInLink:
    found = db.scalars(select(LearnerSignInLink).where(
        LearnerSignInLink.link_hash == hash_token(link))).first()
    if found is None:
        raise Unauthenticated("this sign-in link is not one of ours")
    if found.used_at is not None:
        raise Unauthenticated("this sign-in link has been used already; each link works "
                              "once")
    if found.expires_at <= now:
        raise Unauthenticated("this sign-in link has expired")
    return found


def describe(db: Session, link: str) -> str:
    """The email address a usable link signs in, for the page that asks to confirm;
    Unauthenticated saying why not. Reading does not use the link up (mail scanners open
    links; only the confirmation does)."""
    with db.begin():
        return _usable(db, link, datetime.now(UTC)).email


def redeem(db: Session, link: str) -> tuple[str, str]:
    """Use the link: a new learner session's id and the page to land on. The link is marked
    used in the same transaction, so a second use, even at the same moment on another host,
    is refused."""
    now = datetime.now(UTC)
    with db.begin():
        found = _usable(db, link, now)
        claimed = db.execute(update(LearnerSignInLink).where(
            LearnerSignInLink.id == found.id, LearnerSignInLink.used_at.is_(None))
            .values(used_at=now)).rowcount
        if claimed != 1:
            raise Unauthenticated("this sign-in link has been used already; each link works "
                                  "once")
        # Every issue email leaves a claim link: links a day past their expiry go, so the
        # table holds about a week of issuing (a sign-in is rare, and when links are used).
        db.execute(delete(LearnerSignInLink).where(
            LearnerSignInLink.expires_at <= now - SWEPT_AFTER))
        # Checked again on the way out: a row stored before the check was whole still
        # redirects only to the learner's own pages.
        return (learner_sessions.open_session(db, found.email, now),
                landing_or_home(found.landing))
