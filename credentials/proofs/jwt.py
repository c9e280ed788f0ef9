"""VC-JWT as Open Badges 3.0 section 8.2 describes it (compact JWS, RS256/ES256/EdDSA).

Signing builds the JWS from our Signer (private keys stay in ``keys``); verification parses
and checks the JWS with joserfc. The payload is the credential plus the registered claims
``iss``, ``jti``, ``nbf``, ``sub`` and ``exp``, and ``iat`` (when it was signed); VCDM 1.1 JWTs
carry the credential in ``vc``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import import_key

from credentials.dates import parse_datetime
from credentials.proofs.data_integrity import ProofError, SignatureMismatch
from credentials.vcdm import issuer_id_of
from keys import base64url
from keys.jose import JwkVerificationKey
from keys.signer import Signer

ALGORITHMS = ("RS256", "ES256", "EdDSA")
HEADERS = {"alg", "kid", "typ", "jwk"}
REGISTERED_CLAIMS = ("iss", "jti", "nbf", "exp", "sub", "iat", "aud")
ENVELOPE_PREFIX = "data:application/vc+jwt,"
PRESENTATION_ENVELOPE_PREFIX = "data:application/vp+jwt,"
# VC-JOSE-COSE 1.0 names a secured credential's or presentation's media type in ``typ`` (and
# its content in ``cty``); OB 3.0's VC-JWT and VCDM 1.1's use plain JWT.
PRESENTATION_TYPES = ("JWT", "vp+jwt")
CREDENTIAL_TYPES = ("JWT", "vc+jwt")
MAX_HEADER_BYTES = 8 * 1024
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024


def _json_b64(value: Any) -> str:
    return base64url.encode(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def registered_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """``iss``, ``jti``, ``nbf``, ``sub`` and ``exp`` as OB 3.0 section 8.2.4 maps them."""
    claims: dict[str, Any] = {"iss": issuer_id_of(credential)}
    if "id" in credential:
        claims["jti"] = credential["id"]
    valid_from = parse_datetime(credential.get("validFrom"))
    if valid_from:
        claims["nbf"] = int(valid_from.timestamp())
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    valid_until = parse_datetime(credential.get("validUntil"))
    if valid_until:
        claims["exp"] = int(valid_until.timestamp())
    return claims


def sign_jwt(credential: Mapping[str, Any], signer: Signer) -> str:
    """The credential as a compact JWS with header ``alg``, ``kid`` and ``typ`` only."""
    if signer.algorithm not in ALGORITHMS:
        raise ProofError(f"VC-JWT needs an RS256, ES256 or EdDSA key, not {signer.algorithm}")
    header = {"alg": signer.algorithm, "kid": signer.id, "typ": "JWT"}
    # ``iat`` says when it was signed: a verifier needs it to place the signature within the
    # key's life (a key retired later still vouches for what it signed before).
    payload = {**credential, **registered_claims(credential),
               "iat": int(datetime.now(UTC).timestamp())}
    signing_input = f"{_json_b64(header)}.{_json_b64(payload)}"
    return f"{signing_input}.{base64url.encode(signer.sign(signing_input.encode('ascii')))}"


def envelope(token: str) -> dict[str, Any]:
    """The VC API's ``EnvelopedVerifiableCredential`` around a VC-JWT."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": ENVELOPE_PREFIX + token, "type": "EnvelopedVerifiableCredential"}


def unwrap(value: Any) -> str | None:
    """The compact JWS in a JWT string or an EnvelopedVerifiableCredential, else None."""
    if isinstance(value, str) and value.count(".") == 2:
        return value.strip()
    if isinstance(value, Mapping) and value.get("type") in ("EnvelopedVerifiableCredential",
                                                            ["EnvelopedVerifiableCredential"]):
        identifier = value.get("id", "")
        if isinstance(identifier, str) and identifier.startswith(ENVELOPE_PREFIX):
            return identifier[len(ENVELOPE_PREFIX):].strip()
    return None


@dataclass(frozen=True)
class DecodedJwt:
    """A VC-JWT taken apart (signature not yet checked)."""

    token: str
    header: dict[str, Any]
    payload: dict[str, Any]

    @property
    def vcdm_1_1(self) -> bool:
        return isinstance(self.payload.get("vc"), Mapping)

    @property
    def credential(self) -> dict[str, Any]:
        """The credential the JWT carries: ``vc`` (VCDM 1.1) or the payload less JWT claims."""
        if self.vcdm_1_1:
            return dict(self.payload["vc"])
        return {k: v for k, v in self.payload.items() if k not in REGISTERED_CLAIMS}


