"""W3C VC API: ``POST /credentials/issue``, ``POST /credentials/verify`` and
``POST /presentations/verify``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from credentials.baking import BakingError, extract
from credentials.proofs.jwt import unwrap
from credentials.vcdm import envelope_problems, is_envelope
from credentials.verify.limits import LimitExceeded, check_credential, check_presentation
from credentials.verify.presentation import presentation_envelope_problems, unwrap_presentation
from issuer.services.credentials import issue_credential
from issuer.services.presentation_verification import verify_held
from issuer.services.verification import verify
from issuer.store import session
from issuer.web.auth import current_caller
from issuer.web.context import service_context
from issuer.web.problems import Problem
from issuer.web.requests import json_body, limit_problem

bp = Blueprint("vc_api", __name__)


@bp.post("/credentials/issue")
def issue() -> Any:
    caller = current_caller()
    body = json_body()
    if "credential" not in body:
        raise Problem(400, "Bad Request", "/credential: the body needs a credential",
                      errors=[{"pointer": "/credential", "detail": "required"}])
    context = service_context()
    signed = issue_credential(session(), caller, body["credential"], body.get("options"),
                              context.base_url, context.kek, context.fetcher)
    return {"verifiableCredential": signed}, 201


BAKED = ("image/png", "image/svg+xml")


@bp.post("/credentials/verify")
def verify_endpoint() -> Any:
    """Verify a credential sent as ``{"verifiableCredential": ...}``, or a baked badge sent
    as the body itself (``image/png`` or ``image/svg+xml``)."""
    if request.mimetype in BAKED:
        try:
            body = {"verifiableCredential": extract(request.get_data())}
        except LimitExceeded as error:
            raise limit_problem(error) from None
        except BakingError as error:
            raise Problem(400, "Bad Request", f"no credential in the image: {error}") from None
    else:
        body = json_body()
    credential = body.get("verifiableCredential")
    try:
        check_credential(credential)
    except LimitExceeded as error:
        error.pointer = "/verifiableCredential" + error.pointer
        raise limit_problem(error) from None
    if not isinstance(credential, dict) and unwrap(credential) is None:
        raise Problem(400, "Bad Request",
                      "/verifiableCredential: the body needs a verifiableCredential: a JSON "
                      "object or a VC-JWT (compact JWS)",
                      errors=[{"pointer": "/verifiableCredential",
                               "detail": "required, a JSON object or a compact JWS"}])
    if is_envelope(credential) and (problems := envelope_problems(credential)):
        errors = [{"pointer": "/verifiableCredential" + pointer, "detail": detail}
                  for pointer, detail in problems]
        raise Problem(400, "Bad Request", f"{errors[0]['pointer']}: {errors[0]['detail']}",
                      errors=errors)
    if "options" in body and not isinstance(body["options"], dict):
        raise Problem(400, "Bad Request", "/options: must be a JSON object",
                      errors=[{"pointer": "/options", "detail": "must be a JSON object"}])
    report = verify(session(), credential, service_context())
    response = jsonify(report.as_json())
    response.status_code = 200 if report.verified else 422
    return response


def _bad(pointer: str, detail: str) -> Problem:
    return Problem(400, "Bad Request", f"{pointer}: {detail}",
                   errors=[{"pointer": pointer, "detail": detail}])


def _presentation_options(body: dict[str, Any]) -> dict[str, Any]:
    """``options.challenge`` and ``options.domain`` (strings, when given) and our
    ``options.requireHolderBinding`` (a boolean); other options (``checks``) are not ours
    to refuse."""
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise _bad("/options", "must be a JSON object")
    for name in ("challenge", "domain"):
        if name in options and not (isinstance(options[name], str) and options[name]):
            raise _bad(f"/options/{name}", "must be a non-empty string")
    required = options.get("requireHolderBinding", False)
    if not isinstance(required, bool):
        raise _bad("/options/requireHolderBinding", "must be true or false")
    return {"challenge": options.get("challenge"), "domain": options.get("domain"),
            "holder_binding_required": required}


@bp.post("/presentations/verify")
def verify_presentation_endpoint() -> Any:
    """Verify ``{"verifiablePresentation": ..., "options": {"challenge", "domain"}}``: 200
    verified, 422 not (the report says why), 400 when there is no presentation to verify."""
    body = json_body()
    presentation = body.get("verifiablePresentation")
    try:
        check_presentation(presentation)
    except LimitExceeded as error:
        error.pointer = "/verifiablePresentation" + error.pointer
        raise limit_problem(error) from None
    if not isinstance(presentation, dict) and unwrap_presentation(presentation) is None:
        raise _bad("/verifiablePresentation", "required: a JSON object, a VP-JWT (compact "
                   "JWS) or an EnvelopedVerifiablePresentation")
    if problems := presentation_envelope_problems(presentation):
        errors = [{"pointer": "/verifiablePresentation" + pointer, "detail": detail}
                  for pointer, detail in problems]
        raise Problem(400, "Bad Request", f"{errors[0]['pointer']}: {errors[0]['detail']}",
                      errors=errors)
    options = _presentation_options(body)
    report = verify_held(session(), presentation, service_context(), **options)
    response = jsonify(report.as_json())
    response.status_code = 200 if report.verified else 422
    return response
