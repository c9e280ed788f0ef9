"""The OpenAPI 3.1 description of the HTTP API, and the browsable page made from it."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, render_template

from credentials.case import CASE_PATH
from issuer.api import docs_view, examples
from issuer.api.openapi_learner import LEARNER_PATHS
from issuer.api.openapi_ob import OB_API_PATHS
from issuer.api.openapi_oid4vci import OID4VCI_PATHS
from issuer.api.openapi_presentations import PRESENTATION_PATHS
from issuer.api.openapi_staff import STAFF_DESK_PATHS
from issuer.api.openapi_wallets import EXCHANGE_PATHS
from issuer.api.routes import FRAMEWORK_IMPORT
from issuer.services.mail_log import MAX_PAGE as MAX_MAIL_PAGE
from issuer.services.mail_log import STATES
from issuer.services.notifications import SETTINGS
from issuer.services.request_schemas import COMPLETION
from issuer.web.context import service_context
from issuer.web.requests import LEARNER_RECORD, STATUS_CHANGE, TOKEN

bp = Blueprint("openapi", __name__)

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM = {"description": "RFC 9457 problem details",
           "content": {"application/problem+json": {"schema": PROBLEM_REF}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): PROBLEM for code in codes}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


OBJECT = {"type": "object"}
WHEN = {"type": ["string", "null"], "format": "date-time"}
TOKEN_RECORD = {
    "type": "object",
    "required": ["id", "issuer", "role", "label", "status", "createdAt", "expiresAt",
                 "lastUsedAt", "revokedAt"],
    "properties": {"id": {"type": "integer"}, "issuer": {"type": "string"},
                   "role": {"enum": ["assessor", "admin"]},
                   "label": {"type": ["string", "null"]},
                   "status": {"enum": ["active", "expired", "revoked"]},
                   "createdAt": {"type": "string", "format": "date-time"},
                   "expiresAt": WHEN, "lastUsedAt": WHEN, "revokedAt": WHEN},
}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
BEARER = [{"bearer": []}]
ISSUER_BOUND = ("true when a key tied to the credential's issuer signed it (its published "
                "DID or controller document, its did:key, or for this service's own issuers "
                "their stored keys), and every embedded credential likewise. It says whose "
                "key signed and nothing else: a revoked or expired credential signed by its "
                "issuer's key is issuerBound true (and verified false); false when the key is "
                "self-asserted or someone else's, or when no proof verified. The issuer "
                "check's detail.bound says the same for the credential itself")
STANDING = ("the result in one word: verified (no check failed, every key tied to its "
            "issuer or endorser, every credential a CLR holds tied to its subject), unbound "
            "(no check failed, but something is not tied: a key only self-asserted, or a "
            "held credential's subject nothing ties to the CLR's), revoked or suspended (the "
            "first failure is the issuer's status list), failed (any other failure, a status "
            "that could not be checked included)")
CHECK = {"type": "object", "required": ["check", "outcome", "message"], "properties": {
    "check": {"type": "string", "description": "limits, schema, proof, issuer, "
              "validity_period, status, subject, embedded_credentials, endorsements"},
    "outcome": {"enum": ["success", "warning", "failure", "skipped"]},
    "message": {"type": "string"},
    "detail": {"type": "object", "description": "what the check looked at; it varies by "
               "check. The issuer check's detail has bound (boolean: the signing key is tied "
               "to the issuer named in detail.issuer, whatever other checks say), signedBy "
               "(the keys that signed) and, when this service's own records decided it, "
               "boundBy. The embedded_credentials check's detail.bound is false when any "
               "embedded credential's key is not tied to its issuer", "properties": {
                   "bound": {"type": "boolean"},
                   "boundBy": {"type": "string", "description": "what tied the key to the "
                               "issuer when it was not a published document: \"the "
                               "verifier's own records\" for this service's issuers"},
                   "issuer": {"type": "string"},
                   "signedBy": {"type": "array", "items": {"type": "string"}}}}}}


PRESENTATION_CHECK = {
    "type": "object", "required": ["check", "outcome", "message"], "properties": {
        "check": {"type": "string", "description": "limits, data_model (VCDM 2.0 4.13), "
                  "holder_proof (purpose authentication, challenge, domain, created and "
                  "expires, the holder DID's authentication key), credentials (each verified "
                  "in full), holder_binding (each credential's subject is the holder)"},
        "outcome": {"enum": ["success", "warning", "failure", "skipped"]},
        "message": {"type": "string"},
        "detail": {"type": "object", "description": "what the check looked at; the failed "
                   "holder_proof's detail.problem says why: malformed, purpose, challenge, "
                   "domain, expired, key, signature or holder"}}}
PRESENTED = {"allOf": [{"$ref": "#/components/schemas/VerificationResult"}, {
    "type": "object", "required": ["pointer", "id", "holderBinding"], "properties": {
        "pointer": {"type": "string", "description": "where in the presentation"},
        "id": {"type": "string", "description": "the credential's id, else its pointer"},
        "holderBinding": {"type": "object", "required": ["binding", "subjects", "words"],
                          "properties": {
                              "binding": {"enum": ["holder", "other", "bearer", "unknown"],
                                          "description": "holder: a credentialSubject.id is "
                                          "the presentation's holder; other: its subject ids "
                                          "are someone else's; bearer: it names no subject "
                                          "id; unknown: no holder named, or unreadable"},
                              "subjects": {"type": "array", "items": {"type": "string"}},
                              "words": {"type": "string"}}}}}]}
PRESENTATION_RESULT = {
    "type": "object",
    "required": ["verified", "holder", "holderProven", "authenticatedBy", "verdict", "checks",
                 "warnings", "errors", "credentials"],
    "properties": {
        "verified": {"type": "boolean", "description": "no check failed: the form, the "
                     "holder's proof (when there is one, or when a challenge or domain was "
                     "asked for), every credential"},
        "holder": {"type": ["string", "null"], "description": "whom the presentation names "
                   "as its holder (a VC-JWT presentation: iss)"},
        "holderProven": {"type": "boolean", "description": "a proof by a key of that holder's "
                         "DID, for authentication, verified"},
        "authenticatedBy": {"type": ["string", "null"],
                            "description": "the verification method that signed"},
        "verdict": {"type": "string"},
        "checks": {"type": "array", "items": PRESENTATION_CHECK},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "errors": {"type": "array", "items": {"type": "string"}},
        "credentials": {"type": "array", "items": PRESENTED}}}


# Answers any operation can give: a control character in the path or query (400), a store
# outage (503); rate-limited ones also 429.
RATE_LIMITED = {("/api/v1/issuers/{slug}/completions", "post"),
                ("/api/v1/issuers/{slug}/completions:batch", "post"),
                ("/api/v1/issuers/{slug}/learners/clr", "post"),
                ("/credentials/issue", "post"), ("/credentials/verify", "post"),
                ("/presentations/verify", "post"), ("/verify", "post"),
                ("/workflows/claim/exchanges/{offer_id}", "post"),
                ("/oid4vci/token", "post"), ("/oid4vci/nonce", "post"),
                ("/oid4vci/credential", "post"), ("/ims/ob/v3p0/credentials", "post")}


# The document's sections, in the order a developer needs them: issuing first, operating
# the service last.
SECTIONS = {
    "Issuing": "Record verified completions and issue their credentials, one or many; build "
               "a learner's CLR; sign any credential (VC API).",
    "Verifying": "Verify any Open Badges 3.0 or CLR 2.0 credential, from any issuer, and "
                 "verifiable presentations of them.",
    "Managing credentials": "List what an issuer issued; revoke, suspend, reinstate.",
    "Competency models": "The models and level frameworks completions name.",
    "Wallets": "Take an offered credential into a wallet: the VC API interaction URL and "
               "exchange (the Learner Credential Wallet), and OpenID4VCI (metadata, "
               "offers, token, nonce, credential).",
    "Published documents": "What anyone can fetch without a token: credentials at their ids, "
                           "issuer profiles and keys, status lists, achievements, badge "
                           "images.",
    "Administration": "API tokens, signing keys and the audit trail (admin tokens).",
    "Employer desk": "The desk's pages and forms, for people signed in with a browser.",
    "Open Badges API": "1EdTech's Open Badges 3.0 API: a learner's chosen host registers "
                       "(OAuth 2.0), the learner consents, the host reads their credentials "
                       "and profile and stores what they hold from elsewhere.",
    "Site": "The start page and what each problem type means.",
    "Operations": "Health, readiness and metrics, for whoever runs the service.",
}
ISSUING = {"/api/v1/issuers/{slug}/completions", "/api/v1/issuers/{slug}/completions:batch",
           "/api/v1/issuers/{slug}/jobs/{id}", "/api/v1/issuers/{slug}/learners/clr",
           "/credentials/issue"}


def _section(path: str) -> str:
    """The section a path belongs in (an API path nothing else claims is administration)."""
    if path in ISSUING:
        return "Issuing"
    if path in ("/credentials/verify", "/presentations/verify", "/verify"):
        return "Verifying"
    if path.startswith("/api/v1/issuers/{slug}/credentials"):
        return "Managing credentials"
    if path.startswith("/api/v1/frameworks"):
        return "Competency models"
    if path.startswith("/api/"):
        return "Administration"
    if path.startswith("/desk"):
        return "Employer desk"
    if path.startswith(("/interactions/", "/workflows/", "/oid4vci/",
                         "/.well-known/openid-credential-issuer",
                         "/.well-known/oauth-authorization-server")):
        return "Wallets"
    if path.startswith(("/ims/ob/", "/oauth/", "/me/authorize", "/me/applications")) or \
            path in ("/privacy", "/terms"):
        return "Open Badges API"
    if path in ("/healthz", "/readyz", "/metrics"):
        return "Operations"
    if path == "/" or path.startswith("/problems"):
        return "Site"
    return "Published documents"


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


EXTENSION = {"name": "extension", "in": "path", "required": True,
             "description": "the image format: svg or png (anything else is a 404)",
             "schema": {"enum": ["svg", "png"]}}
IMAGE = {"image/svg+xml": {"schema": {"type": "string"}},
         "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}
# Importing competency data (issuer/api/routes.py) and the CASE 1.1 documents made from it
# (issuer/protocols/case.py).
FRAMEWORK_PATHS = {
    "/api/v1/issuers/{slug}/frameworks": {"post": {
        "summary": "Import competency models, level frameworks and crosswalks (admin)",
        "description": "Files: LER.me framework exports (JSON), competency models (our JSON, "
                       "or CSV: 'key, value' lines for id, title, publisher, occupation, then "
                       "the columns tier, training type, name, definition, source URL, "
                       "updated date) and crosswalks (JSON, or CSV: id, model, framework, "
                       "then competency, level, statement, rationale). All are checked "
                       "before any is stored: a mistake is a 422 naming the file and the line "
                       "or JSON pointer, and nothing is written. A file imported again "
                       "changes nothing; a changed file needs a new version, which becomes "
                       "the one new completions use. An issuer adds versions only to what "
                       "it imported; dryRun says what would change.",
        "security": BEARER, "parameters": [SLUG],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": FRAMEWORK_IMPORT}}},
        "responses": {"200": _json(OBJECT, "dryRun and changes: kind, id, version, file, "
                                           "action (added, new-version, unchanged)"),
                      **_errors(400, 401, 403, 404, 413, 415, 422)}}},
}
CASE_IDENTIFIER = _path("identifier", "the object's CASE identifier (a UUID)")
CASE_STATUS_INFO = {
    "type": "object", "required": ["imsx_codeMajor", "imsx_severity"],
    "description": "CASE 1.1's status payload (imsx_StatusInfo), which its REST binding "
                   "answers refusals with",
    "properties": {"imsx_codeMajor": {"enum": ["success", "processing", "failure",
                                               "unsupported"]},
                   "imsx_severity": {"enum": ["status", "warning", "error"]},
                   "imsx_description": {"type": "string"},
                   "imsx_CodeMinor": OBJECT}}
CASE_NOT_FOUND = {"404": _json(CASE_STATUS_INFO, "no object with this identifier "
                                                 "(imsx_codeMinorFieldValue unknownobject)")}
CASE_PATHS = {
    f"{CASE_PATH}/CFDocuments": {"get": {
        "summary": "CASE 1.1: the adopted competency model editions and level framework "
                   "versions, and the deprecated ones credentials cite",
        "responses": {"200": _json(OBJECT, "CFDocuments")}}},
    **{f"{CASE_PATH}/{collection}/{{identifier}}": {"get": {
        "summary": f"CASE 1.1: one {what}", "parameters": [CASE_IDENTIFIER],
        "responses": {"200": _json(OBJECT, what), **CASE_NOT_FOUND}}}
       for collection, what in (
           ("CFDocuments", "CFDocument"),
           ("CFPackages", "CFPackage: the document with its items, associations and rubric"),
           ("CFItems", "CFItem (a tier, competency, level or level statement)"),
           ("CFAssociations", "CFAssociation"),
           ("CFRubrics", "CFRubric: proficiency levels with their statements and "
                         "attribution"),
           ("CFLicenses", "CFLicense: the sources, licence (O*NET, CC BY 4.0) and notice of "
                          "a level framework's statements"))},
}
# The badge images (issuer/pages/badges.py): the artwork of a competency, of a competency at a
# level, and a credential baked into its artwork (OB 3.0 section 5.3).
BADGE_PATHS = {
    "/badges/{model}/{competency}.{extension}": {"get": {
        "summary": "A competency's badge artwork (cacheable for a day)",
        "parameters": [_path("model", "a competency model's id"),
                       _path("competency", "a competency's id in that model"), EXTENSION],
        "responses": {"200": {"description": "the image", "content": IMAGE},
                      **_errors(404)}}},
    "/badges/{model}/{competency}/{level}.{extension}": {"get": {
        "summary": "A competency's badge artwork at one proficiency level",
        "parameters": [_path("model", "a competency model's id"),
                       _path("competency", "a competency's id in that model"),
                       _path("level", "a level of the model's framework (see "
                                      "GET /api/v1/frameworks/{model})"),
                       EXTENSION],
        "responses": {"200": {"description": "the image", "content": IMAGE},
                      **_errors(404)}}},
    "/credentials/{id}/badge.{extension}": {"get": {
        "summary": "A credential baked into its badge image (OB 3.0 5.3): the signed "
                   "credential (JSON-LD or VC-JWT, as issued) inside the PNG or SVG",
        "parameters": [_path("id", "the credential's id"), EXTENSION],
        "responses": {"200": {"description": "the baked badge, as an attachment",
                              "content": IMAGE},
                      **_errors(404)}}},
}


HTML = {"text/html": {"schema": {"type": "string"}}}
BACK_TO_DESK = {"description": "done or refused (the desk page then says which), or no "
                               "signed-in session: back to the desk page",
                "headers": {"Location": {"schema": {"type": "string"}}}}
STALE_FORM = {**PROBLEM, "description": "the form's CSRF token is missing or not this "
                                        "browser's (reload the page)"}


def _desk_form(description: str, **fields: dict[str, Any]) -> dict[str, Any]:
    """A desk form post: the CSRF token (the desk page's hidden field, matching the session
    cookie) and the form's own fields."""
    return {"summary": description,
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "required": ["csrf"],
                    "properties": {"csrf": {"type": "string"}, **fields}}}}},
            "responses": {"302": BACK_TO_DESK, "400": STALE_FORM}}


