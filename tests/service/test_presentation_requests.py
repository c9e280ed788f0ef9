"""Presentation requests end to end over HTTP (issuer.services.presentation_requests*): an
employer asks for a competency at a level, a holder answers over the VC API exchange or
OpenID4VP with credentials issued here and bound to its DID, and the answer says exactly
what was proven; refusals for a wrong challenge, an expired request, another holder's
credential, a revoked credential and a level too low."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import envelope
from issuer.services.errors import Gone
from issuer.services.presentation_requests_answers import pending_answer, sweep
from issuer.services.wallet_offers import create_offer, issue_to_holder, offer_by_id
from issuer.store import store
from issuer.store.models import PresentationAnswer, PresentationRequest
from issuer.web.context import service_context
from keys import base64url
from keys.did import did_key, did_key_verification_method
from keys.ed25519 import Ed25519Signer
from tests.service.conftest import BASE, MODEL, completion_body

API = "/api/v1/issuers/riverbend/presentation-requests"
EMAIL = "jordan.rivera@example.com"
DOMAIN = "localhost:5000"


class Holder:
    """A wallet: a did:key and its signing key."""

    def __init__(self, seed: int) -> None:
        key = Ed25519Signer.from_seed(bytes([seed]) * 32)
        self.did = did_key(key.verification_key)
        self.signer = key.with_id(did_key_verification_method(self.did), self.did)

    def present_jwt(self, credentials: list[str], nonce: str, audience: str) -> str:
        """A VP-JWT (VC-JOSE-COSE) of VC-JWTs, for this nonce and audience."""
        now = int(datetime.now(UTC).timestamp())
        header = {"alg": "EdDSA", "kid": self.signer.id, "typ": "vp+jwt", "cty": "vp"}
        payload = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                   "type": ["VerifiablePresentation"], "holder": self.did,
                   "verifiableCredential": [envelope(token) for token in credentials],
                   "nonce": nonce, "aud": audience, "iat": now, "exp": now + 300}
        signing_input = ".".join(base64url.encode(json.dumps(part).encode())
                                 for part in (header, payload))
        return f"{signing_input}.{base64url.encode(self.signer.sign(signing_input.encode()))}"

    def present(self, credentials: list[Any], challenge: str, domain: str,
                holder: str | None = None) -> dict[str, Any]:
        vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
              "type": ["VerifiablePresentation"], "holder": holder or self.did,
              "verifiableCredential": credentials}
        return create_proof(vp, EDDSA_RDFC_2022, self.signer, proof_purpose="authentication",
                            options={"challenge": challenge, "domain": domain})


def issued_to(service, holder: Holder, level: str = "proficient",
              jwt_algorithm: str | None = None) -> Any:
    """A credential issued here at ``level`` and bound to the holder's DID."""
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(level=level),
                                   headers=service.auth(service.admin))
    assert response.status_code == 201, response.get_json()
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin():
        made = create_offer(db, kek, response.get_json()["credentialId"], EMAIL)
        return issue_to_holder(db, kek, BASE, offer_by_id(db, made.offer.id), holder.did,
                               protocol="vcapi", jwt_algorithm=jwt_algorithm).signed


