"""Desk sign-in sessions, kept in the store so every host sees a sign-out.

The browser's cookie holds only a random session id (256 bits); the store keeps its SHA-256,
who it belongs to (the API token it was opened with, or the staff member who signed in), and
when it was opened, last seen and ended. A session ends at sign-out, when its token is
revoked or expires or its person is removed, after ``idle`` without a request, and
``lifetime`` after sign-in, whichever comes first.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from issuer.services.callers import Caller
from issuer.services.errors import Unauthenticated
from issuer.services.tokens import (
    LAST_USED_RESOLUTION,
    authenticate,
    caller_of,
    hash_token,
)
from issuer.store.models import DeskSession, Issuer, StaffMember


def start(db: Session, token: str, idle: timedelta, lifetime: timedelta) -> str:
    """Sign in with API token ``token`` (Unauthenticated if it does not work): a new session's
    id, for the cookie. Sweeps the sessions store on the way (see ``_sweep``)."""
    caller = authenticate(db, token)
    with db.begin():
        return _open(db, datetime.now(UTC), idle, lifetime, token_id=caller.token_id)


def open_for_staff(db: Session, person: StaffMember, now: datetime, idle: timedelta,
                   lifetime: timedelta) -> str:
    """A new session for a person who has just proved who they are (inside the caller's
    transaction): its id, for the cookie."""
    return _open(db, now, idle, lifetime, staff_id=person.id)


def _open(db: Session, now: datetime, idle: timedelta, lifetime: timedelta,
          **owner: int | None) -> str:
    session_id = secrets.token_urlsafe(32)
    _sweep(db, now, idle, lifetime)
    db.add(DeskSession(session_hash=hash_token(session_id), created_at=now, last_seen_at=now,
                       **owner))
    return session_id


def person_caller(person: StaffMember, issuer: Issuer) -> Caller:
    """The caller a signed-in staff member is."""
    return Caller.staff(person.id, issuer.id, issuer.slug, person.role, person.email)


def _sweep(db: Session, now: datetime, idle: timedelta, lifetime: timedelta) -> None:
    """Mark ended the sessions past their idle or absolute limit (abandoned: nobody came
    back to end them), and delete those ended more than ``lifetime`` ago, so the table holds
    about a day of sessions. Run at each sign-in: rare, and a sign-in is when rows are added."""
    _end(db, or_(DeskSession.created_at <= now - lifetime,
                 DeskSession.last_seen_at <= now - idle), now)
    db.execute(delete(DeskSession).where(DeskSession.ended_at <= now - lifetime))


def _end(db: Session, which: Any, now: datetime) -> int:
    """End the open sessions ``which`` selects; how many."""
    return db.execute(update(DeskSession).where(which, DeskSession.ended_at.is_(None))
                      .values(ended_at=now)).rowcount


def _staff_caller(db: Session, staff_id: int) -> Caller:
    row = db.execute(select(StaffMember, Issuer).join(
        Issuer, Issuer.id == StaffMember.issuer_id).where(StaffMember.id == staff_id)).first()
    if row is None or row[0].state != "active":
        raise Unauthenticated("no longer on the issuer's staff")
    return person_caller(*row)


def resume(db: Session, session_id: str, idle: timedelta, lifetime: timedelta
           ) -> Caller | None:
    """The caller of a live session, or None (unknown, ended, timed out, or its token no
    longer works or its person was removed, which ends it). Last-seen is written at most
    once a minute, so the idle timeout is exact to that minute. A person's role is read
    here, so a change of role counts from the next request."""
    now = datetime.now(UTC)
    with db.begin():
        row = db.execute(select(DeskSession).where(
            DeskSession.session_hash == hash_token(session_id))).scalar()
        if row is None or row.ended_at is not None:
            return None
        if (now - row.created_at >= lifetime
                or now - row.last_seen_at >= idle):
            _end(db, DeskSession.id == row.id, now)
            return None
        try:
            caller = (caller_of(db, row.token_id, now) if row.token_id is not None
                      else _staff_caller(db, row.staff_id))
        except Unauthenticated:
            _end(db, DeskSession.id == row.id, now)
            return None
        if now - row.last_seen_at >= LAST_USED_RESOLUTION:
            row.last_seen_at = now
        return caller


def end_for_staff(db: Session, staff_id: int, now: datetime) -> int:
    """End every open session of a person (inside the caller's transaction); how many."""
    return _end(db, DeskSession.staff_id == staff_id, now)


def end(db: Session, session_id: str) -> None:
    """Sign out: the session stops working on every host."""
    with db.begin():
        _end(db, DeskSession.session_hash == hash_token(session_id), datetime.now(UTC))
