"""Issuers' signing keys: created encrypted (Ed25519 at once, P-256 and RSA-2048 on demand),
rotated, revoked, and decrypted only into Signer objects."""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.problems import Problem
from issuer.services.audit import record
from issuer.store.models import Issuer, SigningKey
from keys import Ed25519Signer, Ed25519VerificationKey
from keys.encryption import KeyEncryptionKey
from keys.jose import KEY_TYPES, JoseSigner, JwkVerificationKey, generate, thumbprint

KEK_FILE = "key-encryption-key"
JWS_ALGORITHMS = {alg: key_type for key_type, alg in KEY_TYPES.items()}


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


def _associated_data(issuer: Issuer, kid: str) -> bytes:
    return f"signing-key|{issuer.slug}|{kid}".encode()


def create_signing_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey,
                       key_type: str = "Ed25519") -> SigningKey:
    """A new active key for ``issuer``, stored with its private half encrypted."""
    signer = generate(key_type)
    public = signer.verification_key
    jwk = public.jwk()
    kid = public.multikey if key_type == "Ed25519" else thumbprint(jwk)
    key = SigningKey(issuer_id=issuer.id, algorithm=key_type, kid=kid, public_jwk=jwk,
                     public_multikey=public.multikey if key_type == "Ed25519" else None,
                     private_key_encrypted=kek.encrypt(signer.private_bytes(),
                                                       _associated_data(issuer, kid)),
                     status="active")
    db.add(key)
    db.flush()
    return key


def active_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey,
               key_type: str = "Ed25519") -> SigningKey:
    """The key new credentials are signed with; one is created when none is active."""
    key = db.scalars(select(SigningKey).where(
        SigningKey.issuer_id == issuer.id, SigningKey.status == "active",
        SigningKey.algorithm == key_type).order_by(SigningKey.id.desc())).first()
    return key or create_signing_key(db, issuer, kek, key_type)


def published_keys(db: Session, issuer: Issuer) -> list[SigningKey]:
    """Active and retired keys: what did.json and the JWKS publish."""
    return list(db.scalars(select(SigningKey).where(
        SigningKey.issuer_id == issuer.id, SigningKey.status != "revoked")
        .order_by(SigningKey.id.desc())))


@lru_cache(maxsize=256)
def _private_key(key_id: int, algorithm: str, blob: bytes, associated_data: bytes,
                 kek: KeyEncryptionKey) -> Any:
    plaintext = kek.decrypt(blob, associated_data)
    if algorithm == "Ed25519":
        return Ed25519PrivateKey.from_private_bytes(plaintext)
    return JoseSigner.from_private_bytes(plaintext).private_key


def signer_for(issuer: Issuer, key: SigningKey, kek: KeyEncryptionKey,
               method_id: str, controller: str) -> Ed25519Signer | JoseSigner:
    """A Signer for ``key`` under ``method_id``; decrypted once per process and key."""
    private = _private_key(key.id, key.algorithm, key.private_key_encrypted,
                           _associated_data(issuer, key.kid), kek)
    if key.algorithm == "Ed25519":
        return Ed25519Signer(private, method_id, controller)
    return JoseSigner(private, method_id, controller)


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


def revoke_key(db: Session, issuer: Issuer, kid: str, token_id: int | None) -> dict[str, Any]:
    """Withdraw a key: it leaves did.json and the JWKS, and what it signed stops verifying."""
    key = db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                              SigningKey.kid == kid)).first()
    if key is None:
        raise Problem(404, "Not Found", f"issuer {issuer.slug!r} has no key {kid!r}")
    if key.status == "revoked":
        raise Problem(409, "Conflict", f"key {kid} is already revoked")
    key.status, key.revoked_at = "revoked", datetime.now(UTC)
    record(db, issuer, token_id, "key.revoke", f"key:{kid}", {})
    return {"kid": kid, "status": "revoked"}
