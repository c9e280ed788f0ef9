"""OpenID4VP 1.0 for presentation requests: the signed request object a wallet fetches by
``request_uri`` (client identifier prefix ``decentralized_identifier:``, the issuer's
did:web), and the response endpoint the wallet posts its vp_token to (response_mode
direct_post)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from issuer.services.presentation_requests_openid import (
    REQUEST_OBJECT_TYPE,
    record_response,
    signed_request,
)
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("openid4vp", __name__)


@bp.get("/openid4vp/requests/<request_id>")
def request_object(request_id: str) -> Any:
    """A new exchange on the request, as a signed request object (each fetch its own nonce
    and state)."""
    context = service_context()
    token = signed_request(session(), context.kek, context.base_url, request_id)
    return Response(token, mimetype=f"application/{REQUEST_OBJECT_TYPE}",
                    headers={"Cache-Control": "no-store"})


@bp.post("/openid4vp/responses")
def response() -> Any:
    """The wallet's authorization response (form-encoded ``vp_token`` and ``state``)."""
    record_response(session(), service_context(), request.form.get("state"),
                    request.form.get("vp_token"))
    return {}