TEXT = {"type": "string"}
ROWS = {"oneOf": [TEXT, {"type": "array", "items": TEXT}]}  # one value per competency row


def _query(name: str, description: str, schema: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or TEXT}


# The employer desk (issuer/pages/desk.py): HTML pages and forms for people, signed in with an API
# token; a session cookie and a CSRF token, not bearer tokens, authorise them.
DESK_PATHS = {
    "/desk": {"get": {
        "summary": "The desk page: the sign-in form, or (signed in) the completion form and "
                   "the issuer's credentials, searched, filtered and 25 a page",
        "parameters": [_query("q", "search learner names, emails and competency names"),
                       _query("status", "only credentials with this status",
                              {"enum": ["active", "suspended", "revoked"]}),
                       _query("competency", "only this competency (model/competency)"),
                       _query("kind", "only this kind of credential",
                              {"enum": ["achievement", "programme", "clr"]}),
                       _query("page", "the page number, from 1",
                              {"type": "integer", "minimum": 1})],
        "responses": {"200": {"description": "the page", "content": HTML}}}},
    "/desk/sign-in": {"post": {
        **_desk_form("Sign in with an API token: a session cookie", token=TEXT),
        "responses": {"302": {**BACK_TO_DESK, "description": "signed in: to the desk page"},
                      "400": STALE_FORM,
                      "401": {"description": "the token was refused; the sign-in page "
                                             "says why", "content": HTML}}}},
    "/desk/sign-out": {"post": _desk_form("End the desk session")},
    "/desk/completions": {"post": {
        **_desk_form(
            "Record one learner's completions, one per competency row, and issue their "
            "credentials together (all or none); action=add shows the form with one more row",
            learner_name=TEXT, learner_email=TEXT, competency=ROWS, level=ROWS,
            completed_on=ROWS, valid_until=ROWS, evidence_name=ROWS, evidence_narrative=ROWS,
            evidence_url=ROWS, action={"enum": ["record", "add"]}, form_key=TEXT,
            confirm_duplicates=TEXT),
        "responses": {"302": BACK_TO_DESK, "400": STALE_FORM,
                      "200": {"description": "the form with one more row", "content": HTML},
                      "409": {"description": "some rows look already recorded: the form "
                                             "again, asking to confirm", "content": HTML},
                      "422": {"description": "nothing recorded: the form again as typed, "
                                             "each problem beside its field",
                              "content": HTML}}}},
    "/desk/credentials/{id}/{action}": {
        "get": {"summary": "Ask before revoking or suspending a credential (admins)",
                "parameters": [_path("id", "the credential's id"),
                               {"name": "action", "in": "path", "required": True,
                                "schema": {"enum": ["revoke", "suspend"]}}],
                "responses": {"200": {"description": "the confirmation page",
                                      "content": HTML},
                              "302": BACK_TO_DESK, **_errors(403, 404)}},
        "post": {
            **_desk_form("Revoke, suspend or reinstate one of the issuer's credentials",
                         reason=TEXT),
            "parameters": [_path("id", "the credential's id"),
                           {"name": "action", "in": "path", "required": True,
                            "schema": {"enum": ["revoke", "suspend", "reinstate"]}}]}},
    "/desk/cohort": {"get": {
        "summary": "Upload a cohort as CSV: the columns, the template, the upload form",
        "responses": {"200": {"description": "the page", "content": HTML},
                      "302": BACK_TO_DESK}}},
    "/desk/cohort/template.csv": {"get": {
        "summary": "The cohort CSV template: its header and two example rows",
        "responses": {"200": {"description": "the template, as an attachment",
                              "content": {"text/csv": {"schema": TEXT}}},
                      "302": BACK_TO_DESK}}},
    "/desk/cohort/preview": {"post": {
        "summary": "Every row of an uploaded CSV with its problems in words; nothing issued",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["csrf"],
            "properties": {"csrf": TEXT, "file": {"type": "string", "format": "binary"}}}}}},
        "responses": {"200": {"description": "the preview", "content": HTML},
                      "302": BACK_TO_DESK, "400": STALE_FORM,
                      "422": {"description": "the file cannot be read as the template's "
                                             "CSV; the page says why", "content": HTML}}}},
    "/desk/cohort/issue": {"post": {
        **_desk_form("Issue the rows the preview found valid, as one import job",
                     csv_text=TEXT, upload_key=TEXT, with_duplicates=TEXT),
        "responses": {"302": {**BACK_TO_DESK, "description": "to the job's progress page"},
                      "400": STALE_FORM,
                      "422": {"description": "no row can be issued", "content": HTML}}}},
    "/desk/cohort/jobs/{id}": {"get": {
        "summary": "A cohort upload's progress: rows issued, to go, failed (with reasons)",
        "parameters": [_path("id", "the import job's id")],
        "responses": {"200": {"description": "the page", "content": HTML},
                      "302": BACK_TO_DESK, **_errors(404)}}},
    "/desk/cohort/jobs/{id}/progress": {"get": {
        "summary": "A cohort upload's counts, for its progress bar",
        "parameters": [_path("id", "the import job's id")],
        "responses": {"200": {"description": "the counts", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "status": {"enum": ["running", "done"]}, "valid": {"type": "integer"},
                "issued": {"type": "integer"}, "failed": {"type": "integer"},
                "pending": {"type": "integer"}}}}}},
            **_errors(401, 404)}}},
    "/desk/clr": {"post": _desk_form("Build a learner's CLR 2.0 record", email=TEXT)},
}


