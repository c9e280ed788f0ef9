"""VC API exchanges over HTTP (issuer/protocols/exchanges.py): the interaction URL, the DID
Authentication request, the credential bound to the DID that signed, and every refusal as
problem details. Holders are signed here in Python (the Node holder, as LCW signs, is in
test_exchanges_interop.py)."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from credentials.dates import format_datetime
from credentials.proofs import ED25519_SIGNATURE_2020, EDDSA_RDFC_2022, create_proof
from credentials.proofs.data_integrity import Cryptosuite
from issuer.services import wallet_links
from issuer.services.issuers import create_issuer
from issuer.store import store
from issuer.store.models import Credential, WalletOffer
from issuer.web.context import service_context
from keys.did import did_key, did_key_verification_method
from keys.ed25519 import Ed25519Signer, generate_ed25519
from tests.service.conftest import BASE, completion_body, copied_store, make_app

DOMAIN = "localhost:5000"
LCW_SUITE = dataclasses.replace(ED25519_SIGNATURE_2020, verify_only=False)


@dataclasses.dataclass
class Holder:
    did: str
    key: Ed25519Signer

    def presentation(self, challenge: str, *, holder: str | None = None,
                     suite: Cryptosuite = EDDSA_RDFC_2022, purpose: str = "authentication",
                     created: datetime | None = None, **options: Any) -> dict[str, Any]:
        context = ["https://www.w3.org/ns/credentials/v2"] if suite is EDDSA_RDFC_2022 else \
            ["https://www.w3.org/2018/credentials/v1",
             "https://w3id.org/security/suites/ed25519-2020/v1"]
        options = {"challenge": challenge, "domain": DOMAIN, **options}
        return create_proof({"@context": context, "type": ["VerifiablePresentation"],
                             "holder": holder or self.did}, suite, self.key,
                            created=format_datetime(created or datetime.now(UTC)),
                            proof_purpose=purpose, options=options)


def new_holder() -> Holder:
    key = generate_ed25519()
    did = did_key(key.verification_key.multikey)
    return Holder(did, key.with_id(did_key_verification_method(did), did))


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def offer(service, credential_id: str) -> str:
    """An offer made by the employer's API (the learner's own pages make them too)."""
    response = service.client.post(f"/api/v1/issuers/riverbend/credentials/{credential_id}"
                                   "/offers", json={}, headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["offerId"]


def exchange(offer_id: str) -> str:
    return f"/workflows/claim/exchanges/{offer_id}"


def start(service, offer_id: str) -> dict:
    response = service.client.post(exchange(offer_id), json={})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["verifiablePresentationRequest"]


def answer(service, offer_id: str, vp: Any):
    return service.client.post(exchange(offer_id), json={"verifiablePresentation": vp})


def problem(response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == type_, body
    return body


def test_a_wallet_takes_its_offer_and_gets_the_credential_bound_to_its_did(service) -> None:
    root = issue(service)
    offer_id = offer(service, root["credentialId"])

    interaction = wallet_links.interaction_url(BASE, offer_id)
    assert interaction == f"{BASE}/interactions/{offer_id}?iuv=1"
    response = service.client.get(interaction.removeprefix(BASE),
                                  headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    protocols = response.get_json()["protocols"]
    assert protocols == wallet_links.protocols(BASE, offer_id)
    assert protocols["vcapi"] == BASE + exchange(offer_id)

    request = start(service, offer_id)
    assert request["query"]["type"] == "DIDAuthentication"
    assert {"method": "key"} in request["query"]["acceptedMethods"]
    assert request["domain"] == DOMAIN
    assert request["interact"]["service"][0] == {
        "type": "UnmediatedPresentationService2021", "serviceEndpoint": BASE + exchange(offer_id)}
    with store(service.app).sessions() as db:
        assert request["challenge"] == db.get(WalletOffer, offer_id).challenge
    # An empty body starts it too, and asks the same.
    assert service.client.post(exchange(offer_id)).get_json() == \
        {"verifiablePresentationRequest": request}

    holder = new_holder()
    response = answer(service, offer_id, holder.presentation(request["challenge"]))
    assert response.status_code == 200, response.get_json()
    vp = response.get_json()["verifiablePresentation"]
    assert vp["type"] == ["VerifiablePresentation"]
    [credential] = vp["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == holder.did
    assert credential["credentialStatus"] == root["credential"]["credentialStatus"]
    assert credential["id"] != root["credential"]["id"]
    report = service.client.post("/credentials/verify",
                                 json={"verifiableCredential": credential}).get_json()
    assert report["verified"] is True, report
    with store(service.app).sessions() as db:
        taken = db.get(WalletOffer, offer_id)
        assert taken.protocol == "vcapi" and taken.used_at is not None
        bound = db.get(Credential, taken.bound_credential_id)
        assert (bound.holder_id, bound.source_id) == (holder.did, root["credentialId"])

    # Single use: the exchange, its request and its interaction URL are over.
    again = answer(service, offer_id, holder.presentation(request["challenge"]))
    problem(again, 410, "/problems/offer-used")
    problem(service.client.post(exchange(offer_id), json={}), 410, "/problems/offer-used")
    problem(service.client.get(f"/interactions/{offer_id}?iuv=1",
                               headers={"Accept": "application/json"}),
            410, "/problems/offer-used")


def test_the_wallets_ed25519_signature_2020_presentation_is_accepted(service) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    holder = new_holder()
    vp = holder.presentation(start(service, offer_id)["challenge"], suite=LCW_SUITE)
    response = answer(service, offer_id, vp)
    assert response.status_code == 200, response.get_json()
    [credential] = response.get_json()["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == holder.did


@pytest.mark.parametrize(("sign", "reason"), [
    (lambda h, c: h.presentation("not-the-challenge"), "challenge"),
    (lambda h, c: h.presentation(c, domain="evil.example"), "domain"),
    (lambda h, c: h.presentation(c, domain=None), "domain"),
    (lambda h, c: h.presentation(c, purpose="assertionMethod"), "purpose"),
    (lambda h, c: h.presentation(
        c, expires=format_datetime(datetime.now(UTC) - timedelta(minutes=1))), "expired"),
    (lambda h, c: h.presentation(c, created=datetime.now(UTC) + timedelta(hours=2)),
     "expired"),
    (lambda h, c: h.presentation(c, holder=new_holder().did), "holder"),
    (lambda h, c: {**h.presentation(c), "id": "urn:uuid:1f0c6a2e-2b7d-4f3e-9a51-3c2d4e5f6a7b"},
     "signature"),
    (lambda h, c: dataclasses.replace(h, key=new_holder().key.with_id(h.key.id, h.did))
     .presentation(c), "signature"),
    (lambda h, c: {"@context": ["https://www.w3.org/ns/credentials/v2"],
                   "type": ["VerifiablePresentation"], "holder": h.did}, "malformed"),
])
def test_a_presentation_that_does_not_authenticate_is_refused_and_issues_nothing(
        service, sign, reason: str) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    challenge = start(service, offer_id)["challenge"]
    before = service.counts()["credentials"]
    response = answer(service, offer_id, sign(new_holder(), challenge))
    body = problem(response, 401, "/problems/did-authentication-failed")
    assert body["reason"] == reason, body
    assert response.headers["WWW-Authenticate"] == f'DIDAuthentication realm="{DOMAIN}"'
    assert service.counts()["credentials"] == before
    # The offer stays open for the wallet's next, honest try.
    holder = new_holder()
    assert answer(service, offer_id, holder.presentation(challenge)).status_code == 200


def test_a_presentation_for_another_offer_does_not_take_this_one(service) -> None:
    credential_id = issue(service)["credentialId"]
    mine, theirs = offer(service, credential_id), offer(service, credential_id)
    theirs_challenge = start(service, theirs)["challenge"]
    response = answer(service, mine, new_holder().presentation(theirs_challenge))
    assert problem(response, 401, "/problems/did-authentication-failed")["reason"] == \
        "challenge"


def test_an_offer_with_a_transaction_code_is_not_taken_without_it(service) -> None:
    """The code guards the offer (its QR code may be seen by others): a VC API exchange,
    which has no place for the code, refuses it, and the interaction URL offers only
    OpenID4VCI for it."""
    credential_id = issue(service)["credentialId"]
    made = service.client.post(f"/api/v1/issuers/riverbend/credentials/{credential_id}/offers",
                               json={"txCode": True}, headers=service.auth(service.assessor))
    assert made.status_code == 201, made.get_json()
    offer_id = made.get_json()["offerId"]
    needs = "/problems/offer-needs-transaction-code"
    problem(service.client.post(exchange(offer_id), json={}), 403, needs)
    vp = new_holder().presentation("any challenge")
    problem(answer(service, offer_id, vp), 403, needs)
    ways = service.client.get(f"/interactions/{offer_id}?iuv=1").get_json()["protocols"]
    assert set(ways) == {"OID4VCI"}


def test_an_expired_offer_is_gone_and_an_unknown_one_not_found(service) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    challenge = start(service, offer_id)["challenge"]
    with store(service.app).sessions() as db, db.begin():
        db.get(WalletOffer, offer_id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    problem(service.client.post(exchange(offer_id), json={}), 410, "/problems/offer-expired")
    problem(answer(service, offer_id, new_holder().presentation(challenge)), 410,
            "/problems/offer-expired")
    page = service.client.get(f"/interactions/{offer_id}?iuv=1", headers={"Accept": "text/html"})
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "<h1>This offer has expired</h1>" in text and f'href="{BASE}/me"' in text
    problem(service.client.post(exchange("nope"), json={}), 404, "about:blank")
    unknown = service.client.get("/interactions/nope?iuv=1", headers={"Accept": "text/html"})
    assert unknown.status_code == 404
    assert "<h1>No such offer</h1>" in unknown.get_data(as_text=True)
    assert f'href="{BASE}/me"' in unknown.get_data(as_text=True)


def test_a_revoked_credential_cannot_be_taken(service) -> None:
    root = issue(service)
    offer_id = offer(service, root["credentialId"])
    challenge = start(service, offer_id)["challenge"]
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{root['credentialId']}/revoke", json={},
        headers=service.auth(service.admin))
    assert response.status_code == 200
    problem(answer(service, offer_id, new_holder().presentation(challenge)), 409,
            "/problems/credential-revoked")


@pytest.mark.parametrize("body", [{"verifiablePresentation": "a string"},
                                  {"verifiablePresentationRequest": {}}, [1]])
def test_what_is_not_an_exchange_message_is_a_400(service, body: Any) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    response = service.client.post(exchange(offer_id), json=body)
    assert response.status_code == 400
    assert response.get_json()["type"] in ("/problems/exchange-message", "about:blank")
    response = service.client.post(exchange(offer_id), data="<vp/>",
                                   content_type="application/xml")
    assert response.status_code == 415


def test_a_browser_opening_the_interaction_url_gets_a_page_with_the_wallet_links(
        service) -> None:
    issued = issue(service)
    offer_id = offer(service, issued["credentialId"])
    page = service.client.get(f"/interactions/{offer_id}?iuv=1",
                              headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Accept" in page.headers["Vary"]
    text = page.get_data(as_text=True)
    assert "Open this in your wallet" in text
    lcw = wallet_links.lcw_request_link(BASE, offer_id)
    assert lcw.replace("&", "&amp;") in text or lcw in text
    # Which credential, the OpenID4VCI way too, and a way on without a wallet.
    credential_id = issued["credentialId"]
    assert "De-escalation" in text and "issued by Riverbend Behavioral Health" in text
    assert f'href="{wallet_links.offer_by_reference(BASE, offer_id)}"' in text
    assert f'<a href="{BASE}/credentials/{credential_id}">see your credential</a>' in text


def test_a_web_wallets_preflight_is_answered(service) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    response = service.client.options(exchange(offer_id), headers={
        "Origin": "https://wallet.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_the_lcw_links_carry_the_exchange_invitation() -> None:
    for link, prefix in ((wallet_links.lcw_request_link(BASE, "abc"),
                          "https://lcw.app/request.html?"),
                         (wallet_links.dcc_request_link(BASE, "abc"), "dccrequest://request?")):
        assert link.startswith(prefix)
        [request] = parse_qs(urlsplit(link.replace("dccrequest://", "https://")).query
                             )["request"]
        assert json.loads(request) == {
            "credentialRequestOrigin": BASE,
            "protocols": {"vcapi": f"{BASE}/workflows/claim/exchanges/abc"}}


def test_the_exchange_counts_as_verifying(service) -> None:
    """Each answer to an exchange may verify a signature and fetch a did:web document: it
    spends the address's verification allowance, shared with /credentials/verify."""
    offer_id = offer(service, issue(service)["credentialId"])
    service.app.config["RATE_LIMIT_VERIFY_PER_IP"] = "2/60"
    answers = [service.client.post(exchange(offer_id), json={}).status_code,
               service.client.post("/credentials/verify", json={}).status_code,
               service.client.post(exchange(offer_id), json={}).status_code]
    assert answers == [200, 400, 429]


