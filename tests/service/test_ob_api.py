"""The Open Badges 3.0 API over HTTP against the real store: a client registers itself,
the learner signs in by emailed link and consents, the client exchanges its code (PKCE
S256) for tokens, pages through the learner's credentials, stores a credential the learner
holds from elsewhere (an official example, verified first), reads and replaces the
profile, refreshes (rotating) and revokes. And the refusals: a wrong redirect URI, a code
used twice, no PKCE, a scope not granted, another learner's data. Every answer of the
resource endpoints is checked against the official 1EdTech schemas."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from jsonschema import Draft201909Validator
from sqlalchemy import select

from credentials.build import email_identity
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from issuer.services.oauth_server import SCOPES
from issuer.store import store
from issuer.store.models import Credential, HeldCredential, OAuthClient, OAuthToken
from keys import Ed25519Signer
from keys.did import did_key, did_key_verification_method
from tests.service.conftest import BASE
from tests.service.learner_support import (
    LEARNER,
    csrf_in,
    form_csrf,
    issue_to,
    learner_client,
)

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
ALL_SCOPES = " ".join(SCOPES)
CALLBACK = "https://host.example/callback"
FOREIGN = "ob30-1edtech-validator/simple.json"  # an official example that verifies offline
# The same example re-issued by an issuer whose did:key is its own id (so its signature is
# tied to it offline), about the learner's email address.
ISSUER_KEY = Ed25519Signer.from_seed(bytes(range(1, 33)))
ISSUER_DID = did_key(ISSUER_KEY.verification_key)


def foreign_credential(examples: Path, email: str, credential_id: str | None = None) -> dict:
    document = json.loads((examples / FOREIGN).read_bytes())
    document.pop("proof")
    document["id"] = f"{BASE}/credentials/{credential_id}" if credential_id \
        else "urn:uuid:3f7c1a52-5d0e-4a8e-9b1c-1f6f8e1f2a01"
    document["issuer"] = {"id": ISSUER_DID, "type": ["Profile"], "name": "Lakeside College"}
    document["credentialSubject"].pop("id", None)
    document["credentialSubject"]["identifier"] = [email_identity(email, "c0ffee")]
    signer = ISSUER_KEY.with_id(did_key_verification_method(ISSUER_DID), ISSUER_DID)
    return create_proof(document, EDDSA_RDFC_2022, signer)


def client_metadata(redirect_uri: str = CALLBACK, scope: str = ALL_SCOPES) -> dict:
    """What section 7 of the Open Badges specification requires a client to register."""
    return {"client_name": "Example Backpack", "client_uri": "https://host.example/",
            "logo_uri": "https://host.example/logo.png",
            "tos_uri": "https://host.example/terms",
            "policy_uri": "https://host.example/privacy", "software_id": "example-backpack",
            "software_version": "1.0", "redirect_uris": [redirect_uri], "scope": scope,
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"]}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    return verifier, challenge


def basic(client: dict) -> dict[str, str]:
    pair = f"{client['client_id']}:{client['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def schemas(standards: Path) -> dict[str, Draft201909Validator]:
    folder = standards / "schemas" / "ob_v3p0"
    return {name: Draft201909Validator(json.loads(
        (folder / f"ob_v3p0_{name}_schema.json").read_text()))
        for name in ("getopenbadgecredentialsresponse", "profile", "imsx_statusinfo")}


def valid(schemas: dict, name: str, body: object) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schemas[name].iter_errors(body)]
    assert errors == [], errors[:5]


def register(service, **changes) -> dict:
    answer = service.client.post("/oauth/register", json={**client_metadata(), **changes})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def authorize(browser, client: dict, scope: str = ALL_SCOPES, decision: str = "allow",
              redirect_uri: str = CALLBACK, **extra: str) -> tuple[dict, str]:
    """The learner's browser through /me/authorize and the consent form: the parameters the
    client's redirect URI received, and the PKCE verifier."""
    verifier, challenge = pkce()
    query = {"response_type": "code", "client_id": client["client_id"],
             "redirect_uri": redirect_uri, "scope": scope, "state": "xyz",
             "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    started = browser.get("/me/authorize?" + urlencode(query))
    assert started.status_code == 303, started.get_data(as_text=True)
    page = browser.get(started.headers["Location"])
    assert page.status_code == 200, page.get_data(as_text=True)
    decided = browser.post(started.headers["Location"], data={
        "csrf": csrf_in(page.get_data(as_text=True)), "decision": decision})
    assert decided.status_code == 302
    location = decided.headers["Location"]
    assert location.startswith(redirect_uri + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}, verifier


def exchange(service, client: dict, code: str, verifier: str | None,
             redirect_uri: str = CALLBACK):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    return service.client.post("/oauth/token", data=form, headers=basic(client))


def tokens_for(service, email: str = LEARNER, scope: str = ALL_SCOPES) -> tuple[dict, dict]:
    """A registered client and the tokens it got from ``email``'s consent."""
    client = register(service)
    params, verifier = authorize(learner_client(service, email), client, scope)
    answer = exchange(service, client, params["code"], verifier)
    assert answer.status_code == 200, answer.get_json()
    return client, answer.get_json()


def test_discovery_names_the_oauth_flow_and_the_scopes(service) -> None:
    answer = service.client.get("/ims/ob/v3p0/discovery")
    assert answer.status_code == 200
    document = answer.get_json()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-name"] == "Competency Credentials"
    for name in ("x-imssf-privacyPolicyUrl", "x-imssf-termsOfServiceUrl",
                 "x-imssf-registrationUrl"):
        assert scheme[name].startswith("http")
    flow = scheme["flows"]["authorizationCode"]
    assert set(flow["scopes"]) == {SCOPE + s for s in (
        "credential.readonly", "credential.upsert", "profile.readonly", "profile.update")}
    assert flow["authorizationUrl"].endswith("/me/authorize")
    assert flow["tokenUrl"] == flow["refreshUrl"]
    assert document["info"]["x-imssf-image"].startswith("http")
    for url in (scheme["x-imssf-privacyPolicyUrl"], scheme["x-imssf-termsOfServiceUrl"]):
        assert service.client.get(urlsplit(url).path).status_code == 200


def test_a_host_registers_gets_consent_and_pages_through_credentials(service, schemas
                                                                     ) -> None:
    ours = [issue_to(service, level=level) for level in ("emerging", "developing", "proficient")]
    issue_to(service, format="jwt", algorithm="ES256")  # a VC-JWT: a compactJwsString
    client, tokens = tokens_for(service)
    assert set(client) >= {"client_id", "client_secret", "client_id_issued_at",
                           "client_secret_expires_at", "client_name", "redirect_uris"}
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    assert tokens["scope"] == ALL_SCOPES
    seen: list[str] = []
    jwts: list[str] = []
    url = "/ims/ob/v3p0/credentials?limit=3"
    while url:
        answer = service.client.get(url, headers=bearer(tokens["access_token"]))
        assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "4"
        valid(schemas, "getopenbadgecredentialsresponse", answer.get_json())
        seen += [c["id"] for c in answer.get_json()["credential"]]
        jwts += answer.get_json()["compactJwsString"]
        links = dict((rel, target) for target, rel in re.findall(
            r'<([^>]+)>; rel="(\w+)"', answer.headers["Link"]))
        assert {"first", "last"} <= set(links)
        url = links.get("next")
        if url:
            url = url.replace("http://localhost", "")
    assert len(seen) == 3 and all(any(c.endswith(i) for c in seen) for i in ours)
    assert len(jwts) == 1 and jwts[0].count(".") == 2
    second = service.client.get("/ims/ob/v3p0/credentials?limit=3&offset=3",
                                headers=bearer(tokens["access_token"]))
    assert second.headers["Link"] == (
        '<http://localhost/ims/ob/v3p0/credentials?limit=3&offset=3>; rel="last", '
        '<http://localhost/ims/ob/v3p0/credentials?limit=3&offset=0>; rel="first", '
        '<http://localhost/ims/ob/v3p0/credentials?limit=3&offset=0>; rel="prev"')
    later = service.client.get("/ims/ob/v3p0/credentials?since=2999-01-01T00:00:00Z",
                               headers=bearer(tokens["access_token"]))
    assert later.headers["X-Total-Count"] == "0"
    with store(service.app).sessions() as db, db.begin():
        stored = db.scalars(select(OAuthToken)).one()
        assert stored.access_hash != tokens["access_token"] and len(stored.access_hash) == 64
        assert tokens["access_token"] not in json.dumps(
            [stored.access_hash, stored.refresh_hash])
        assert db.scalars(select(OAuthClient)).one().secret_hash != client["client_secret"]


def test_a_foreign_credential_is_verified_stored_apart_and_listed(service, schemas,
                                                                 examples: Path) -> None:
    issue_to(service)
    _client, tokens = tokens_for(service)
    foreign = json.dumps(foreign_credential(examples, LEARNER)).encode()
    headers = {**bearer(tokens["access_token"]), "Content-Type": "application/json"}
    first = service.client.post("/ims/ob/v3p0/credentials", data=foreign, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["id"] == json.loads(foreign)["id"]
    again = service.client.post("/ims/ob/v3p0/credentials", data=foreign, headers=headers)
    assert again.status_code == 200
    listed = service.client.get("/ims/ob/v3p0/credentials", headers=headers).get_json()
    valid(schemas, "getopenbadgecredentialsresponse", listed)
    assert json.loads(foreign)["id"] in [c["id"] for c in listed["credential"]]
    with store(service.app).sessions() as db, db.begin():
        held = db.scalars(select(HeldCredential)).one()
        assert db.get(Credential, held.id) is None
    assert service.client.get(f"/credentials/{held.id}").status_code == 404
    tampered = json.loads(foreign)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    refused = service.client.post("/ims/ob/v3p0/credentials", json=tampered,
                                  headers=bearer(tokens["access_token"]))
    assert refused.status_code == 400
    valid(schemas, "imsx_statusinfo", refused.get_json())
    assert "not stored" in refused.get_json()["imsx_description"]


@pytest.mark.parametrize("case", ["unbound", "someone else's", "ours"])
def test_an_upsert_stores_nothing_anyone_could_have_made(service, examples: Path,
                                                         case: str) -> None:
    """Hostile review of #20, F2: an official example whose key nothing ties to its issuer
    (a key anyone could hold), a credential about another learner's address, and a copy
    claiming one of our own credential ids are refused."""
    ours = issue_to(service)
    _client, tokens = tokens_for(service)
    document = {"unbound": lambda: json.loads((examples / FOREIGN).read_bytes()),
                "someone else's": lambda: foreign_credential(examples, "someone.else@example.com"),
                "ours": lambda: foreign_credential(examples, LEARNER, ours)}[case]()
    refused = service.client.post("/ims/ob/v3p0/credentials", json=document,
                                  headers=bearer(tokens["access_token"]))
    assert refused.status_code == 400, refused.get_json()
    with store(service.app).sessions() as db, db.begin():
        assert db.scalars(select(HeldCredential)).first() is None


def test_profile_is_read_and_replaced(service, schemas) -> None:
    issue_to(service)
    _client, tokens = tokens_for(service)
    headers = bearer(tokens["access_token"])
    profile = service.client.get("/ims/ob/v3p0/profile", headers=headers).get_json()
    valid(schemas, "profile", profile)
    assert profile["email"] == LEARNER and profile["id"].startswith("urn:uuid:")
    changed = {**profile, "name": "Jordan Rivera", "phone": "111-222-3333"}
    answer = service.client.put("/ims/ob/v3p0/profile", json=changed, headers=headers)
    assert answer.status_code == 200
    valid(schemas, "profile", answer.get_json())
    assert service.client.get("/ims/ob/v3p0/profile", headers=headers).get_json()["name"] == \
        "Jordan Rivera"
    refused = service.client.put("/ims/ob/v3p0/profile", headers=headers,
                                 json={**profile, "email": "someone@example.com"})
    assert refused.status_code == 400
    valid(schemas, "imsx_statusinfo", refused.get_json())


def test_refresh_rotates_and_revocation_ends_access(service) -> None:
    issue_to(service)
    client, tokens = tokens_for(service)
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    renewed = service.client.post("/oauth/token", data=refresh, headers=basic(client))
    assert renewed.status_code == 200, renewed.get_json()
    new = renewed.get_json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert service.client.get("/ims/ob/v3p0/profile",
                              headers=bearer(new["access_token"])).status_code == 200
    revoked = service.client.post("/oauth/revoke", data={"token": new["access_token"]},
                                  headers=basic(client))
    assert revoked.status_code == 200
    gone = service.client.get("/ims/ob/v3p0/profile", headers=bearer(new["access_token"]))
    assert gone.status_code == 401
    again = service.client.post("/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": new["refresh_token"]},
        headers=basic(client))
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_a_rotated_refresh_token_used_again_revokes_the_grant(service) -> None:
    issue_to(service)
    client, tokens = tokens_for(service)
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    new = service.client.post("/oauth/token", data=refresh, headers=basic(client)).get_json()
    replay = service.client.post("/oauth/token", data=refresh, headers=basic(client))
    assert replay.status_code == 400
    assert service.client.get("/ims/ob/v3p0/profile",
                              headers=bearer(new["access_token"])).status_code == 401


def test_refusals_wrong_redirect_reused_code_no_pkce(service) -> None:
    issue_to(service)
    client = register(service)
    browser = learner_client(service)
    verifier, challenge = pkce()
    wrong = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "scope": ALL_SCOPES,
        "redirect_uri": CALLBACK + "/other", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"}))
    assert wrong.status_code == 400 and "Location" not in wrong.headers
    no_pkce = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "scope": ALL_SCOPES,
        "redirect_uri": CALLBACK, "state": "s"}))
    assert no_pkce.status_code == 302
    assert "error=invalid_request" in no_pkce.headers["Location"]
    plain = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "scope": ALL_SCOPES,
        "redirect_uri": CALLBACK, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "plain"}))
    assert "error=invalid_request" in plain.headers["Location"]
    params, verifier = authorize(browser, client)
    assert params["state"] == "xyz"
    missing = exchange(service, client, params["code"], None)
    assert missing.status_code == 400
    wrong_verifier = exchange(service, client, params["code"], pkce()[0])
    assert wrong_verifier.status_code == 400
    first = exchange(service, client, params["code"], verifier)
    assert first.status_code == 200, first.get_json()
    reused = exchange(service, client, params["code"], verifier)
    assert reused.status_code == 400 and reused.get_json()["error"] == "invalid_grant"
    # The code was replayed: what the first exchange got is revoked too.
    assert service.client.get("/ims/ob/v3p0/profile", headers=bearer(
        first.get_json()["access_token"])).status_code == 401
    denied, _ = authorize(browser, client, decision="deny")
    assert denied["error"] == "access_denied" and denied["state"] == "xyz"


