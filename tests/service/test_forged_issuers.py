"""A credential naming one of our issuers verifies only when one of that issuer's stored keys
signed it; other issuers' self-asserted keys verify with a warning and never "every check
passed". Over HTTP: the VC API and the /verify page (SQLite, and PostgreSQL with
TEST_STORE=postgresql)."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from credentials.dates import format_datetime
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import registered_claims
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import signer_for
from issuer.store import store
from issuer.store.models import Issuer, SigningKey
from issuer.web.context import service_context
from keys import Ed25519Signer
from keys.did import did_key, did_key_verification_method
from tests.service.conftest import BASE, completion_body

ATTACKER_SEED = bytes(range(100, 132))
HTML = {"Accept": "text/html"}


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


def verify(service, credential) -> tuple[int, dict]:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


def page(service, credential) -> str:
    text = credential if isinstance(credential, str) else json.dumps(credential)
    response = service.client.post("/verify", data={"credential_text": text}, headers=HTML)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def unsigned(credential: dict, issuer_id: str | None = None) -> dict:
    """The real credential less its proof (its status entry too), naming ``issuer_id``."""
    document = {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}
    if issuer_id is not None:
        document["issuer"]["id"] = issuer_id
    return document


def attacker_did_key() -> Ed25519Signer:
    signer = Ed25519Signer.from_seed(ATTACKER_SEED)
    did = did_key(signer.verification_key)
    return signer.with_id(did_key_verification_method(did), did)


def attacker_url_key() -> Ed25519Signer:
    signer = Ed25519Signer.from_seed(ATTACKER_SEED)
    return signer.with_id(f"https://evil.example/keys#{signer.verification_key.multikey}",
                          "https://evil.example/keys")


def _b64(value: dict) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk_header_jwt(credential: dict) -> str:
    """A VC-JWT whose only key is the attacker's, carried in the header (``jwk``)."""
    signer = Ed25519Signer.from_seed(ATTACKER_SEED)
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": signer.verification_key.jwk()}
    signing_input = f"{_b64(header)}.{_b64({**credential, **registered_claims(credential)})}"
    signature = base64.urlsafe_b64encode(signer.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


RIVERBEND = f"{BASE}/issuers/riverbend"
RIVERBEND_DID = IssuerIdentifiers.for_slug(BASE, "riverbend").did_web


def forgeries(real: dict) -> dict[str, object]:
    """Each attack form, keeping the real credential's status entry."""
    return {
        "did:key method": create_proof(unsigned(real), EDDSA_RDFC_2022, attacker_did_key()),
        "url#multikey method": create_proof(unsigned(real), EDDSA_RDFC_2022,
                                            attacker_url_key()),
        "jwk header VC-JWT": jwk_header_jwt(unsigned(real)),
        "profile URL issuer, did:key method": create_proof(unsigned(real, RIVERBEND),
                                                           EDDSA_RDFC_2022,
                                                           attacker_did_key()),
        "unknown issuer of ours": create_proof(unsigned(real, f"{BASE}/issuers/nobody"),
                                               EDDSA_RDFC_2022, attacker_did_key()),
        "our key's did:key as issuer": create_proof(
            unsigned(real, "did:key:" + real["proof"]["verificationMethod"].split("#")[1]),
            EDDSA_RDFC_2022, attacker_did_key()),
    }


@pytest.mark.parametrize("form", ["did:key method", "url#multikey method",
                                  "jwk header VC-JWT", "profile URL issuer, did:key method",
                                  "unknown issuer of ours", "our key's did:key as issuer"])
def test_forgery_in_our_issuers_name_fails(service, form: str) -> None:
    real = issue(service)
    assert real["issuer"]["id"] == RIVERBEND_DID and "credentialStatus" in real
    forged = forgeries(real)[form]
    status, report = verify(service, forged)
    assert status == 422, report
    assert report["verified"] is False and report["issuerBound"] is False
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert issuer["outcome"] == "failure", issuer
    attacker = Ed25519Signer.from_seed(ATTACKER_SEED).verification_key.multikey
    if form == "jwk header VC-JWT":
        assert "the key in the JWT header (thumbprint" in issuer["message"]
    elif form == "url#multikey method":
        assert issuer["message"].startswith(f"signed by https://evil.example/keys#{attacker}")
    else:
        assert issuer["message"].startswith(f"signed by did:key:{attacker}")
    if form == "unknown issuer of ours":
        assert "this service has no such issuer" in issuer["message"]
    else:
        assert "is not a key of" in issuer["message"]
    if form in ("did:key method", "url#multikey method", "jwk header VC-JWT"):
        # The reused status entry is real and unset: only the issuer check tells.
        status_check = next(c for c in report["checks"] if c["check"] == "status")
        assert status_check["outcome"] == "success", status_check
    assert next(c for c in report["checks"] if c["check"] == "proof")["outcome"] != "failure"
    text = page(service, forged)
    assert "every check passed" not in text
    assert "Not verified: it was not signed by a key of the issuer it names." in text


def test_our_real_credentials_are_bound(service) -> None:
    real = issue(service)
    status, report = verify(service, real)
    assert status == 200 and report["issuerBound"] is True
    assert report["verdict"] == "Verified: every check passed."
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert issuer["detail"]["bound"] is True
    assert "Verified: every check passed." in page(service, real)


def _stored_signer(service, slug: str, method_controller: str):
    """A signer for ``slug``'s active Ed25519 key, as the test's own hand (not the API)."""
    with store(service.app).sessions() as db:
        issuer = db.scalars(select(Issuer).where(Issuer.slug == slug)).one()
        key = db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                                  SigningKey.algorithm == "Ed25519")).first()
        method = f"{method_controller}#{key.kid}"
        return signer_for(issuer, key, service_context(service.app).kek, method,
                          method_controller), key.kid


