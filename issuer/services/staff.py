"""An issuer's staff: people who work its desk as assessors or admins. An admin invites by
email (the invitation carries a sign-in link), changes roles and removes people; a removed
person's desk sessions end at once, and the issuer always keeps at least one admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from credentials.build import normalise_email
from credentials.dates import format_datetime
from issuer.services import desk_sessions
from issuer.services.audit import is_row_id, record
from issuer.services.callers import Caller
from issuer.services.errors import Conflict, Forbidden, Invalid, NotFound
from issuer.services.field_text import bad_character
from issuer.services.issuers import get_issuer
from issuer.services.sign_in import INVITATION_LIFETIME, send_link
from issuer.services.tokens import ROLES
from issuer.store.models import Issuer, SignInLink, StaffMember

LIVE = ("invited", "active")  # states of a person who may sign in


def _email(text: str) -> str:
    """A staff email address as stored: trimmed, lower case, one @ with text either side."""
    email = normalise_email(text.strip())
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > 320 or any(
            c.isspace() for c in email) or bad_character(email):
        raise Invalid(f"{text!r} is not an email address", code="/problems/validation",
                      errors=[{"pointer": "/email", "detail": "not an email address"}])
    return email


def _role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", code="/problems/validation",
                      errors=[{"pointer": "/role", "detail": f"unknown role {role!r}"}])
    return role


def staff_view(row: StaffMember) -> dict[str, Any]:
    """What an admin sees of a person."""
    return {"id": row.id, "email": row.email, "name": row.display_name, "role": row.role,
            "state": row.state, "createdAt": format_datetime(row.created_at),
            "removedAt": format_datetime(row.removed_at) if row.removed_at else None}


def invite(db: Session, caller: Caller, slug: str, email: str, name: str, role: str,
           desk_url: str) -> dict[str, Any]:
    """Invite a person (or invite again one who was removed) and email them a sign-in link.
    Conflict if they are already on the issuer's staff."""
    caller.require(slug, ("admin",))
    address, role = _email(email), _role(role)
    name = " ".join(name.split()) or address
    if bad_character(name):
        raise Invalid(f"the name {bad_character(name)}", code="/problems/validation",
                      errors=[{"pointer": "/name", "detail": bad_character(name)}])
    if len(name) > 200:
        raise Invalid("a name is at most 200 characters", code="/problems/validation",
                      errors=[{"pointer": "/name", "detail": "longer than 200 characters"}])
    with db.begin():
        issuer = get_issuer(db, slug)
        if issuer.is_platform:
            raise Forbidden(f"issuer {slug!r} is this service's own identity: it has no "
                            "staff", code="/problems/platform-issuer")
        row = db.scalars(select(StaffMember).where(StaffMember.issuer_id == issuer.id,
                                                   StaffMember.email == address)).first()
        if row is not None and row.state in LIVE:
            raise Conflict(f"{address} is already on {issuer.name}'s staff")
        if row is None:
            row = StaffMember(issuer_id=issuer.id, email=address)
            db.add(row)
        row.display_name, row.role, row.state = name, role, "invited"
        row.removed_at = None
        db.flush()
        record(db, issuer, caller, "staff.invite", f"staff:{row.id}",
               {"email": address, "role": role})
        send_link(db, issuer, row, desk_url, INVITATION_LIFETIME, invitation=True)
        return staff_view(row)


def list_staff(db: Session, caller: Caller, slug: str) -> list[dict[str, Any]]:
    """Everyone on the issuer's staff, removed people last."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        rows = db.scalars(select(StaffMember).where(StaffMember.issuer_id == issuer.id)
                          .order_by(StaffMember.state == "removed", StaffMember.email))
        return [staff_view(row) for row in rows]


def _member(db: Session, issuer: Issuer, staff_id: int) -> StaffMember:
    row = db.scalars(select(StaffMember).where(StaffMember.issuer_id == issuer.id,
                                               StaffMember.id == staff_id)).first() \
        if is_row_id(staff_id) else None
    if row is None or row.state == "removed":
        raise NotFound(f"{issuer.name} has no staff member {staff_id}")
    return row


def _keep_an_admin(db: Session, issuer: Issuer, row: StaffMember) -> None:
    """Refuse to take away the issuer's last admin. The issuer's row is locked first
    (PostgreSQL), so two admins removing each other at once cannot both succeed."""
    if row.role != "admin":
        return
    db.execute(select(Issuer.id).where(Issuer.id == issuer.id).with_for_update())
    others = db.scalar(select(func.count()).select_from(StaffMember).where(
        StaffMember.issuer_id == issuer.id, StaffMember.role == "admin",
        StaffMember.state == "active", StaffMember.id != row.id))  # invitations can lapse
    if not others:
        raise Conflict(f"{row.email} is {issuer.name}'s last admin: invite another admin "
                       "first", code="/problems/last-admin")


def change_role(db: Session, caller: Caller, slug: str, staff_id: int, role: str
                ) -> dict[str, Any]:
    """Make a person an assessor or an admin (from their next request on)."""
    caller.require(slug, ("admin",))
    role = _role(role)
    with db.begin():
        issuer = get_issuer(db, slug)
        row = _member(db, issuer, staff_id)
        if row.role != role:
            if role != "admin":
                _keep_an_admin(db, issuer, row)
            record(db, issuer, caller, "staff.role", f"staff:{row.id}",
                   {"email": row.email, "from": row.role, "to": role})
            row.role = role
        return staff_view(row)


def remove(db: Session, caller: Caller, slug: str, staff_id: int) -> dict[str, Any]:
    """Take a person off the staff: their desk sessions and unused links stop working now.
    The row stays, so the audit trail still names them."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        row = _member(db, issuer, staff_id)
        _keep_an_admin(db, issuer, row)
        now = datetime.now(UTC)
        row.state, row.removed_at = "removed", now
        ended = desk_sessions.end_for_staff(db, row.id, now)
        # Their unused links expire too, so inviting them again does not bring old ones back.
        db.execute(update(SignInLink).where(SignInLink.staff_id == row.id,
                                            SignInLink.used_at.is_(None),
                                            SignInLink.expires_at > now)
                   .values(expires_at=now))
        record(db, issuer, caller, "staff.remove", f"staff:{row.id}",
               {"email": row.email, "deskSessionsEnded": ended})
        return staff_view(row)