def test_refusals_scope_not_granted_and_another_learners_data(service, schemas) -> None:
    issue_to(service)
    other = issue_to(service, email="sam.lee@example.com")
    _client, tokens = tokens_for(service, scope=SCOPE + "credential.readonly")
    headers = bearer(tokens["access_token"])
    listed = service.client.get("/ims/ob/v3p0/credentials", headers=headers).get_json()
    assert not any(c["id"].endswith(other) for c in listed["credential"])
    for method, path in (("post", "/ims/ob/v3p0/credentials"), ("get", "/ims/ob/v3p0/profile"),
                         ("put", "/ims/ob/v3p0/profile")):
        refused = getattr(service.client, method)(path, headers=headers, json={})
        assert refused.status_code == 403, (method, path)
        valid(schemas, "imsx_statusinfo", refused.get_json())
    for headers in ({}, bearer("forged")):
        refused = service.client.get("/ims/ob/v3p0/credentials", headers=headers)
        assert refused.status_code == 401
        valid(schemas, "imsx_statusinfo", refused.get_json())
    bad = service.client.get("/ims/ob/v3p0/credentials?limit=0",
                             headers=bearer(tokens["access_token"]))
    assert bad.status_code == 400
    valid(schemas, "imsx_statusinfo", bad.get_json())
    # A client registered for fewer scopes cannot be granted more.
    narrow = register(service, scope=SCOPE + "profile.readonly")
    _, challenge = pkce()
    asked = learner_client(service).get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": narrow["client_id"], "redirect_uri": CALLBACK,
        "scope": ALL_SCOPES, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"}))
    assert asked.status_code == 302 and "error=invalid_scope" in asked.headers["Location"]


