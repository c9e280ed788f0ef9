"""Issuers' signing keys: created encrypted, decrypted only into Signer objects."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.store.models import Issuer, SigningKey
from keys import Ed25519Signer, Ed25519VerificationKey, generate_ed25519
from keys.encryption import KeyEncryptionKey

KEK_FILE = "key-encryption-key"


def load_kek(configured: str | None, instance_path: str) -> KeyEncryptionKey:
    """``KEY_ENCRYPTION_KEY`` if set; otherwise a key generated once into the instance folder
    (mode 0600). Production deployments should set the variable and keep it elsewhere."""
    if configured:
        return KeyEncryptionKey.from_text(configured)
    path = Path(instance_path) / KEK_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(KeyEncryptionKey.generate_text())
    return KeyEncryptionKey.from_text(path.read_text())


def _associated_data(issuer: Issuer, multikey: str) -> bytes:
    return f"signing-key|{issuer.slug}|{multikey}".encode()


def create_signing_key(db: Session, issuer: Issuer, kek: KeyEncryptionKey) -> SigningKey:
    """A new Ed25519 key for ``issuer``, stored with its private half encrypted."""
    signer = generate_ed25519()
    multikey = signer.verification_key.multikey
    key = SigningKey(issuer_id=issuer.id, algorithm="Ed25519", public_multikey=multikey,
                     private_key_encrypted=kek.encrypt(signer.private_bytes(),
                                                       _associated_data(issuer, multikey)),
                     status="active")
    db.add(key)
    db.flush()
    return key


def active_key(db: Session, issuer: Issuer) -> SigningKey:
    return db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                               SigningKey.status == "active")
                      .order_by(SigningKey.id.desc())).first()


@lru_cache(maxsize=256)
def _private_key(key_id: int, blob: bytes, associated_data: bytes,
                 kek: KeyEncryptionKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(kek.decrypt(blob, associated_data))


def signer_for(issuer: Issuer, key: SigningKey, kek: KeyEncryptionKey,
               method_id: str, controller: str) -> Ed25519Signer:
    """A Signer for ``key`` under ``method_id``; decrypted once per process and key."""
    private = _private_key(key.id, key.private_key_encrypted,
                           _associated_data(issuer, key.public_multikey), kek)
    return Ed25519Signer(private, method_id, controller)


def verification_key(key: SigningKey, method_id: str, controller: str
                     ) -> Ed25519VerificationKey:
    return Ed25519VerificationKey.from_multikey(key.public_multikey, method_id, controller)
