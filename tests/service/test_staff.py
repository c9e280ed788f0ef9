"""Staff sign in as people, over HTTP against the real store: an invitation's link read from
the mail outbox signs its person in once; an expired, used or unknown link is refused; roles
hold (assessors record, admins also revoke and manage staff, tokens and the profile); removing
someone ends their sessions at once; the audit trail names the person."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select, update

from issuer.store import store
from issuer.store.models import AuditEvent, OutboxMail, SignInLink, StaffMember
from tests.service.conftest import MODEL, completion_body

ADMIN = "ada.admin@riverbend.example.org"
ASSESSOR = "sam.assessor@riverbend.example.org"
LINK = re.compile(r"https?://[^/\s]+(/desk/sign-in/link\?link=[A-Za-z0-9_-]+)")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def csrf_of(client: FlaskClient, path: str = "/desk") -> str:
    return _csrf(client.get(path).get_data(as_text=True))


def mails(service, recipient: str) -> list[OutboxMail]:
    with store(service.app).sessions() as db, db.begin():
        return list(db.scalars(select(OutboxMail).where(OutboxMail.recipient == recipient)
                               .order_by(OutboxMail.id)))


def last_link(service, recipient: str) -> str:
    """The path of the newest sign-in link mailed to ``recipient``."""
    return LINK.search(mails(service, recipient)[-1].text_body).group(1)


def invite_by_cli(service, email: str, role: str) -> None:
    result = service.app.test_cli_runner().invoke(args=[
        "staff", "invite", "--issuer", "riverbend", "--email", email, "--role", role,
        "--name", "Ada Admin"])
    assert result.exit_code == 0, result.output


def press(client: FlaskClient, path: str):
    """Press the sign-in button an emailed link's page shows (as it would be: the link from
    the address, the page's CSRF token)."""
    return client.post("/desk/sign-in/link", data={
        "csrf": csrf_of(client), "link": path.partition("?link=")[2]})


def follow_link(client: FlaskClient, path: str):
    """Open an emailed link and press its button, as a person does."""
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    form = re.search(r'<form method="post" action="([^"]+)">', text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))
    return client.post(form, data=hidden)


def signed_in(client: FlaskClient) -> bool:
    return "Sign out" in client.get("/desk").get_data(as_text=True)


def admin_client(service) -> FlaskClient:
    invite_by_cli(service, ADMIN, "admin")
    client = service.app.test_client()
    assert follow_link(client, last_link(service, ADMIN)).status_code == 302
    return client


def invite_on_desk(service, admin: FlaskClient, email: str, role: str):
    return admin.post("/desk/admin/staff", data={
        "csrf": csrf_of(admin, "/desk/admin/staff"), "email": email, "name": "Sam",
        "role": role})


def staff_id(service, email: str) -> int:
    with store(service.app).sessions() as db, db.begin():
        return db.scalar(select(StaffMember.id).where(StaffMember.email == email))


def test_an_invited_admin_signs_in_once_by_the_emailed_link(service, caplog) -> None:
    invite_by_cli(service, ADMIN.upper(), "admin")
    [mail] = mails(service, ADMIN)
    assert mail.kind == "staff-invitation" and "Riverbend" in mail.subject
    path = LINK.search(mail.text_body).group(1)
    client = service.app.test_client()
    page = client.get(path).get_data(as_text=True)
    assert f"Sign in as {ADMIN}" in page
    assert not signed_in(client)  # opening the link (a mail scanner might) uses nothing
    with caplog.at_level(logging.INFO):
        assert follow_link(client, path).headers["Location"] == "/desk"
    secret = path.partition("?link=")[2]
    logged = [str(r.__dict__) for r in caplog.records if r.getMessage() == "request"]
    assert len(logged) == 2 and "/desk/sign-in/link" in logged[0]  # the GET and the POST
    assert all(secret not in line for line in logged)
    desk = client.get("/desk").get_data(as_text=True)
    assert f"Signed in as {ADMIN}, admin" in desk and "Staff</a>" in desk

    again = service.app.test_client()
    refused = again.get(path)
    assert refused.status_code == 401
    assert "has been used already" in refused.get_data(as_text=True)
    assert press(again, path).status_code == 401
    assert not signed_in(again)
    with store(service.app).sessions() as db, db.begin():
        person = db.scalars(select(StaffMember).where(StaffMember.email == ADMIN)).one()
        assert person.state == "active"
        links = list(db.scalars(select(SignInLink)))
        assert [link.used_at is not None for link in links] == [True]
        assert all(path.partition("?link=")[2] not in link.link_hash for link in links)