def _part(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(base64url.decode(segment))
    except ValueError:
        raise ProofError(f"the JWT {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise ProofError(f"the JWT {what} is not a JSON object")
    return value


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS whose ``alg`` we accept."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise ProofError("not a compact JWS (header.payload.signature)")
    header, payload = _part(parts[0], "header"), _part(parts[1], "payload")
    if header.get("alg") not in ALGORITHMS:
        raise ProofError(f"JWT alg {header.get('alg')!r} is not accepted; "
                         f"use one of {', '.join(ALGORITHMS)}")
    return header, payload


def decode_presentation_jwt(token: str) -> DecodedJwt:
    """Parse a presentation secured as a compact JWS: VC-JOSE-COSE's (``typ`` vp+jwt, the
    payload is the presentation) or VC-JWT's (VCDM 1.1, the presentation in ``vp``); raise
    ProofError for anything else. The signature is not checked here."""
    header, payload = _parts(token)
    unknown = set(header) - HEADERS - {"cty"}
    if unknown:
        raise ProofError(f"JWT header has parameters not allowed here: {sorted(unknown)}")
    if "typ" in header and header["typ"] not in PRESENTATION_TYPES:
        raise ProofError(f"a presentation's JWT typ must be 'vp+jwt' (or 'JWT'), not "
                         f"{header['typ']!r}")
    if "cty" in header and header["cty"] != "vp":
        raise ProofError(f"a presentation's JWT cty must be 'vp', not {header['cty']!r}")
    if "kid" not in header and "jwk" not in header:
        raise ProofError("the JWT header names no key (kid or jwk)")
    if "vp" in payload and not isinstance(payload["vp"], Mapping):
        raise ProofError("the JWT's vp claim is not a JSON object")
    return DecodedJwt(token, header, payload)


def presentation_of(decoded: DecodedJwt) -> dict[str, Any]:
    """The presentation a VP-JWT carries: ``vp`` (VCDM 1.1), else the payload itself less
    the JWT claims (VC-JOSE-COSE: the claims set is the presentation)."""
    if isinstance(decoded.payload.get("vp"), Mapping):
        return dict(decoded.payload["vp"])
    return {k: v for k, v in decoded.payload.items()
            if k not in (*REGISTERED_CLAIMS, "nonce")}


def decode_jwt(token: str) -> DecodedJwt:
    """Parse a compact JWS; raise ProofError for anything but a well-formed VC-JWT."""
    header, payload = _parts(token)
    unknown = set(header) - HEADERS - {"cty"}
    if unknown:
        raise ProofError(f"JWT header has parameters VC-JWT does not allow: {sorted(unknown)}")
    if "typ" in header and header["typ"] not in CREDENTIAL_TYPES:
        raise ProofError(f"JWT typ must be 'JWT' (or VC-JOSE-COSE's 'vc+jwt'), not "
                         f"{header['typ']!r}")
    if "cty" in header and header["cty"] != "vc":
        raise ProofError(f"a credential's JWT cty must be 'vc', not {header['cty']!r}")
    if "kid" not in header and "jwk" not in header:
        raise ProofError("the JWT header names no key (kid or jwk)")
    return DecodedJwt(token, header, payload)


def _registry(alg: str) -> jws.JWSRegistry:
    """joserfc's checks, sized for credentials: a ``jwk`` header with an RSA key passes 512
    bytes, and a CLR payload holds dozens of credentials."""
    registry = jws.JWSRegistry(algorithms=[alg])
    registry.max_header_length = MAX_HEADER_BYTES
    registry.max_payload_length = MAX_PAYLOAD_BYTES
    return registry


def verify_jwt(decoded: DecodedJwt, public_jwk: Mapping[str, Any]) -> None:
    """Check the JWS signature with ``public_jwk`` (see :func:`verify_signature`), and that
    ``iss`` and ``jti`` name the credential's issuer and id."""
    verify_signature(decoded, public_jwk)
    credential = decoded.credential
    if decoded.payload.get("iss") not in (None, issuer_id_of(credential)):
        raise ProofError(f"JWT iss {decoded.payload['iss']!r} is not the credential's issuer")
    if "jti" in decoded.payload and "id" in credential and \
            decoded.payload["jti"] != credential["id"]:
        raise ProofError("JWT jti is not the credential's id")


def verify_signature(decoded: DecodedJwt, public_jwk: Mapping[str, Any]) -> None:
    """Check the JWS signature with ``public_jwk``: :class:`SignatureMismatch` if it is not
    that key's over the token, :class:`ProofError` for any other failure, and
    :class:`~keys.jwk.UnusableKeyError` for a key no signature could be checked with (one
    :class:`~keys.jose.JwkVerificationKey` refuses: RSA under 2048 bits, say), so the key
    policy is the same here as for Data Integrity proofs."""
    JwkVerificationKey(dict(public_jwk))
    try:
        key = import_key(dict(public_jwk))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as superseded by RFC 9864
            jws.deserialize_compact(decoded.token, key, registry=_registry(decoded.header["alg"]))
    except BadSignatureError:
        raise SignatureMismatch("the JWT signature does not match: the token was altered "
                                "after signing, or signed with another key") from None
    except (JoseError, ValueError, TypeError) as error:
        raise ProofError(f"the JWT signature does not verify: {error}") from None