def create(service, **changes: Any) -> dict[str, Any]:
    body = {"title": "Night shift technician",
            "competencies": [{"competency": f"{MODEL}/de-escalation", "level": "proficient"}],
            **changes}
    response = service.client.post(API, json=body, headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def exchange(service, request_id: str) -> dict[str, Any]:
    response = service.client.post(f"/workflows/present/exchanges/{request_id}", json={})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["verifiablePresentationRequest"]


def answers(service, request_id: str) -> list[dict[str, Any]]:
    response = service.client.get(f"{API}/{request_id}", headers=service.auth(service.admin))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["answers"]


def answer_vcapi(service, made: dict, holder: Holder, credentials: list[Any],
                 challenge: str | None = None, domain: str = DOMAIN):
    vpr = exchange(service, made["id"])
    vp = holder.present(credentials, challenge or vpr["challenge"], domain)
    return service.client.post(f"/workflows/present/exchanges/{made['id']}",
                               json={"verifiablePresentation": vp})


def test_a_request_is_created_listed_and_asks_by_example(service) -> None:
    made = create(service, acceptedIssuers=["did:web:localhost%3A5000:issuers:riverbend"])
    assert made["link"] == f"{BASE}/interactions/present/{made['id']}"
    assert made["openid4vp"].startswith("openid4vp://?client_id=decentralized_identifier")
    listed = service.client.get(API, headers=service.auth(service.admin)).get_json()
    assert [r["id"] for r in listed["presentationRequests"]] == [made["id"]]
    protocols = service.client.get(f"{made['link']}?iuv=1").get_json()["protocols"]
    assert protocols["vcapi"] == f"{BASE}/workflows/present/exchanges/{made['id']}"
    assert protocols["OID4VP"] == made["openid4vp"]
    vpr = exchange(service, made["id"])
    assert [q["type"] for q in vpr["query"]] == ["DIDAuthentication", "QueryByExample"]
    query = vpr["query"][1]["credentialQuery"][0]
    assert query["example"]["credentialSubject"]["achievement"]["alignment"][0][
        "targetCode"] == f"{MODEL}/de-escalation"
    assert query["trustedIssuer"][0]["issuer"].startswith("did:web:")
    assert vpr["domain"] == DOMAIN and vpr["challenge"]
    page = service.client.get(made["link"])
    assert page.status_code == 200 and b"openid4vp://" in page.data


def test_requests_are_the_issuers_own(service) -> None:
    made = create(service)
    other = service.client.get(f"{API}/{made['id']}", headers=service.auth(service.other_admin))
    assert other.status_code == 403
    lakeside = service.client.get(
        f"/api/v1/issuers/lakeside/presentation-requests/{made['id']}",
        headers=service.auth(service.other_admin))
    assert lakeside.status_code == 404


def test_a_request_names_known_competencies_and_levels(service) -> None:
    response = service.client.post(API, json={
        "title": "x", "competencies": [{"competency": f"{MODEL}/nope", "level": "expert!"},
                                       {"competency": f"{MODEL}/de-escalation",
                                        "level": "legendary"}]},
        headers=service.auth(service.admin))
    assert response.status_code == 422
    pointers = [e["pointer"] for e in response.get_json()["errors"]]
    assert pointers == ["/competencies/0/competency", "/competencies/1/level"]


def test_a_holder_answers_over_the_vc_api_exchange(service) -> None:
    holder = Holder(1)
    made = create(service)
    response = answer_vcapi(service, made, holder, [issued_to(service, holder)])
    assert response.status_code == 200, response.get_json()
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is True and answer["holder"] == holder.did
    assert answer["holderAuthenticated"] is True
    [credential] = answer["credentials"]
    assert credential["verification"]["verified"] is True
    assert credential["issuerIdentityProven"] is True and credential["holderBound"] is True
    assert answer["competencies"][0]["by"] == [0]


def test_a_wrong_challenge_is_refused_and_nothing_recorded(service) -> None:
    holder = Holder(1)
    made = create(service)
    exchange(service, made["id"])
    vp = holder.present([issued_to(service, holder)], "not-the-challenge", DOMAIN)
    response = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                   json={"verifiablePresentation": vp})
    assert response.status_code == 404
    vpr = exchange(service, made["id"])
    response = answer_vcapi(service, made, holder, [issued_to(service, holder)],
                            challenge=vpr["challenge"], domain="evil.example")
    assert response.status_code == 422
    assert response.get_json()["type"].endswith("/problems/presentation-not-authenticated")
    assert answers(service, made["id"]) == []


def test_an_exchange_is_answered_once(service) -> None:
    holder = Holder(1)
    made = create(service)
    vpr = exchange(service, made["id"])
    vp = holder.present([issued_to(service, holder)], vpr["challenge"], DOMAIN)
    url = f"/workflows/present/exchanges/{made['id']}"
    assert service.client.post(url, json={"verifiablePresentation": vp}).status_code == 200
    again = service.client.post(url, json={"verifiablePresentation": vp})
    assert again.status_code == 410
    assert again.get_json()["type"].endswith("/problems/exchange-complete")


def test_an_expired_request_takes_no_answers(service) -> None:
    made = create(service)
    with store(service.app).sessions() as db, db.begin():
        db.get(PresentationRequest, made["id"]).expires_at = datetime.now(UTC) - \
            timedelta(minutes=1)
    response = service.client.post(f"/workflows/present/exchanges/{made['id']}", json={})
    assert response.status_code == 410
    assert response.get_json()["type"].endswith("/problems/presentation-request-expired")
    assert service.client.get(f"/openid4vp/requests/{made['id']}").status_code == 410


