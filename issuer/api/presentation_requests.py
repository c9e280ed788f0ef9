"""Presentation requests over the API (/api/v1/issuers/<slug>/presentation-requests): a
hiring employer's staff create them, list them and read each with its answers; and how long
the issuer keeps answers (presentation-settings)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from issuer.services import presentation_requests as requests
from issuer.services.presentation_requests_openid import signed_link
from issuer.store import session
from issuer.web.auth import current_caller
from issuer.web.context import service_context
from issuer.web.requests import json_body

bp = Blueprint("presentation_requests", __name__, url_prefix="/api/v1/issuers/<slug>")


def _view(slug: str, presentation_request: Any, answers: int | None = None
          ) -> dict[str, Any]:
    base_url = service_context().base_url
    view = requests.request_view(presentation_request, base_url, slug, answers)
    view["openid4vp"] = signed_link(base_url, slug, presentation_request.id)
    return view


@bp.post("/presentation-requests")
def create(slug: str) -> Any:
    caller = current_caller()
    made = requests.create_request(session(), caller, slug, json_body())
    view = _view(slug, made, 0)
    return view, 201, {"Location": view["url"]}


@bp.get("/presentation-requests")
def list_all(slug: str) -> Any:
    caller = current_caller()
    return {"presentationRequests": [_view(slug, made, answers) for made, answers
                                     in requests.list_requests(session(), caller, slug)]}


@bp.get("/presentation-requests/<request_id>")
def get_one(slug: str, request_id: str) -> Any:
    caller = current_caller()
    limit = request.args.get("limit", str(requests.ANSWERS_PAGE))
    page = requests.request_with_answers(
        session(), caller, slug, request_id, cursor=request.args.get("cursor"),
        limit=int(limit) if limit.isdigit() and len(limit) <= 4 else 0)
    view = _view(slug, page.request)
    view["answers"] = [requests.answer_view(answer) for answer in page.answers]
    view["answerCount"], view["nextCursor"] = page.total, page.next_cursor
    return view


@bp.route("/presentation-settings", methods=["GET", "PUT"])
def settings(slug: str) -> Any:
    caller = current_caller()
    days = json_body().get("answerRetentionDays") if request.method == "PUT" else None
    if request.method == "PUT" and days is None:
        days = 0  # refused by the service, naming the field
    return {"answerRetentionDays": requests.retention_days(session(), caller, slug, days)}
