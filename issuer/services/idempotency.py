"""Idempotency keys: the first response to a key is kept and replayed for identical retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.services.errors import Conflict, Malformed
from issuer.store.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_hash(scope: str, payload: Any) -> str:
    """Digest of what a request asks for; ``scope`` keeps one key from matching two actions."""
    return hashlib.sha256(json.dumps([scope, payload], sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def check_key(key: str | None) -> None:
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise Malformed(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")


def replay(db: Session, issuer_id: int, key: str, digest: str) -> StoredResponse | None:
    """The stored response for ``key``, None if there is none; 409 if the body differs."""
    record = db.scalars(select(IdempotencyRecord).where(
        IdempotencyRecord.issuer_id == issuer_id, IdempotencyRecord.key == key)).first()
    if record is None:
        return None
    if record.request_hash != digest:
        raise Conflict("this Idempotency-Key was already used with a different request body",
                       code="/problems/idempotency-key-reused")
    return StoredResponse(record.status_code, json.loads(record.response), True)


def remember(db: Session, issuer_id: int, key: str, digest: str, status: int,
             body: dict[str, Any]) -> None:
    db.add(IdempotencyRecord(issuer_id=issuer_id, key=key, request_hash=digest,
                             status_code=status, response=json.dumps(body)))


def run_once(db: Session, issuer_id: int, key: str | None, scope: str, payload: Any,
             produce: Callable[[], dict[str, Any]]) -> StoredResponse:
    """Run ``produce`` in one transaction, unless ``key`` already has an answer to replay.

    Two racing requests with one key meet at the unique constraint: the loser's transaction
    rolls back and it replays the winner's answer.
    """
    check_key(key)
    digest = request_hash(scope, payload)
    try:
        with db.begin():
            if key:
                stored = replay(db, issuer_id, key, digest)
                if stored:
                    return stored
            body = produce()
            if key:
                remember(db, issuer_id, key, digest, 201, body)
    except IntegrityError:
        if not key:
            raise
        with db.begin():
            stored = replay(db, issuer_id, key, digest)
        if stored is None:
            raise
        return stored
    return StoredResponse(201, body, False)
