"""Issuers' signing keys: created encrypted (Ed25519 at once, P-256 and RSA-2048 on demand),
rotated, revoked, and decrypted only into Signer objects; never touched by a host whose
key-encryption key is not the store's (the canary check)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from issuer.services.audit import record
from issuer.services.errors import Conflict, NotFound, Unavailable
from issuer.services.instance_secrets import instance_secret
from issuer.store import insert_statement
from issuer.store.models import Issuer, KeyCheck, SigningKey, StatusList
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


def load_kek(configured: str | None, instance_path: str) -> KeyEncryptionKey:
    """``KEY_ENCRYPTION_KEY`` if set; otherwise a key generated once into the instance folder.
    Production deployments should set the variable and keep it elsewhere. A malformed one
    stops the process with one line saying so (SystemExit: no traceback)."""
    try:
        return KeyEncryptionKey.from_text(configured or instance_secret(instance_path,
                                                                        KEK_FILE))
    except ValueError as error:
        source = "KEY_ENCRYPTION_KEY" if configured else f"{instance_path}/{KEK_FILE}"
        raise SystemExit(f"error: {source} is not a key-encryption key ({error}); it must be "
                         "32 random bytes in base64url (43 characters), for example from "
                         "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                         ) from None


def _associated_data(slug: str, kid: str) -> bytes:
    return f"signing-key|{slug}|{kid}".encode()


def kek_mismatch() -> Unavailable:
    """The answer of a host whose KEK cannot open the store's canary: nothing is signed, and
    no key is stored where the other hosts could not read it."""
    return Unavailable(f"{KEK_MISMATCH}: this host's KEY_ENCRYPTION_KEY cannot decrypt the "
                       "store's key-check canary, so it refuses to sign or to change keys; give it "
                       "the KEY_ENCRYPTION_KEY the store's keys are encrypted under",
                       code=KEK_MISMATCH_TYPE)


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
            if not inspect(db.connection()).has_table(KeyCheck.__tablename__):
                log.debug("key-encryption key not checked at start: the store has no tables "
                          "yet; `flask init` creates them and records the key")
                return
            matches = kek_matches(db, kek)
    except SQLAlchemyError as error:  # unreachable: /readyz and every key operation say so
        log.warning("key-encryption key not checked at start: the store did not answer "
                    "(%s); /readyz and every key operation check it", type(error).__name__)
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
        raise Unavailable(f"issuer {issuer.slug!r}'s key {key.kid} does not decrypt under this "
                          "host's key-encryption key, although the store's canary does: the key "
                          "record was altered or written under another key; rotate the issuer's "
                          "keys", code=KEK_MISMATCH_TYPE) from None


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
        raise NotFound(f"issuer {issuer.slug!r} has no key {kid!r}")
    if key.status == "revoked":
        raise Conflict(f"key {kid} is already revoked")
    key.status, key.revoked_at = "revoked", datetime.now(UTC)
    # Lists signed by it would stop verifying outside: every list of the issuer is re-signed
    # (by a key still in use) when next read.
    db.execute(update(StatusList).where(StatusList.issuer_id == issuer.id)
               .values(signed_version=None))
    record(db, issuer, token_id, "key.revoke", f"key:{kid}", {})
    return {"kid": kid, "status": "revoked"}
