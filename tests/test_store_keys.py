"""Stored private keys: sealed under the KEK, opened only into Signers, and only under the KEK
and record (associated data) they were sealed with."""

from __future__ import annotations

import pytest

from keys import InvalidSignature
from keys.encryption import KeyDecryptionError, KeyEncryptionKey
from keys.jose import KEY_TYPES, generate
from keys.store_keys import open_signer, seal_private_key


def _kek() -> KeyEncryptionKey:
    return KeyEncryptionKey.from_text(KeyEncryptionKey.generate_text())


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_a_sealed_key_opens_into_a_signer_of_the_same_key(key_type: str) -> None:
    kek, original = _kek(), generate(key_type)
    blob = seal_private_key(original, kek, b"signing-key|a|k1")
    assert original.private_bytes() not in blob
    signer = open_signer(key_type, blob, kek, b"signing-key|a|k1", "did:example:a#k1",
                         "did:example:a")
    assert (signer.id, signer.controller) == ("did:example:a#k1", "did:example:a")
    assert signer.algorithm == KEY_TYPES[key_type]
    original.verification_key.verify(signer.sign(b"data"), b"data")
    with pytest.raises(InvalidSignature):
        original.verification_key.verify(signer.sign(b"data"), b"other data")


def test_a_sealed_key_opens_only_under_its_kek_and_record() -> None:
    kek, original = _kek(), generate("Ed25519")
    blob = seal_private_key(original, kek, b"signing-key|a|k1")
    with pytest.raises(KeyDecryptionError):
        open_signer("Ed25519", blob, _kek(), b"signing-key|a|k1", "m", "c")
    with pytest.raises(KeyDecryptionError):  # copied onto another issuer's record
        open_signer("Ed25519", blob, kek, b"signing-key|b|k1", "m", "c")
    with pytest.raises(KeyDecryptionError):
        open_signer("Ed25519", blob[:-1] + bytes([blob[-1] ^ 1]), kek, b"signing-key|a|k1",
                    "m", "c")
