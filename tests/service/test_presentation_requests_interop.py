"""A presentation request answered by an independent holder: Digital Bazaar's
@digitalbazaar/vc signs the DID-authenticated presentation (vc.signPresentation,
eddsa-rdfc-2022, the seed's did:key) of a credential issued here and bound to that DID, and
posts it to the VC API exchange; the answer records the competency as proven. Needs Node.js
and ``npm ci`` in tests/interop (skipped without them, failed in CI)."""

from __future__ import annotations

from tests.service.test_presentation_requests import (
    DOMAIN,
    Holder,
    answers,
    create,
    exchange,
    issued_to,
)
from tests.test_interop import node  # noqa: F401 (the fixture)

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
