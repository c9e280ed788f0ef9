"""Verifiable presentations (credentials.verify.presentation), without a service: the holder's
proof, every credential in full, holder binding, VP-JWT, and never "verified" for a forgery."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.dates import format_datetime
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import envelope, sign_jwt
from credentials.verify.limits import MAX_PRESENTED
from credentials.verify.presentation import Binding, verify_presentation
from credentials.verify.report import Outcome
from keys import base64url
from keys.did import did_key, did_key_verification_method
from keys.ed25519 import Ed25519Signer, generate_ed25519

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
CHALLENGE = "c2lnbi1tZS1ub3c"
DOMAIN = "hiring.example.org"
NOW = datetime.now(UTC).replace(microsecond=0)


def did_signer() -> tuple[str, Ed25519Signer]:
    key = generate_ed25519()
    did = did_key(key.verification_key.multikey)
    return did, key.with_id(did_key_verification_method(did), did)


HOLDER, HOLDER_KEY = did_signer()
ISSUER, ISSUER_KEY = did_signer()


def credential(subject: str | None = HOLDER, **changes: Any) -> dict[str, Any]:
    """A credential the issuer signed, about ``subject``."""
    document: dict[str, Any] = {
        "@context": [V2], "id": "urn:uuid:6a1c1f2e-8a43-4d49-a0a3-0d8f3e0f9b11",
        "type": ["VerifiableCredential"], "issuer": ISSUER, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject} if subject else {"name": "Jordan Rivera"}}
    document.update(changes)
    return create_proof(document, EDDSA_RDFC_2022, ISSUER_KEY,
                        created=format_datetime(NOW - timedelta(days=1)))


def presentation(*credentials: Any, holder: str | None = HOLDER) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [V2], "type": ["VerifiablePresentation"]}
    if holder is not None:
        document["holder"] = holder
    if credentials:
        document["verifiableCredential"] = list(credentials)
    return document


def signed(document: dict[str, Any], key: Ed25519Signer = HOLDER_KEY,
           **options: Any) -> dict[str, Any]:
    options = {"challenge": CHALLENGE, "domain": DOMAIN, **options}
    return create_proof(document, EDDSA_RDFC_2022, key, created=format_datetime(NOW),
                        proof_purpose="authentication",
                        options={k: v for k, v in options.items() if v is not None})


def verify(vp: Any, **kwargs: Any):
    kwargs = {"challenge": CHALLENGE, "domain": DOMAIN, **kwargs}
    return verify_presentation(vp, **kwargs)


def outcome(report, name: str) -> Outcome:
    return report.check(name).outcome


def test_a_holders_presentation_of_their_credential_verifies() -> None:
    report = verify(signed(presentation(credential())))
    assert report.verified, report.errors
    assert report.verdict == "Verified: every check passed."
    assert (report.holder, report.holder_proven) == (HOLDER, True)
    assert report.authentication.verification_method == HOLDER_KEY.id
    assert [c.name for c in report.checks] == ["data_model", "holder_proof", "credentials",
                                               "holder_binding"]
    assert all(c.outcome is Outcome.SUCCESS for c in report.checks)
    [held] = report.credentials
    assert held.binding is Binding.HOLDER and held.report.verified
    answer = report.as_json()
    assert answer["holderProven"] is True and answer["errors"] == []
    assert answer["credentials"][0]["holderBinding"]["binding"] == "holder"
    json.dumps(answer)  # serialisable as it stands


def test_a_did_authentication_holds_no_credentials() -> None:
    report = verify(signed(presentation()))
    assert report.verified
    assert outcome(report, "credentials") is Outcome.SKIPPED
    assert outcome(report, "holder_binding") is Outcome.SKIPPED


@pytest.mark.parametrize(("options", "asked", "problem"), [
    ({"challenge": "another"}, {}, "challenge"),
    ({"challenge": None}, {}, "challenge"),
    ({"domain": "evil.example"}, {}, "domain"),
    ({"domain": ["evil.example", DOMAIN]}, {}, "domain"),
    ({}, {"challenge": "a-newer-one"}, "challenge"),
    ({"expires": format_datetime(NOW - timedelta(seconds=5))}, {}, "expired"),
])
def test_a_proof_not_made_for_this_request_is_not_verified(options: dict, asked: dict,
                                                           problem: str) -> None:
    report = verify(signed(presentation(credential()), **options), **asked)
    assert not report.verified
    proof = report.check("holder_proof")
    assert proof.outcome is Outcome.FAILURE and proof.detail["problem"] == problem
    assert report.verdict.startswith("Not verified: the holder's proof does not hold")


def test_a_proof_for_authentication_only() -> None:
    vp = create_proof(presentation(credential()), EDDSA_RDFC_2022, HOLDER_KEY,
                      created=format_datetime(NOW), proof_purpose="assertionMethod",
                      options={"challenge": CHALLENGE, "domain": DOMAIN})
    assert verify(vp).check("holder_proof").detail["problem"] == "purpose"


def test_without_a_challenge_a_proof_is_still_checked_and_none_is_a_warning() -> None:
    report = verify_presentation(signed(presentation(credential()), challenge="theirs"))
    assert report.verified and report.holder_proven
    unsigned = verify_presentation(presentation(credential()))
    assert unsigned.verified and not unsigned.holder_proven
    assert outcome(unsigned, "holder_proof") is Outcome.WARNING
    assert outcome(unsigned, "holder_binding") is Outcome.WARNING  # claimed, not proven
    assert unsigned.verdict.startswith("Verified, with a warning: the presentation carries "
                                       "no proof")
    # Asked for a challenge, a presentation without a proof fails.
    assert not verify(presentation(credential())).verified


def test_a_tampered_credential_inside_a_valid_holder_proof_is_not_verified() -> None:
    changed = credential()
    changed["credentialSubject"]["name"] = "Someone Else"
    report = verify(signed(presentation(changed)))
    assert outcome(report, "holder_proof") is Outcome.SUCCESS
    assert not report.verified
    assert outcome(report, "credentials") is Outcome.FAILURE
    assert report.credentials[0].report.check("proof").detail["failure"] == "signature"
    assert report.verdict == "Not verified: a credential in it does not verify."


def test_a_valid_credential_in_a_tampered_presentation_is_not_verified() -> None:
    other, _ = did_signer()
    for change in ({"holder": other}, {"verifiableCredential": [credential(), credential()]},
                   {"id": "urn:uuid:1f4b5a0e-2f7e-4e55-9f55-3b9c1d2f0a77"}):
        vp = signed(presentation(credential()))
        vp.update(change)
        report = verify(vp)
        assert not report.verified
        assert report.check("holder_proof").detail["problem"] == "signature", change


def test_a_proof_by_a_key_not_the_holders_is_not_verified() -> None:
    _, other_key = did_signer()
    # Someone else's own key, the presentation naming our holder.
    report = verify(signed(presentation(credential()), key=other_key))
    assert report.check("holder_proof").detail["problem"] == "holder"
    # Someone else's key claiming to be the holder's verification method.
    forged = other_key.with_id(HOLDER_KEY.id, HOLDER)
    assert verify(signed(presentation(credential()), key=forged)).check(
        "holder_proof").detail["problem"] == "signature"


def test_holder_binding_is_reported_and_fails_only_when_required() -> None:
    stranger, _ = did_signer()
    vp = signed(presentation(credential(), credential(stranger), credential(None)))
    report = verify(vp)
    assert report.verified
    assert [c.binding for c in report.credentials] == [Binding.HOLDER, Binding.OTHER,
                                                       Binding.BEARER]
    binding = report.check("holder_binding")
    assert binding.outcome is Outcome.WARNING and "2 of 3" in binding.message
    strict = verify(vp, holder_binding_required=True)
    assert not strict.verified
    assert strict.verdict == "Not verified: a credential in it is not about its holder."


def test_a_presentation_naming_no_holder_binds_nothing() -> None:
    report = verify(signed(presentation(credential(), holder=None)))
    assert report.verified and report.holder is None
    assert report.authentication.holder == HOLDER  # the DID that signed
    assert report.credentials[0].binding is Binding.UNKNOWN


def _claim(issuer: str) -> dict[str, Any]:
    """A credential with no proof of its own (the W3C suite's presentation-vc-ok.json)."""
    return {"@context": [V2], "type": ["VerifiableCredential"], "validFrom":
            "2023-02-27T05:03:28Z", "issuer": issuer,
            "credentialSubject": {"id": "did:example:subject"}}


def test_a_holders_own_claim_is_secured_by_the_presentation_alone() -> None:
    """VCDM 2.0, Presentations Including Holder Claims: the two MUSTs the W3C suite tests."""
    report = verify(signed(presentation(_claim(HOLDER))))
    assert report.verified, report.errors
    held = report.credentials[0].report
    assert held.check("proof").detail["securedBy"] == "presentation"
    # Signed by the one it is about: whatever issuer name it gives is nobody's word but the
    # holder's, so it is never "issuer identity proven" (hostile review of #18, F2).
    assert not held.issuer_bound and held.check("issuer").detail["selfAsserted"]
    assert str(report.standing) == "unbound"
    assert report.verdict.startswith("The signatures are valid, but nothing ties")
    # No holder named: refused.
    assert not verify(signed(presentation(_claim(HOLDER), holder=None))).verified
    # The holder is not the claim's issuer, either way round.
    assert not verify(signed(presentation(_claim("did:example:acme")))).verified
    # Nothing signed at all: the claim has no proof and nothing else secures it.
    unsigned = verify_presentation(presentation(_claim(HOLDER)))
    assert not unsigned.verified
    assert unsigned.credentials[0].report.check("proof").detail["failure"] == "missing"


@pytest.mark.parametrize(("change", "pointer"), [
    ({"type": ["Presentation"]}, "/type"),
    ({"type": None}, "/type"),
    ({"@context": ["https://example.org/context"]}, "/@context/0"),
    ({"id": "not a url"}, "/id"),
    ({"holder": {"id": "z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"}}, "/holder/id"),
    ({"holder": {"name": "Jordan"}}, "/holder/id"),
    ({"holder": 7}, "/holder"),
    ({"verifiableCredential": ["https://example.org/credentials/1"]},
     "/verifiableCredential/0"),
    ({"verifiableCredential": [42]}, "/verifiableCredential/0"),
    ({"verifiableCredential": [{"type": "EnvelopedVerifiableCredential",
                                "id": "data:application/vc+jwt,a.b.c"}]},
     "/verifiableCredential/0/@context"),
])
def test_the_data_model_musts(change: dict, pointer: str) -> None:
    vp = {**presentation(credential()), **change}
    vp = {k: v for k, v in vp.items() if v is not None}
    report = verify_presentation(vp)
    check = report.check("data_model")
    assert check.outcome is Outcome.FAILURE
    assert check.detail["errors"][0]["pointer"] == pointer
    assert not report.verified


def test_a_vcdm_1_1_presentation_may_hold_vc_jwt_strings() -> None:
    """As VC-JWT (VCDM 1.1) carries them; 2.0 wants objects (EnvelopedVerifiableCredential)."""
    token = sign_jwt(_unsigned(), ISSUER_KEY)
    report = verify_presentation(presentation(token) | {"@context": [V1]})
    assert outcome(report, "data_model") is Outcome.SUCCESS
    assert report.verified, report.errors
    assert report.credentials[0].binding is Binding.HOLDER
    assert outcome(verify_presentation(presentation(token)), "data_model") is Outcome.FAILURE


def _unsigned(subject: str = HOLDER) -> dict[str, Any]:
    return {"@context": [V2], "id": "urn:uuid:0d7f1a9c-6e0b-4f6f-8a55-2b1c3d4e5f60",
            "type": ["VerifiableCredential"], "issuer": ISSUER,
            "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": subject}}


