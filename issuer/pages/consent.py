"""The learner's side of an Open Badges API authorization: an application sends them to
``/me/authorize`` (under /me, where their sign-in cookie goes); the request is checked and
kept, they sign in by emailed link if they are not yet, read who asks for what, and allow
or deny (a CSRF-protected form). Either way they go back to the application's exact
redirect URI, with a single-use code or ``access_denied``. Also the privacy policy and terms
of service the service description document links to."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for

from issuer.operations.rate_limits import spend
from issuer.pages.learner import (
    AUTHORIZE_COOKIE,
    csrf,
    posted,
    sign_in_page,
    signed_in,
    signed_in_email,
)
from issuer.services import oauth_server
from issuer.services.errors import DomainError
from issuer.web.context import service_context
from issuer.web.problems import STATUS

bp = Blueprint("consent", __name__)
# Authorization requests per client address: each one kept is a row for 30 minutes, and
# anyone may send them, before any learner is involved.
REQUESTS = ("oauth authorization request per address", 60, 600)


def _redirect(answer: oauth_server.Answer) -> Response:
    return redirect(dict(answer.headers)["Location"], 302)


@bp.get("/me/authorize")
def authorize() -> Any:
    """Check the application's request, keep it, and move to its own page (a short URL the
    sign-in link can land on)."""
    query = request.args.to_dict(flat=True)
    if any(len(request.args.getlist(name)) > 1 for name in request.args):
        return render_template("consent_refused.html", reason="a parameter was sent twice"), \
            400
    name, limit, period = REQUESTS
    address = hashlib.sha256((request.remote_addr or "unknown").encode()).hexdigest()
    if not spend(name, address, limit, period):
        return render_template("consent_refused.html", reason="too many authorization "
                               "requests from this address: wait ten minutes"), 429, \
            {"Retry-After": str(period)}
    browser = _browser() or secrets.token_urlsafe(32)
    with service_context().sessions() as db:
        try:
            started = oauth_server.start_authorization(db, oauth_server.HttpRequest(
                "GET", request.url, dict(request.headers), query), browser)
        except DomainError as problem:
            return render_template("consent_refused.html", reason=problem.detail), \
                STATUS[problem.kind]
    response = redirect(url_for("consent.consent_page", handle=started), 303)
    if browser != _browser():  # Lax: sent on the emailed link's landing, a top-level GET
        response.set_cookie(AUTHORIZE_COOKIE, browser, path=request.script_root + "/me",
                            httponly=True, samesite="Lax",
                            secure=service_context().base_url.startswith("https://"))
    return response


def _browser() -> str | None:
    """This browser's nonce, which binds the authorization requests it started to it."""
    value = request.cookies.get(AUTHORIZE_COOKIE)
    return value if value and len(value) == 43 else None


@bp.get("/me/authorize/<handle>")
def consent_page(handle: str) -> Any:
    with service_context().sessions() as db:
        try:
            pending = oauth_server.pending(db, handle, _browser())
        except oauth_server.OtherBrowser as problem:
            if signed_in_email() is not None:  # an emailed link of someone else's request
                return redirect(url_for("learner.home"), 303)
            return render_template("consent_refused.html", reason=problem.detail), 403
        except DomainError as problem:
            return render_template("consent_refused.html", reason=problem.detail), \
                STATUS[problem.kind]
    email = signed_in_email()
    if email is None:
        return sign_in_page(notice=f"{pending.client_name} asks to see your credentials: "
                            "sign in first.", landing=f"/me/authorize/{handle}", status=401)
    response = Response(render_template("consent.html", csrf=csrf(), email=email,
                                        pending=pending, handle=handle))
    # The form's answer redirects to the application: its origin must be a form action.
    origin = oauth_server.redirect_origin(pending.redirect_uri) or ""  # parsed, rebuilt
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
        f"https:; object-src 'none'; base-uri 'none'; form-action 'self' {origin}; "
        "frame-ancestors 'none'")
    return response


@bp.post("/me/authorize/<handle>")
@posted
def decide(email: str, handle: str) -> Any:
    allow = request.form.get("decision") == "allow"
    with service_context().sessions() as db:
        try:
            answer = oauth_server.decide(db, handle, email, allow, _browser())
        except DomainError as problem:
            return render_template("consent_refused.html", reason=problem.detail), \
                STATUS[problem.kind]
    return _redirect(answer)


@bp.get("/privacy")
def privacy() -> Any:
    return render_template("ob_policy.html", page="privacy")


@bp.get("/terms")
def terms() -> Any:
    return render_template("ob_policy.html", page="terms")


@bp.get("/me/applications")
@signed_in
def applications(email: str) -> Any:
    """The applications the learner allowed, each with a button that withdraws it."""
    with service_context().sessions() as db:
        items = oauth_server.connections(db, email)
    return render_template("consent_applications.html", csrf=csrf(), items=items)


@bp.post("/me/applications/<int:grant_id>/withdraw")
@posted
def withdraw(email: str, grant_id: int) -> Any:
    with service_context().sessions() as db:
        try:
            oauth_server.disconnect(db, email, grant_id)
        except DomainError as problem:
            return render_template("consent_refused.html", reason=problem.detail), \
                STATUS[problem.kind]
    return redirect(url_for("consent.applications"), 303)
