"""The key-encryption-key canary: made under one KEK, opened only by that KEK."""

from __future__ import annotations

from keys.encryption import KeyEncryptionKey


def test_a_canary_opens_only_under_its_own_kek() -> None:
    kek = KeyEncryptionKey.from_text(KeyEncryptionKey.generate_text())
    other = KeyEncryptionKey.from_text(KeyEncryptionKey.generate_text())
    canary = kek.make_canary()
    assert kek.opens_canary(canary)
    assert not other.opens_canary(canary)
    assert not kek.opens_canary(canary[:-1] + bytes([canary[-1] ^ 1]))
    assert not kek.opens_canary(b"short")
    assert canary != kek.make_canary()  # a fresh nonce each time
