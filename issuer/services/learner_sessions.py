"""Learner sessions, kept in the store so a sign-out counts on every host.

The cookie holds a random id (256 bits); the store keeps its SHA-256, the learner's email,
and when it was opened, last seen and ended. A session ends at sign-out, after ``IDLE``
without a request, or ``LIFETIME`` after sign-in, whichever comes first."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from issuer.services.tokens import LAST_USED_RESOLUTION, hash_token
from issuer.store.models import LearnerSession

IDLE = timedelta(hours=1)
LIFETIME = timedelta(hours=12)


def open_session(db: Session, email: str, now: datetime) -> str:
    """A new session for ``email``, which has just proved it reads its mail (inside the
    caller's transaction): its id, for the cookie. Sweeps old sessions on the way."""
    db.execute(update(LearnerSession).where(
        or_(LearnerSession.created_at <= now - LIFETIME,
            LearnerSession.last_seen_at <= now - IDLE),
        LearnerSession.ended_at.is_(None)).values(ended_at=now))
    db.execute(delete(LearnerSession).where(LearnerSession.ended_at <= now - LIFETIME))
    session_id = secrets.token_urlsafe(32)
    db.add(LearnerSession(session_hash=hash_token(session_id), email=email, created_at=now,
                          last_seen_at=now))
    return session_id


def resume(db: Session, session_id: str) -> str | None:
    """The email of a live session, or None (unknown, ended or timed out, which ends it).
    Last-seen is written at most once a minute."""
    now = datetime.now(UTC)
    with db.begin():
        row = db.scalars(select(LearnerSession).where(
            LearnerSession.session_hash == hash_token(session_id))).first()
        if row is None or row.ended_at is not None:
            return None
        if now - row.created_at >= LIFETIME or now - row.last_seen_at >= IDLE:
            row.ended_at = now
            return None
        if now - row.last_seen_at >= LAST_USED_RESOLUTION:
            row.last_seen_at = now
        return row.email


def end(db: Session, session_id: str) -> None:
    """Sign out: the session stops working on every host."""
    with db.begin():
        db.execute(update(LearnerSession).where(
            LearnerSession.session_hash == hash_token(session_id),
            LearnerSession.ended_at.is_(None)).values(ended_at=datetime.now(UTC)))


def csrf_token(secret: bytes | str, session_id: str) -> str:
    """The session's CSRF token: an HMAC of its id under the app's secret key, so forms need
    no stored token and another site, which cannot read the cookie, cannot make one."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"learner-csrf\0" + session_id.encode(), hashlib.sha256).hexdigest()
