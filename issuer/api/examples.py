"""Examples for the OpenAPI document: a value for each path parameter, and request and answer
bodies for the operations that take or give JSON. /docs turns them into a curl command on
every operation; clients and generators read them from /openapi.json."""

from __future__ import annotations

import json
from typing import Any

from keys.did import did_web_for_url

MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
CREDENTIAL_ID = "3f1c9a2e-5b7d-4c1e-9a8f-2d6b7e4c1a90"
BASE = "http://127.0.0.1:5000"  # `make run`; the document's servers[] names the real one

# A value for each path parameter, by name.
PARAMETERS = {"slug": "demo", "id": CREDENTIAL_ID, "model": MODEL,
              "competency": "de-escalation", "level": "developing", "extension": "png",
              "action": "revoke", "kid": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
              "list": "1", "name": "validation"}
# Where a path's {id} is not a credential's.
IDS = {"/api/v1/issuers/{slug}/jobs/{id}": "8d2f0c1e-7a4b-4e59-b1c3-5f6a7e8d9c01",
       "/api/v1/issuers/{slug}/tokens/{id}/revoke": "3"}

COMPLETION = {"learner": {"name": "Jordan Rivera", "email": "jordan@example.com"},
              "competency": f"{MODEL}/de-escalation", "level": "developing",
              "completedOn": "2026-11-02",
              "evidence": [{"name": "Observed shift",
                            "narrative": "Calmed an agitated patient verbally.",
                            "url": "https://example.org/evidence/1"}]}
ISSUER = {"id": "did:web:127.0.0.1%3A5000:issuers:demo", "type": ["Profile"],
          "name": "Riverbend Behavioral Health"}
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": f"{BASE}/credentials/{CREDENTIAL_ID}",
    "type": ["VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"],
    "name": "De-escalation (Developing)", "issuer": ISSUER, "validFrom": "2026-11-02T15:04:05Z",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
        "id": f"{BASE}/achievements/{MODEL}/de-escalation", "type": ["Achievement"],
        "achievementType": "Competency", "name": "De-escalation", "...": "..."}},
    "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
              "verificationMethod": f"{ISSUER['id']}#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3"
                                    "djdX3mDooWp",
              "proofPurpose": "assertionMethod", "proofValue": "z58DAdFfa9SkqZMVPxAQp..."}}
UNSIGNED = {"@context": CREDENTIAL["@context"], "type": CREDENTIAL["type"],
            "name": "Shift handover",
            "issuer": f"{BASE}/issuers/demo",
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                "id": "https://example.org/achievements/handover", "type": ["Achievement"],
                "name": "Shift handover", "criteria": {"narrative": "Observed twice."}}}}
CHECK = {"check": "proof", "outcome": "success",
         "message": "eddsa-rdfc-2022 signature by did:web:127.0.0.1%3A5000:issuers:demo#z6Mk... "
                    "is valid"}
VERIFIED = {"verified": True, "issuerBound": True, "standing": "verified",
            "verdict": "Verified: every check passed.", "checks": [CHECK],
            "warnings": [], "errors": []}
JOB = {"id": IDS["/api/v1/issuers/{slug}/jobs/{id}"], "status": "done", "total": 1,
       "issued": 1, "failed": 0, "errors": []}
TOKEN = {"id": 3, "issuer": "demo", "role": "assessor", "label": "LMS integration",
         "status": "active", "createdAt": "2026-11-02T15:04:05Z", "expiresAt": None,
         "lastUsedAt": None, "revokedAt": None}

