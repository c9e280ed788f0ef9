"""The JSON API under /api/v1: frameworks, completions (single and batch) and their jobs,
credentials and their status, learner records (CLRs), keys, tokens and the audit trail."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from credentials.frameworks import FrameworkDataError
from credentials.frameworks.imports import read_imports
from issuer.operations import imports
from issuer.services import (
    audit,
    batches,
    completions,
    credential_status,
    credentials,
    issuers,
    keys,
    learner_records,
    mail_log,
    notifications,
    oid4vci,
    tokens,
)
from issuer.services.catalog import catalog, import_for_issuer
from issuer.services.errors import DomainError
from issuer.services.framework_views import framework_summary, model_view
from issuer.services.idempotency import StoredResponse
from issuer.services.request_schemas import COMPLETION
from issuer.store import session
from issuer.web.auth import current_caller
from issuer.web.context import service_context
from issuer.web.problems import Problem, validation_problem
from issuer.web.requests import (
    LEARNER_RECORD,
    STATUS_CHANGE,
    TOKEN,
    WALLET_OFFER,
    checked_body,
    json_body,
    validated,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


def _base_url() -> str:
    return service_context().base_url


@bp.get("/frameworks")
def list_frameworks() -> Any:
    data = catalog(session())
    return {"frameworks": [framework_summary(cw, _base_url())
                           for cw in data.crosswalks.values()]}


@bp.get("/frameworks/<model_id>")
def get_framework(model_id: str) -> Any:
    try:
        crosswalk = catalog(session()).crosswalk_for(model_id)
    except KeyError:
        raise Problem(404, "Not Found", f"no competency model {model_id!r}") from None
    return model_view(crosswalk, _base_url())


@bp.post("/issuers/<slug>/completions")
def post_completion(slug: str) -> Any:
    caller = current_caller()
    body = checked_body(COMPLETION)
    result = completions.record_completion(
        session(), caller, slug, completions.CompletionRequest.from_json(body), body,
        request.headers.get("Idempotency-Key"), _base_url(), service_context().kek)
    return _created(result)


def _created(result: StoredResponse) -> Response:
    """201 (or the replayed status) with Location, marking replays of an Idempotency-Key."""
    response = jsonify(result.body)
    response.status_code = result.status
    response.headers["Location"] = result.body["url"]
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/issuers/<slug>/completions:batch")
def post_batch(slug: str) -> Any:
    """Many completions (a JSON array, or text/csv): every row checked first, valid rows
    issued; small batches before the answer (201), larger ones in the background (202)."""
    caller = current_caller()
    if request.mimetype == "text/csv":
        try:
            text = request.get_data().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Problem(400, "Bad Request", "the CSV file is not UTF-8") from None
        batch = batches.from_csv(text)
    else:
        batch = batches.from_json(json_body(expect_object=False))
    context = service_context()
    job, replayed = batches.create_job(session(), caller, slug, batch,
                                       request.headers.get("Idempotency-Key"), context.kek)
    valid = job.total - batches.invalid_rows(job)
    done = False
    if not replayed and valid <= current_app.config["BATCH_INLINE_ROWS"]:
        try:
            done = batches.run_job(context.sessions, job.id, context.base_url, context.kek)
        except DomainError as error:  # the host cannot sign: the rest is left pending
            imports.send(job.id, valid)
            raise _recorded(slug, job.id, error.detail, error.code) from None
        except Exception:  # the rows issued so far stay issued: the answer must say so
            log.exception("batch job %s stopped; left to the task workers", job.id)
    if not done and job.finished_at is None:
        imports.send(job.id, valid)
    try:
        view = batches.get_job(session(), caller, slug, job.id, _base_url())
    except Exception:
        log.exception("batch job %s: its view could not be read", job.id)
        raise _recorded(slug, job.id, "its state could not be read") from None
    response = jsonify(view)
    response.status_code = 200 if replayed else 201 if view["status"] == "done" else 202
    response.headers["Location"] = view["url"]
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _recorded(slug: str, job_id: str, cause: str, type_: str = "about:blank") -> Problem:
    """503 for a batch recorded as a job but not finished here: the job and where to follow
    it, so a client does not send it again (which would issue its rows twice)."""
    url = f"{_base_url()}/api/v1/issuers/{slug}/jobs/{job_id}"
    return Problem(503, "Service Unavailable", f"the batch was recorded as job {job_id} "
                   f"but not finished here ({cause}); some of its rows may already be issued "
                   "and the rest are issued in the background (or by `flask jobs resume`). "
                   f"See {url}; send it again only with the same Idempotency-Key.",
                   type_=type_, job=job_id, headers={"Location": url, "Retry-After": "1"})


@bp.get("/issuers/<slug>/jobs/<job_id>")
def get_job(slug: str, job_id: str) -> Any:
    return batches.get_job(session(), current_caller(), slug, job_id, _base_url())


@bp.get("/issuers/<slug>/audit")
def get_audit(slug: str) -> Any:
    """Who did what, when (admins): ?action=credential.revoke&before=<id>&limit=100."""
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 500)
        before = int(request.args["before"]) if "before" in request.args else None
    except ValueError:
        raise Problem(400, "Bad Request", "limit and before must be integers") from None
    return audit.list_events(session(), current_caller(), slug, request.args.get("action"),
                             before, limit)


@bp.get("/issuers/<slug>/credentials")
def get_credentials(slug: str) -> Any:
    """A page of credentials, newest first: ?limit=100 (at most 500)&cursor=<next>."""
    caller = current_caller()
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), credentials.MAX_PAGE)
    except ValueError:
        raise Problem(400, "Bad Request", "limit must be an integer") from None
    page, after = credentials.list_credentials(
        session(), caller, slug, request.args.get("learner"), _base_url(), limit,
        request.args.get("cursor"))
    return {"credentials": page, "next": after}


@bp.post("/issuers/<slug>/credentials/<credential_id>/<any(revoke, suspend, reinstate):action>")
def post_status_change(slug: str, credential_id: str, action: str) -> Any:
    caller = current_caller()
    body = validated(json_body(), STATUS_CHANGE) if request.content_length else {}
    return credential_status.change_status(session(), slug, credential_id, action,
                                           body.get("reason"), caller)


@bp.post("/issuers/<slug>/credentials/<credential_id>/offers")
def post_wallet_offer(slug: str, credential_id: str) -> Any:
    """An OpenID4VCI offer of the credential for the learner's wallet, to show them."""
    caller = current_caller()
    body = checked_body(WALLET_OFFER) if request.content_length else {}
    answer = oid4vci.employer_offer(session(), service_context().kek, _base_url(), caller,
                                    slug, credential_id, body.get("txCode", False))
    return answer, 201


