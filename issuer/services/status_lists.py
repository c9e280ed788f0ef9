"""Issuers' Bitstring Status Lists: random allocation, bit changes, lazily re-signed lists.

Allocation picks a random free position (so a position says nothing about issuance order)
and claims it with ``INSERT ... ON CONFLICT DO NOTHING`` on (list, position): two requests
that pick the same position cannot both get it, on SQLite or PostgreSQL, without locks or
savepoints. A list that fills is followed by the next number, claimed the same way. The
first few picks need no count of the list's entries (a count that grows with the list): a
random probe that lands on a free position is as random a choice among the free ones.

Readers of a list's bits (our own verifier) get them once per list version and engine:
every bit change raises the version in its transaction, so a cached encoding is never older
than the version read with it.
"""

from __future__ import annotations

import json
import secrets
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from credentials.dates import format_datetime
from credentials.status import MIN_ENTRIES, Bitstring, status_entry, status_list_credential
from issuer.services.errors import NotFound
from issuer.services.signing import sign_as
from issuer.store import insert_statement
from issuer.store.models import Issuer, StatusEntry, StatusList
from keys.encryption import KeyEncryptionKey

LIST_SIZE = MIN_ENTRIES
TTL_MS = 5 * 60 * 1000  # verifiers refresh within five minutes of a change
VALIDITY = timedelta(days=1)
RESIGN_MARGIN = timedelta(hours=1)
MAX_ATTEMPTS = 1000  # each attempt loses only to a concurrent claim of the same position
DENSE = 0.9  # past this fill, pick among the free positions instead of probing at random
PROBES = 4  # random picks on the newest list before counting its entries
_random = secrets.SystemRandom()


def list_url(base_url: str, slug: str, number: int) -> str:
    return f"{base_url.rstrip('/')}/status/{slug}/{number}"


def _open_list(db: Session, issuer: Issuer, purpose: str, identifier: str
               ) -> tuple[StatusList, int]:
    """The issuer's newest list for ``purpose`` under ``identifier`` with room left (and how
    many positions it has given out), opening the next if needed."""
    locked = False
    for _attempt in range(MAX_ATTEMPTS):
        current = _newest_list(db, issuer, purpose, identifier)
        used = _used(db, current) if current is not None else 0
        if current is not None and used < current.size:
            return current, used
        if not locked:
            # Opening a list is rare: take the issuer's row lock (PostgreSQL; SQLite writes
            # are serial anyway) and look again, so that racing transactions open one list,
            # not one each.
            db.execute(select(Issuer.id).where(Issuer.id == issuer.id)
                       .with_for_update(key_share=True))
            locked = True
            continue
        number = (db.scalar(select(func.max(StatusList.number))
                            .where(StatusList.issuer_id == issuer.id)) or 0) + 1
        db.execute(insert_statement(db, StatusList).values(
            issuer_id=issuer.id, number=number, purpose=purpose, issuer_identifier=identifier,
            size=LIST_SIZE, version=0, created_at=datetime.now(UTC)).on_conflict_do_nothing())
    raise RuntimeError(f"could not open a status list after {MAX_ATTEMPTS} attempts")


def _newest_list(db: Session, issuer: Issuer, purpose: str, identifier: str
                 ) -> StatusList | None:
    return db.scalars(select(StatusList).where(
        StatusList.issuer_id == issuer.id, StatusList.purpose == purpose,
        StatusList.issuer_identifier == identifier)
        .order_by(StatusList.number.desc())).first()


def _used(db: Session, status_list: StatusList) -> int:
    return db.scalar(select(func.count()).select_from(StatusEntry)
                     .where(StatusEntry.status_list_id == status_list.id)) or 0


def _candidate(db: Session, status_list: StatusList, used: int) -> int:
    if used < status_list.size * DENSE:
        return _random.randrange(status_list.size)
    taken = set(db.scalars(select(StatusEntry.position)
                           .where(StatusEntry.status_list_id == status_list.id)))
    free = [p for p in range(status_list.size) if p not in taken]
    return _random.choice(free) if free else _random.randrange(status_list.size)


