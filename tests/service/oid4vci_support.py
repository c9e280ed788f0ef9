"""A wallet's side of OpenID4VCI for the tests: holder keys (Ed25519 or P-256) and the
``openid4vci-proof+jwt`` key proofs they sign, made with our own Signers."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from credentials.key_proofs import PROOF_TYPE
from keys import base64url
from keys.did import did_key, did_key_verification_method
from keys.ecdsa import ec_multikey
from keys.ed25519 import Ed25519Signer, generate_ed25519
from keys.jose import JoseSigner


@dataclass(frozen=True)
class HolderKey:
    signer: Ed25519Signer | JoseSigner

    @classmethod
    def ed25519(cls) -> HolderKey:
        return cls(generate_ed25519())

    @classmethod
    def p256(cls) -> HolderKey:
        return cls(JoseSigner(ec.generate_private_key(ec.SECP256R1())))

    @property
    def did_key(self) -> str:
        key = self.signer.verification_key
        return did_key(key.multikey if isinstance(self.signer, Ed25519Signer)
                       else ec_multikey(key))

    @property
    def jwk(self) -> dict[str, str]:
        return self.signer.verification_key.jwk()

    def proof(self, *, audience: str, nonce: str | None, key: str = "did:key",
              iat: int | None = None, typ: str = PROOF_TYPE, **claims: Any) -> str:
        """A key proof naming this key by ``key``: "did:key", "did:jwk" or "jwk"."""
        header: dict[str, Any] = {"typ": typ, "alg": self.signer.algorithm}
        if key == "did:key":
            header["kid"] = did_key_verification_method(self.did_key)
        elif key == "did:jwk":
            did = "did:jwk:" + base64url.encode(json.dumps(self.jwk).encode())
            header["kid"] = did + "#0"
        else:
            header["jwk"] = self.jwk
        payload: dict[str, Any] = {"aud": audience,
                                   "iat": int(time.time()) if iat is None else iat, **claims}
        if nonce is not None:
            payload["nonce"] = nonce
        signing_input = ".".join(base64url.encode(json.dumps(part).encode())
                                 for part in (header, payload))
        signature = self.signer.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{base64url.encode(signature)}"
