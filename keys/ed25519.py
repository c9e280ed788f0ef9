"""Ed25519 keys: generation, Multikey and JWK encodings, signing and verifying."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from keys import base64url
from keys.jwk import member_bytes, member_text, require_object
from keys.multibase import ED25519_PUB, decode_multikey, encode_multikey
from keys.signer import signed_bytes

ALGORITHM = "EdDSA"
PUBLIC_KEY_LENGTH = 32


@dataclass(frozen=True)
class Ed25519VerificationKey:
    """An Ed25519 public key, with the verification method ``id`` it was published under."""

    public_key: Ed25519PublicKey
    id: str = ""
    controller: str = ""
    algorithm: str = ALGORITHM

    @classmethod
    def from_raw(cls, raw: bytes, id: str = "", controller: str = "") -> Ed25519VerificationKey:
        return cls(Ed25519PublicKey.from_public_bytes(raw), id, controller)

    @classmethod
    def from_multikey(cls, value: str, id: str = "", controller: str = ""
                      ) -> Ed25519VerificationKey:
        """From ``publicKeyMultibase`` (``z6Mk...``)."""
        return cls.from_raw(decode_multikey(value, ED25519_PUB, PUBLIC_KEY_LENGTH), id, controller)

    @classmethod
    def from_jwk(cls, jwk: dict, id: str = "", controller: str = "") -> Ed25519VerificationKey:
        """From an OKP/Ed25519 public JWK (RFC 8037); :class:`UnusableKeyError` naming the
        member for anything else."""
        require_object(jwk)
        member_text(jwk, "kty", ("OKP",))
        member_text(jwk, "crv", ("Ed25519",), "OKP JWK")
        return cls.from_raw(member_bytes(jwk, "x", PUBLIC_KEY_LENGTH, "Ed25519 JWK"), id,
                            controller)

    @property
    def raw(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)

    @property
    def multikey(self) -> str:
        """``publicKeyMultibase``: base58btc of 0xed01 + the 32 key bytes."""
        return encode_multikey(ED25519_PUB, self.raw)

    def jwk(self) -> dict[str, str]:
        """The public key as an RFC 8037 JWK."""
        return {"kty": "OKP", "crv": "Ed25519", "x": base64url.encode(self.raw)}

    def multikey_document(self) -> dict[str, str]:
        """A ``Multikey`` verification method (Controlled Identifiers 1.0)."""
        return {"id": self.id, "type": "Multikey", "controller": self.controller,
                "publicKeyMultibase": self.multikey}

    def verify(self, signature: bytes, data: bytes) -> None:
        """Raise :class:`InvalidSignature` unless ``signature`` is this key's over ``data``
        (anything but bytes included)."""
        self.public_key.verify(*signed_bytes(signature, data))


@dataclass(frozen=True)
class Ed25519Signer:
    """Signs with an Ed25519 private key held only in this object."""

    private_key: Ed25519PrivateKey = field(repr=False)
    id: str = ""
    controller: str = ""
    algorithm: str = ALGORITHM

    @classmethod
    def from_seed(cls, seed: bytes, id: str = "", controller: str = "") -> Ed25519Signer:
        """From the 32-byte private key seed (RFC 8032)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed), id, controller)

    def with_id(self, id: str, controller: str = "") -> Ed25519Signer:
        """The same key under a verification method id."""
        return Ed25519Signer(self.private_key, id, controller or self.controller)

    @property
    def verification_key(self) -> Ed25519VerificationKey:
        return Ed25519VerificationKey(self.private_key.public_key(), self.id, self.controller)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def private_bytes(self) -> bytes:
        """The raw seed, for the key store to encrypt; nothing else should call this."""
        return self.private_key.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())

    def __repr__(self) -> str:
        return f"Ed25519Signer(id={self.id!r})"


def generate_ed25519(id: str = "", controller: str = "") -> Ed25519Signer:
    """A fresh Ed25519 key pair from the operating system's CSPRNG."""
    return Ed25519Signer(Ed25519PrivateKey.generate(), id, controller)