def allocate(db: Session, issuer: Issuer, purpose: str, identifier: str, credential_id: str,
             base_url: str) -> dict[str, Any]:
    """Claim a random unused position for ``credential_id``; return its status entry."""
    newest = _newest_list(db, issuer, purpose, identifier)
    for _probe in range(PROBES if newest is not None else 0):
        position = _random.randrange(newest.size)
        if _claim(db, newest, position, credential_id):
            return status_entry(list_url(base_url, issuer.slug, newest.number), position,
                                purpose)
    for _attempt in range(MAX_ATTEMPTS):
        status_list, used = _open_list(db, issuer, purpose, identifier)
        position = _candidate(db, status_list, used)
        if _claim(db, status_list, position, credential_id):
            return status_entry(list_url(base_url, issuer.slug, status_list.number), position,
                                purpose)
    raise RuntimeError(f"no free status list position after {MAX_ATTEMPTS} attempts")


def _claim(db: Session, status_list: StatusList, position: int, credential_id: str) -> bool:
    """Take ``position`` for ``credential_id``; False if it was already taken."""
    return db.execute(insert_statement(db, StatusEntry).values(
        status_list_id=status_list.id, position=position, credential_id=credential_id,
        is_set=False).on_conflict_do_nothing().returning(StatusEntry.id)).first() is not None


def status_entries_for(db: Session, issuer: Issuer, identifier: str, credential_id: str,
                       base_url: str) -> list[dict[str, Any]]:
    """Entries for a new credential issued under ``identifier``: revocation, and suspension
    where the issuer uses it."""
    purposes = ["revocation"] + (["suspension"] if issuer.suspension_enabled else [])
    return [allocate(db, issuer, purpose, identifier, credential_id, base_url)
            for purpose in purposes]


def set_bit(db: Session, credential_id: str, purpose: str, value: bool) -> bool:
    """Set or clear a credential's bit for ``purpose``; False if it has no such entry."""
    row = db.execute(select(StatusEntry, StatusList)
                     .join(StatusList, StatusList.id == StatusEntry.status_list_id)
                     .where(StatusEntry.credential_id == credential_id,
                            StatusList.purpose == purpose)).first()
    if row is None:
        return False
    entry, status_list = row
    entry.is_set = value
    db.execute(update(StatusList).where(StatusList.id == status_list.id)
               .values(version=StatusList.version + 1))
    return True


# engine -> {(list id, list created_at): (version, encodedList)}
_encoded: weakref.WeakKeyDictionary[Engine, dict[tuple[int, datetime], tuple[int, str]]] = \
    weakref.WeakKeyDictionary()


def current_bits(db: Session, status_list: StatusList) -> Bitstring:
    """The list's bits as the store holds them now."""
    bits = Bitstring(status_list.size)
    for position in db.scalars(select(StatusEntry.position).where(
            StatusEntry.status_list_id == status_list.id, StatusEntry.is_set)):
        bits.set(position)
    return bits


def encoded_list(db: Session, status_list: StatusList) -> str:
    """The list's ``encodedList`` at the version just read with it: read and compressed once
    per version, not on every verification (reading the bits scans the list's entries)."""
    cache = _encoded.setdefault(db.get_bind(), {})
    key = (status_list.id, status_list.created_at)
    version = status_list.version
    cached = cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    encoded = current_bits(db, status_list).encode()
    cache[key] = (version, encoded)
    return encoded


@dataclass(frozen=True)
class SignedList:
    document: str
    max_age_seconds: int


def signed_list(db: Session, slug: str, number: int, base_url: str, kek: KeyEncryptionKey
                ) -> SignedList:
    """The signed list credential, re-signed only when bits changed or validity runs low."""
    now = datetime.now(UTC)
    with db.begin():
        row = db.execute(select(StatusList, Issuer).join(Issuer)
                         .where(Issuer.slug == slug, StatusList.number == number)).first()
        if row is None:
            raise NotFound(f"no status list {slug}/{number}")
        status_list, issuer = row
        signed_until = status_list.signed_until
        if (status_list.signed_version == status_list.version and signed_until
                and signed_until - RESIGN_MARGIN > now):
            return SignedList(status_list.signed_document, TTL_MS // 1000)
        version = status_list.version  # read before the bits: a later change re-signs again
        bits = current_bits(db, status_list)
        url = list_url(base_url, slug, number)
        unsigned = status_list_credential(
            url, status_list.issuer_identifier, status_list.purpose, bits,
            format_datetime(now), format_datetime(now + VALIDITY), TTL_MS)
        signed, _key = sign_as(db, issuer, kek, base_url, unsigned)
        document = json.dumps(signed)
        status_list.signed_document, status_list.signed_version = document, version
        status_list.signed_until = now + VALIDITY
    return SignedList(document, TTL_MS // 1000)
