"""1EdTech Open Badges 3.0 API: the service description document, the learner's credentials
and profile under ``/ims/ob/v3p0``, and the OAuth 2.0 endpoints clients register with and
get tokens from (``/oauth/register``, ``/oauth/token``, ``/oauth/revoke``). The learner's
side of the authorization (sign-in and consent) is issuer.pages.consent.

Errors of the resource endpoints are ``imsx_StatusInfo``, as the specification requires;
those of the OAuth endpoints are RFC 6749/7591 error objects, as those RFCs require."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from credentials.verify.limits import parse_json
from issuer.operations.rate_limits import spend
from issuer.services import oauth_server, ob_api
from issuer.services.ob_api import ApiRefusal, status_info
from issuer.web.context import service_context

bp = Blueprint("ob_api", __name__)
PREFIX = "/ims/ob/v3p0"
# Registrations per client address per hour: a client registers once per deployment.
REGISTRATIONS = ("oauth registration per address", 30, 3600)
# A registration's metadata, kept for as long as the client exists: a few URLs and names.
MAX_REGISTRATION_BYTES = 16 * 1024


@bp.errorhandler(ApiRefusal)
def _refused(refusal: ApiRefusal) -> Response:
    response = jsonify(status_info(refusal.minor, refusal.description))
    response.status_code = refusal.status
    if refusal.status in (401, 403):
        challenge = ", ".join(filter(None, ['realm="Open Badges API"', refusal.challenge]))
        response.headers["WWW-Authenticate"] = f"Bearer {challenge}"
    return response


# imsx_StatusInfo's code minor for what the service answers as problem details elsewhere.
MINORS = {400: "invalid_data", 401: "unauthorizedrequest", 403: "forbidden",
          404: "not_found", 405: "not_allowed", 406: "not_acceptable", 413: "invalid_data",
          415: "invalid_data", 429: "server_busy", 500: "internal_server_error"}


@bp.after_app_request
def _imsx_under_prefix(response: Response) -> Response:
    """Under /ims/ob/v3p0 every error is imsx_StatusInfo, as the specification wants, also
    those no handler of ours answers (an unknown path, another method, a body over the
    size cap), which the rest of the service answers as problem details."""
    if response.mimetype != "application/problem+json" or \
            not (request.path + "/").startswith(PREFIX + "/"):
        return response
    problem = response.get_json(silent=True) or {}
    body = status_info(MINORS.get(response.status_code, "unknown"),
                       str(problem.get("detail") or problem.get("title") or ""))
    response.set_data(json.dumps(body))
    response.mimetype = "application/json"
    return response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _json() -> Any:
    """The JSON body within the project's caps (depth, size, array length); None for
    another media type. ValueError for a body that is not JSON or over a cap (a deeply
    nested one would otherwise end in a RecursionError, a 500)."""
    return parse_json(request.get_data(), "the body") if request.is_json else None


def _grant(scope: str) -> ob_api.Grant:
    with service_context().sessions() as db:
        return ob_api.authenticate(db, request.headers.get("Authorization"), scope)


@bp.get(f"{PREFIX}/discovery")
def discovery() -> Any:
    return jsonify(ob_api.discovery(service_context().base_url))


@bp.get(f"{PREFIX}/credentials")
def get_credentials() -> Any:
    grant = _grant(ob_api.READ_CREDENTIALS)
    with service_context().sessions() as db:
        page = ob_api.credentials_page(db, grant.email, request.args.get("limit"),
                                       request.args.get("offset"), request.args.get("since"))
    response = jsonify(page.body)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = ob_api.page_links(request.base_url, page,
                                                 request.args.get("since"))
    return _no_store(response)


@bp.post(f"{PREFIX}/credentials")
def upsert_credential() -> Any:
    grant = _grant(ob_api.UPSERT_CREDENTIALS)
    with service_context().sessions() as db:
        status, text, is_jwt = ob_api.upsert(db, service_context(), grant, request.get_data(),
                                             request.content_type or "")
    return _no_store(Response(text, status=status,
                              mimetype="text/plain" if is_jwt else "application/json"))


@bp.get(f"{PREFIX}/profile")
def get_profile() -> Any:
    grant = _grant(ob_api.READ_PROFILE)
    with service_context().sessions() as db:
        return _no_store(jsonify(ob_api.get_profile(db, grant.email)))


@bp.put(f"{PREFIX}/profile")
def put_profile() -> Any:
    grant = _grant(ob_api.UPDATE_PROFILE)
    try:
        body = _json()
    except ValueError as error:
        raise ApiRefusal(400, "invalid_data", f"the body is not acceptable JSON: {error}") \
            from None
    with service_context().sessions() as db:
        return _no_store(jsonify(ob_api.put_profile(db, grant.email, body)))


def _http_request(**extra: Any) -> oauth_server.HttpRequest:
    return oauth_server.HttpRequest(request.method, request.url, dict(request.headers),
                                    request.form.to_dict(flat=True), **extra)


def _answer(answer: oauth_server.Answer) -> Response:
    body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
    response = Response(body, status=answer.status, headers=answer.headers,
                        mimetype="application/json")
    return _no_store(response)


@bp.post("/oauth/register")
def register() -> Any:
    address = request.remote_addr or "unknown"
    name, limit, period = REGISTRATIONS
    if not spend(name, hashlib.sha256(address.encode()).hexdigest(), limit, period):
        return _answer(oauth_server.Answer(429, {
            "error": "invalid_request", "error_description": "too many registrations from "
            "this address: try again in an hour"}, [("Retry-After", str(period))]))
    if len(request.get_data()) > MAX_REGISTRATION_BYTES:
        return _answer(oauth_server.Answer(400, {
            "error": "invalid_client_metadata", "error_description":
            f"the metadata is more than {MAX_REGISTRATION_BYTES} bytes"}, []))
    try:
        body = _json()
    except ValueError as error:
        return _answer(oauth_server.Answer(400, {
            "error": "invalid_client_metadata",
            "error_description": f"the body is not acceptable JSON: {error}"}, []))
    with service_context().sessions() as db:
        return _answer(oauth_server.register(db, _http_request(json=body)))


@bp.post("/oauth/token")
def token() -> Any:
    with service_context().sessions() as db:
        return _answer(oauth_server.token(db, _http_request()))


@bp.post("/oauth/revoke")
def revoke() -> Any:
    with service_context().sessions() as db:
        return _answer(oauth_server.revoke(db, _http_request()))
