"""Presentation requests answered over W3C VC API exchanges (as the Learner Credential Wallet
answers them): the request's interaction URL (``?iuv=1``: the ``protocols`` object; else a
page for the candidate with QR codes) and its exchange, where a wallet POSTs ``{}`` for the
verifiablePresentationRequest and then its presentation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, render_template, request

from issuer.services.presentation_requests import interaction_url
from issuer.services.presentation_requests_answers import (
    public_request,
    vcapi_answer,
    vcapi_request,
)
from issuer.services.presentation_requests_openid import signed_link, unsigned_request_link
from issuer.services.wallet_links import qr_svg
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.requests import json_body

bp = Blueprint("presentation_exchanges", __name__)


def exchange_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/workflows/present/exchanges/{request_id}"


def domain(base_url: str) -> str:
    """The domain a holder's proof names: this service's host (and port)."""
    return urlsplit(base_url).netloc


@bp.get("/interactions/present/<request_id>")
def interaction(request_id: str) -> Any:
    context = service_context()
    base_url = context.base_url
    asked, issuer, shown = public_request(session(), request_id)
    if request.args.get("iuv") == "1":
        return {"protocols": {"vcapi": exchange_url(base_url, asked.id),
                              "OID4VP": signed_link(base_url, issuer.slug, asked.id)}}
    link = interaction_url(base_url, asked.id)
    unsigned = unsigned_request_link(session(), context.kek, base_url, asked.id)
    return render_template(
        "present.html", request=asked, issuer=issuer, shown=shown, link=link,
        signed=signed_link(base_url, issuer.slug, asked.id), unsigned=unsigned,
        link_qr=qr_svg(link, "QR code of the request's link, for VC API wallets"),
        unsigned_qr=qr_svg(unsigned, "QR code of the OpenID4VP request"))


@bp.post("/workflows/present/exchanges/<request_id>")
def exchange(request_id: str) -> Any:
    """``{}`` opens an exchange; ``{"verifiablePresentation": ...}`` answers one."""
    context = service_context()
    body = json_body()
    if "verifiablePresentation" in body:
        vcapi_answer(session(), context, request_id, body["verifiablePresentation"],
                     domain(context.base_url))
        return {}
    return {"verifiablePresentationRequest": vcapi_request(session(), context.kek,
                                                           request_id,
                                                           domain(context.base_url))}