@bp.post("/issuers/<slug>/learners/clr")
def post_learner_record(slug: str) -> Any:
    caller = current_caller()
    body = checked_body(LEARNER_RECORD)
    result = learner_records.build_learner_record(
        session(), caller, slug, body["email"], body.get("credentialIds"),
        request.headers.get("Idempotency-Key"), _base_url(), service_context().kek,
        body.get("format", "data-integrity"), body.get("algorithm", "RS256"))
    return _created(result)


@bp.post("/issuers/<slug>/keys/rotate")
def post_key_rotation(slug: str) -> Any:
    return keys.rotate_keys(session(), current_caller(), slug, service_context().kek)


@bp.post("/issuers/<slug>/keys/<kid>/revoke")
def post_key_revocation(slug: str, kid: str) -> Any:
    return keys.revoke(session(), current_caller(), slug, kid, service_context().kek)


@bp.post("/issuers/<slug>/tokens")
def post_token(slug: str) -> Any:
    """A new token (admins); the token itself is in this answer only."""
    caller = current_caller()
    body = checked_body(TOKEN)
    expires_at = None
    if "expiresAt" in body:
        try:
            expires_at = tokens.parse_expiry(body["expiresAt"], datetime.now(UTC))
        except ValueError as error:
            raise validation_problem([{"pointer": "/expiresAt", "detail": str(error)}]) from None
    return issuers.create_token(session(), slug, body["role"], body.get("label"), caller,
                                expires_at), 201


@bp.get("/issuers/<slug>/tokens")
def get_tokens(slug: str) -> Any:
    """The issuer's tokens (admins): ids, roles, labels, status and times, never a token."""
    return issuers.list_tokens(session(), slug, current_caller())


@bp.post("/issuers/<slug>/tokens/<int:token_id>/revoke")
def post_token_revocation(slug: str, token_id: int) -> Any:
    """Revoke a token (admins): refused from the next request on, its desk sessions ended."""
    return issuers.revoke_token(session(), slug, token_id, current_caller())


@bp.get("/issuers/<slug>/settings")
def get_settings(slug: str) -> Any:
    """The issuer's settings (admins): whether learners are emailed on issue."""
    return notifications.mail_settings(session(), current_caller(), slug)


@bp.patch("/issuers/<slug>/settings")
def patch_settings(slug: str) -> Any:
    """Change the settings the body names (admins): {"learnerMail": false} opts out."""
    caller = current_caller()
    body = validated(json_body(), notifications.SETTINGS)
    return notifications.mail_settings(session(), caller, slug, body.get("learnerMail"))


@bp.get("/issuers/<slug>/mail")
def get_mail(slug: str) -> Any:
    """The issuer's outgoing mail, newest first: ?state=failed&before=<id>&limit=100."""
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), mail_log.MAX_PAGE)
        before = int(request.args["before"]) if "before" in request.args else None
    except ValueError:
        raise Problem(400, "Bad Request", "limit and before must be integers") from None
    return mail_log.list_mail(session(), current_caller(), slug, request.args.get("state"),
                              before, limit)


FRAMEWORK_IMPORT = {
    "type": "object", "required": ["files"], "additionalProperties": False,
    "properties": {
        "files": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
            "type": "object", "required": ["name", "content"], "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 200,
                         "pattern": r"^[^/\\]+\.(json|csv|JSON|CSV)$"},
                "content": {"type": "string", "minLength": 1, "maxLength": 2_000_000}}}},
        "dryRun": {"type": "boolean"},
    },
}


@bp.post("/issuers/<slug>/frameworks")
def post_framework_import(slug: str) -> Any:
    """Import models, level frameworks and crosswalks (admins): all files or none; a file
    imported again changes nothing; ``dryRun`` says what would change."""
    caller = current_caller()
    body = validated(json_body(), FRAMEWORK_IMPORT)
    files = body["files"]
    try:
        documents = read_imports((file["name"], file["content"].encode("utf-8"))
                                 for file in files)
    except FrameworkDataError as error:
        index = {file["name"]: i for i, file in reversed(list(enumerate(files)))}
        each = error.each
        raise validation_problem(
            [{**one.as_json(), "pointer": f"/files/{index.get(one.source, 0)}/content"}
             for one in each],
            detail=str(each[0]) if len(each) == 1
            else f"{len(each)} mistakes; the first: {each[0]}") from None
    changes = import_for_issuer(session(), caller, slug, documents, body.get("dryRun", False))
    return {"dryRun": body.get("dryRun", False), "changes": [c.as_json() for c in changes]}