def test_a_link_asked_for_by_email_expires(service) -> None:
    invite_by_cli(service, ADMIN, "admin")
    client = service.app.test_client()
    page = client.post("/desk/sign-in/email", data={"csrf": csrf_of(client), "email": ADMIN})
    assert page.status_code == 200
    assert mails(service, ADMIN)[-1].kind == "sign-in-link"
    path = last_link(service, ADMIN)
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(SignInLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    refused = client.get(path)
    assert refused.status_code == 401 and "has expired" in refused.get_data(as_text=True)
    assert press(client, path).status_code == 401
    assert not signed_in(client)


def test_asking_for_a_link_tells_nothing_about_who_is_staff(service) -> None:
    invite_by_cli(service, ADMIN, "admin")
    client = service.app.test_client()

    def ask(email: str) -> str:
        answer = client.post("/desk/sign-in/email",
                             data={"csrf": csrf_of(client), "email": email})
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        return text.replace(email, "EMAIL")

    assert ask(ADMIN) == ask("nobody@riverbend.example.org")
    assert "a sign-in link is on its way" in ask("nul\x00@riverbend.example.org")
    assert mails(service, "nobody@riverbend.example.org") == []
    assert len(mails(service, ADMIN)) == 2  # the invitation and the link asked for


def test_link_requests_are_rate_limited_per_address(service) -> None:
    client = service.app.test_client()
    answers = [client.post("/desk/sign-in/email", data={
        "csrf": csrf_of(client), "email": "someone@example.org"}).status_code
        for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_forms_without_this_browsers_csrf_token_do_nothing(service) -> None:
    admin = admin_client(service)
    answer = admin.post("/desk/admin/staff", data={"csrf": "forged", "email": ASSESSOR,
                                                    "role": "admin"})
    assert answer.status_code == 400
    assert mails(service, ASSESSOR) == []
    stranger = service.app.test_client()
    assert stranger.post("/desk/sign-in/email", data={"email": ADMIN}).status_code == 400


def test_roles_hold_and_the_audit_trail_names_the_person(service) -> None:
    admin = admin_client(service)
    assert invite_on_desk(service, admin, ASSESSOR, "assessor").status_code == 302
    assessor = service.app.test_client()
    assert follow_link(assessor, last_link(service, ASSESSOR)).status_code == 302

    for path in ("/desk/admin/staff", "/desk/admin/tokens", "/desk/admin/profile"):
        page = assessor.get(path)
        assert page.status_code == 403 and "Admins only" in page.get_data(as_text=True)
    assert assessor.post("/desk/admin/staff", data={
        "csrf": csrf_of(assessor), "email": "x@example.org", "role": "admin"}).status_code == 403

    recorded = assessor.post("/desk/completions", data={
        "csrf": csrf_of(assessor), "learner_name": "Jordan Rivera",
        "learner_email": "jordan@example.com", "competency": f"{MODEL}/de-escalation",
        "level": "developing", "completed_on": "2026-11-02"},
        follow_redirects=True).get_data(as_text=True)
    assert "Recorded and issued" in recorded
    with store(service.app).sessions() as db, db.begin():
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "credential.issue")
                           ).one()
        credential_id = event.subject.removeprefix("credential:")
    refused = assessor.post(f"/desk/credentials/{credential_id}/revoke",
                            data={"csrf": csrf_of(assessor), "reason": "error"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Not changed: this needs the role admin; your role is assessor" in refused
    revoked = admin.post(f"/desk/credentials/{credential_id}/revoke",
                         data={"csrf": csrf_of(admin), "reason": "recorded in error"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Revoked: Jordan Rivera for De-escalation." in revoked

    trail = service.client.get("/api/v1/issuers/riverbend/audit",
                               headers=service.auth(service.admin)).get_json()["events"]
    who: dict[str, tuple] = {}
    for event in trail:  # newest first: the latest of each action
        who.setdefault(event["action"], (event["person"], event["tokenId"]))
    assert who["credential.issue"] == (ASSESSOR, None)
    assert who["credential.revoke"] == (ADMIN, None)
    assert who["staff.invite"][0] == ADMIN  # the desk invitation (the CLI's names no one)
    assert who["staff.sign-in"][0] in (ADMIN, ASSESSOR)
    cli = service.app.test_cli_runner().invoke(args=[
        "staff", "audit", "--issuer", "riverbend", "--action", "credential.issue"])
    assert cli.exit_code == 0 and f'"person": "{ASSESSOR}"' in cli.output


def test_removing_someone_ends_their_sessions_and_the_last_admin_stays(service) -> None:
    admin = admin_client(service)
    invite_on_desk(service, admin, ASSESSOR, "assessor")
    assessor = service.app.test_client()
    follow_link(assessor, last_link(service, ASSESSOR))
    assert signed_in(assessor)
    elsewhere = service.app.test_client()
    elsewhere.post("/desk/sign-in/email", data={"csrf": csrf_of(elsewhere), "email": ASSESSOR})
    unused = last_link(service, ASSESSOR)

    removed = admin.post(f"/desk/admin/staff/{staff_id(service, ASSESSOR)}/remove",
                         data={"csrf": csrf_of(admin)}, follow_redirects=True)
    assert f"Removed {ASSESSOR}" in removed.get_data(as_text=True)
    assert not signed_in(assessor)
    answer = elsewhere.get(unused)
    assert answer.status_code == 401 and "no longer on" in answer.get_data(as_text=True)

    last = admin.post(f"/desk/admin/staff/{staff_id(service, ADMIN)}/remove",
                      data={"csrf": csrf_of(admin)})
    assert last.status_code == 409 and "last admin" in last.get_data(as_text=True)
    demoted = admin.post(f"/desk/admin/staff/{staff_id(service, ADMIN)}/role",
                         data={"csrf": csrf_of(admin), "role": "assessor"})
    assert demoted.status_code == 409
    assert signed_in(admin)

    # Invited again, the person comes back with a new link.
    assert invite_on_desk(service, admin, ASSESSOR, "admin").status_code == 302
    assert elsewhere.get(unused).status_code == 401  # the old link stays dead
    back = service.app.test_client()
    assert follow_link(back, last_link(service, ASSESSOR)).status_code == 302
    assert f"Signed in as {ASSESSOR}, admin" in back.get("/desk").get_data(as_text=True)


def test_a_role_change_counts_from_the_next_request(service) -> None:
    admin = admin_client(service)
    invite_on_desk(service, admin, ASSESSOR, "assessor")
    assessor = service.app.test_client()
    follow_link(assessor, last_link(service, ASSESSOR))
    assert assessor.get("/desk/admin/staff").status_code == 403
    admin.post(f"/desk/admin/staff/{staff_id(service, ASSESSOR)}/role",
               data={"csrf": csrf_of(admin), "role": "admin"})
    assert assessor.get("/desk/admin/staff").status_code == 200


def test_admins_create_list_and_revoke_api_tokens_on_the_desk(service) -> None:
    admin = admin_client(service)
    page = admin.post("/desk/admin/tokens", data={
        "csrf": csrf_of(admin, "/desk/admin/tokens"), "label": "HR system",
        "role": "assessor"}).get_data(as_text=True)
    token = re.search(r'id="new-token" readonly value="(cc_[^"]+)"', page).group(1)
    assert "shown only this once" in page
    assert service.client.get("/api/v1/issuers/riverbend/credentials",
                              headers=service.auth(token)).status_code == 200
    listing = admin.get("/desk/admin/tokens").get_data(as_text=True)
    assert "HR system" in listing and token not in listing
    token_row = int(re.search(r'<td data-label="Id">(\d+)</td><td data-label="Label">HR system',
                              listing).group(1))
    admin.post(f"/desk/admin/tokens/{token_row}/revoke", data={"csrf": csrf_of(admin)})
    assert service.client.get("/api/v1/issuers/riverbend/credentials",
                              headers=service.auth(token)).status_code == 401
    trail = service.client.get("/api/v1/issuers/riverbend/audit?action=token.revoke",
                               headers=service.auth(service.admin)).get_json()["events"]
    assert trail[0]["person"] == ADMIN


RED = (200, 30, 30)


def _jpeg(size: tuple[int, int] = (300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, RED).save(out, format="JPEG", quality=100)
    return out.getvalue()


def test_admins_edit_the_profile_and_logo(service) -> None:
    admin = admin_client(service)
    fields = {"name": "Riverbend Health", "url": "https://riverbend.example.org",
              "email": "training@riverbend.example.org", "description": "Inpatient care."}
    saved = admin.post("/desk/admin/profile", data={
        "csrf": csrf_of(admin, "/desk/admin/profile"), **fields,
        "logo": (io.BytesIO(_jpeg()), "logo.jpg")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "Profile saved." in saved.get_data(as_text=True)
    logo = service.client.get("/issuers/riverbend/logo.png")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (300, 200)
    document = service.client.get("/issuers/riverbend").get_json()
    assert document["name"] == "Riverbend Health"
    assert document["description"] == "Inpatient care."
    assert document["image"]["id"] == "http://localhost:5000/issuers/riverbend/logo.png"
    issued = service.client.post("/api/v1/issuers/riverbend/completions",
                                 json=completion_body(), headers=service.auth(service.admin))
    badge = service.client.get(f"/credentials/{issued.get_json()['credentialId']}/badge.png")
    pixel = Image.open(io.BytesIO(badge.data)).convert("RGB").getpixel((200, 62))
    assert all(abs(a - b) < 12 for a, b in zip(pixel, RED, strict=True)), pixel
    svg_badge = service.client.get(
        f"/credentials/{issued.get_json()['credentialId']}/badge.svg").get_data(as_text=True)
    assert '<image x="176" y="38" width="48" height="48"' in svg_badge
    credential_id = issued.get_json()["credentialId"]
    signed = service.client.get(f"/credentials/{credential_id}?format=json").get_json()
    assert signed["issuer"]["image"] == {"id": document["image"]["id"], "type": "Image"}
    assert signed["issuer"]["description"] == "Inpatient care."
    share = service.client.get(f"/credentials/{credential_id}",
                               headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<img class="logo" src="{document["image"]["id"]}" alt="" height="32">' in share
    assert "signature valid" in share
    assert f'<img src="http://localhost:5000/credentials/{credential_id}/badge.svg"' in share
    assert f'download="credential-{credential_id}.json">Download JSON' in share
    download = service.client.get(f"/credentials/{credential_id}?format=json&download=1")
    assert download.headers["Content-Disposition"] == \
        f'attachment; filename="credential-{credential_id}.json"'
    page = service.client.get("/issuers/riverbend", headers={"Accept": "text/html"})
    assert f'<img class="logo large" src="{document["image"]["id"]}"' in page.get_data(
        as_text=True)
    # Renamed later: the artwork still says what the credential says.
    admin.post("/desk/admin/profile", data={
        "csrf": csrf_of(admin, "/desk/admin/profile"), **fields, "name": "Elsewhere Clinic"})
    renamed = service.client.get(f"/credentials/{credential_id}/badge.svg").get_data(
        as_text=True)
    assert "Issued by Riverbend Health" in renamed and "Elsewhere Clinic" not in renamed
    admin.post("/desk/admin/profile", data={
        "csrf": csrf_of(admin, "/desk/admin/profile"), **fields})

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = admin.post("/desk/admin/profile", data={
        "csrf": csrf_of(admin, "/desk/admin/profile"), **fields, "name": "Changed",
        "logo": (io.BytesIO(svg), "logo.svg")}, content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "SVG logos are refused" in text
    assert 'value="Changed"' in text  # what was typed is kept
    assert service.client.get("/issuers/riverbend").get_json()["name"] == "Riverbend Health"
    bad = admin.post("/desk/admin/profile", data={
        "csrf": csrf_of(admin, "/desk/admin/profile"), **fields, "url": "javascript:x",
        "email": "not-an-email"})
    assert bad.status_code == 422
    assert "url: a web address starting https://" in bad.get_data(as_text=True)
    assert "email: not an email address" in bad.get_data(as_text=True)


def test_an_invitation_the_service_cannot_keep_is_refused_field_by_field(service) -> None:
    admin = admin_client(service)
    for email, name, why in (("not an email", "Sam", "is not an email address"),
                             (ASSESSOR, "Sam\x00", "holds a control character"),
                             (ADMIN, "Ada", f"{ADMIN} is already on")):
        answer = admin.post("/desk/admin/staff", data={
            "csrf": csrf_of(admin, "/desk/admin/staff"), "email": email, "name": name,
            "role": "assessor"})
        assert answer.status_code in (409, 422), answer.status_code
        assert why in answer.get_data(as_text=True)
    assert mails(service, ASSESSOR) == []


def test_an_unaccepted_invitation_is_not_an_admin(service) -> None:
    """The only active admin cannot step down on the strength of an invitation nobody may
    ever accept (a typo in the address)."""
    admin = admin_client(service)
    invite_on_desk(service, admin, "typo@nowhere.invalid", "admin")
    demoted = admin.post(f"/desk/admin/staff/{staff_id(service, ADMIN)}/role",
                         data={"csrf": csrf_of(admin), "role": "assessor"})
    assert demoted.status_code == 409 and "last admin" in demoted.get_data(as_text=True)
