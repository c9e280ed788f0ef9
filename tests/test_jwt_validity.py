"""A VC-JWT's exp and nbf are the credential's validUntil and validFrom (OB 3.0 8.2.4), and
a JWT past its exp or before its nbf MUST NOT be accepted (RFC 7519 4.1.4-5): the verifier
reads them, not only the dates inside the payload (hostile review of #18, F9)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from credentials.verify import Outcome, verify_credential
from keys import Ed25519Signer, base64url
from keys.did import did_key, did_key_verification_method

KEY = Ed25519Signer.from_seed(bytes(range(7, 39)))
DID = did_key(KEY.verification_key)
SIGNER = KEY.with_id(did_key_verification_method(DID), DID)
NOW = int(datetime.now(UTC).timestamp())
DAY = 24 * 3600


def token(**claims: Any) -> str:
    payload = {"@context": ["https://www.w3.org/ns/credentials/v2"],
               "type": ["VerifiableCredential"], "issuer": DID,
               "validFrom": "2026-01-01T00:00:00Z",
               "credentialSubject": {"id": "did:example:holder"},
               "iss": DID, "iat": NOW - DAY, **claims}
    header = {"alg": "EdDSA", "kid": SIGNER.id, "typ": "JWT"}
    signing_input = ".".join(base64url.encode(json.dumps(part).encode())
                             for part in (header, payload))
    return f"{signing_input}.{base64url.encode(SIGNER.sign(signing_input.encode()))}"


def dates(**claims: Any):
    return verify_credential(token(**claims)).check("validity_period")


def test_a_live_jwt_passes() -> None:
    check = dates(exp=NOW + DAY)
    assert check.outcome is Outcome.SUCCESS


@pytest.mark.parametrize(("claims", "words"), [
    ({"exp": NOW - 30 * DAY}, "expired: the VC-JWT's exp was"),
    ({"nbf": NOW + 300 * DAY}, "not yet valid: the VC-JWT's nbf is"),
    ({"exp": NOW + DAY, "validUntil": "2099-01-01T00:00:00Z"}, "disagrees with its validUntil"),
    ({"exp": "tomorrow"}, "is not a NumericDate"),
    ({"exp": 10 ** 30}, "is out of range"),
])
def test_a_jwt_outside_its_exp_or_nbf_or_at_odds_with_its_dates_fails(claims: dict,
                                                                       words: str) -> None:
    check = dates(**claims)
    assert check.outcome is Outcome.FAILURE and words in check.message
    assert not verify_credential(token(**claims)).verified