def vp_jwt(payload: dict[str, Any], key: Ed25519Signer = HOLDER_KEY,
           header: dict[str, Any] | None = None) -> str:
    """A presentation secured with JOSE, as VC-JOSE-COSE describes it."""
    header = header or {"alg": "EdDSA", "kid": key.id, "typ": "vp+jwt", "cty": "vp"}

    def part(value: dict[str, Any]) -> str:
        return base64url.encode(json.dumps(value).encode())

    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{base64url.encode(key.sign(signing_input.encode()))}"


def jwt_claims(**claims: Any) -> dict[str, Any]:
    """A VP-JWT's claims, timed from the moment of the call (a test run can take longer
    than the five minutes a presentation lives after the module was imported)."""
    now = datetime.now(UTC)
    base = {"nonce": CHALLENGE, "aud": DOMAIN, "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp())}
    return {k: v for k, v in {**base, **claims}.items() if v is not None}


def test_a_vp_jwt_with_an_enveloped_vc_jwt_verifies() -> None:
    held = envelope(sign_jwt(_unsigned(), ISSUER_KEY))
    token = vp_jwt({**presentation(held), **jwt_claims()})
    for form in (token, {"@context": [V2], "type": "EnvelopedVerifiablePresentation",
                         "id": f"data:application/vp+jwt,{token}"}):
        report = verify(form)
        assert report.verified, report.errors
        assert report.holder_proven and report.credentials[0].binding is Binding.HOLDER
        assert report.check("holder_proof").detail["cryptosuite"] == "JWT EdDSA"


def test_a_vcdm_1_1_vp_jwt_names_its_holder_in_iss() -> None:
    token = vp_jwt({"iss": HOLDER, "vp": {"@context": [V1], "type": ["VerifiablePresentation"],
                                          "verifiableCredential": [
                                              sign_jwt(_unsigned(), ISSUER_KEY)]},
                    **jwt_claims()}, header={"alg": "EdDSA", "kid": HOLDER_KEY.id,
                                              "typ": "JWT"})
    report = verify(token)
    assert report.verified, report.errors
    assert report.holder == HOLDER and report.credentials[0].binding is Binding.HOLDER


@pytest.mark.parametrize(("claims", "problem"), [
    ({"nonce": "another"}, "challenge"),
    ({"nonce": None}, "challenge"),
    ({"aud": "evil.example"}, "domain"),
    ({"exp": int((NOW - timedelta(seconds=1)).timestamp())}, "expired"),
    ({"nbf": int((NOW + timedelta(hours=1)).timestamp())}, "expired"),
    ({"iss": "did:example:someone-else"}, "holder"),
])
def test_a_vp_jwt_not_made_for_this_request_is_not_verified(claims: dict,
                                                             problem: str) -> None:
    token = vp_jwt({**presentation(), **jwt_claims(**claims)})
    report = verify(token)
    assert not report.verified
    assert report.check("holder_proof").detail["problem"] == problem


def test_a_tampered_or_foreign_vp_jwt_is_not_verified() -> None:
    token = vp_jwt({**presentation(), **jwt_claims()})
    header, payload, signature = token.split(".")
    changed = json.loads(base64url.decode(payload)) | {"holder": ISSUER}
    tampered = f"{header}.{base64url.encode(json.dumps(changed).encode())}.{signature}"
    assert verify(tampered).check("holder_proof").detail["problem"] == "signature"
    _, other_key = did_signer()
    assert verify(vp_jwt({**presentation(), **jwt_claims()}, key=other_key)).check(
        "holder_proof").detail["problem"] == "holder"
    assert verify(vp_jwt({**presentation(), **jwt_claims()}, header={
        "alg": "EdDSA", "kid": other_key.id, "typ": "vc+jwt"})).check(
        "holder_proof").outcome is Outcome.FAILURE


def test_hostile_presentations_are_refused_at_once() -> None:
    many = presentation(*[{"@context": [V2]}] * (MAX_PRESENTED + 1))
    report = verify(many)
    assert report.check("limits").detail["cap"] == "max_presented_credentials"
    record = {"@context": [V2], "type": ["VerifiableCredential", "ClrCredential"],
              "credentialSubject": {"verifiableCredential": [{}] * 300}}
    assert verify(presentation(record, record)).check("limits").detail["cap"] == \
        "max_embedded_credentials"
    deep: Any = {}
    for _ in range(200):
        deep = {"a": deep}
    assert verify(presentation(deep)).check("limits").detail["cap"] == "max_depth"
    for hostile in (None, 42, "a.b.c", "not.a.jwt", [], {"type": "EnvelopedVerifiablePresentation",
                                                          "id": "data:text/plain,hi"}):
        report = verify(hostile)
        assert not report.verified and report.errors


def test_fifty_credentials_verify_within_the_budget() -> None:
    """The most a presentation may hold, each verified in full, in a few seconds."""
    vp = signed(presentation(*[credential(id=f"urn:uuid:6a1c1f2e-8a43-4d49-a0a3-{n:012d}")
                               for n in range(MAX_PRESENTED)]))
    started = time.monotonic()
    report = verify(vp)
    assert report.verified, report.errors[:2]
    assert time.monotonic() - started < 20


def test_a_symmetric_presentation_costs_a_bounded_budget_and_fails() -> None:
    """Fifty copies of one credential make blank nodes RDFC-1.0 cannot tell apart cheaply:
    the holder's proof fails within the shared budget instead of stalling the verifier."""
    held = credential()
    vp = signed(presentation(held))
    vp["verifiableCredential"] = [copy.deepcopy(held) for _ in range(MAX_PRESENTED)]
    started = time.monotonic()
    report = verify(vp)
    assert not report.verified
    assert report.check("holder_proof").outcome is Outcome.FAILURE
    assert time.monotonic() - started < 20


def test_the_report_does_not_share_the_callers_presentation() -> None:
    vp = signed(presentation(credential()))
    kept = copy.deepcopy(vp)
    verify(vp)
    assert vp == kept


def test_a_vc_jose_cose_credential_inside_a_vp_jwt_verifies() -> None:
    """VC-JOSE-COSE types its tokens vc+jwt and vp+jwt (cty vc, vp)."""
    payload = _unsigned()
    header = {"alg": "EdDSA", "kid": ISSUER_KEY.id, "typ": "vc+jwt", "cty": "vc"}
    held = envelope(vp_jwt(payload, key=ISSUER_KEY, header=header))
    report = verify(vp_jwt({**presentation(held), **jwt_claims()}))
    assert report.verified, report.errors
    assert report.credentials[0].report.check("proof").outcome is Outcome.SUCCESS


def test_the_learner_credential_wallets_form_verifies() -> None:
    """VCDM 1.1 context and an Ed25519Signature2020 authentication proof, as the Learner
    Credential Wallet answers a DIDAuthentication request."""
    from tests.test_did_authentication import LCW_SUITE

    document = {**presentation(),
                "@context": [V1, "https://w3id.org/security/suites/ed25519-2020/v1"]}
    vp = create_proof(document, LCW_SUITE, HOLDER_KEY, created=format_datetime(NOW),
                      proof_purpose="authentication",
                      options={"challenge": CHALLENGE, "domain": DOMAIN})
    report = verify(vp)
    assert report.verified, report.errors
    assert report.check("holder_proof").detail["cryptosuite"] == "Ed25519Signature2020"


def test_a_credential_signed_by_a_key_no_one_ties_to_its_issuer_is_not_verified_first() -> None:
    """Hostile review of #18, F7: a credential naming a university, signed by anyone's
    did:key, inside a good presentation: ``verified`` (the data model's sense) but standing
    ``unbound``, and the verdict opens with what is missing, naming the issuer claimed."""
    forged = credential(issuer="https://www.harvard.edu/issuer")
    report = verify(signed(presentation(forged)))
    assert report.verified and str(report.standing) == "unbound"
    assert report.verdict.startswith("The signatures are valid, but nothing ties the signature")
    assert "naming https://www.harvard.edu/issuer" in report.verdict
    assert report.as_json()["standing"] == "unbound"
    assert str(verify(signed(presentation(credential()))).standing) == "verified"
