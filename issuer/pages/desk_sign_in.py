"""How people sign in to the desk: an emailed single-use link, or the employer's single
sign-on (OpenID Connect). API-token sign-in stays in issuer.pages.desk for machines and the
first admin.

The session cookie is SameSite=Strict, so it is not sent when a mail client or a sign-in
provider (another site) sends the browser here. The link page therefore asks for a click
before it uses the link (which also stops mail scanners that open links from spending it),
and the provider's answer is checked against a separate, signed, Lax cookie that lives only
for the round trip."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from issuer.operations.rate_limits import spend
from issuer.pages.desk import _csrf, _limits, _require_csrf
from issuer.services import oidc, sign_in
from issuer.services.errors import DomainError
from issuer.web.context import service_context
from issuer.web.problems import STATUS

bp = Blueprint("desk_sign_in", __name__, url_prefix="/desk")
PENDING_COOKIE = "desk_sso"
PENDING_SECONDS = 600  # the round trip to the provider must finish within this
# Link requests: per address (hashed) and per client address, within each window.
LINK_LIMITS = (("email", 5, 900), ("address", 30, 900))


def sign_in_page(error: str | None = None, status: int = 200, notice: str | None = None
                 ) -> Any:
    """The desk's sign-in page: email link, single sign-on where offered, API token."""
    with service_context().sessions() as db:
        providers = oidc.offered(db)
    return render_template("desk_sign_in.html", csrf=_csrf(), error=error, notice=notice,
                           providers=providers), status


def _over_limit(email: str) -> bool:
    """Whether this request for a link is one too many (counted whether or not the address
    is known, so the limit reveals nothing)."""
    address = request.remote_addr or "unknown"
    # Per email *and* client: nobody elsewhere can spend a person's own allowance and lock
    # them out of signing in; the per-address limit bounds what one client can send.
    keys = {"email": hashlib.sha256(f"{email}\0{address}".encode()).hexdigest(),
            "address": address}
    return not all([spend(f"sign-in link per {name}", keys[name], limit, period)
                    for name, limit, period in LINK_LIMITS])


@bp.post("/sign-in/email")
def email_link() -> Any:
    _require_csrf()
    email = request.form.get("email", "").strip().lower()
    if "@" not in email or len(email) > 320:
        return sign_in_page("Not sent: enter your work email address.", 400)
    if _over_limit(email):
        return sign_in_page("Too many sign-in links asked for: wait a quarter of an hour "
                            "and try again.", 429)
    with service_context().sessions() as db:
        sign_in.request_link(db, email, service_context().base_url)
    return sign_in_page(notice=f"If {email} belongs to someone on an issuer's staff, a "
                               "sign-in link is on its way to it. The link works once, "
                               "within 15 minutes.")


@bp.get("/sign-in/email")
def email_link_again() -> Any:
    """The form's address opened in a browser (a bookmark, a reload): the sign-in page,
    not a 405."""
    return redirect(url_for("desk.desk"), 303)


@bp.get("/sign-in/link")
def link_page() -> Any:
    link = request.args.get("link", "")
    with service_context().sessions() as db:
        try:
            email, issuer = sign_in.describe(db, link)
        except DomainError as problem:
            return sign_in_page(f"Not signed in: {problem.detail}. Ask for a new link "
                                "below.", 401)
    return render_template("desk_sign_in_link.html", csrf=_csrf(), email=email,
                           issuer=issuer, link=link)


@bp.post("/sign-in/link")
def use_link() -> Any:
    _require_csrf()
    with service_context().sessions() as db:
        try:
            session_id = sign_in.redeem(db, request.form.get("link", ""), *_limits())
        except DomainError as problem:
            return sign_in_page(f"Not signed in: {problem.detail}. Ask for a new link "
                                "below.", 401)
    cookie.clear()  # a new session id and CSRF token at every sign-in
    cookie["sid"] = session_id
    return redirect(url_for("desk.desk"))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="desk-sso-pending")


def _callback_url(slug: str) -> str:
    return f"{service_context().base_url}/desk/sso/{slug}/callback"


@bp.get("/sso/<slug>")
def sso_start(slug: str) -> Any:
    """A link, not a form: the CSP's form-action 'self' stops a form's redirect to another
    site. Starting needs no CSRF token: the state, bound to this browser's cookie, is what
    stops a forged answer."""
    with service_context().sessions() as db:
        try:
            provider = oidc.load(db, service_context().kek, slug)
            url, pending = oidc.begin(provider, _callback_url(slug))
        except DomainError as problem:
            return sign_in_page(f"Single sign-on did not start: {problem.detail}.",
                                STATUS[problem.kind])
    response = redirect(url)
    response.set_cookie(PENDING_COOKIE, _serializer().dumps(pending.as_dict()),
                        max_age=PENDING_SECONDS, path="/desk/sso", httponly=True,
                        samesite="Lax",
                        secure=service_context().base_url.startswith("https://"))
    return response


@bp.get("/sso/<slug>/callback")
def sso_callback(slug: str) -> Any:
    try:
        kept = _serializer().loads(request.cookies.get(PENDING_COOKIE, ""),
                                   max_age=PENDING_SECONDS)
        pending = oidc.Pending.from_dict(kept)
    except (BadSignature, KeyError, TypeError):
        pending = None
    if pending is None or pending.slug != slug:
        return _refused("this browser did not start that sign-in, or took longer than ten "
                        "minutes; start again", 400)
    with service_context().sessions() as db:
        try:
            session_id = oidc.finish(db, service_context().kek, pending, request.args.to_dict(),
                                     _callback_url(slug), *_limits())
        except DomainError as problem:
            return _refused(problem.detail, STATUS[problem.kind])
    cookie.clear()
    cookie["sid"] = session_id
    # A page, not a redirect: the browser arrived from the provider's site, and the desk's
    # Strict cookie is sent only on a navigation that starts here.
    response = current_app.make_response(render_template("desk_signed_in.html"))
    response.delete_cookie(PENDING_COOKIE, path="/desk/sso")
    return response


def _refused(detail: str, status: int) -> Any:
    response = current_app.make_response(sign_in_page(f"Not signed in: {detail}.", status))
    response.delete_cookie(PENDING_COOKIE, path="/desk/sso")
    return response