def test_behind_a_proxy_with_a_path_the_exchange_is_under_it_and_the_domain_the_host(
        tmp_path, template_store) -> None:
    public = "https://creds.example.org/cc"
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, PUBLIC_BASE_URL=public, **config)
        with store(app).sessions() as db:
            token = create_issuer(db, service_context(app).kek, public, "riverbend",
                                  "Riverbend")["token"]
        client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
        issued = client.post("/cc/api/v1/issuers/riverbend/completions",
                             json=completion_body(), headers=auth).get_json()
        offer_id = client.post(f"/cc/api/v1/issuers/riverbend/credentials/"
                               f"{issued['credentialId']}/offers", json={},
                               headers=auth).get_json()["offerId"]
        protocols = client.get(f"/cc/interactions/{offer_id}?iuv=1").get_json()["protocols"]
        assert protocols["vcapi"] == f"{public}/workflows/claim/exchanges/{offer_id}"
        path = urlsplit(protocols["vcapi"]).path
        request = client.post(path, json={}).get_json()["verifiablePresentationRequest"]
        assert request["domain"] == "creds.example.org"
        assert request["interact"]["service"][0]["serviceEndpoint"] == protocols["vcapi"]
        holder = new_holder()
        vp = holder.presentation(request["challenge"], domain="creds.example.org")
        response = client.post(path, json={"verifiablePresentation": vp})
        store(app).engine.dispose()
    assert response.status_code == 200, response.get_json()
    [credential] = response.get_json()["verifiablePresentation"]["verifiableCredential"]
    assert credential["id"].startswith(f"{public}/credentials/")
    assert credential["credentialSubject"]["id"] == holder.did


def test_of_two_wallets_answering_one_offer_at_once_one_gets_it(service) -> None:
    offer_id = offer(service, issue(service)["credentialId"])
    challenge = start(service, offer_id)["challenge"]
    presentations = [new_holder().presentation(challenge) for _ in range(2)]
    before = service.counts()["credentials"]
    barrier, answers = threading.Barrier(2), []

    def wallet(vp: dict) -> None:
        client = service.app.test_client()
        barrier.wait()
        answers.append(client.post(exchange(offer_id), json={"verifiablePresentation": vp}))

    threads = [threading.Thread(target=wallet, args=(vp,)) for vp in presentations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 410], \
        [a.get_json() for a in answers]
    assert service.counts()["credentials"] == before + 1
