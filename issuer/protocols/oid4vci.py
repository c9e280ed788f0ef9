"""OpenID4VCI 1.0 (final): metadata, Credential Offers by reference, the token, nonce and
credential endpoints. The credential issuer identifier is ``PUBLIC_BASE_URL``; its metadata
sits at the well-known path inserted before the base URL's path (section 12.2.2), so behind
a proxy serving us at ``https://host/cc`` the proxy must send
``/.well-known/openid-credential-issuer/cc`` here (docs/openid4vci.md).

Errors on the OAuth endpoints are what RFC 6749, RFC 6750 and OpenID4VCI say: a JSON object
with ``error`` and ``error_description``, never cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, jsonify, request

from issuer.services import oid4vci, oid4vci_grants
from issuer.services.oid4vci_grants import Oid4vciError
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("oid4vci", __name__)

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
SERVER_WELL_KNOWN = "/.well-known/oauth-authorization-server"


def _no_store(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _refusal(error: Oid4vciError) -> Response:
    """400, or 401 with a Bearer challenge for a bad access token (RFC 6750 section 3)."""
    body = {"error": error.error, "error_description": error.description}
    if error.error == "invalid_token":
        challenge = (f'Bearer error="invalid_token", '
                     f'error_description="{error.description}"')
        return _no_store(body, 401, {"WWW-Authenticate": challenge})
    return _no_store(body, 400)


def _for_our_path(tail: str) -> None:
    """The well-known documents answer for our identifier's path only."""
    path = urlsplit(service_context().base_url).path.rstrip("/")
    if ("/" + tail if tail else "") != path:
        abort(404)


@bp.get(ISSUER_WELL_KNOWN, defaults={"tail": ""})
@bp.get(ISSUER_WELL_KNOWN + "/<path:tail>")
def issuer_metadata(tail: str) -> Any:
    _for_our_path(tail)
    return oid4vci.issuer_metadata(service_context().base_url)


@bp.get(SERVER_WELL_KNOWN, defaults={"tail": ""})
@bp.get(SERVER_WELL_KNOWN + "/<path:tail>")
def authorization_server_metadata(tail: str) -> Any:
    _for_our_path(tail)
    return oid4vci.authorization_server_metadata(service_context().base_url)


@bp.get("/oid4vci/offers/<offer_id>")
def credential_offer(offer_id: str) -> Any:
    """The Credential Offer object (by reference); 404 or 410 problem details otherwise."""
    context = service_context()
    return _no_store(oid4vci.credential_offer(session(), context.kek, context.base_url,
                                              offer_id))


@bp.post("/oid4vci/token")
def token() -> Any:
    if request.mimetype != "application/x-www-form-urlencoded":
        return _refusal(Oid4vciError("invalid_request", "the token request is "
                                     "application/x-www-form-urlencoded"))
    try:
        return _no_store(oid4vci_grants.exchange_pre_authorized_code(session(), request.form))
    except Oid4vciError as error:
        return _refusal(error)


@bp.post("/oid4vci/nonce")
def nonce() -> Any:
    return _no_store({"c_nonce": oid4vci_grants.new_nonce(session())})


@bp.post("/oid4vci/credential")
def credential() -> Any:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else None
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    context = service_context()
    try:
        return _no_store(oid4vci_grants.issue_credential(
            session(), context.kek, context.base_url, token, body))
    except Oid4vciError as error:
        return _refusal(error)