def test_a_key_of_another_of_our_issuers_fails_by_name(service) -> None:
    real = issue(service)
    issue_lakeside = service.client.post("/api/v1/issuers/lakeside/completions",
                                         json=completion_body(),
                                         headers=service.auth(service.other_admin))
    assert issue_lakeside.status_code == 201
    signer, _ = _stored_signer(service, "lakeside", f"{BASE}/issuers/lakeside")
    forged = create_proof(unsigned(real), EDDSA_RDFC_2022, signer)
    status, report = verify(service, forged)
    assert status == 422
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert "is a key of this service's issuer 'lakeside'" in issuer["message"]


def test_a_retired_key_signs_only_before_its_retirement(service) -> None:
    real = issue(service)
    signer, kid = _stored_signer(service, "riverbend", RIVERBEND)
    rotated = service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                  headers=service.auth(service.admin))
    assert rotated.status_code == 200 and rotated.get_json()["retired"] == [kid]
    assert verify(service, real)[0] == 200  # made before the rotation: still verifies
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1))
    backdated = create_proof(unsigned(real), EDDSA_RDFC_2022, signer, created=later)
    status, report = verify(service, backdated)
    assert status == 422
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert "was retired on" in issuer["message"], issuer
    early = create_proof(unsigned(real), EDDSA_RDFC_2022, signer,
                         created="2001-01-01T00:00:00Z")
    issuer = next(c for c in verify(service, early)[1]["checks"] if c["check"] == "issuer")
    assert "did not exist yet" in issuer["message"], issuer


def test_other_issuers_self_asserted_key_is_valid_but_unbound(service) -> None:
    other = "https://other.example/issuers/1"
    document = unsigned(issue(service), other)
    document.pop("credentialStatus")  # our list is not the other issuer's
    forms = {
        "did:key": create_proof(document, EDDSA_RDFC_2022, attacker_did_key()),
        "url#multikey": create_proof(document, EDDSA_RDFC_2022, attacker_url_key()),
        "jwk header": jwk_header_jwt(document),
    }
    for form, credential in forms.items():
        status, report = verify(service, credential)
        assert status == 200, (form, report["errors"])
        assert report["verified"] is True and report["issuerBound"] is False, form
        assert report["verdict"] == ("The signature is valid, but nothing ties the key to "
                                     f"{other}."), form
        issuer = next(c for c in report["checks"] if c["check"] == "issuer")
        assert issuer["outcome"] == "warning" and issuer["detail"]["bound"] is False
        text = page(service, credential)
        assert "every check passed" not in text
        assert f"The signature is valid, but nothing ties the key to {other}." in text
        assert '<div class="claimed warn"' in text, form  # amber: claims, not verified
        assert "What the credential claims (not verified)" in text


def test_a_did_key_issuer_signing_for_itself_is_bound(service) -> None:
    real = issue(service)
    signer = attacker_did_key()
    document = unsigned(real, signer.controller)
    document.pop("credentialStatus")
    status, report = verify(service, create_proof(document, EDDSA_RDFC_2022, signer))
    assert status == 200 and report["issuerBound"] is True, report


OTHER_SPELLINGS = {
    "lower-case %3a in the did:web": RIVERBEND_DID.replace("%3A", "%3a"),
    "upper-case scheme": RIVERBEND.replace("http://", "HTTP://"),
    "upper-case host": RIVERBEND.replace("localhost", "LOCALHOST"),
    "upper-case did:web host": RIVERBEND_DID.replace("localhost", "LocalHost"),
    "percent-encoded slug letter": RIVERBEND_DID.replace(":riverbend", ":%72iverbend"),
    "dot segment in the path": RIVERBEND.replace("/issuers/", "/x/../issuers/"),
    "the other scheme": RIVERBEND.replace("http://", "https://"),
    "trailing slash": RIVERBEND + "/",
    "trailing colon": RIVERBEND_DID + ":",
    "query": RIVERBEND + "?x=1",
    "fragment": RIVERBEND_DID + "#me",
    "the service's root": BASE + "/",
    # As WHATWG URL parsers (browsers) read them, these lead to our issuer too.
    "percent-encoded host letter": RIVERBEND.replace("localhost", "%6cocalhost"),
    "percent-encoded upper-case host": RIVERBEND.replace("localhost",
                                                         "%4C%4F%43%41%4C%48%4F%53%54"),
    "full-width host letter": RIVERBEND.replace("localhost", "\uff4cocalhost"),
    "backslashes": RIVERBEND.replace("/issuers/", "\\issuers\\"),
    "one slash after the scheme": RIVERBEND.replace("http://", "http:/"),
    "no slash after the scheme": RIVERBEND.replace("http://", "http:"),
}


