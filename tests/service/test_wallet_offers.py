"""Wallet offers and the wallet-bound copies they yield (issuer.services.wallet_offers): a
copy carries the same claims with the holder's DID as subject id, verifies, shares its
root's status bits and follows its root's status; an offer is good once, for 15 minutes,
for the learner the credential was issued to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from issuer.services.errors import Conflict, Gone, Invalid, NotFound
from issuer.services.wallet_offers import (
    create_offer,
    issue_to_holder,
    offer_by_id,
    offer_by_pre_authorized_code,
    pre_authorized_code,
    tx_code_matches,
)
from issuer.store import store
from issuer.store.models import Credential
from issuer.web.context import service_context
from keys import Ed25519Signer
from keys.did import did_key
from tests.service.conftest import BASE, completion_body

EMAIL = "jordan.rivera@example.com"


def holder() -> str:
    return did_key(Ed25519Signer.from_seed(bytes(range(32))).verification_key)


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def bind(service, credential_id: str, **offer_options) -> tuple[str, dict]:
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin():
        made = create_offer(db, kek, credential_id, EMAIL.upper(), **offer_options)
        offer = offer_by_id(db, made.offer.id)
        issued = issue_to_holder(db, kek, BASE, offer, holder(), protocol="vcapi")
    return made.offer.id, issued.signed


def verify(service, credential: dict) -> dict:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.get_json()


def test_a_bound_copy_names_the_holder_and_shares_the_roots_status(service) -> None:
    root = issue(service)
    _offer, copy = bind(service, root["credentialId"])
    original = root["credential"]
    assert copy["credentialSubject"]["id"] == holder()
    assert copy["id"] != original["id"]
    assert copy["credentialStatus"] == original["credentialStatus"]
    assert copy["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    assert copy["evidence"] == original["evidence"]
    assert verify(service, copy)["verified"] is True
    copy_id = copy["id"].rsplit("/", 1)[1]
    with store(service.app).sessions() as db:
        row = db.get(Credential, copy_id)
        assert (row.source_id, row.holder_id, row.completion_id) == \
            (root["credentialId"], holder(), None)

    answer = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{root['credentialId']}/revoke",
        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    assert answer.status_code == 200, answer.get_json()
    report = verify(service, copy)
    assert report["verified"] is False
    with store(service.app).sessions() as db:
        assert db.get(Credential, copy_id).status == "revoked"


def test_revoking_a_copy_revokes_its_root(service) -> None:
    root = issue(service)
    _offer, copy = bind(service, root["credentialId"])
    copy_id = copy["id"].rsplit("/", 1)[1]
    answer = service.client.post(f"/api/v1/issuers/riverbend/credentials/{copy_id}/revoke",
                                 json={"reason": "wrong learner"},
                                 headers=service.auth(service.admin))
    assert answer.status_code == 200, answer.get_json()
    assert verify(service, root["credential"])["verified"] is False


def test_an_offer_is_good_once(service) -> None:
    root = issue(service)
    offer_id, _copy = bind(service, root["credentialId"])
    with store(service.app).sessions() as db, db.begin(), pytest.raises(Gone) as raised:
        offer_by_id(db, offer_id)
    assert raised.value.code == "/problems/offer-used"


def test_an_offer_expires(service) -> None:
    root = issue(service)
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin():
        made = create_offer(db, kek, root["credentialId"], EMAIL,
                            now=datetime.now(UTC) - timedelta(minutes=16))
    with store(service.app).sessions() as db, db.begin(), pytest.raises(Gone) as raised:
        offer_by_id(db, made.offer.id)
    assert raised.value.code == "/problems/offer-expired"


def test_only_the_learner_and_only_a_live_credential(service) -> None:
    root = issue(service)
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin(), pytest.raises(NotFound):
        create_offer(db, kek, root["credentialId"], "someone.else@example.com")
    service.client.post(f"/api/v1/issuers/riverbend/credentials/{root['credentialId']}/revoke",
                        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    with store(service.app).sessions() as db, db.begin(), pytest.raises(Conflict):
        create_offer(db, kek, root["credentialId"], EMAIL)


def test_codes_are_kept_hashed_and_found_again(service) -> None:
    root = issue(service)
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin():
        made = create_offer(db, kek, root["credentialId"], EMAIL, with_tx_code=True)
        assert made.offer.pre_authorized_code_hash != made.pre_authorized_code
        assert pre_authorized_code(kek, made.offer) == made.pre_authorized_code
        assert offer_by_pre_authorized_code(db, made.pre_authorized_code) is made.offer
        assert offer_by_pre_authorized_code(db, made.pre_authorized_code + "x") is None
        assert tx_code_matches(made.offer, made.tx_code)
        assert not tx_code_matches(made.offer, "000000" if made.tx_code != "000000" else "1")


@pytest.mark.parametrize("bad", ["did:key:z6Mk#frag", "https://example.org/me", "did:x:",
                                 "did:key:" + "z" * 600])
def test_the_holder_must_be_a_plain_did(service, bad: str) -> None:
    root = issue(service)
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin(), pytest.raises(Invalid):
        made = create_offer(db, kek, root["credentialId"], EMAIL)
        issue_to_holder(db, kek, BASE, made.offer, bad, protocol="vcapi")
