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
from urllib.parse import parse_qs, quote, urlsplit

from sqlalchemy import func, select, update

from issuer.services import learner_sessions, wallet_links
from issuer.store import store
from issuer.store.models import LearnerSignInLink, WalletOffer
from tests.service.conftest import BASE
from tests.service.learner_support import (
    LEARNER,
    ask_for_link,
    follow_link,
    form_csrf,
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


def make_offer(client, credential_id: str):
    """Press the wallet page's "Make a wallet offer" button."""
    wallet = f"/me/credentials/{credential_id}/wallet"
    return client.post(wallet, data={"csrf": form_csrf(client, wallet)})


def test_the_issue_emails_claim_link_lands_on_the_wallet_page(service, monkeypatch) -> None:
    encoded = []
    real_qr = wallet_links.qr_svg
    monkeypatch.setattr(wallet_links, "qr_svg",
                        lambda text, title: encoded.append(text) or real_qr(text, title))
    credential_id = issue_to(service)
    [mail] = mails(service, LEARNER, "credential-issued")
    path = claim_link(service)
    # The share link is the one to pass on; the claim link is personal, said so, and last.
    for body in (mail.text_body, mail.html_body):
        share, claim = body.index(f"/credentials/{credential_id}"), body.index(path)
        assert share < body.index("Anyone you give") < claim
        assert claim < body.index("This link signs you in") and "do not forward it" in body
        assert f"{BASE}/me" in body[claim + len(path):]
    with store(service.app).sessions() as db, db.begin():
        row = db.scalars(select(LearnerSignInLink)).one()
        assert row.landing == f"/me/credentials/{credential_id}/wallet"
        assert timedelta(days=6, hours=23) < row.expires_at - datetime.now(UTC) <= \
            timedelta(days=7)
    client = service.app.test_client()
    signed = follow_link(client, path)
    assert signed.status_code == 303
    assert signed.headers["Location"] == f"/me/credentials/{credential_id}/wallet"
    # An ordinary session: no longer-lived than one from a fresh sign-in.
    assert f"Max-Age={int(learner_sessions.LIFETIME.total_seconds())}" in \
        signed.headers["Set-Cookie"]
    landed = client.get(signed.headers["Location"])
    assert landed.status_code == 200 and "Make a wallet offer" in landed.get_data(as_text=True)
    assert offers(service) == 0  # opening the page makes nothing
    page = make_offer(client, credential_id)
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert text.count("<svg") == 2  # a QR code for each kind of wallet
    lcw = re.search(r'href="(https://lcw\.app/request[^"]+)"', text).group(1)
    request = json.loads(parse_qs(urlsplit(lcw).query)["request"][0])
    [offer_id] = re.findall(r"/workflows/claim/exchanges/([A-Za-z0-9_-]+)",
                            request["protocols"]["vcapi"])
    # LCW takes the offer over vcapi; the OpenID4VCI offer has its own link and QR code.
    assert request == {"credentialRequestOrigin": BASE, "protocols": {
        "vcapi": f"{BASE}/workflows/claim/exchanges/{offer_id}"}}
    dcc = re.search(r'href="(dccrequest://request\?[^"]+)"', text).group(1)
    assert json.loads(parse_qs(urlsplit(dcc).query)["request"][0]) == request
    # The LCW QR code is the interaction URL (README, docs/wallets.md); the other, the
    # OpenID4VCI offer by reference.
    assert encoded == [f"{BASE}/interactions/{offer_id}?iuv=1",
                       f"openid-credential-offer://?credential_offer_uri={quote(BASE, '')}"
                       f"%2Foid4vci%2Foffers%2F{offer_id}"]
    assert ('href="openid-credential-offer://?credential_offer_uri='
            f'{BASE.replace(":", "%3A").replace("/", "%2F")}%2Foid4vci%2Foffers%2F{offer_id}"'
            ) in text
    by_value = re.search(r'<textarea id="by-value" readonly rows="4">([^<]+)</textarea>',
                         text).group(1)
    offer = json.loads(parse_qs(urlsplit(by_value).query)["credential_offer"][0])
    assert offer["credential_configuration_ids"][0] == "OpenBadgeCredential_ldp_vc"
    assert "tx_code" not in offer["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert offers(service) == 1
    assert service.app.test_client().get(path).status_code == 401  # it worked once


def make_offer_refused(client, credential_id: str) -> int:
    """The button's POST for a page that shows no button: its status."""
    return client.post(f"/me/credentials/{credential_id}/wallet",
                       data={"csrf": form_csrf(client)}).status_code


def test_a_revoked_credential_gets_a_clear_message_and_no_offer(service) -> None:
    credential_id = issue_to(service)
    revoke(service, credential_id, service.admin, reason="assessed in error")
    client = learner_client(service)
    page = client.get(f"/me/credentials/{credential_id}/wallet")
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert make_offer_refused(client, credential_id) == 409
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
    assert "Make a wallet offer" in visitor.get(wallet).get_data(as_text=True)
    assert "lcw.app" in make_offer(visitor, credential_id).get_data(as_text=True)


def test_opening_the_wallet_page_makes_no_offer_only_its_button_does(service) -> None:
    """Another site can navigate a signed-in browser to the page (the cookie is Lax): a GET
    must not spend the learner's allowance; the POST needs the page's CSRF token."""
    credential_id = issue_to(service)
    client = learner_client(service)
    wallet = f"/me/credentials/{credential_id}/wallet"
    for _ in range(31):
        assert client.get(wallet).status_code == 200
    assert offers(service) == 0
    assert client.post(wallet, data={"csrf": "forged"}).status_code == 400
    assert client.post(wallet).status_code == 400
    assert offers(service) == 0
    assert make_offer(client, credential_id).status_code == 200
    assert offers(service) == 1


def test_only_the_learner_may_add_it_to_a_wallet(service) -> None:
    theirs = issue_to(service, "someone@example.com")
    issue_to(service)
    page = learner_client(service).get(f"/me/credentials/{theirs}/wallet")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and "Not your credential" in text
    assert make_offer_refused(learner_client(service), theirs) == 403
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


def test_from_the_email_to_a_wallet_bound_copy_listed_under_its_credential(service) -> None:
    """The whole way: the claim link, the wallet page's OpenID4VCI offer taken by a wallet
    (token, nonce, key proof), the copy verifies, and the learner's list shows it under the
    credential; revoking the credential revokes the copy."""
    from tests.service.oid4vci_support import HolderKey
    from tests.service.test_oid4vci import PRE_AUTHORIZED, credential, nonce, token

    credential_id = issue_to(service)
    client = service.app.test_client()
    assert follow_link(client, claim_link(service)).headers["Location"].endswith("/wallet")
    wallet = make_offer(client, credential_id)
    text = unescape(wallet.get_data(as_text=True))
    by_reference = re.search(r'href="(openid-credential-offer://[^"]+)"', text).group(1)
    offer_uri = parse_qs(urlsplit(by_reference).query)["credential_offer_uri"][0]
    offer = service.client.get(urlsplit(offer_uri).path).get_json()
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    granted = token(service, code)
    assert granted.status_code == 200, granted.get_json()
    holder = HolderKey.ed25519()
    answer = credential(service, granted.get_json()["access_token"],
                        holder.proof(audience=BASE, nonce=nonce(service), key="did:key"))
    assert answer.status_code == 200, answer.get_json()
    [issued] = answer.get_json()["credentials"]
    assert issued["credential"]["credentialSubject"]["id"] == holder.did_key
    report = service.client.post("/credentials/verify", json={
        "verifiableCredential": issued["credential"]}).get_json()
    assert report["verified"] is True, report
    home = client.get("/me").get_data(as_text=True)
    assert "1 copy bound to a wallet" in home
    assert issued["credential"]["id"].rsplit("/", 1)[1] not in home
    revoke(service, credential_id, service.admin)
    again = service.client.post("/credentials/verify", json={
        "verifiableCredential": issued["credential"]}).get_json()
    assert again["verified"] is False


def test_from_the_wallet_pages_lcw_link_a_didauth_wallet_gets_its_copy(service) -> None:
    """The Learner Credential Wallet's way: the lcw.app link's exchange, a DIDAuth
    presentation with the exchange's challenge, and the bound copy in a presentation."""
    from tests.service.test_exchanges import new_holder

    credential_id = issue_to(service)
    client = service.app.test_client()
    follow_link(client, claim_link(service))
    wallet = make_offer(client, credential_id)
    lcw = re.search(r'href="(https://lcw\.app/request[^"]+)"',
                    unescape(wallet.get_data(as_text=True))).group(1)
    request = json.loads(parse_qs(urlsplit(lcw).query)["request"][0])
    exchange = urlsplit(request["protocols"]["vcapi"]).path
    asked = service.client.post(exchange, json={}).get_json()["verifiablePresentationRequest"]
    holder = new_holder()
    answer = service.client.post(exchange, json={
        "verifiablePresentation": holder.presentation(asked["challenge"])})
    assert answer.status_code == 200, answer.get_json()
    [copy] = answer.get_json()["verifiablePresentation"]["verifiableCredential"]
    assert copy["credentialSubject"]["id"] == holder.did
    assert "1 copy bound to a wallet" in client.get("/me").get_data(as_text=True)