MAIL_RECORD = {
    "type": "object",
    "required": ["id", "kind", "recipient", "subject", "state", "attempts", "lastError",
                 "nextAttemptAt", "sentAt", "createdAt"],
    "properties": {"id": {"type": "integer"},
                   "kind": {"type": "string", "description": "credential-issued, ..."},
                   "recipient": {"type": "string"}, "subject": {"type": "string"},
                   "state": {"enum": list(STATES)}, "attempts": {"type": "integer"},
                   "lastError": {"type": ["string", "null"],
                                 "description": "what went wrong at the last attempt"},
                   "nextAttemptAt": {**WHEN, "description": "when a queued message is next "
                                     "tried (null once sent or failed)"},
                   "sentAt": WHEN, "createdAt": {"type": "string", "format": "date-time"}},
}
MAIL_SETTINGS = {"type": "object", "required": ["slug", "learnerMail"],
                 "properties": {"slug": {"type": "string"},
                                "learnerMail": {"type": "boolean"}}}
# Mail to learners (issuer/services/notifications.py, mail_delivery.py): the issuer's opt-out,
# its outgoing mail for machines, and the desk page that shows the same to people.
MAIL_PATHS = {
    "/api/v1/issuers/{slug}/settings": {
        "get": {"summary": "The issuer's settings (admin)",
                "description": "learnerMail: whether each learner is emailed when a "
                               "credential (competency, programme certificate or CLR) is "
                               "issued to them.",
                "security": BEARER, "parameters": [SLUG],
                "responses": {"200": _json(MAIL_SETTINGS, "the settings"),
                              **_errors(401, 403, 404)}},
        "patch": {"summary": "Change the issuer's settings (admin)",
                  "description": "Only the settings the body names change; "
                                 "{\"learnerMail\": false} stops emails to learners from now "
                                 "on (mail already queued still goes). Audited.",
                  "security": BEARER, "parameters": [SLUG],
                  "requestBody": {"required": True, "content": {"application/json": {
                      "schema": SETTINGS}}},
                  "responses": {"200": _json(MAIL_SETTINGS, "the settings, as changed"),
                                **_errors(400, 401, 403, 404, 415, 422)}}},
    "/api/v1/issuers/{slug}/mail": {"get": {
        "summary": "The issuer's outgoing mail, newest first, a page at a time",
        "description": "Each message's recipient, subject, state (queued, sent, or failed "
                       "after its last retry), attempts and last error; never the bodies. "
                       "Pass the answer's next as before for the following page; next is "
                       "null on the last.",
        "security": BEARER,
        "parameters": [SLUG,
                       {"name": "state", "in": "query", "schema": {"enum": list(STATES)}},
                       {"name": "before", "in": "query", "schema": {"type": "integer"}},
                       {"name": "limit", "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_MAIL_PAGE,
                                   "default": 100}}],
        "responses": {"200": _json({"type": "object", "required": ["mail", "next"],
                                    "properties": {"mail": {"type": "array",
                                                            "items": MAIL_RECORD},
                                                   "next": {"type": ["integer", "null"]}}},
                                   "a page of messages and the next page's before"),
                      **_errors(400, 401, 403, 404)}}},
    "/desk/mail": {"get": {
        "summary": "The desk's mail page: the issuer's recent messages to learners and "
                   "staff, with state, attempts and last error (signed in; else back to "
                   "the desk's sign-in)",
        "parameters": [{"name": "before", "in": "query", "required": False,
                        "description": "the next page, as the previous page linked it",
                        "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "the page", "content": HTML},
                      "302": {"description": "not signed in: to the desk's sign-in",
                              "headers": {"Location": {"schema": {"type": "string"}}}}}}},
}

