"""A presentation request answered by an independent holder: Digital Bazaar's
@digitalbazaar/vc signs the DID-authenticated presentation (vc.signPresentation,
eddsa-rdfc-2022, the seed's did:key) of a credential issued here and bound to that DID, and
posts it to the VC API exchange; the answer records the competency as proven. Needs Node.js
and ``npm ci`` in tests/interop (skipped without them, failed in CI)."""

from __future__ import annotations

import json
import subprocess
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.service.test_presentation_requests import (
    DOMAIN,
    Holder,
    answers,
    create,
    exchange,
    issued_to,
)
from tests.test_interop import BRIDGE, node  # noqa: F401 (the fixture)

SEED = 7


def signed_by_digital_bazaar(node, credential: dict, challenge: str, domain: str) -> dict:  # noqa: F811
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "holder": Holder(SEED).did,
                    "verifiableCredential": [credential]}
    answer = node({"action": "present", "presentation": presentation,
                   "seed": (bytes([SEED]) * 32).hex(), "challenge": challenge,
                   "domain": domain, "created": "2026-11-27T20:00:00Z"})
    assert answer["vm"].startswith(Holder(SEED).did)
    return answer["presentation"]


def test_digital_bazaars_holder_answers_the_vc_api_exchange(service, node) -> None:  # noqa: F811
    holder = Holder(SEED)
    made = create(service)
    vpr = exchange(service, made["id"])
    vp = signed_by_digital_bazaar(node, issued_to(service, holder), vpr["challenge"],
                                  vpr["domain"])
    response = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                   json={"verifiablePresentation": vp})
    assert response.status_code == 200, response.get_json()
    [answer] = answers(service, made["id"])
    assert answer["satisfied"] is True and answer["holder"] == holder.did
    assert answer["credentials"][0]["holderBound"] is True


def test_digital_bazaars_holder_with_the_wrong_domain_is_refused(service, node) -> None:  # noqa: F811
    holder = Holder(SEED)
    made = create(service)
    vpr = exchange(service, made["id"])
    vp = signed_by_digital_bazaar(node, issued_to(service, holder), vpr["challenge"],
                                  "elsewhere.example")
    response = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                   json={"verifiablePresentation": vp})
    assert response.status_code == 422
    assert response.get_json()["reason"] == "domain"
    assert vpr["domain"] == DOMAIN and answers(service, made["id"]) == []


def wallet(request: dict) -> dict:
    """The OpenWallet Foundation's OpenID4VP client (tests/interop/openid4vp_wallet.mjs)."""
    result = subprocess.run(["node", str(BRIDGE / "openid4vp_wallet.mjs")],
                            input=json.dumps(request), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def answer_openid4vp(service, link: str, credential: dict, **changes: object) -> tuple[dict,
                                                                                        Any]:
    query = parse_qs(urlsplit(link).query)
    request_object = did_document = None
    if "request_uri" in query:
        request_object = service.client.get(urlsplit(query["request_uri"][0]).path) \
            .get_data(as_text=True)
        did_document = service.client.get("/issuers/riverbend/did.json").get_json()
    answer = wallet({"link": link, "requestObject": request_object,
                     "didDocument": did_document, "credentials": [credential],
                     "seed": (bytes([SEED]) * 32).hex(), "created": "2026-11-27T20:00:00Z",
                     **changes})
    response = answer["response"]
    return answer, service.client.post("/openid4vp/responses", data={
        "vp_token": json.dumps(response["vp_token"]), "state": response["state"]})


def test_an_openid4vp_wallet_answers_the_signed_request(service, node) -> None:  # noqa: F811
    holder = Holder(SEED)
    made = create(service)
    answer, response = answer_openid4vp(service, made["openid4vp"],
                                        issued_to(service, holder))
    assert answer["signed"] is True and answer["version"] == 100
    assert answer["client"]["prefix"] == "decentralized_identifier"
    assert response.status_code == 200, response.get_json()
    [recorded] = answers(service, made["id"])
    assert recorded["protocol"] == "openid4vp" and recorded["satisfied"] is True


def test_an_openid4vp_wallet_answers_the_unsigned_request(service, node) -> None:  # noqa: F811
    holder = Holder(SEED)
    made = create(service)
    page = service.client.get(made["link"]).get_data(as_text=True)
    start = page.index('href="openid4vp://') + 6
    link = page[start:page.index('"', start)].replace("&amp;", "&")
    answer, response = answer_openid4vp(service, link, issued_to(service, holder))
    assert answer["signed"] is False
    assert answer["client"]["prefix"] == "redirect_uri"
    assert response.status_code == 200, response.get_json()


def test_an_openid4vp_answer_with_the_wrong_nonce_is_refused(service, node) -> None:  # noqa: F811
    holder = Holder(SEED)
    made = create(service)
    _answer, response = answer_openid4vp(service, made["openid4vp"],
                                         issued_to(service, holder), nonce="not-our-nonce")
    assert response.status_code == 422
    assert response.get_json()["reason"] == "challenge"
    assert answers(service, made["id"]) == []