# (path, method) -> {"request": body, "response": (status, body)}; either may be absent.
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/issuers/{slug}/completions", "post"): {
        "request": COMPLETION,
        "response": ("201", {"completionId": "c0ffee00-1234-4abc-8def-0123456789ab",
                             "credentialId": CREDENTIAL_ID,
                             "url": f"{BASE}/credentials/{CREDENTIAL_ID}",
                             "credential": CREDENTIAL})},
    ("/api/v1/issuers/{slug}/completions:batch", "post"): {
        "request": [COMPLETION], "response": ("201", JOB)},
    ("/api/v1/issuers/{slug}/jobs/{id}", "get"): {"response": ("200", JOB)},
    ("/api/v1/issuers/{slug}/learners/clr", "post"): {
        "request": {"email": "jordan@example.com"},
        "response": ("201", {"credentialId": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
                             "url": f"{BASE}/credentials/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
                             "partial": True, "credentials": [CREDENTIAL_ID], "leftOut": [],
                             "credential": {"type": ["VerifiableCredential",
                                                     "ClrCredential"], "...": "..."}})},
    ("/credentials/issue", "post"): {
        "request": {"credential": UNSIGNED, "options": {}},
        "response": ("201", {"verifiableCredential": {**UNSIGNED,
                                                      "proof": CREDENTIAL["proof"]}})},
    ("/credentials/verify", "post"): {
        "request": {"verifiableCredential": CREDENTIAL}, "response": ("200", VERIFIED)},
    ("/api/v1/issuers/{slug}/credentials", "get"): {
        "response": ("200", {"credentials": [{"id": CREDENTIAL_ID, "...": "..."}],
                             "next": None})},
    ("/api/v1/issuers/{slug}/credentials/{id}/{action}", "post"): {
        "request": {"reason": "issued in error"},
        "response": ("200", {"credentialId": CREDENTIAL_ID, "status": "revoked",
                             "reason": "issued in error"})},
    ("/api/v1/issuers/{slug}/tokens", "post"): {
        "request": {"role": "assessor", "label": "LMS integration"},
        "response": ("201", {**TOKEN, "token": "cc_..."})},
    ("/api/v1/issuers/{slug}/tokens", "get"): {"response": ("200", {"tokens": [TOKEN]})},
    ("/api/v1/issuers/{slug}/tokens/{id}/revoke", "post"): {
        "response": ("200", {**TOKEN, "status": "revoked",
                             "revokedAt": "2026-11-03T09:00:00Z"})},
    ("/healthz", "get"): {"response": ("200", {"status": "ok"})},
    ("/credentials/{id}", "get"): {"response": ("200", CREDENTIAL)},
    ("/issuers/{slug}", "get"): {"response": ("200", {
        "@context": CREDENTIAL["@context"], "id": f"{BASE}/issuers/demo", "type": "Profile",
        "name": "Riverbend Behavioral Health", "url": "https://riverbend.example.org",
        "otherIdentifier": [{"type": "IdentifierEntry", "identifier": ISSUER["id"],
                             "identifierType": "identifier"}]})},
    ("/problems/{name}", "get"): {"response": ("200", {
        "type": "/problems/validation", "url": f"{BASE}/problems/validation",
        "title": "Invalid request", "status": 422, "meaning": "...", "remedy": "..."})},
}
# Bodies that are not JSON, by media type. The desk's forms need its session cookie and the
# CSRF token of the page they are on: a browser sends both.
FORM = "application/x-www-form-urlencoded"
CSRF = "<csrf field of the desk page>"
FORMS = {("/api/v1/issuers/{slug}/completions:batch", "post", "text/csv"):
         "learner_name,learner_email,competency,level,completed_on\n"
         f"Jordan Rivera,jordan@example.com,{MODEL}/de-escalation,developing,2026-11-02\n",
         ("/verify", "post", "multipart/form-data"):
         {"credential_url": f"{BASE}/credentials/{CREDENTIAL_ID}",
          "email": "jordan@example.com"},
         ("/desk/completions", "post", FORM):
         {"csrf": CSRF, "learner_name": "Jordan Rivera",
          "learner_email": "jordan@example.com", "competency": f"{MODEL}/de-escalation",
          "level": "developing", "completed_on": "2026-11-02"},
         ("/desk/sign-in", "post", FORM): {"csrf": CSRF, "token": "cc_..."},
         ("/desk/sign-out", "post", FORM): {"csrf": CSRF},
         ("/desk/credentials/{id}/{action}", "post", FORM):
         {"csrf": CSRF, "reason": "issued in error"},
         ("/desk/clr", "post", FORM): {"csrf": CSRF, "email": "jordan@example.com"}}
FAILING = ("/api/v1/issuers/{slug}/completions", "post")  # shows a problem's shape
PROBLEM = {"type": "/problems/validation", "title": "Invalid request", "status": 422,
           "detail": "/level: 'expert' is not one of ['emerging', 'developing', ...]",
           "instance": "/api/v1/issuers/demo/completions",
           "errors": [{"pointer": "/level",
                       "detail": "'expert' is not one of ['emerging', 'developing', ...]"}]}


def _based(example: Any, base_url: str) -> Any:
    """``example`` with this deployment's URLs (and its issuers' did:web) for ``BASE``'s."""
    if base_url == BASE:
        return example
    text = json.dumps(example).replace(BASE, base_url).replace(
        did_web_for_url(BASE), did_web_for_url(base_url))
    return json.loads(text)


def attach(spec: dict[str, Any]) -> None:
    """Put the examples into ``spec`` (a copy of its own: this writes into it), with the
    URLs of the deployment it describes."""
    base_url = spec["servers"][0]["url"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and "example" not in parameter:
                    name = parameter["name"]
                    parameter["example"] = IDS.get(path, PARAMETERS.get(name)) \
                        if name == "id" else PARAMETERS.get(name)
            known = OPERATIONS.get((path, method), {})
            for media, body in operation.get("requestBody", {}).get("content", {}).items():
                example = known.get("request") if media == "application/json" \
                    else FORMS.get((path, method, media))
                if example is not None:
                    body["example"] = _based(example, base_url)
            answers = [known["response"]] if "response" in known else []
            if (path, method) == FAILING:
                answers.append(("422", PROBLEM))
            for status, example in answers:  # on the first media type answered with
                answer = operation["responses"][status]  # may be shared: written anew
                media, content = next(iter(answer["content"].items()))
                operation["responses"][status] = {**answer, "content": {
                    **answer["content"], media: {**content,
                                                 "example": _based(example, base_url)}}}