def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI document: every operation with its problems, section and examples,
    sections in reading order."""
    spec = copy.deepcopy(_document(base_url))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            extra = (400, 429, 503) if (path, method) in RATE_LIMITED else (400, 503)
            operation["responses"].update(
                {str(code): PROBLEM for code in extra if str(code) not in operation["responses"]})
            operation["tags"] = [_section(path)]
    spec["tags"] = [{"name": name, "description": text} for name, text in SECTIONS.items()]
    order = list(SECTIONS)
    spec["paths"] = dict(sorted(spec["paths"].items(),
                                key=lambda item: order.index(_section(item[0]))))
    examples.attach(spec)
    return spec


PROBLEM_TYPE = {"type": "object", "required": ["type", "url", "title", "status", "meaning",
                                                "remedy"],
                "properties": {"type": TEXT, "url": TEXT, "title": TEXT,
                               "status": {"type": "integer"}, "meaning": TEXT,
                               "remedy": TEXT}}
# The site's own pages (issuer/pages/site.py): a page for a browser, JSON for anyone else.
SITE_PATHS = {
    "/": {"get": {
        "summary": "What this service is, with links to verify, the desk and these docs",
        "responses": {"200": {"description": "the start page, or (not asking for HTML) the "
                                             "links as JSON",
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["name", "links"],
                                  "properties": {"name": TEXT, "description": TEXT,
                                                 "links": OBJECT}}}, **HTML}}}}},
    "/problems": {"get": {
        "summary": "Every problem type the service answers with, explained",
        "responses": {"200": {"description": "the explanations", "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["problemTypes"],
                "properties": {"problemTypes": {"type": "array",
                                                "items": PROBLEM_TYPE}}}}, **HTML}}}}},
    "/problems/{name}": {"get": {
        "summary": "What a problem type means and what to do about it (a problem's type "
                   "URI resolves here)",
        "parameters": [_path("name", "the type's name, as in /problems/validation")],
        "responses": {"200": {"description": "the explanation", "content": {
            "application/json": {"schema": PROBLEM_TYPE}, **HTML}},
            **_errors(404)}}},
}


def _document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Competency Credentials", "version": "1",
                 "description": "Record verified competency completions and issue, serve and "
                                "verify Open Badges 3.0 credentials. Errors are RFC 9457 "
                                "problem details (application/problem+json)."},
        "servers": [{"url": base_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an issuer's API token"},
                                "ObOAuth2": {"type": "http", "scheme": "bearer",
                                             "description": "an Open Badges API access "
                                                            "token (OAuth 2.0, see "
                                                            "/ims/ob/v3p0/discovery)"}},
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status"],
                            "properties": {"type": {"type": "string"},
                                           "title": {"type": "string"},
                                           "status": {"type": "integer"},
                                           "detail": {"type": "string"},
                                           "instance": {"type": "string"},
                                           "errors": {"type": "array", "items": {
                                               "type": "object", "properties": {
                                                   "pointer": {"type": "string"},
                                                   "detail": {"type": "string"}}}}}},
                "CompletionRequest": COMPLETION,
                "TokenRequest": TOKEN,
                "Token": TOKEN_RECORD,
                "NewToken": {"allOf": [{"$ref": "#/components/schemas/Token"}, {
                    "type": "object", "required": ["token"],
                    "properties": {"token": {"type": "string", "pattern": "^cc_"}}}]},
                "StatusChangeRequest": STATUS_CHANGE,
                "LearnerRecordRequest": LEARNER_RECORD,
                "PresentationVerificationResult": PRESENTATION_RESULT,
                "VerificationResult": {"type": "object",
                                       "required": ["verified", "issuerBound", "standing",
                                                    "verdict", "checks", "warnings",
                                                    "errors"],
                                       "properties": {
                                           "verified": {"type": "boolean"},
                                           "issuerBound": {
                                               "type": "boolean",
                                               "description": ISSUER_BOUND},
                                           "standing": {"enum": ["verified", "unbound",
                                                                 "revoked", "suspended",
                                                                 "failed"],
                                                        "description": STANDING},
                                           "verdict": {"type": "string",
                                                       "description": "the result in one "
                                                       "sentence, for people (the verifier "
                                                       "and share pages say the same); "
                                                       "\"Verified: every check passed.\" "
                                                       "only when no check warned, else "
                                                       "\"Verified, with a warning: ...\""},
                                           "checks": {"type": "array", "items": CHECK},
                                           "warnings": {"type": "array",
                                                        "items": {"type": "string"}},
                                           "errors": {"type": "array",
                                                      "items": {"type": "string"}}}},
            },
        },
        "paths": {
            **SITE_PATHS,
            **PRESENTATION_PATHS,
            "/healthz": {"get": {"summary": "Liveness: 200 once the store answers",
                                 "responses": {"200": _json(OBJECT, "healthy"),
                                               **_errors(503)}}},
            "/readyz": {"get": {"summary": "Readiness: the store answers, its schema is "
                                           "current, and this host's key-encryption key "
                                           "opens the store's key-check canary",
                                "description": "503 when any of the three fails; a host "
                                               "with the wrong KEY_ENCRYPTION_KEY answers "
                                               "/problems/key-encryption-key-mismatch and "
                                               "refuses to sign or change keys.",
                                "responses": {"200": _json(OBJECT, "ready"),
                                              **_errors(503)}}},
            "/metrics": {"get": {"summary": "Prometheus metrics (text exposition format)",
                                 "description": "When the deployment sets METRICS_TOKEN, "
                                                "send it as Authorization: Bearer <token>.",
                                 "responses": {"200": {"description": "metrics", "content": {
                                     "text/plain": {"schema": {"type": "string"}}}},
                                     **_errors(401)}}},
            "/api/v1/issuers/{slug}/audit": {"get": {
                "summary": "The issuer's audit trail, newest first (admin)",
                "security": BEARER,
                "parameters": [SLUG,
                               {"name": "action", "in": "query", "schema": {"type": "string"}},
                               {"name": "before", "in": "query",
                                "schema": {"type": "integer"}},
                               {"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
                "responses": {"200": _json(OBJECT, "events (who, what, when) and next"),
                              **_errors(400, 401, 403)}}},
            "/api/v1/frameworks": {"get": {
                "summary": "Competency models with their level frameworks",
                "responses": {"200": _json(OBJECT, "the models")}}},
            "/api/v1/frameworks/{model}": {"get": {
                "summary": "A model's competencies, each with the O*NET level statements its "
                           "levels cite",
                "parameters": [{"name": "model", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json(OBJECT, "the model"), **_errors(404)}}},
            "/api/v1/issuers/{slug}/completions": {"post": {
                "summary": "Record a verified completion and issue its credential",
                "description": "Recorded as verified by the token's holder; the credential is "
                               "issued in the same transaction. A repeated Idempotency-Key "
                               "with the same body replays the first answer; with another "
                               "body it is a 409. Text holding NUL, a control character or "
                               "a lone surrogate (tabs and line breaks only in an evidence "
                               "narrative) is a 400 naming the field.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "Idempotency-Key", "in": "header",
                                      "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CompletionRequest"}}}},
                "responses": {"201": _json(OBJECT, "completionId, credentialId, url, "
                                                   "credential"),
                              **_errors(400, 401, 403, 404, 409, 413, 415, 422)}}},
            "/api/v1/issuers/{slug}/completions:batch": {"post": {
                "summary": "Record many verified completions (JSON array or CSV)",
                "description": "Every row is checked before anything is issued; the answer "
                               "reports each bad row (row number from 1, field or CSV column, "
                               "message). Valid rows are issued, each in its own transaction: "
                               "up to BATCH_INLINE_ROWS before answering (201), more as a "
                               "background job (202, Location: the job). CSV header: "
                               "learner_name, learner_email, competency, level, completed_on, "
                               "evidence (optional). A repeated Idempotency-Key with the same "
                               "rows answers with the first job (200); with other rows 409. "
                               "Text holding NUL or a control character refuses the whole "
                               "upload (400 naming each row and field). A row that fails "
                               "while issuing is marked failed with its reason; the job "
                               "goes on. Job times are UTC (Z). A 503 naming the "
                               "key-encryption key recorded nothing and can be sent again; a "
                               "503 carrying `job` and Location means the batch was recorded: "
                               "send it again only with the same Idempotency-Key.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "Idempotency-Key", "in": "header",
                                      "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {
                        "type": "array", "minItems": 1, "maxItems": 10000,
                        "items": {"$ref": "#/components/schemas/CompletionRequest"}}},
                    "text/csv": {"schema": {"type": "string"}}}},
                "responses": {"200": _json(OBJECT, "the job of a replayed upload"),
                              "201": _json(OBJECT, "the job, done"),
                              "202": _json(OBJECT, "the job, running"),
                              **_errors(400, 401, 403, 404, 409, 413, 415, 422)}}},
            "/api/v1/issuers/{slug}/jobs/{id}": {"get": {
                "summary": "An import job's progress and per-row report", "security": BEARER,
                "parameters": [SLUG, {"name": "id", "in": "path", "required": True,
                                      "schema": {"type": "string"}}],
                "responses": {"200": _json(OBJECT, "status, counts, errors, rows"),
                              **_errors(401, 403, 404)}}},
            "/api/v1/issuers/{slug}/credentials": {"get": {
                "summary": "Credentials the issuer issued, newest first, a page at a time",
                "description": "Pass the answer's next as cursor for the following page; "
                               "next is null on the last.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "learner", "in": "query",
                                      "schema": {"type": "string"}},
                               {"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 500,
                                           "default": 100}},
                               {"name": "cursor", "in": "query",
                                "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object", "required": ["credentials",
                                                                           "next"],
                                            "properties": {"credentials": {"type": "array"},
                                                           "next": {"type": ["string",
                                                                             "null"]}}},
                                           "a page of credentials and the next cursor"),
                              **_errors(400, 401, 403)}}},
            "/api/v1/issuers/{slug}/credentials/{id}/{action}": {"post": {
                "summary": "Revoke, suspend or reinstate a credential (admin)",
                "description": "action is revoke (final), suspend (needs a suspension entry: "
                               "issuers created with --suspension) or reinstate (a suspended "
                               "credential). The status list credential is re-signed once "
                               "per batch of changes, when next requested. Changes racing "
                               "each other apply one after the other: a change the new "
                               "state no longer allows is a 409. A reason holding a control "
                               "character is a 400.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "id", "in": "path", "required": True,
                                      "schema": {"type": "string"}},
                               {"name": "action", "in": "path", "required": True,
                                "schema": {"enum": ["revoke", "suspend", "reinstate"]}}],
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/StatusChangeRequest"}}}},
                "responses": {"200": _json(OBJECT, "credentialId, status, reason"),
                              **_errors(400, 401, 403, 404, 409, 415, 422)}}},
            "/api/v1/issuers/{slug}/credentials/{id}/offers": {"post": {
                "summary": "Offer a credential to the learner's wallet (OpenID4VCI; assessor "
                           "or admin)",
                "description": "Makes a 15-minute, single-use OpenID4VCI credential offer "
                               "(pre-authorized code) of one of the issuer's credentials, to "
                               "show the learner: the offer by reference "
                               "(openid-credential-offer://?credential_offer_uri=...) as a "
                               "link and a QR code (SVG), and by value. With txCode true the "
                               "answer also holds a 6-digit transaction code, shown here "
                               "once: tell it to the learner apart from the QR code (the "
                               "wallet asks for it); three wrong codes end the offer.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "id", "in": "path", "required": True,
                                      "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"txCode": {"type": "boolean"}}}}}},
                "responses": {"201": _json({
                    "type": "object",
                    "required": ["offerId", "credentialId", "expiresAt", "credentialOfferUri",
                                 "offerByReference", "offerByValue", "qrSvg"],
                    "properties": {"offerId": {"type": "string"},
                                   "credentialId": {"type": "string"},
                                   "expiresAt": {"type": "string", "format": "date-time"},
                                   "credentialOfferUri": {"type": "string"},
                                   "offerByReference": {"type": "string"},
                                   "offerByValue": {"type": "string"},
                                   "qrSvg": {"type": "string"},
                                   "txCode": {"type": "string"}}},
                    "the offer's links, QR code and (when asked for) transaction code"),
                              **_errors(400, 401, 403, 404, 409, 415, 422)}}},
            "/api/v1/issuers/{slug}/learners/clr": {"post": {
                "summary": "Build, sign and store a learner's CLR 2.0 ClrCredential",
                "description": "Embeds the learner's live competency credentials from this "
                               "issuer (or those named in credentialIds), places each in its "
                               "tier and model with associations, and marks the record "
                               "partial when it lacks competencies of the model. A CLR holds "
                               "credentials with an embedded proof and at most one status "
                               "entry (CLR 2.0 and its schema): others (VC-JWT ones, ones "
                               "issued with revocation and suspension entries) are left out "
                               "and listed in leftOut; naming one in credentialIds is a 422. "
                               "Accepts an Idempotency-Key.",
                "security": BEARER,
                "parameters": [SLUG, {"name": "Idempotency-Key", "in": "header",
                                      "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/LearnerRecordRequest"}}}},
                "responses": {"201": _json(OBJECT, "credentialId, url, partial, credentials, "
                                                  "leftOut, credential"),
                              **_errors(400, 401, 403, 409, 415, 422)}}},
            "/api/v1/issuers/{slug}/keys/rotate": {"post": {
                "summary": "Rotate the issuer's keys (admin)",
                "description": "Active keys become retired (still published, so what they "
                               "signed keeps verifying); a new Ed25519 key becomes active, "
                               "P-256 and RSA keys follow on demand.",
                "security": BEARER, "parameters": [SLUG],
                "responses": {"200": _json(OBJECT, "retired, active"),
                              **_errors(401, 403, 404)}}},
            "/api/v1/issuers/{slug}/keys/{kid}/revoke": {"post": {
                "summary": "Revoke a key (admin): unpublished; what it signed fails",
                "security": BEARER,
                "parameters": [SLUG, {"name": "kid", "in": "path", "required": True,
                                      "schema": {"type": "string"}}],
                "responses": {"200": _json(OBJECT, "kid, status"),
                              **_errors(401, 403, 404, 409)}}},
            "/api/v1/issuers/{slug}/tokens": {
                "post": {
                    "summary": "Mint an API token (admin)",
                    "description": "The token is in this answer only (the store keeps its "
                                   "SHA-256). expiresAt (RFC 3339, with an offset, in the "
                                   "future) ends it then; without it, it lasts until revoked.",
                    "security": BEARER, "parameters": [SLUG],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
                    "responses": {"201": _json({"$ref": "#/components/schemas/NewToken"},
                                               "the token, shown once, and its record"),
                                  **_errors(400, 401, 403, 404, 415, 422)}},
                "get": {
                    "summary": "List the issuer's API tokens (admin), never the tokens",
                    "description": "Revoked and expired tokens too; lastUsedAt is noted at "
                                   "most once a minute.",
                    "security": BEARER, "parameters": [SLUG],
                    "responses": {"200": _json({"type": "object", "required": ["tokens"],
                                                "properties": {"tokens": {
                                                    "type": "array", "items": {
                                                        "$ref": "#/components/schemas/Token"}}}},
                                               "the tokens, oldest first"),
                                  **_errors(401, 403, 404)}}},
            "/api/v1/issuers/{slug}/tokens/{id}/revoke": {"post": {
                "summary": "Revoke an API token (admin)",
                "description": "From the next request on, on every host, the token is a 401, "
                               "and the desk sessions signed in with it end. 409: already "
                               "revoked, or the issuer's last active admin token "
                               "(/problems/last-admin-token).",
                "security": BEARER,
                "parameters": [SLUG, {"name": "id", "in": "path", "required": True,
                                      "schema": {"type": "integer"}}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Token"},
                                           "the revoked token's record"),
                              **_errors(401, 403, 404, 409)}}},
            "/credentials/issue": {"post": {
                "summary": "VC API: sign a credential as the token's issuer",
                "description": "options.format 'jwt' (with options.algorithm RS256, ES256 or "
                               "EdDSA) answers with an EnvelopedVerifiableCredential; the "
                               "default is an eddsa-rdfc-2022 Data Integrity proof. VCDM 2.0 "
                               "credentials, or VCDM 1.1 ones (credentials/v1 context; "
                               "issuanceDate is set when absent; Data Integrity only). A "
                               "credential that breaks a VC Data Model MUST (type, "
                               "credentialSubject, validFrom/validUntil, typed objects, "
                               "relatedResource ids and digests, which are retrieved over "
                               "HTTPS and checked) is a 400 whose errors name each JSON "
                               "pointer.",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["credential"],
                               "properties": {"credential": OBJECT, "options": OBJECT}}}}},
                "responses": {"201": _json(OBJECT, "{verifiableCredential}"),
                              "400": {**PROBLEM, "description": "the credential breaks a VC "
                                      "Data Model rule; errors[].pointer names where"},
                              **_errors(401, 403, 415)}}},
            "/credentials/verify": {"post": {
                "summary": "VC API: verify any Open Badges 3.0 / CLR 2.0 credential",
                "description": "verifiableCredential is a JSON-LD credential, a VC-JWT "
                               "(compact JWS) or an EnvelopedVerifiableCredential. "
                               "`verified` is true when no check failed; `issuerBound` "
                               "says whether the signing key is tied to the issuer, "
                               "independent of revocation and dates; `standing` and "
                               "`verdict` give the result in a word and a sentence. A "
                               "credential verified but not issuer-bound has a valid "
                               "signature by a self-asserted key: do not take it as the "
                               "issuer's. One not verified but issuer-bound was signed by "
                               "the issuer and is revoked, expired or otherwise refused. "
                               "Caps, the same for every way in (this API, the "
                               "/verify page, baked badges): 1 MiB, 64 levels of nesting, "
                               "10,000 items per array, 50 inline contexts, 8 proofs, 10 "
                               "status entries, 500 embedded credentials, 50 endorsements. "
                               "Over a cap: 413 (size) or 400, the problem's cap and limit "
                               "members naming it.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["verifiableCredential"],
                               "properties": {"verifiableCredential": OBJECT,
                                              "options": OBJECT}}}}},
                "responses": {"200": _json({"$ref": "#/components/schemas/VerificationResult"},
                                           "verified"),
                              "422": _json({"$ref": "#/components/schemas/VerificationResult"},
                                           "not verified"),
                              "400": {**PROBLEM, "description": "no credential in the "
                                      "body, or an EnvelopedVerifiableCredential without its "
                                      "own @context array"},
                              **_errors(413, 415)}}},
            "/presentations/verify": {"post": {
                "summary": "VC API: verify a verifiable presentation and every credential in "
                           "it",
                "description": "verifiablePresentation is a JSON-LD presentation with a Data "
                               "Integrity proof, a VP-JWT (compact JWS: VC-JOSE-COSE vp+jwt, "
                               "or VC-JWT's vp claim) or an "
                               "EnvelopedVerifiablePresentation. options.challenge and "
                               "options.domain, when given, must be exactly those of the "
                               "holder's proof (proofPurpose authentication; a VP-JWT's "
                               "nonce and aud); without them a proof present is still "
                               "checked, and a presentation with none passes with a "
                               "warning. Every credential is verified as "
                               "/credentials/verify would; one with no proof of its own "
                               "counts only as the holder's claim (its issuer the holder, "
                               "who signed). Each credential's holder binding "
                               "(credentialSubject.id is the holder) is reported, and "
                               "fails the presentation only with "
                               "options.requireHolderBinding. Caps: those of a credential, "
                               "50 credentials per presentation, and 500 embedded in all "
                               "of them together.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["verifiablePresentation"],
                               "properties": {
                                   "verifiablePresentation": {"type": ["object", "string"]},
                                   "options": {"type": "object", "properties": {
                                       "challenge": {"type": "string", "minLength": 1},
                                       "domain": {"type": "string", "minLength": 1},
                                       "requireHolderBinding": {"type": "boolean"}}}}}}}},
                "responses": {"200": _json({"$ref": "#/components/schemas/"
                                                    "PresentationVerificationResult"},
                                           "verified"),
                              "422": _json({"$ref": "#/components/schemas/"
                                                    "PresentationVerificationResult"},
                                           "not verified"),
                              "400": {**PROBLEM, "description": "no presentation in the "
                                      "body, options of the wrong kind, or a malformed "
                                      "EnvelopedVerifiablePresentation"},
                              **_errors(413, 415)}}},
            "/credentials/{id}": {"get": {
                "summary": "A credential at its id URL (application/vc+ld+json, or "
                           "application/vc+jwt for a VC-JWT)",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the signed credential; a browser "
                                      "(Accept: text/html, no ?format=json) gets the share page",
                                      "content": {
                    "application/vc+ld+json": {"schema": OBJECT},
                    "application/vc+jwt": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}}}}, **_errors(404)}}},
            "/verify": {
                "get": {"summary": "The verifier page (HTML form); with url, the result for "
                                   "the credential at that URL",
                        "description": "A deep link: /verify?url=<a credential's URL> "
                                       "verifies it at once (the share page's Verify button "
                                       "links there).",
                        "parameters": [{"name": "url", "in": "query", "required": False,
                                        "description": "a credential's URL",
                                        "schema": {"type": "string", "format": "uri"},
                                        "example": f"{base_url}/credentials/"
                                                   f"{examples.CREDENTIAL_ID}"}],
                        "responses": {"200": {"description": "the page, or the report as "
                                                             "one", "content": HTML},
                                      "400": {"description": "the URL holds no credential "
                                                             "this page can read; the page "
                                                             "says why", "content": HTML},
                                      "413": {"description": "over the size cap",
                                              "content": HTML}}},
                "post": {"summary": "Verify a pasted, uploaded or linked credential; "
                                    "the result as a page",
                         "requestBody": {"content": {"multipart/form-data": {"schema": {
                             "type": "object", "properties": {
                                 "credential_text": {"type": "string"},
                                 "credential_file": {"type": "string", "format": "binary"},
                                 "credential_url": {"type": "string", "format": "uri"},
                                 "email": {"type": "string", "description": "also check the "
                                           "credential was issued to this address"}}}}}},
                         "responses": {"200": {"description": "the report as a page",
                                               "content": {"text/html": {
                                                   "schema": {"type": "string"}}}},
                                       "400": {"description": "nothing usable was given, "
                                                              "or it is over a cap; the page "
                                                              "says why",
                                               "content": {"text/html": {
                                                   "schema": {"type": "string"}}}},
                                       "413": {"description": "over the size cap",
                                               "content": {"text/html": {
                                                   "schema": {"type": "string"}}}}}}},
            "/status/{slug}/{list}": {"get": {
                "summary": "A signed BitstringStatusListCredential (cacheable for its ttl)",
                "parameters": [SLUG, {"name": "list", "in": "path", "required": True,
                                      "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the status list credential", "content": {
                    "application/vc+ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/issuers/{slug}": {"get": {
                "summary": "The issuer's OB 3.0 Profile (a browser gets it as a page; "
                           "?format=json the document)",
                "parameters": [SLUG],
                "responses": {"200": {"description": "Profile", "content": {
                    "application/ld+json": {"schema": OBJECT}, **HTML}},
                    **_errors(404)}}},
            "/issuers/{slug}/jwks.json": {"get": {
                "summary": "The issuer's public keys as a JWK Set (kid = did:web method URL)",
                "parameters": [SLUG],
                "responses": {"200": {"description": "JWK Set", "content": {
                    "application/jwk-set+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/issuers/{slug}/did.json": {"get": {
                "summary": "The issuer's did:web document (Multikey verification methods)",
                "parameters": [SLUG],
                "responses": {"200": {"description": "DID document", "content": {
                    "application/did+ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/achievements/{model}": {"get": {
                "summary": "A model's programme-completion Achievement (the id a programme "
                           "certificate holds), as the current edition gives it",
                "parameters": [_path("model", "a competency model's id")],
                "responses": {"200": {"description": "Achievement", "content": {
                    "application/ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/achievements/{model}/tiers/{tier}": {"get": {
                "summary": "A tier of a model as an Achievement (a CLR places competencies "
                           "under it)",
                "parameters": [_path("model", "a competency model's id"),
                               _path("tier", "a tier's id in that model")],
                "responses": {"200": {"description": "Achievement", "content": {
                    "application/ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/achievements/{model}/{competency}": {"get": {
                "summary": "A competency as an OB 3.0 Achievement",
                "parameters": [{"name": "model", "in": "path", "required": True,
                                "schema": {"type": "string"}},
                               {"name": "competency", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Achievement", "content": {
                    "application/ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            "/achievements/{model}/{competency}/{edition}": {"get": {
                "summary": "A competency as an OB 3.0 Achievement, in the model edition a "
                           "credential was issued under (kept when a new version is imported)",
                "parameters": [_path("model", "a competency model's id"),
                               _path("competency", "a competency's id in that model"),
                               _path("edition", "the edition the credential names")],
                "responses": {"200": {"description": "Achievement", "content": {
                    "application/ld+json": {"schema": OBJECT}}}, **_errors(404)}}},
            **FRAMEWORK_PATHS,
            **CASE_PATHS,
            **BADGE_PATHS,
            **DESK_PATHS,
            **MAIL_PATHS,
            **STAFF_DESK_PATHS,
            **EXCHANGE_PATHS,
            **OID4VCI_PATHS,
            **LEARNER_PATHS,
            **OB_API_PATHS,
        },
    }


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return document(service_context().base_url)


@bp.get("/docs")
def docs() -> str:
    spec = document(service_context().base_url)
    return render_template("docs.html", spec=spec, sections=docs_view.sections(spec),
                           base=service_context().base_url,
                           problem_rows=docs_view.outline(PROBLEM_REF, spec))
