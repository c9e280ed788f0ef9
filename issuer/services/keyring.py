"""Issuers' signing keys: created encrypted (Ed25519 at once, P-256 and RSA-2048 on demand),
rotated, revoked, and decrypted only into Signer objects; never touched by a host whose
key-encryption key is not the store's (the canary check)."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from issuer.problems import Problem
from issuer.services.audit import record
from issuer.store import insert_statement
from issuer.store.models import Issuer, KeyCheck, SigningKey
from keys import Ed25519Signer, Ed25519VerificationKey
from keys.encryption import KeyDecryptionError, KeyEncryptionKey
from keys.jose import KEY_TYPES, JoseSigner, JwkVerificationKey, generate, thumbprint
from keys.store_keys import open_signer, seal_private_key

KEK_FILE = "key-encryption-key"
JWS_ALGORITHMS = {alg: key_type for key_type, alg in KEY_TYPES.items()}
KEK_MISMATCH = "key-encryption key does not match this store"
KEK_MISMATCH_TYPE = "/problems/key-encryption-key-mismatch"
log = logging.getLogger(__name__)
# Stores (by URL) whose canary this process's KEK has opened: a canary never changes, so a
# match is remembered; a mismatch is not, and is read again each time.
_matched: WeakKeyDictionary[KeyEncryptionKey, set[str]] = WeakKeyDictionary()


def instance_secret(instance_path: str, name: str) -> str:
    """A random secret generated once into the instance folder (mode 0600), so every worker
    of one deployment reads the same value. The file appears complete or not at all (written
    aside, then hard-linked into place), so processes starting together never read it half
    written; the first link wins and the others read the winner's secret."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp creates it 0600
                file.write(KeyEncryptionKey.generate_text())
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
        finally:
            os.unlink(aside)
    return path.read_text()


def load_kek(configured: str | None, instance_path: str) -> KeyEncryptionKey:
    """``KEY_ENCRYPTION_KEY`` if set; otherwise a key generated once into the instance folder.
    Production deployments should set the variable and keep it elsewhere."""
    return KeyEncryptionKey.from_text(configured or instance_secret(instance_path, KEK_FILE))


def load_secret(instance_path: str) -> str:
    """The desk's session-signing secret when SECRET_KEY is not set."""
    return instance_secret(instance_path, "session-secret")


def _associated_data(slug: str, kid: str) -> bytes:
    return f"signing-key|{slug}|{kid}".encode()


def kek_mismatch() -> Problem:
    """The answer of a host whose KEK cannot open the store's canary: nothing is signed, and
    no key is stored where the other hosts could not read it."""
    return Problem(503, "Service Unavailable",
                   f"{KEK_MISMATCH}: this host's KEY_ENCRYPTION_KEY cannot decrypt the "
                   "store's key-check canary, so it refuses to sign or to change keys; give it "
                   "the KEY_ENCRYPTION_KEY the store's keys are encrypted under",
                   type_=KEK_MISMATCH_TYPE)


def _opens_oldest_key(db: Session, kek: KeyEncryptionKey) -> bool:
    """Whether ``kek`` decrypts the store's first key (True when there is none yet). The
    first is written under the deployment's own KEK; a later one might have been written by
    a misconfigured host before the canary existed."""
    oldest = db.execute(select(Issuer.slug, SigningKey.kid, SigningKey.private_key_encrypted)
                        .join(Issuer, Issuer.id == SigningKey.issuer_id)
                        .order_by(SigningKey.id).limit(1)).first()
    if oldest is None:
        return True
    try:
        kek.decrypt(oldest.private_key_encrypted, _associated_data(oldest.slug, oldest.kid))
    except KeyDecryptionError:
        return False
    return True


def kek_matches(db: Session, kek: KeyEncryptionKey) -> bool:
    """Whether ``kek`` opens the store's canary. A store without one (new, or from before
    the canary) gets one here, under ``kek``, if ``kek`` opens the store's first key."""
    where = db.get_bind().url.render_as_string(hide_password=True)
    if where in _matched.get(kek, ()):
        return True
    canary = db.scalar(select(KeyCheck.canary).where(KeyCheck.id == 1))
    if canary is None:
        if not _opens_oldest_key(db, kek):
            return False
        db.execute(insert_statement(db, KeyCheck).values(
            id=1, canary=kek.make_canary(), created_at=datetime.now(UTC))
            .on_conflict_do_nothing())
        # Read back: a racing host may have written first. Not remembered until committed.
        return kek.opens_canary(db.scalar(select(KeyCheck.canary).where(KeyCheck.id == 1)))
    if not kek.opens_canary(canary):
        return False
    _matched.setdefault(kek, set()).add(where)
    return True


def require_matching_kek(db: Session, kek: KeyEncryptionKey) -> None:
    """Refuse (503, naming the cause) to sign or change keys under a KEK not the store's."""
    if not kek_matches(db, kek):
        raise kek_mismatch()


