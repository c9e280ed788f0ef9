"""A signed-in learner's own list, over HTTP against the real store: every credential issued
to their address by every issuer here, with its status and reason, a wallet-bound copy under
its root, downloads that work; hiding one from the opt-in public list, which lives at a
random handle, shows only active credentials not hidden, and stops at a new handle."""

from __future__ import annotations

import re

from issuer.store import store
from issuer.web.context import service_context
from tests.service.conftest import BASE, MODEL
from tests.service.learner_support import (
    LEARNER,
    form_csrf,
    issue_to,
    learner_client,
)
from tests.service.test_wallet_offers import holder

HTML = {"Accept": "text/html"}


def revoke(service, credential_id: str, token: str, slug: str = "riverbend",
           reason: str = "assessed in error") -> None:
    answer = service.client.post(f"/api/v1/issuers/{slug}/credentials/{credential_id}/revoke",
                                 json={"reason": reason}, headers=service.auth(token))
    assert answer.status_code == 200, answer.get_json()


def bind_copy(service, credential_id: str) -> str:
    from issuer.services.wallet_offers import create_offer, issue_to_holder, offer_by_id
    kek = service_context(service.app).kek
    with store(service.app).sessions() as db, db.begin():
        made = create_offer(db, kek, credential_id, LEARNER)
        issued = issue_to_holder(db, kek, BASE, offer_by_id(db, made.offer.id), holder(),
                                 protocol="vcapi")
    return issued.credential.id


def sections(page: str) -> dict[str, str]:
    """Each credential's section of /me, by credential id."""
    return dict(re.findall(r'<section class="learner-item" id="credential-([0-9a-f-]{36})"'
                           r'(.*?)</section>', page, re.S))


def test_every_issuers_credentials_with_status_and_copies_under_their_root(service) -> None:
    first = issue_to(service)
    second = issue_to(service, competency=f"{MODEL}/patient-vitals")
    elsewhere = issue_to(service, "Jordan.Rivera@example.com", "lakeside", level="proficient")
    someone_else = issue_to(service, "someone@example.com")
    revoke(service, second, service.admin)
    copy = bind_copy(service, first)
    page = learner_client(service).get("/me").get_data(as_text=True)
    items = sections(page)
    assert set(items) == {first, second, elsewhere}
    assert someone_else not in page and copy not in items
    assert "Riverbend Behavioral Health" in items[first] and "Lakeside" in items[elsewhere]
    assert "Revoked by Riverbend Behavioral Health: assessed in error." in items[second]
    assert "Add to wallet" not in items[second] and "Add to wallet" in items[first]
    assert "1 copy bound to a wallet" in items[first]
    assert "<dt>Level</dt><dd>Proficient</dd>" in items[elsewhere]
    assert "<dt>Competency</dt><dd>De-escalation" in items[first]


def test_the_downloads_the_list_offers_work(service) -> None:
    credential_id = issue_to(service)
    client = learner_client(service)
    page = sections(client.get("/me").get_data(as_text=True))[credential_id]
    for path in re.findall(r'href="http://localhost:5000([^"]+)"', page):
        answer = client.get(path.replace("&amp;", "&"))
        assert answer.status_code == 200, path
    assert f'href="{BASE}/credentials/{credential_id}/badge.png"' in page
    json_download = client.get(f"/credentials/{credential_id}?format=json&download=1")
    assert json_download.get_json()["id"] == f"{BASE}/credentials/{credential_id}"


def test_the_public_list_is_opt_in_and_omits_what_is_hidden(service) -> None:
    shown, hidden, revoked = issue_to(service), issue_to(service), issue_to(service)
    revoke(service, revoked, service.admin)
    client = learner_client(service)
    assert "Your public list is off" in client.get("/me").get_data(as_text=True)
    assert client.post(f"/me/credentials/{hidden}/hidden",
                       data={"csrf": form_csrf(client), "hidden": "1"}).status_code == 303
    assert client.post("/me/public", data={"csrf": form_csrf(client), "public": "1"}
                       ).status_code == 303
    home = client.get("/me").get_data(as_text=True)
    url = re.search(r'<a href="(http://localhost:5000/learners/[A-Za-z0-9_-]{22})">', home)
    assert url and LEARNER not in url.group(1)
    public = service.app.test_client().get(url.group(1).removeprefix(BASE), headers=HTML)
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "noindex" in text
    assert shown in text and hidden not in text and revoked not in text and LEARNER not in text
    client.post(f"/me/credentials/{hidden}/hidden", data={"csrf": form_csrf(client),
                                                          "hidden": "0"})
    assert hidden in service.app.test_client().get(url.group(1).removeprefix(BASE)
                                                    ).get_data(as_text=True)
    client.post("/me/public", data={"csrf": form_csrf(client), "public": "0"})
    gone = service.app.test_client().get(url.group(1).removeprefix(BASE), headers=HTML)
    assert gone.status_code == 404 and "turned it off" in gone.get_data(as_text=True)
    assert service.app.test_client().get("/learners/%00", headers=HTML).status_code in (
        400, 404)


def test_nobody_hides_anothers_credential(service) -> None:
    theirs = issue_to(service, "someone@example.com")
    issue_to(service)
    client = learner_client(service)
    answer = client.post(f"/me/credentials/{theirs}/hidden",
                         data={"csrf": form_csrf(client), "hidden": "1"}, headers=HTML)
    assert answer.status_code == 404
    unsigned = service.app.test_client()
    assert unsigned.post(f"/me/credentials/{theirs}/hidden", data={"hidden": "1"}
                         ).status_code == 400


def test_each_card_says_plainly_whether_it_is_public_and_what_a_jwt_is(service) -> None:
    """"On your public list: Yes" while the list is off read as "already public"; a JWT card
    looked like its JSON twin, and left the record picker without a word; a revoked card
    offered to hide what the list never shows."""
    shown = issue_to(service)
    jwt = issue_to(service, format="jwt", algorithm="ES256")
    revoked = issue_to(service)
    revoke(service, revoked, service.admin)
    client = learner_client(service)
    page = client.get("/me").get_data(as_text=True)
    items = sections(page)
    assert "It would be, but your public list is off" in items[shown]
    assert "No: not active" in items[revoked] and "Hide from my public list" not in items[
        revoked]
    assert "<dt>Format</dt><dd>JWT" in items[jwt] and "Download (JWT)" in items[jwt]
    assert "issued as a JWT, which a learner record cannot hold" in page
    labels = re.findall(r'<section class="learner-item" id="[^"]+" aria-label="([^"]+)"',
                        page)
    assert len(set(labels)) == 3  # each region has a name of its own
    client.post("/me/public", data={"csrf": form_csrf(client), "public": "1"})
    assert "<dt>On your public list</dt><dd>Yes</dd>" in sections(
        client.get("/me").get_data(as_text=True))[shown]
