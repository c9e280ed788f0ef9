"""VC API exchanges for wallets: ``GET /interactions/<offer_id>`` (the interaction URL) and
``POST /workflows/claim/exchanges/<offer_id>`` (the exchange).

Both answer any origin (CORS ``*``): the offer id in the URL is the only authority they
take, no cookie or token, so a web wallet may run the exchange from its own page as the
Learner Credential Wallet (a native app, which CORS does not concern) runs it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from issuer.services import exchanges, wallet_links
from issuer.services.errors import Unauthenticated
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.negotiation import negotiated, prefers_html
from issuer.web.problems import Problem, from_domain
from issuer.web.requests import json_body

bp = Blueprint("exchanges", __name__)

MESSAGE = "/problems/exchange-message"


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":  # a web wallet's preflight for its JSON POST
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/interactions/<offer_id>")
def interaction(offer_id: str) -> Any:
    """JSON ``{"protocols": ...}`` for a wallet (``?iuv=1``, Accept: application/json); a
    browser that opened the QR code's link gets a page saying to open it in a wallet."""
    context = service_context()
    if not prefers_html("application/json"):
        return negotiated(jsonify(exchanges.interaction(session(), context.base_url,
                                                         offer_id)))
    offer = exchanges.offer_view(session(), context.base_url, offer_id)
    page = render_template(
        "interaction.html", offer=offer, home=context.base_url + "/me",
        lcw_link=wallet_links.lcw_request_link(context.base_url, offer_id),
        dcc_link=wallet_links.dcc_request_link(context.base_url, offer_id),
        oid4vci_link=wallet_links.offer_by_reference(context.base_url, offer_id))
    status = {"open": 200, None: 404}.get(offer.state, 410)
    return negotiated(Response(page, status=status, mimetype="text/html"))


@bp.post("/workflows/claim/exchanges/<offer_id>")
def participate(offer_id: str) -> Any:
    """An empty body or ``{}`` starts the exchange (a DID Authentication request);
    ``{"verifiablePresentation": ...}`` answers it and receives the credential."""
    context = service_context()
    body = json_body() if request.get_data() else {}
    if not body:
        return exchanges.presentation_request(session(), context.base_url, offer_id)
    if not isinstance(body.get("verifiablePresentation"), dict):
        raise Problem(400, "Bad Request", "the body must be {} to start the exchange, or "
                      "{\"verifiablePresentation\": {...}} answering its request",
                      type_=MESSAGE, errors=[{"pointer": "/verifiablePresentation",
                                              "detail": "required, an object"}])
    try:
        return exchanges.take_offer(session(), context, offer_id,
                                    body["verifiablePresentation"])
    except Unauthenticated as error:  # a 401 names how to authenticate: the request's way
        realm = exchanges.domain(context.base_url)
        raise from_domain(error, {"WWW-Authenticate": f'DIDAuthentication realm="{realm}"'}
                          ) from None