def _check_and_log(sessions: sessionmaker[Session], kek: KeyEncryptionKey) -> None:
    try:
        with sessions() as db, db.begin():
            matches = kek_matches(db, kek)
    except SQLAlchemyError as error:  # unreachable, or not migrated yet: /readyz will say
        log.info("key-encryption key not checked at start: %s", type(error).__name__)
        return
    if not matches:
        log.error("%s: this host refuses to issue or change keys until KEY_ENCRYPTION_KEY "
                  "is the store's", KEK_MISMATCH)


def check_at_start(sessions: sessionmaker[Session], kek: KeyEncryptionKey,
                   wait: float = 5.0) -> None:
    """At start: log an error if this host's KEK is not the store's, and write the canary
    for a store that predates it. Waits at most ``wait`` seconds, so a store that does not
    answer cannot hold up a worker's start (the check then ends, and logs, in the
    background); /readyz and every key operation check again anyway."""
    thread = threading.Thread(target=_check_and_log, args=(sessions, kek),
                              name="kek-check", daemon=True)
    thread.start()
    thread.join(wait)


def create_signing_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey,
                       key_type: str = "Ed25519") -> SigningKey:
    """A new active key for ``issuer``, stored with its private half encrypted."""
    require_matching_kek(db, kek)
    signer = generate(key_type)
    public = signer.verification_key
    jwk = public.jwk()
    kid = public.multikey if key_type == "Ed25519" else thumbprint(jwk)
    key = SigningKey(issuer_id=issuer.id, algorithm=key_type, kid=kid, public_jwk=jwk,
                     public_multikey=public.multikey if key_type == "Ed25519" else None,
                     private_key_encrypted=seal_private_key(signer, kek,
                                                            _associated_data(issuer.slug, kid)),
                     status="active")
    db.add(key)
    db.flush()
    return key


def active_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey,
               key_type: str = "Ed25519") -> SigningKey:
    """The key new credentials are signed with; one is created when none is active."""
    require_matching_kek(db, kek)
    key = db.scalars(select(SigningKey).where(
        SigningKey.issuer_id == issuer.id, SigningKey.status == "active",
        SigningKey.algorithm == key_type).order_by(SigningKey.id.desc())).first()
    return key or create_signing_key(db, issuer, kek, key_type)


def published_keys(db: Session, issuer: Issuer) -> list[SigningKey]:
    """Active and retired keys: what did.json and the JWKS publish."""
    return list(db.scalars(select(SigningKey).where(
        SigningKey.issuer_id == issuer.id, SigningKey.status != "revoked")
        .order_by(SigningKey.id.desc())))


def signer_for(issuer: Issuer, key: SigningKey, kek: KeyEncryptionKey,
               method_id: str, controller: str) -> Ed25519Signer | JoseSigner:
    """A Signer for ``key`` under ``method_id``; decrypted once per process and key."""
    try:
        return open_signer(key.algorithm, key.private_key_encrypted, kek,
                           _associated_data(issuer.slug, key.kid), method_id, controller)
    except KeyDecryptionError:
        raise Problem(503, "Service Unavailable",
                      f"issuer {issuer.slug!r}'s key {key.kid} does not decrypt under this "
                      "host's key-encryption key, although the store's canary does: the key "
                      "record was altered or written under another key; rotate the issuer's "
                      "keys", type_=KEK_MISMATCH_TYPE) from None


def verification_key(key: SigningKey, method_id: str, controller: str
                     ) -> Ed25519VerificationKey | JwkVerificationKey:
    if key.algorithm == "Ed25519":
        return Ed25519VerificationKey.from_multikey(key.public_multikey, method_id, controller)
    return JwkVerificationKey(dict(key.public_jwk), method_id, controller)


def rotate(db: Session, issuer: Issuer, kek: KeyEncryptionKey, token_id: int | None
           ) -> dict[str, Any]:
    """Retire every active key and make a new Ed25519 key (other types follow on demand).

    Retired keys stay published, so what they signed still verifies, until revoked.
    """
    require_matching_kek(db, kek)
    now = datetime.now(UTC)
    retired = []
    for key in db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                                   SigningKey.status == "active")):
        key.status, key.retired_at = "retired", now
        retired.append(key.kid)
    new = create_signing_key(db, issuer, kek)
    record(db, issuer, token_id, "key.rotate", f"issuer:{issuer.slug}",
           {"retired": retired, "active": new.kid})
    return {"retired": retired, "active": new.kid}


def revoke_key(db: Session, issuer: Issuer, kid: str, kek: KeyEncryptionKey,
               token_id: int | None) -> dict[str, Any]:
    """Withdraw a key: it leaves did.json and the JWKS, and what it signed stops verifying."""
    require_matching_kek(db, kek)
    key = db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                              SigningKey.kid == kid)).first()
    if key is None:
        raise Problem(404, "Not Found", f"issuer {issuer.slug!r} has no key {kid!r}")
    if key.status == "revoked":
        raise Problem(409, "Conflict", f"key {kid} is already revoked")
    key.status, key.revoked_at = "revoked", datetime.now(UTC)
    record(db, issuer, token_id, "key.revoke", f"key:{kid}", {})
    return {"kid": kid, "status": "revoked"}
