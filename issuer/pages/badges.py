"""Badge images: the artwork per competency and level, and credentials baked into it."""

from __future__ import annotations

import json

from flask import Blueprint, Response

from credentials.baking import bake_png, bake_svg
from issuer.services.badge_image import BadgeText, badge_png, badge_svg
from issuer.services.badges import badge_text_for_credential
from issuer.services.catalog import catalog
from issuer.store import session
from issuer.web.problems import Problem

bp = Blueprint("badges", __name__)

MEDIA = {"svg": "image/svg+xml", "png": "image/png"}


def _image(text: BadgeText, extension: str) -> Response:
    if extension not in MEDIA:
        raise Problem(404, "Not Found", "badges are .svg or .png")
    body = badge_svg(text).encode() if extension == "svg" else badge_png(text)
    response = Response(body, mimetype=MEDIA[extension])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _text(model_id: str, competency_id: str, level: str | None) -> BadgeText:
    try:
        crosswalk = catalog(session()).crosswalk_for(model_id)
        competency = crosswalk.model.competency(competency_id)
    except KeyError:
        raise Problem(404, "Not Found", f"no competency {model_id}/{competency_id}") from None
    if level is not None and level not in (known.id for known in crosswalk.framework.levels):
        raise Problem(404, "Not Found", f"no level {level!r}")
    return BadgeText(competency.name, crosswalk.model.title, level=level)


@bp.get("/badges/<model_id>/<competency_id>.<extension>")
def competency_badge(model_id: str, competency_id: str, extension: str) -> Response:
    return _image(_text(model_id, competency_id, None), extension)


@bp.get("/badges/<model_id>/<competency_id>/<level>.<extension>")
def level_badge(model_id: str, competency_id: str, level: str, extension: str) -> Response:
    return _image(_text(model_id, competency_id, level), extension)


@bp.get("/credentials/<credential_id>/badge.<extension>")
def baked_badge(credential_id: str, extension: str) -> Response:
    """The credential (JSON-LD or VC-JWT, as issued) baked into its badge (OB 3.0 5.3)."""
    if extension not in MEDIA:
        raise Problem(404, "Not Found", "baked badges are .svg or .png")
    text, document = badge_text_for_credential(session(), credential_id)
    credential = json.loads(document) if document.startswith("{") else document
    if extension == "svg":
        body = bake_svg(badge_svg(text), credential).encode()
    else:
        body = bake_png(badge_png(text), credential)
    response = Response(body, mimetype=MEDIA[extension])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="credential-{credential_id}.{extension}"')
    return response
