"""Issuers' logos, at a stable public URL (the profile's ``image``; pages and badges)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from issuer.services.profile import logo
from issuer.store import session

bp = Blueprint("logos", __name__)


@bp.get("/issuers/<slug>/logo.png")
def issuer_logo(slug: str) -> Response:
    found = logo(session(), slug)
    response = Response(found.content, mimetype=found.media_type)
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response.make_conditional(request)
