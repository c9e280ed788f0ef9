"""Sign-in by emailed link: no passwords to store. A link is 256 random bits in a desk URL;
the store keeps its SHA-256, when it expires and when it was used. It works once, for its
staff member, while they are still on the staff."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.build import normalise_email
from issuer.services import desk_sessions
from issuer.services.audit import record
from issuer.services.errors import Unauthenticated
from issuer.services.field_text import bad_character
from issuer.services.outbox import Mail, queue_mail
from issuer.services.tokens import hash_token
from issuer.store.models import Issuer, SignInLink, StaffMember

LINK_LIFETIME = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=3)  # an invitation waits in an inbox longer
# The secret travels in the query (and then in a form's body), never in a path: request
# logs record paths.
LINK_PATH = "/desk/sign-in/link?link="


def _minutes(lifetime: timedelta) -> str:
    minutes = int(lifetime.total_seconds() // 60)
    return f"{minutes // 1440} days" if minutes >= 1440 else f"{minutes} minutes"


def send_link(db: Session, issuer: Issuer, person: StaffMember, desk_url: str,
              lifetime: timedelta, invitation: bool = False) -> None:
    """Make a link for ``person`` and queue the mail that carries it, in ``db``'s open
    transaction (the link exists exactly when the mail does)."""
    link = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    db.add(SignInLink(staff_id=person.id, link_hash=hash_token(link), created_at=now,
                      expires_at=now + lifetime))
    url = desk_url + LINK_PATH + link
    within = _minutes(lifetime)
    if invitation:
        subject = f"You are invited to the {issuer.name} desk"
        opening = (f"You have been invited to the {issuer.name} desk, where competencies "
                   f"are recorded and credentials issued, as an {person.role}.")
    else:
        subject = f"Sign in to the {issuer.name} desk"
        opening = f"Someone (we hope you) asked to sign in to the {issuer.name} desk."
    text = (f"{opening}\n\nSign in: {url}\n\nThe link works once, within {within}. "
            "If you did not ask for it, ignore this message: nothing happens without the "
            "link.\n")
    queue_mail(db, Mail("staff-invitation" if invitation else "sign-in-link",
                        person.email, subject, text), issuer.id)


def request_link(db: Session, email: str, desk_url: str) -> int:
    """Email a sign-in link to every live staff membership of ``email`` (one per issuer).
    The caller answers the same whatever this returns (no account enumeration); the count is
    for logs and tests."""
    address = normalise_email(email)
    if bad_character(address):  # no one's address; and not a query PostgreSQL can run
        return 0
    with db.begin():
        rows = db.execute(select(StaffMember, Issuer).join(
            Issuer, Issuer.id == StaffMember.issuer_id).where(
            StaffMember.email == address, StaffMember.state.in_(("invited", "active")))).all()
        for person, issuer in rows:
            send_link(db, issuer, person, desk_url, LINK_LIFETIME)
        return len(rows)


def _usable(db: Session, link: str, now: datetime) -> tuple[SignInLink, StaffMember, Issuer]:
    row = db.execute(select(SignInLink, StaffMember, Issuer)
                     .join(StaffMember, StaffMember.id == SignInLink.staff_id)
                     .join(Issuer, Issuer.id == StaffMember.issuer_id)
                     .where(SignInLink.link_hash == hash_token(link))).first()
    if row is None:
        raise Unauthenticated("this sign-in link is not one of ours")
    found, person, issuer = row
    if found.used_at is not None:
        raise Unauthenticated("this sign-in link has been used already; each link works "
                              "once")
    if person.state == "removed":
        raise Unauthenticated(f"{person.email} is no longer on {issuer.name}'s staff")
    if found.expires_at <= now:
        raise Unauthenticated("this sign-in link has expired")
    return found, person, issuer


def describe(db: Session, link: str) -> tuple[str, str]:
    """(email, issuer name) a usable link signs in, for the page that asks to confirm;
    Unauthenticated saying why not. Reading does not use the link up (mail scanners open
    links; only the confirmation does)."""
    with db.begin():
        _found, person, issuer = _usable(db, link, datetime.now(UTC))
        return person.email, issuer.name


def redeem(db: Session, link: str, idle: timedelta, lifetime: timedelta) -> str:
    """Use the link: its person is signed in (an invited person becomes active); a new desk
    session's id. The link is marked used in the same transaction, and a second use of it,
    even at the same moment on another host, is refused."""
    now = datetime.now(UTC)
    with db.begin():
        found, person, issuer = _usable(db, link, now)
        claimed = db.execute(
            SignInLink.__table__.update()
            .where(SignInLink.id == found.id, SignInLink.used_at.is_(None))
            .values(used_at=now)).rowcount
        if claimed != 1:
            raise Unauthenticated("this sign-in link has been used already; each link works "
                                  "once")
        if person.state == "invited":
            person.state, person.activated_at = "active", now
        record(db, issuer, desk_sessions.person_caller(person, issuer), "staff.sign-in",
               f"staff:{person.id}", {"method": "email-link"})
        return desk_sessions.open_for_staff(db, person, now, idle, lifetime)