def test_registration_requires_the_specifications_metadata(service) -> None:
    for missing in ("client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id",
                    "software_version", "redirect_uris", "scope"):
        metadata = client_metadata()
        del metadata[missing]
        answer = service.client.post("/oauth/register", json=metadata)
        assert answer.status_code == 400, missing
        assert answer.get_json()["error"] in ("invalid_client_metadata",
                                              "invalid_redirect_uri")
    for uri in ("http://host.example/cb", "https://host.example/cb#frag", "javascript:x"):
        answer = service.client.post("/oauth/register", json=client_metadata(uri))
        assert answer.get_json()["error"] == "invalid_redirect_uri", uri
    assert service.client.post("/oauth/register", json=client_metadata(
        scope="openid")).status_code == 400
    assert service.client.post("/oauth/register", json=client_metadata(
        "http://127.0.0.1:8123/cb")).status_code == 201


def test_consent_needs_sign_in_and_the_forms_csrf_token(service) -> None:
    issue_to(service)
    client = register(service)
    browser = service.app.test_client()
    _, challenge = pkce()
    started = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": CALLBACK,
        "scope": ALL_SCOPES, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"}))
    consent = started.headers["Location"]
    page = browser.get(consent)
    assert page.status_code == 401 and "Example Backpack" in page.get_data(as_text=True)
    assert f'name="landing" value="{consent}"' in page.get_data(as_text=True)
    signed = learner_client(service)
    forged = signed.post(consent, data={"csrf": "forged", "decision": "allow"})
    assert forged.status_code == 400


