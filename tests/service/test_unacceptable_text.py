"""Text that would break the store or the canonical form is refused at the door, naming the
field or row (API, batch JSON and CSV, desk, status reasons); the VC API keeps any string
JSON allows (NUL included) as escaped JSON text on either store."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from issuer.store import store
from issuer.store.models import Credential, ImportJob
from tests.service.conftest import BASE, MODEL, completion_body
from tests.service.test_errors import assert_problem

URL = "/api/v1/issuers/riverbend"
HEADER = "learner_name,learner_email,competency,level,completed_on,evidence\n"
EVIDENCE = {"name": "Observed shift", "narrative": "Calmed an agitated patient.",
            "url": "https://riverbend.example.org/evidence/1"}


def post_completion(service, body: dict):
    return service.client.post(f"{URL}/completions", json=body,
                               headers=service.auth(service.assessor))


@pytest.mark.parametrize(("changes", "pointer", "code"), [
    ({"learner": {"name": "A\u0000B", "email": "a@example.com"}}, "/learner/name", "U+0000"),
    ({"learner": {"name": "A\u0007B", "email": "a@example.com"}}, "/learner/name", "U+0007"),
    ({"learner": {"name": "A\nB", "email": "a@example.com"}}, "/learner/name", "U+000A"),
    ({"learner": {"name": "A\u0085B", "email": "a@example.com"}}, "/learner/name", "U+0085"),
    ({"learner": {"name": "Ann", "email": "a\u009b@example.com"}}, "/learner/email", "U+009B"),
    ({"evidence": [{**EVIDENCE, "name": "Shift\u0000"}]}, "/evidence/0/name", "U+0000"),
    ({"evidence": [{**EVIDENCE, "narrative": "Calm\u0000"}]}, "/evidence/0/narrative",
     "U+0000"),
    ({"evidence": [{**EVIDENCE, "narrative": "Calm\u001b[31m"}]}, "/evidence/0/narrative",
     "U+001B"),
    ({"evidence": [{**EVIDENCE, "url": "https://riverbend.example.org/\u0000"}]},
     "/evidence/0/url", "U+0000"),
])
def test_a_completion_with_control_characters_is_a_400_naming_the_field(
        service, changes: dict, pointer: str, code: str) -> None:
    before = service.counts()
    problem = assert_problem(post_completion(service, completion_body(**changes)), 400)
    assert problem["errors"][0]["pointer"] == pointer
    assert problem["detail"].startswith(f"{pointer}: ") and code in problem["detail"]
    assert service.counts() == before


def test_a_narrative_keeps_its_tabs_and_line_breaks(service) -> None:
    narrative = "Calmed an agitated patient.\r\n\tThen wrote it up.\n"
    response = post_completion(service, completion_body(
        evidence=[{**EVIDENCE, "narrative": narrative}]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["credential"]["evidence"][0]["narrative"] == narrative


def test_a_lone_surrogate_is_a_400_wherever_json_is_read(service) -> None:
    body = completion_body(learner={"name": "A\ud800B", "email": "a@example.com"})
    problem = assert_problem(post_completion(service, body), 400)
    assert problem["errors"][0]["pointer"] == "/learner/name"
    issued = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                 json={"credential": {
                                     "@context": ["https://www.w3.org/ns/credentials/v2"],
                                     "type": ["VerifiableCredential"],
                                     "issuer": f"{BASE}/issuers/riverbend",
                                     "credentialSubject": {"id": "did:example:x",
                                                           "name": "\udc00"}}})
    problem = assert_problem(issued, 400)
    assert problem["errors"][0]["pointer"] == "/credential/credentialSubject/name"
    assert "lone surrogate (U+DC00)" in problem["detail"]


def jobs(service) -> int:
    with store(service.app).sessions() as db:
        return db.scalar(select(func.count()).select_from(ImportJob))


def test_a_json_batch_with_a_bad_row_is_a_400_naming_the_row(service) -> None:
    rows = [completion_body(learner={"name": f"Learner {n}", "email": f"l{n}@example.com"})
            for n in range(3)]
    rows[1]["learner"]["name"] = "A\u0000B"
    rows[2]["evidence"][0]["narrative"] = "x\u0001"
    before = service.counts()
    problem = assert_problem(service.client.post(f"{URL}/completions:batch", json=rows,
                                                 headers=service.auth(service.assessor)), 400)
    assert [e["pointer"] for e in problem["errors"]] == ["/rows/2/learner/name",
                                                         "/rows/3/evidence/0/narrative"]
    assert problem["detail"].startswith("row 2, learner/name: holds a control character")
    assert "rows refused: 2, 3" in problem["detail"]
    assert service.counts() == before and jobs(service) == 0


def test_a_csv_batch_with_a_nul_is_a_400_naming_row_and_column(service) -> None:
    csv = HEADER + (f"Ana Diaz,ana@example.com,{MODEL}/cpr-and-first-aid,proficient,"
                    "2026-10-01,\n"
                    f"A\x00B,ben@example.com,{MODEL}/cpr-and-first-aid,proficient,"
                    "2026-10-01,\"Observed\n\tand noted\"\n")
    problem = assert_problem(service.client.post(
        f"{URL}/completions:batch", data=csv.encode(),
        headers={**service.auth(service.assessor), "Content-Type": "text/csv"}), 400)
    assert [e["pointer"] for e in problem["errors"]] == ["/rows/2/learner_name"]
    assert problem["detail"].startswith("row 2, learner_name: holds a control character "
                                        "(U+0000) at character 2")
    assert jobs(service) == 0


def test_the_csv_import_command_refuses_the_file(service, tmp_path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + f"A\x07B,ben@example.com,{MODEL}/cpr-and-first-aid,proficient,"
                             "2026-10-01,\n", encoding="utf-8")
    result = service.app.test_cli_runner().invoke(args=[
        "completions", "import", str(path), "--issuer", "riverbend",
        "--token", service.assessor])
    assert result.exit_code != 0 and "row 1, learner_name" in result.output
    assert jobs(service) == 0


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_the_desk_refuses_control_characters_naming_the_field(service) -> None:
    client = service.client
    csrf = _csrf(client.get("/desk").get_data(as_text=True))
    client.post("/desk/sign-in", data={"csrf": csrf, "token": service.assessor})
    csrf = _csrf(client.get("/desk").get_data(as_text=True))
    before = service.counts()
    form = {"learner_name": "Sam\x00Lee", "learner_email": "sam@example.com",
            "competency": f"{MODEL}/cpr-and-first-aid", "level": "proficient",
            "completed_on": "2026-11-01", "csrf": csrf}
    page = client.post("/desk/completions", data=form)
    assert page.status_code == 422  # the form again, as typed, the field named
    text = page.get_data(as_text=True)
    assert "Learner name: holds a control character (U+0000) at character 4" in text
    assert service.counts() == before
    page = client.post("/desk/clr", data={"email": "sam\x00@example.com", "csrf": csrf},
                       follow_redirects=True)
    assert page.status_code == 200
    assert "No learner record: /email: holds a control character (U+0000)" in \
        page.get_data(as_text=True)


def issue(service) -> str:
    response = post_completion(service, completion_body())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credentialId"]


@pytest.mark.parametrize("reason", ["wrong\u0000learner", "line\nbreak", "esc\u009b"])
def test_a_status_reason_with_control_characters_is_a_400(service, reason: str) -> None:
    credential_id = issue(service)
    problem = assert_problem(service.client.post(
        f"{URL}/credentials/{credential_id}/revoke", json={"reason": reason},
        headers=service.auth(service.admin)), 400)
    assert problem["errors"] == [{"pointer": "/reason", "detail": problem["errors"][0]["detail"]}]
    assert "control character" in problem["detail"]
    with store(service.app).sessions() as db:
        assert db.get(Credential, credential_id).status == "active"


@pytest.mark.parametrize("output", ["data-integrity", "jwt"])
def test_the_vc_api_keeps_a_nul_as_escaped_json_text(service, output: str) -> None:
    """Any string JSON allows may be signed: the store keeps the JSON text with its
    ``\\u0000`` escape (PostgreSQL text cannot hold a raw NUL), and it verifies as issued."""
    text = "A\u0000B\u0085C\u001fD"
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": f"{BASE}/issuers/riverbend",
                                       "name": text,
                                       "credentialSubject": {"id": "did:example:x",
                                                             "name": text}},
                                       "options": {"format": output}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    with store(service.app).sessions() as db:
        credential_id, document = db.execute(select(Credential.id, Credential.document)).one()
    assert "\x00" not in document
    if output == "data-integrity":
        assert '"name": "A\\u0000B\x85C\\u001fD"' in document
        assert signed["name"] == text
        served = service.client.get(f"/credentials/{credential_id}")
        assert served.get_json() == signed
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


def test_the_openapi_document_lists_the_400s(service) -> None:
    """Any operation can answer 400 (a control character in its path or query)."""
    paths = service.client.get("/openapi.json").get_json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)


@pytest.mark.parametrize("url", [
    "/issuers/river%00bend", "/issuers/river%00bend/did.json", "/status/river%00bend/1",
    f"{URL}/credentials?learner=a%00b@example.com", f"{URL}/audit?action=credential.%00",
    f"{URL}/jobs/a%00b", "/verify?url=https://a%1b.example",
])
def test_a_control_character_in_a_path_or_query_is_a_400(service, url: str) -> None:
    """Looked up on PostgreSQL, a NUL would fail the query rather than find nothing."""
    problem = assert_problem(service.client.get(url, headers=service.auth(service.admin)), 400)
    assert "control character" in problem["detail"]
    assert problem["type"] == "/problems/unacceptable-text"  # as in a body


def test_token_labels_and_learner_record_requests_refuse_control_characters(service) -> None:
    problem = assert_problem(service.client.post(
        f"{URL}/tokens", json={"role": "assessor", "label": "desk\u0000"},
        headers=service.auth(service.admin)), 400)
    assert problem["errors"][0]["pointer"] == "/label"
    problem = assert_problem(service.client.post(
        f"{URL}/learners/clr", json={"email": "a@example.com", "credentialIds": ["x\u0000"]},
        headers=service.auth(service.admin)), 400)
    assert problem["errors"][0]["pointer"] == "/credentialIds/0"
