"""RFC 9457 problem details: every error the service returns is ``application/problem+json``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, json, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from issuer.services.errors import UNACCEPTABLE_TEXT, DomainError, invalid_fields
from issuer.web.negotiation import negotiated, prefers_html

PROBLEM_JSON = "application/problem+json"
# The one place a service's refusal becomes an HTTP status.
STATUS = {"malformed": 400, "unauthenticated": 401, "forbidden": 403, "not-found": 404,
          "conflict": 409, "gone": 410, "too-large": 413, "invalid": 422, "unavailable": 503}
__all__ = ["PROBLEM_TYPES", "UNACCEPTABLE_TEXT", "Problem", "ProblemType", "from_domain",
           "problem_response", "validation_problem"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemType:
    """A problem ``type`` the service answers with: ``/problems/<name>`` serves this, so a
    developer who meets one can read what it means and what to do."""

    name: str
    title: str
    status: int
    meaning: str
    remedy: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.name}"


# Every problem type the service emits, besides about:blank (no meaning beyond the status).
PROBLEM_TYPES = {t.name: t for t in (
    ProblemType("validation", "Invalid request", 422,
                "The request is well formed JSON but breaks a rule of the operation: a "
                "required field is missing, a value is of the wrong kind, a competency or "
                "level the issuer does not know. errors[] names each field at fault by its "
                "JSON pointer, with what is wrong in words.",
                "Correct each field errors[] names and send the request again. The request "
                "schemas are on /docs and in /openapi.json."),
    ProblemType("unacceptable-text", "Unacceptable text", 400,
                "A string holds a character no text here may hold: NUL or another control "
                "character (in a name, a path or a query parameter), or a lone UTF-16 "
                "surrogate (which is not Unicode text and cannot be signed or stored). "
                "errors[] names where.",
                "Remove the character; tabs and line breaks are kept where prose is "
                "allowed (a narrative, a reason)."),
    ProblemType("idempotency-key-reused", "Idempotency-Key reused", 409,
                "This Idempotency-Key was already used with a different request body. A key "
                "stands for one request: sending the same body again replays the first "
                "answer (Idempotent-Replayed: true) without issuing twice.",
                "Use a new key for a new request; resend the original body to read the "
                "original answer."),
    ProblemType("last-admin-token", "Last admin token", 409,
                "Revoking this token would leave the issuer with no active admin token, and "
                "so no one able to manage its tokens.",
                "Create another admin token first, then revoke this one."),
    ProblemType("offer-expired", "Wallet offer expired", 410,
                "The offer of a credential to a wallet (a VC API exchange or an OpenID4VCI "
                "pre-authorized code) lives 15 minutes; this one is past that.",
                "Open the credential's Add to wallet page again for a new offer."),
    ProblemType("offer-used", "Wallet offer used", 410,
                "The offer was taken once already: a credential went to a wallet through it. "
                "An offer is good for one wallet, once.",
                "Open the credential's Add to wallet page again for a new offer."),
    ProblemType("exchange-message", "Not an exchange message", 400,
                "A VC API exchange (POST /workflows/claim/exchanges/{id}) takes an empty body "
                "or {} to start, then {\"verifiablePresentation\": {...}}: the wallet's "
                "signed answer to the DID Authentication request it was given.",
                "Send {} and answer the verifiablePresentationRequest that comes back."),
    ProblemType("did-authentication-failed", "DID Authentication failed", 401,
                "The presentation does not prove control of a DID as the exchange asked: "
                "reason says which part failed: malformed (not a presentation with one "
                "proof), purpose (proofPurpose is not authentication), challenge or domain "
                "(not the ones this exchange gave), expired (the proof's expires passed, or "
                "its created is in the future), key (the verification method is not an "
                "authentication key of a did:key or did:web), signature (the presentation "
                "was altered after signing, or another key signed), holder (holder is not "
                "the DID that signed). Nothing was issued and the offer is still open.",
                "Sign a new presentation for the request's challenge and domain, with "
                "proofPurpose authentication and holder set to the signing DID, and send it "
                "again within the offer's 15 minutes."),
    ProblemType("offer-needs-transaction-code", "Offer needs its transaction code", 403,
                "The offer was made with a transaction code (shown to the employer or sent "
                "to the learner apart from the offer), and only OpenID4VCI's token request "
                "carries that code: a VC API exchange cannot take this offer.",
                "Scan the offer with an OpenID4VCI wallet and type the code when it asks."),
    ProblemType("credential-revoked", "Credential revoked", 409,
                "The credential was revoked by its issuer, so it cannot be offered or bound "
                "to a wallet.",
                "Ask the issuer why; a revoked credential stays revoked."),
    ProblemType("status-conflict", "Status change not allowed", 409,
                "The credential's current status does not allow this change: revocation is "
                "final, only an active credential can be suspended, only a suspended one "
                "reinstated, and a credential issued without a suspension entry cannot be "
                "suspended. status_now, where given, is its status now.",
                "Read the credential's status and decide again; when others are changing it "
                "at the same moment, retry."),
    ProblemType("key-encryption-key-mismatch", "Wrong key-encryption key", 503,
                "This host's KEY_ENCRYPTION_KEY cannot decrypt the store's signing keys, so "
                "it refuses to sign or to change keys (nothing was changed). Other hosts "
                "with the right key keep working.",
                "Give this host the KEY_ENCRYPTION_KEY the store's keys are encrypted under "
                "and restart it; /readyz says when it is ready."),
    ProblemType("last-admin", "Last admin", 409,
                "Removing this person, or making them an assessor, would leave the issuer "
                "with no admin on its staff, and so no one able to manage its staff, tokens "
                "and profile from the desk.",
                "Invite another admin first (or give someone the admin role), then change "
                "this person."),
    ProblemType("presentation-request-expired", "Presentation request expired", 410,
                "The employer's request for credentials takes answers until the date it "
                "was given, and each exchange a wallet opens on it lasts 30 minutes; this "
                "one is past that.",
                "Open the request's link again for a new exchange, or ask the employer "
                "for a new request if the request itself has expired."),
    ProblemType("exchange-complete", "Exchange answered", 410,
                "This exchange (or OpenID4VP state) was answered already: each takes one "
                "presentation.",
                "Open the request's link again to answer once more."),
    ProblemType("presentation-not-authenticated", "Presentation refused", 422,
                "The presentation does not answer this request: its authentication proof "
                "is missing, carries another challenge (nonce) or domain (client_id), is "
                "for another purpose, has expired, does not verify, or names a holder "
                "other than the DID that signed. reason says which. Nothing was recorded "
                "and the exchange is still open.",
                "Sign the presentation again with proofPurpose authentication, the "
                "challenge and domain this exchange gave, by a key of the holder's DID."),
    ProblemType("presentation-request-full", "Presentation request full", 409,
                "The request has the 200 answers it keeps (answers past the retention "
                "period aside): it takes no more, so that its results stay readable.",
                "Ask the employer for a new request."),
    ProblemType("vp-token-not-of-query", "vp_token does not answer the query", 400,
                "An OpenID4VP vp_token must hold, under each id of the request's DCQL "
                "credential queries, one presentation (none of our queries allows "
                "multiple), at most as many presentations as the query has credential "
                "queries, all of one holder and within the credentials and work one answer "
                "may cost. error is invalid_request (OpenID4VP 1.0, section 8.5).",
                "Answer each credential query of the request with one presentation signed "
                "by the holder's own key."),
    ProblemType("framework-data", "Competency data refused", 422,
                "A competency model, level framework or crosswalk being imported breaks its "
                "schema or the catalogue's rules (an unknown level, a competency the model "
                "lacks, a changed file under the same version). errors[] names the file and "
                "the line or JSON pointer; nothing was imported.",
                "Correct the file where errors[] points (or give a changed file a new "
                "version) and import all the files again; --dry-run shows what would "
                "change."),
    ProblemType("platform-issuer", "The service's own identity", 403,
                "This issuer is the service's own identity (the platform), which signs the "
                "learner records learners build of their own credentials. It is no "
                "employer: it has no API tokens and no staff, so nobody issues as it.",
                "Create an issuer of your own (flask --app wsgi issuers create) and work "
                "with its tokens and staff."),
    ProblemType("no-platform", "No platform identity yet", 404,
                "Learners' own records are signed by the service's own identity, which "
                "`flask --app wsgi init` makes; this service has not been initialised "
                "since that identity was added.",
                "The operator runs `flask --app wsgi init` (safe to run again: it changes "
                "nothing else)."),
)}


class Problem(Exception):
    """An error the web layer raises to answer with problem details (services raise a
    ``DomainError``, which ``from_domain`` turns into one).

    ``errors`` lists field-level problems as ``{"pointer": "/json/pointer", "detail": "..."}``.
    """

    def __init__(self, status: int, title: str, detail: str, *, type_: str = "about:blank",
                 errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra


def validation_problem(errors: list[dict[str, str]], detail: str | None = None) -> Problem:
    """422 for the web layer's own checks, worded as a service's ``invalid_fields``."""
    return from_domain(invalid_fields(errors, detail))


def from_domain(error: DomainError, headers: dict[str, str] | None = None) -> Problem:
    """The problem details for a service's refusal: its kind's status, its code as the
    problem type, its detail, field errors and extra members unchanged; ``headers`` are
    the web layer's own (a 401's challenge)."""
    return Problem(STATUS[error.kind], error.title, error.detail, type_=error.code,
                   errors=error.errors, headers=headers, **error.extra)


def problem_response(problem: Problem) -> Response:
    if problem.status == 404 and prefers_html(PROBLEM_JSON, "application/json"):
        page = render_template("not_found.html", detail=problem.detail)
        return negotiated(Response(page, status=404, mimetype="text/html"))
    body: dict[str, Any] = {"type": problem.type, "title": problem.title,
                            "status": problem.status, "detail": problem.detail,
                            "instance": request.path}
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON)
    response.headers.update(problem.headers)
    return negotiated(response) if problem.status == 404 else response


def _from_http_exception(error: HTTPException) -> Response:
    detail = error.description or error.name
    headers = {}
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        detail = f"{request.method} is not allowed here; use {headers['Allow']}"
    if error.code == 404:
        detail = f"nothing at {request.path}"
    return problem_response(Problem(error.code or 500, error.name, detail, headers=headers))


def _from_store_outage(error: DBAPIError) -> Response:
    """The database went away (a restart, a failover): nothing was written, retry shortly."""
    if not error.connection_invalidated and not isinstance(error, OperationalError | \
                                                           InterfaceError):
        return _from_unexpected(error)
    log.warning("store unavailable on %s %s: %s", request.method, request.path,
                type(error.orig).__name__)
    return problem_response(Problem(503, "Service Unavailable",
                                    "the store is unavailable for a moment; nothing was "
                                    "changed, and it is safe to retry",
                                    headers={"Retry-After": "1"}))


def _from_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(Problem(500, "Internal Server Error",
                                    "the service failed to handle this request; nothing was "
                                    "changed, and it is safe to retry"))


def init_app(app: Flask) -> None:
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(DomainError, lambda error: problem_response(from_domain(error)))
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(DBAPIError, _from_store_outage)
    app.register_error_handler(Exception, _from_unexpected)