def test_one_code_exchanged_at_once_by_many_wins_once(service) -> None:
    """The same code sent four times at the same moment: one exchange succeeds, the others
    are refused, and (a replay) what the one got is revoked."""
    issue_to(service)
    client = register(service)
    params, verifier = authorize(learner_client(service), client)
    start = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def exchange_once() -> None:
        browser = service.app.test_client()
        start.wait()
        answer = browser.post("/oauth/token", headers=basic(client), data={
            "grant_type": "authorization_code", "code": params["code"],
            "redirect_uri": CALLBACK, "code_verifier": verifier})
        answers.append((answer.status_code, answer.get_json()))

    threads = [threading.Thread(target=exchange_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [200, 400, 400, 400], answers
    won = next(body for status, body in answers if status == 200)
    assert service.client.get("/ims/ob/v3p0/profile", headers=bearer(
        won["access_token"])).status_code == 401


def test_parameters_outside_printable_ascii_are_refused_not_quoted(service) -> None:
    """authlib quotes some values in its error descriptions and refuses to carry anything
    but printable ASCII there: such a request is a 400, never a 500."""
    client = register(service)
    token = service.client.post("/oauth/token", data={"grant_type": "é"},
                                headers=basic(client))
    assert token.status_code == 400 and token.get_json()["error"] == "invalid_request"
    asked = service.client.get("/me/authorize?" + urlencode({
        "response_type": "cödé", "client_id": client["client_id"]}))
    assert asked.status_code == 400 and "Location" not in asked.headers
    strange = {**client_metadata(), "contacts": ["ü@host.example", 7]}
    assert service.client.post("/oauth/register", json=strange).status_code in (201, 400)


def test_the_learner_sees_and_withdraws_what_they_allowed(service) -> None:
    issue_to(service)
    issue_to(service, email="sam.lee@example.com")
    client = register(service)
    browser = learner_client(service)
    params, verifier = authorize(browser, client)
    tokens = exchange(service, client, params["code"], verifier).get_json()
    assert 'href="/me/applications"' in browser.get("/me").get_data(as_text=True)
    page = browser.get("/me/applications").get_data(as_text=True)
    assert "Example Backpack" in page and "Read your credentials" in page
    form = re.search(r'action="(/me/applications/\d+/withdraw)"', page).group(1)
    other = learner_client(service, "sam.lee@example.com")
    assert "Example Backpack" not in other.get("/me/applications").get_data(as_text=True)
    refused = other.post(form, data={"csrf": form_csrf(other)})
    assert refused.status_code == 404
    assert browser.post(form, data={"csrf": "forged"}).status_code == 400
    done = browser.post(form, data={"csrf": csrf_in(page)})
    assert done.status_code == 303
    assert service.client.get("/ims/ob/v3p0/profile", headers=bearer(
        tokens["access_token"])).status_code == 401
    assert "No application can use" in browser.get("/me/applications").get_data(as_text=True)