def test_another_holders_credential_does_not_count(service) -> None:
    holder, other = Holder(1), Holder(2)
    made = create(service)
    response = answer_vcapi(service, made, holder, [issued_to(service, other)])
    assert response.status_code == 200
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is False
    assert answer["credentials"][0]["holderBound"] is False
    assert "someone else" in answer["competencies"][0]["missing"]


def test_a_revoked_credential_does_not_count(service) -> None:
    holder = Holder(1)
    made = create(service)
    credential = issued_to(service, holder)
    copy_id = credential["id"].rsplit("/", 1)[1]
    revoked = service.client.post(f"/api/v1/issuers/riverbend/credentials/{copy_id}/revoke",
                                  json={"reason": "issued in error"},
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    answer_vcapi(service, made, holder, [credential])
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is False
    assert answer["credentials"][0]["verification"]["standing"] == "revoked"
    assert "does not verify (revoked)" in answer["competencies"][0]["missing"]


def test_a_level_too_low_does_not_count(service) -> None:
    holder = Holder(1)
    made = create(service)
    answer_vcapi(service, made, holder, [issued_to(service, holder, level="developing")])
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is False
    assert answer["competencies"][0]["presented"][0]["level"] == "developing"
    assert "below proficient" in answer["competencies"][0]["missing"]


def test_an_issuer_not_accepted_does_not_count(service) -> None:
    holder = Holder(1)
    made = create(service, acceptedIssuers=["did:web:elsewhere.example"])
    answer_vcapi(service, made, holder, [issued_to(service, holder)])
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is False
    assert answer["credentials"][0]["issuerAccepted"] is False


def openid4vp_request(service, made: dict[str, Any]) -> dict[str, Any]:
    """The signed request object a wallet fetches by request_uri, decoded."""
    query = parse_qs(urlsplit(made["openid4vp"]).query)
    response = service.client.get(urlsplit(query["request_uri"][0]).path)
    assert response.status_code == 200
    assert response.mimetype == "application/oauth-authz-req+jwt"
    header, payload, _signature = (
        json.loads(base64url.decode(part)) if n < 2 else part
        for n, part in enumerate(response.get_data(as_text=True).split(".")))
    assert header["typ"] == "oauth-authz-req+jwt" and header["alg"] == "EdDSA"
    did = "did:web:localhost%3A5000:issuers:riverbend"
    assert header["kid"].startswith(f"{did}#")
    assert query["client_id"][0] == f"decentralized_identifier:{did}"
    assert payload["client_id"] == query["client_id"][0]
    return payload


def test_a_holder_answers_over_openid4vp(service) -> None:
    holder = Holder(1)
    made = create(service)
    request = openid4vp_request(service, made)
    assert request["response_mode"] == "direct_post"
    assert request["dcql_query"]["credentials"][0]["format"] == "ldp_vc"
    vp = holder.present([issued_to(service, holder)], request["nonce"], request["client_id"])
    response = service.client.post("/openid4vp/responses", data={
        "state": request["state"], "vp_token": json.dumps({"c0_ldp_vc": [vp]})})
    assert response.status_code == 200, response.get_json()
    [answer] = answers(service, made["id"])
    assert answer["protocol"] == "openid4vp" and answer["satisfied"] is True


def test_openid4vp_refuses_a_wrong_nonce(service) -> None:
    holder = Holder(1)
    made = create(service)
    request = openid4vp_request(service, made)
    vp = holder.present([issued_to(service, holder)], "wrong-nonce", request["client_id"])
    response = service.client.post("/openid4vp/responses", data={
        "state": request["state"], "vp_token": json.dumps({"c0_ldp_vc": [vp]})})
    assert response.status_code == 422
    assert response.get_json()["reason"] == "challenge"
    assert answers(service, made["id"]) == []


def test_the_unsigned_request_uses_the_redirect_uri_prefix(service) -> None:
    made = create(service)
    page = service.client.get(made["link"]).get_data(as_text=True)
    start = page.index('href="openid4vp://') + 6
    link = page[start:page.index('"', start)].replace("&amp;", "&")
    parameters = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert parameters["client_id"] == f"redirect_uri:{BASE}/openid4vp/responses"
    assert parameters["response_uri"] == f"{BASE}/openid4vp/responses"
    holder = Holder(1)
    vp = holder.present([issued_to(service, holder)], parameters["nonce"],
                        parameters["client_id"])
    response = service.client.post("/openid4vp/responses", data={
        "state": parameters["state"], "vp_token": json.dumps({"c0_ldp_vc": [vp]})})
    assert response.status_code == 200, response.get_json()


def test_answers_are_kept_for_the_retention_period(service) -> None:
    holder = Holder(1)
    made = create(service)
    answer_vcapi(service, made, holder, [issued_to(service, holder)])
    settings = "/api/v1/issuers/riverbend/presentation-settings"
    assert service.client.put(settings, json={"answerRetentionDays": 0},
                              headers=service.auth(service.admin)).status_code == 422
    assert service.client.put(settings, json={"answerRetentionDays": 30},
                              headers=service.auth(service.assessor)).status_code == 403
    changed = service.client.put(settings, json={"answerRetentionDays": 30},
                                 headers=service.auth(service.admin))
    assert changed.get_json() == {"answerRetentionDays": 30}
    with store(service.app).sessions() as db, db.begin():
        assert sweep(db, datetime.now(UTC) + timedelta(days=29)) == 0
    with store(service.app).sessions() as db, db.begin():
        assert sweep(db, datetime.now(UTC) + timedelta(days=31)) == 1
        assert db.query(PresentationAnswer).count() == 0


def test_a_vp_jwt_answers_the_jwt_vc_json_query(service) -> None:
    holder = Holder(1)
    made = create(service)
    request = openid4vp_request(service, made)
    credential = issued_to(service, holder, jwt_algorithm="EdDSA")
    assert isinstance(credential, str)
    token = holder.present_jwt([credential], request["nonce"], request["client_id"])
    response = service.client.post("/openid4vp/responses", data={
        "state": request["state"], "vp_token": json.dumps({"c0_jwt_vc_json": [token]})})
    assert response.status_code == 200, response.get_json()
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is True and answer["holder"] == holder.did
    assert answer["credentials"][0]["holderBound"] is True

    made = create(service)
    request = openid4vp_request(service, made)
    token = holder.present_jwt([credential], request["nonce"], "redirect_uri:elsewhere")
    refused = service.client.post("/openid4vp/responses", data={
        "state": request["state"], "vp_token": json.dumps({"c0_jwt_vc_json": [token]})})
    assert refused.status_code == 422 and refused.get_json()["reason"] == "domain"


def symmetric_credential(holder: Holder, n: int) -> dict[str, Any]:
    """A holder's own unsigned claim whose subject links six blank nodes all to each other:
    cheap to send, costly to canonicalize (the hostile review's F3)."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": f"urn:uuid:00000000-0000-0000-0000-{n:012d}",
            "type": ["VerifiableCredential"], "issuer": holder.did,
            "credentialSubject": {"id": holder.did, "https://ex.org/extra": [
                {"@id": f"_:b{i}", "https://ex.org/p": [{"@id": f"_:b{j}"}
                                                       for j in range(6) if j != i]}
                for i in range(6)]}}


def test_an_openid4vp_answer_is_bounded_as_a_whole(service) -> None:
    holder = Holder(1)
    made = create(service)
    request = openid4vp_request(service, made)
    vps = [holder.present([symmetric_credential(holder, n)], request["nonce"],
                          request["client_id"]) for n in range(3)]
    for vp_token in ({"c0_ldp_vc": vps}, {"q0": vps[:1]},
                     {"c0_ldp_vc": vps[:1], "c0_jwt_vc_json": vps[1:2], "c9": vps[2:]}):
        started = time.monotonic()
        refused = service.client.post("/openid4vp/responses", data={
            "state": request["state"], "vp_token": json.dumps(vp_token)})
        assert time.monotonic() - started < 1
        assert refused.status_code == 400, refused.get_data(as_text=True)
        body = refused.get_json()
        assert body["type"].endswith("/problems/vp-token-not-of-query")
        assert body["error"] == "invalid_request"
    other = Holder(2)
    signed_by_other = other.present([symmetric_credential(holder, 0)], request["nonce"],
                                    request["client_id"], holder=holder.did)
    refused = service.client.post("/openid4vp/responses", data={
        "state": request["state"], "vp_token": json.dumps({"c0_ldp_vc": [signed_by_other]})})
    assert refused.status_code == 422 and refused.get_json()["reason"] == "holder"
    assert answers(service, made["id"]) == []
    # One budget for the whole answer: two costly presentations together cost what one may.
    started = time.monotonic()
    response = service.client.post("/openid4vp/responses", data={
        "state": request["state"],
        "vp_token": json.dumps({"c0_ldp_vc": vps[:1], "c0_jwt_vc_json": vps[1:2]})})
    assert time.monotonic() - started < 5
    assert response.status_code in (200, 422), response.get_data(as_text=True)


def test_opening_exchanges_holds_nothing_that_runs_out(service) -> None:
    """Hostile review F4: opening exchanges (POST {}, the candidate's page, the desk page,
    the signed request object) writes no row, so no number of them locks the request."""
    holder = Holder(1)
    made = create(service)
    for _ in range(250):
        exchange(service, made["id"])
    assert service.client.get(made["link"]).status_code == 200
    assert service.client.get(f"/openid4vp/requests/{made['id']}").status_code == 200
    with store(service.app).sessions() as db:
        assert db.query(PresentationAnswer).count() == 0
    assert answer_vcapi(service, made, holder, [issued_to(service, holder)]).status_code == 200
    assert len(answers(service, made["id"])) == 1


def test_a_challenge_is_ours_for_this_request_only(service) -> None:
    holder = Holder(1)
    made, other = create(service), create(service)
    credential = issued_to(service, holder)
    vpr = exchange(service, other["id"])
    vp = holder.present([credential], vpr["challenge"], DOMAIN)
    elsewhere = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                    json={"verifiablePresentation": vp})
    assert elsewhere.status_code == 404
    body, tag = vpr["challenge"].rsplit(".", 1)
    forged = holder.present([credential], f"v0{body[1:]}.{tag}", DOMAIN)
    assert service.client.post(f"/workflows/present/exchanges/{other['id']}", json={
        "verifiablePresentation": forged}).status_code == 404
    request = openid4vp_request(service, made)
    vp = holder.present([credential], request["nonce"], request["client_id"])
    assert service.client.post(f"/workflows/present/exchanges/{made['id']}", json={
        "verifiablePresentation": vp}).status_code == 404  # an OpenID4VP nonce
    late = datetime.now(UTC) + timedelta(minutes=31)
    with store(service.app).sessions() as db, pytest.raises(Gone) as refused:
        pending_answer(db, service_context(service.app).kek, other["id"], vpr["challenge"],
                       now=late)
    assert refused.value.code == "/problems/presentation-request-expired"


def test_a_vp_jwt_answers_the_vc_api_exchange(service) -> None:
    """Hostile review F6: a VP-JWT's nonce is the exchange's challenge, its aud our domain;
    as a string or enveloped."""
    holder = Holder(1)
    credential = issued_to(service, holder, jwt_algorithm="EdDSA")
    for wrap in (lambda token: token, envelope_presentation):
        made = create(service)
        vpr = exchange(service, made["id"])
        token = holder.present_jwt([credential], vpr["challenge"], vpr["domain"])
        response = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                       json={"verifiablePresentation": wrap(token)})
        assert response.status_code == 200, response.get_json()
        [answer] = answers(service, made["id"])
        assert answer["satisfied"] is True and answer["holder"] == holder.did
        again = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                    json={"verifiablePresentation": wrap(token)})
        assert again.status_code == 410
    made = create(service)
    vpr = exchange(service, made["id"])
    token = holder.present_jwt([credential], vpr["challenge"], "elsewhere.example")
    refused = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                  json={"verifiablePresentation": token})
    assert refused.status_code == 422 and refused.get_json()["reason"] == "domain"


def envelope_presentation(token: str) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": "EnvelopedVerifiablePresentation",
            "id": f"data:application/vp+jwt,{token}"}


def file_answers(service, request_id: str, count: int, answered: datetime) -> None:
    """``count`` answers recorded straight in the store (what anonymous wallets could file)."""
    with store(service.app).sessions() as db, db.begin():
        for n in range(count):
            db.add(PresentationAnswer(
                id=f"filed-{n:04d}", request_id=request_id, protocol="vcapi",
                challenge=f"filed-{n:04d}", created_at=answered,
                answered_at=answered - timedelta(seconds=n), holder=None, satisfied=False,
                result={"holder": None, "holderAuthenticated": False, "credentials": [],
                        "competencies": []}))


def test_answers_are_capped_and_paged(service) -> None:
    """Hostile review F5: a request keeps at most 200 answers; results come 25 a page."""
    made = create(service, didAuthentication=False)
    file_answers(service, made["id"], 30, datetime.now(UTC))
    url = f"{API}/{made['id']}"
    first = service.client.get(url, headers=service.auth(service.admin)).get_json()
    assert len(first["answers"]) == 25 and first["answerCount"] == 30
    second = service.client.get(url, query_string={"cursor": first["nextCursor"]},
                                headers=service.auth(service.admin)).get_json()
    assert len(second["answers"]) == 5 and second["nextCursor"] is None
    ids = [a["id"] for a in first["answers"] + second["answers"]]
    assert ids == [f"filed-{n:04d}" for n in range(30)]
    for bad in ({"cursor": "nope"}, {"limit": "0"}, {"limit": "101"}):
        refused = service.client.get(url, query_string=bad, headers=service.auth(service.admin))
        assert refused.status_code == 400, bad

    with store(service.app).sessions() as db, db.begin():
        for n in range(30, 200):
            db.add(PresentationAnswer(id=f"more-{n:04d}", request_id=made["id"],
                                      protocol="vcapi", challenge=f"more-{n:04d}",
                                      created_at=datetime.now(UTC),
                                      answered_at=datetime.now(UTC), satisfied=False))
    holder = Holder(1)
    unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"], "holder": holder.did,
                "verifiableCredential": [issued_to(service, holder)]}
    full = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                               json={"verifiablePresentation": unsigned})
    assert full.status_code == 409
    assert full.get_json()["type"].endswith("/problems/presentation-request-full")


def test_an_answer_keeps_a_compact_report(service) -> None:
    holder = Holder(1)
    made = create(service)
    assert answer_vcapi(service, made, holder, [issued_to(service, holder)]).status_code == 200
    [answer] = answers(service, made["id"])
    verification = answer["credentials"][0]["verification"]
    assert verification["verified"] is True and verification["verdict"]
    assert verification["checks"] and all(set(check) == {"check", "outcome", "message"}
                                          for check in verification["checks"])


def test_answers_past_retention_are_not_shown_before_the_sweep(service) -> None:
    """Hostile review F8: the read paths filter by the retention period themselves."""
    made = create(service, didAuthentication=False)
    file_answers(service, made["id"], 2, datetime.now(UTC) - timedelta(days=91))
    file_answers_at = datetime.now(UTC)
    with store(service.app).sessions() as db, db.begin():
        db.add(PresentationAnswer(id="recent", request_id=made["id"], protocol="vcapi",
                                  challenge="recent", created_at=file_answers_at,
                                  answered_at=file_answers_at, satisfied=False))
    assert [a["id"] for a in answers(service, made["id"])] == ["recent"]
    listed = service.client.get(API, headers=service.auth(service.admin)).get_json()
    assert [r["answers"] for r in listed["presentationRequests"]] == [1]


def test_a_credential_nothing_ties_to_its_issuer_does_not_count(service) -> None:
    """Hostile review of #18, F1 and F2: a credential naming an accepted issuer but signed
    by anyone's did:key, or the holder's own unsigned claim, proves no assessment."""
    holder = Holder(1)
    genuine = issued_to(service, holder)
    claims = {k: v for k, v in genuine.items() if k not in ("proof", "credentialStatus")}
    claims["issuer"] = {"id": "did:web:college.example", "type": ["Profile"],
                        "name": "Riverside College"}
    forged = create_proof(claims, EDDSA_RDFC_2022, holder.signer)
    own_claim = {**claims, "issuer": {"id": holder.did, "type": ["Profile"],
                                      "name": "Harvard Medical School"}}
    for credential, accepted in ((forged, ["did:web:college.example"]), (own_claim, "any")):
        made = create(service, acceptedIssuers=accepted, didAuthentication=True)
        response = answer_vcapi(service, made, holder, [credential])
        assert response.status_code == 200, response.get_json()
        [answer] = answers(service, made["id"])
        assert answer["satisfied"] is False
        assert answer["credentials"][0]["issuerIdentityProven"] is False
        assert "nothing ties its signature to its issuer" in \
            answer["competencies"][0]["missing"]
