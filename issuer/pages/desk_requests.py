"""The desk's presentation requests: staff ask candidates' wallets for credentials (which
competencies, at what level, from which issuers) and read what each answer proved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from issuer.pages.desk import _caller as signed_in
from issuer.pages.desk import _checked, _csrf
from issuer.services import presentation_requests as requests
from issuer.services.callers import Caller
from issuer.services.errors import DomainError
from issuer.services.presentation_requests_openid import signed_link, unsigned_request_link
from issuer.services.wallet_links import qr_svg
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("desk_requests", __name__, url_prefix="/desk")
ROWS = 5  # competency rows on the form


def _page(caller: Caller, error: str | None = None, status: int = 200) -> Any:
    try:
        listed = requests.list_requests(session(), caller, caller.issuer_slug)
    except DomainError as problem:
        return render_template("desk_requests.html", caller=caller, csrf=_csrf(), listed=[],
                               choices=[], rows=ROWS, error=problem.detail), 403
    return render_template("desk_requests.html", caller=caller, csrf=_csrf(), listed=listed,
                           choices=requests.competency_choices(session()), rows=ROWS,
                           error=error), status


@bp.get("/requests")
def request_list() -> Any:
    caller = signed_in()
    if caller is None:
        return redirect(url_for("desk.desk"))
    return _page(caller)


def _body(form: Any) -> dict[str, Any]:
    """The form as the API's JSON body."""
    competencies = [{"competency": code, "level": level} for code, level in
                    zip(form.getlist("competency"), form.getlist("level"), strict=False)
                    if code]
    issuers = [line.strip() for line in form.get("issuers", "").splitlines() if line.strip()]
    days = form.get("days", "14").strip()
    expires = (datetime.now(UTC) + timedelta(days=int(days))).isoformat() \
        if days.isdigit() and 0 < int(days) <= 365 else days
    return {"title": form.get("title", ""), "competencies": competencies,
            "acceptedIssuers": issuers or None, "expires": expires,
            "didAuthentication": form.get("did_auth") == "on"}


@bp.post("/requests")
@_checked
def create(caller: Caller) -> Any:
    try:
        made = requests.create_request(session(), caller, caller.issuer_slug,
                                       _body(request.form))
    except DomainError as problem:
        details = "; ".join(f"{e['pointer']}: {e['detail']}" for e in problem.errors)
        return _page(caller, details or problem.detail, 422)
    return redirect(url_for("desk_requests.results", request_id=made.id))


@bp.get("/requests/<request_id>")
def results(request_id: str) -> Any:
    caller = signed_in()
    if caller is None:
        return redirect(url_for("desk.desk"))
    context = service_context()
    base_url = context.base_url
    page = requests.request_with_answers(session(), caller, caller.issuer_slug, request_id,
                                         cursor=request.args.get("cursor"))
    made = page.request
    link = requests.interaction_url(base_url, made.id)
    is_open = made.expires_at > datetime.now(UTC)
    unsigned = unsigned_request_link(session(), context.kek, base_url, made.id) if is_open else None
    return render_template(
        "desk_request.html", caller=caller, request=made, is_open=is_open, link=link,
        view=requests.request_view(made, base_url, caller.issuer_slug),
        answers=[requests.answer_view(answer) for answer in page.answers],
        answer_count=page.total, next_cursor=page.next_cursor,
        signed=signed_link(base_url, caller.issuer_slug, made.id), unsigned=unsigned,
        link_qr=qr_svg(link, "QR code of the request's link"),
        unsigned_qr=qr_svg(unsigned, "QR code of the OpenID4VP request") if unsigned else "")
