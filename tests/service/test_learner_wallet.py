"""Add to wallet, for the learner alone, over HTTP against the real store: the issue email's
claim link signs them in (once, within 7 days) onto the credential's wallet page; the page
makes a new offer and shows it for the Learner Credential Wallet (lcw.app request with the
protocols object, dccrequest://) and for OpenID4VCI wallets (by reference and by value), each
scannable; a revoked credential gets a clear message and no offer; the public share page's
button asks for sign-in first and refuses anyone but the learner in plain words."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select, update

from issuer.store import store
from issuer.store.models import LearnerSignInLink, WalletOffer
from tests.service.conftest import BASE
from tests.service.learner_support import (
    LEARNER,
    ask_for_link,
    follow_link,
    issue_to,
    last_link,
    learner_client,
    mails,
)
from tests.service.test_learner_credentials import revoke

HTML = {"Accept": "text/html"}


def claim_link(service, email: str = LEARNER) -> str:
    return last_link(service, email, "credential-issued")


def offers(service) -> int:
    with store(service.app).sessions() as db:
        return db.scalar(select(func.count()).select_from(WalletOffer))


def test_the_issue_emails_claim_link_lands_on_the_wallet_page(service) -> None:
    credential_id = issue_to(service)
    [mail] = mails(service, LEARNER, "credential-issued")
    assert "Add it to your wallet:" in mail.text_body and "Add it to your wallet" in \
        mail.html_body
    path = claim_link(service)
    with store(service.app).sessions() as db, db.begin():
        row = db.scalars(select(LearnerSignInLink)).one()
        assert row.landing == f"/me/credentials/{credential_id}/wallet"
        assert timedelta(days=6, hours=23) < row.expires_at - datetime.now(UTC) <= \
            timedelta(days=7)
    client = service.app.test_client()
    signed = follow_link(client, path)
    assert signed.status_code == 303
    assert signed.headers["Location"] == f"/me/credentials/{credential_id}/wallet"
    page = client.get(signed.headers["Location"])
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert text.count("<svg") == 2  # a QR code for each kind of wallet
    lcw = re.search(r'href="(https://lcw\.app/request[^"]+)"', text).group(1)
    request = json.loads(parse_qs(urlsplit(lcw).query)["request"][0])
    [offer_id] = re.findall(r"/workflows/claim/exchanges/([A-Za-z0-9_-]+)",
                            request["protocols"]["vcapi"])
    assert request["protocols"]["OID4VCI"] == (
        "openid-credential-offer://?credential_offer_uri="
        f"{BASE.replace(':', '%3A').replace('/', '%2F')}%2Foid4vci%2Foffers%2F{offer_id}")
    assert re.search(r'href="dccrequest://request\?[^"]*challenge=', text)
    assert f'href="{request["protocols"]["OID4VCI"]}"' in text
    by_value = re.search(r'<textarea id="by-value" readonly rows="4">([^<]+)</textarea>',
                         text).group(1)
    offer = json.loads(parse_qs(urlsplit(by_value).query)["credential_offer"][0])
    assert offer["credential_configuration_ids"][0] == "OpenBadgeCredential_ldp_vc"
    assert "tx_code" not in offer["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert offers(service) == 1
    assert service.app.test_client().get(path).status_code == 401  # it worked once


def test_a_revoked_credential_gets_a_clear_message_and_no_offer(service) -> None:
    credential_id = issue_to(service)
    revoke(service, credential_id, service.admin, reason="assessed in error")
    page = learner_client(service).get(f"/me/credentials/{credential_id}/wallet")
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "This credential is revoked" in text and "assessed in error" in text
    assert "lcw.app" not in text and offers(service) == 0


def test_the_share_page_button_asks_for_sign_in_then_reaches_the_wallet(service) -> None:
    credential_id = issue_to(service)
    visitor = service.app.test_client()
    share = visitor.get(f"/credentials/{credential_id}", headers=HTML).get_data(as_text=True)
    wallet = f"/me/credentials/{credential_id}/wallet"
    assert f'<a class="button" href="{wallet}">Add to your wallet</a>' in share
    asked = visitor.get(wallet)
    assert asked.status_code == 401 and "Email me a sign-in link" in asked.get_data(
        as_text=True)
    assert f'name="landing" value="{wallet}"' in asked.get_data(as_text=True)
    ask_for_link(visitor, landing=wallet)
    signed = follow_link(visitor, last_link(service, LEARNER))
    assert signed.headers["Location"] == wallet
    assert "lcw.app" in visitor.get(wallet).get_data(as_text=True)


def test_only_the_learner_may_add_it_to_a_wallet(service) -> None:
    theirs = issue_to(service, "someone@example.com")
    issue_to(service)
    page = learner_client(service).get(f"/me/credentials/{theirs}/wallet")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and "Not your credential" in text
    assert f"not issued to {LEARNER}" in text and "lcw.app" not in text
    assert offers(service) == 0
    unknown = learner_client(service).get("/me/credentials/not-an-id/wallet")
    assert unknown.status_code == 404


def test_a_revoked_credentials_share_page_has_no_wallet_button(service) -> None:
    credential_id = issue_to(service)
    revoke(service, credential_id, service.admin)
    share = service.client.get(f"/credentials/{credential_id}", headers=HTML)
    assert "Add to your wallet" not in share.get_data(as_text=True)


def test_an_expired_claim_link_sends_the_learner_to_ask_for_a_new_one(service) -> None:
    issue_to(service)
    path = claim_link(service)
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(LearnerSignInLink).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    page = service.app.test_client().get(path)
    assert page.status_code == 401 and "expired" in page.get_data(as_text=True)
