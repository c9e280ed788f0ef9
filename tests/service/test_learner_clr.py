"""A learner's own learner record, over HTTP against the real store: `flask init` makes the
platform identity once (its own did:web and key; never an employer: no tokens, no staff);
a learner gathers credentials from several issuers into a CLR signed by it, each embedded
exactly as issued, and the record verifies and has a share page; a revoked, a forged and
someone else's credential are refused, each named with why."""

from __future__ import annotations

import json
import re

from sqlalchemy import select, update

from issuer.store import store
from issuer.store.models import ApiToken, Credential, Issuer
from tests.service.learner_support import form_csrf, issue_to, learner_client
from tests.service.test_learner_credentials import revoke

HTML = {"Accept": "text/html"}


def init(service, *args: str) -> dict:
    result = service.app.test_cli_runner().invoke(args=["init", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def build(client, *credential_ids: str):
    return client.post("/me/records", data={"csrf": form_csrf(client),
                                            "credential": list(credential_ids)})


def test_init_makes_the_platform_once_and_it_is_no_employer(service) -> None:
    made = init(service)["platform"]
    assert made == {"slug": "platform", "name": "Competency Credentials",
                    "did": "did:web:localhost%3A5000:issuers:platform"}
    assert init(service, "--platform-name", "Riverbend Credentials")["platform"]["did"] == \
        made["did"]
    with store(service.app).sessions() as db, db.begin():
        [platform] = db.scalars(select(Issuer).where(Issuer.is_platform.is_(True))).all()
        assert platform.name == "Riverbend Credentials"
        assert db.scalars(select(ApiToken).where(ApiToken.issuer_id == platform.id)).all() == []
    did = service.client.get("/issuers/platform/did.json").get_json()
    assert did["id"] == made["did"] and did["verificationMethod"]
    refused = service.app.test_cli_runner().invoke(args=["tokens", "create", "--issuer",
                                                         "platform", "--role", "admin"])
    assert refused.exit_code != 0 and "own identity" in refused.output
    staff = service.app.test_cli_runner().invoke(args=[
        "staff", "invite", "--issuer", "platform", "--email", "x@example.com", "--role",
        "admin", "--name", "X"])
    assert staff.exit_code != 0 and "own identity" in staff.output
    taken = service.app.test_cli_runner().invoke(args=["issuers", "create", "platform",
                                                       "--name", "An employer"])
    assert taken.exit_code != 0 and "own identity" in taken.output


def test_a_learner_gathers_credentials_from_two_issuers_into_a_verified_record(service
                                                                              ) -> None:
    init(service)
    first = issue_to(service)
    second = issue_to(service, slug="lakeside", level="proficient")
    client = learner_client(service)
    home = client.get("/me").get_data(as_text=True)
    assert f'name="credential" value="{first}"' in home
    answer = build(client, first, second)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    record_url = answer.headers["Location"]
    record_id = record_url.rsplit("/", 1)[1]
    record = service.client.get(f"/credentials/{record_id}").get_json()
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["issuer"]["id"] == "did:web:localhost%3A5000:issuers:platform"
    assert "assessed none of them" in record["description"]
    assert "Riverbend Behavioral Health" in record["description"]
    assert "Lakeside" in record["description"] and "partial" not in record
    with store(service.app).sessions() as db, db.begin():
        stored = {c.id: json.loads(c.document) for c in db.scalars(
            select(Credential).where(Credential.id.in_([first, second])))}
    held = record["credentialSubject"]["verifiableCredential"]
    assert held == [stored[first], stored[second]]  # untouched, in the order chosen
    assert record["credentialSubject"]["association"]  # placed in the model
    verified = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": record}).get_json()
    assert verified["errors"] == [] and verified["verified"] is True
    share = service.client.get(f"/credentials/{record_id}", headers=HTML).get_data(
        as_text=True)
    assert "Verified just now" in share and "What this record holds" in share
    # The page says who assessed what, and that the platform only gathered it.
    assert "<dt>Gathered and signed by</dt>" in share and "<dt>Issued by</dt>" not in share
    assert "assessed none of them" in share
    assert "assessed and signed by Riverbend Behavioral Health" in share
    assert "assessed and signed by Lakeside" in share
    assert "<dt>Issued by</dt>" in service.client.get(f"/credentials/{first}",
                                                      headers=HTML).get_data(as_text=True)
    assert record_id in client.get("/me").get_data(as_text=True)  # theirs, in their list


def test_revoked_forged_and_others_credentials_are_refused_by_name(service) -> None:
    init(service)
    good, revoked, forged = issue_to(service), issue_to(service), issue_to(service)
    theirs = issue_to(service, "someone@example.com")
    revoke(service, revoked, service.admin, reason="assessed in error")
    with store(service.app).sessions() as db, db.begin():
        row = db.get(Credential, forged)
        document = json.loads(row.document)
        document["credentialSubject"]["result"][0]["achievedLevel"] = document[
            "credentialSubject"]["result"][0]["achievedLevel"].replace("developing", "advanced")
        document["name"] = "A forged credential"
        db.execute(update(Credential).where(Credential.id == forged).values(
            document=json.dumps(document)))
    client = learner_client(service)
    answer = build(client, good, revoked, forged, theirs)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r"is revoked: assessed in error", text)
    assert "A forged credential (Riverbend Behavioral Health) does not verify" in text
    assert f"you hold no credential &#39;{theirs}&#39;" in text
    assert build(client).status_code == 422


def test_before_init_the_learner_is_told_the_service_is_not_ready(service) -> None:
    first = issue_to(service)
    answer = build(learner_client(service), first)
    assert answer.status_code == 404 and "flask --app wsgi init" in answer.get_data(
        as_text=True)