@pytest.mark.parametrize("spelling", sorted(OTHER_SPELLINGS))
def test_other_spellings_of_our_issuer_fail_without_its_key(service, spelling: str) -> None:
    """Scheme, host and %xx case, default ports, dot segments, the other scheme: any spelling
    that names us must be signed by our key, never "valid, only not bound"."""
    real = issue(service)
    forged = create_proof(unsigned(real, OTHER_SPELLINGS[spelling]), EDDSA_RDFC_2022,
                          attacker_did_key())
    status, report = verify(service, forged)
    assert status == 422, (spelling, report)
    assert report["verified"] is False and report["issuerBound"] is False
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert issuer["outcome"] == "failure", issuer
    exact = spelling in ("lower-case %3a in the did:web", "upper-case scheme",
                         "upper-case host", "upper-case did:web host",
                         "percent-encoded slug letter", "dot segment in the path",
                         "the other scheme", "percent-encoded host letter",
                         "percent-encoded upper-case host", "full-width host letter",
                         "backslashes", "one slash after the scheme",
                         "no slash after the scheme")
    assert ("is not a key of" if exact else "this service has no such issuer") \
        in issuer["message"], issuer


@pytest.mark.parametrize("spell", [lambda key: f"DID:KEY:{key}",
                                   lambda key: f"Did:Key:{key}",
                                   lambda key: f"did:key:{key}#{key}"],
                         ids=["upper-case", "mixed-case", "with its key as fragment"])
def test_other_spellings_of_our_did_key_fail_without_that_key(service, spell) -> None:
    """The did:key of a key we hold names our issuer in any case of ``did:key:`` and with a
    fragment: signed by a stranger it fails, never "valid, only not bound"."""
    real = issue(service)
    _, kid = _stored_signer(service, "riverbend", RIVERBEND)
    with store(service.app).sessions() as db:
        multikey = db.scalars(select(SigningKey.public_multikey)
                              .where(SigningKey.kid == kid)).one()
    document = unsigned(real, spell(multikey))
    document.pop("credentialStatus")
    status, report = verify(service, create_proof(document, EDDSA_RDFC_2022,
                                                  attacker_did_key()))
    assert status == 422, report
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert issuer["outcome"] == "failure" and "is not a key of" in issuer["message"], issuer


def test_our_key_signs_for_another_spelling_of_its_issuer(service) -> None:
    """The same issuer in another spelling is still that issuer: its own key binds."""
    real = issue(service)
    signer, _ = _stored_signer(service, "riverbend", RIVERBEND)
    document = unsigned(real, RIVERBEND_DID.replace("%3A", "%3a"))
    document.pop("credentialStatus")  # its list names the issuer in our own spelling
    spelled = create_proof(document, EDDSA_RDFC_2022, signer)
    status, report = verify(service, spelled)
    assert status == 200 and report["issuerBound"] is True, report


def test_a_revoked_credential_is_still_issuer_bound(service) -> None:
    """issuerBound says whose key signed, independent of revocation: a client tells a revoked
    credential (issuerBound true, standing revoked) from a forgery (issuerBound false)."""
    real = issue(service)
    credential_id = real["id"].rsplit("/", 1)[1]
    revoked = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/revoke",
        json={"reason": "error"}, headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    status, report = verify(service, real)
    assert status == 422 and report["verified"] is False
    assert report["issuerBound"] is True and report["standing"] == "revoked"
    assert report["verdict"] == "Not verified: the issuer has revoked this credential."
    issuer = next(c for c in report["checks"] if c["check"] == "issuer")
    assert issuer["detail"] == {**issuer["detail"], "bound": True,
                                "boundBy": "the verifier's own records"}
    assert "Not verified: the issuer has revoked this credential." in page(service, real)
    forged = forgeries(real)["did:key method"]  # the same revoked status entry, a forged key
    status, report = verify(service, forged)
    assert report["issuerBound"] is False and report["standing"] == "failed"
    assert report["verdict"] == "Not verified: it was not signed by a key of the issuer it names."


def test_the_openapi_document_says_what_bound_means(service) -> None:
    spec = service.client.get("/openapi.json").get_json()
    result = spec["components"]["schemas"]["VerificationResult"]
    assert "revoked or expired credential signed by its issuer's key is issuerBound true" in \
        result["properties"]["issuerBound"]["description"]
    assert set(result["properties"]["standing"]["enum"]) == {
        "verified", "unbound", "revoked", "suspended", "failed"}
    detail = result["properties"]["checks"]["items"]["properties"]["detail"]
    assert {"bound", "boundBy"} <= set(detail["properties"])
    assert "key-encryption key" in spec["paths"]["/readyz"]["get"]["summary"]
