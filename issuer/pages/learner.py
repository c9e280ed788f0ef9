"""The technician's own place (/me): sign in by emailed link with the address their
credentials were issued to, see every credential issued to it by every issuer here, hide one
from their public list, turn that list on or off, and build their own learner record.

A learner is no account, only an email address that proved it reads its mail. The session
cookie (``learner``, path /me) is HttpOnly, SameSite=Lax (so the issue email's link arrives
signed in once the button is pressed) and Secure behind https; it holds a random id whose
SHA-256 the store keeps (issuer.services.learner_sessions). Every POST carries a CSRF token:
an HMAC of the session id once signed in, and before that (the sign-in forms) a random token
also kept in a Strict cookie (double submit)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session

from issuer.operations import learner_work, tasks
from issuer.operations.rate_limits import spend
from issuer.services import (
    learner_clr,
    learner_credentials,
    learner_sessions,
    learner_sign_in,
    learner_wallet,
    oauth_server,
)
from issuer.services.errors import DomainError
from issuer.web.context import service_context
from issuer.web.problems import STATUS

bp = Blueprint("learner", __name__)
SESSION_COOKIE = "learner"
CSRF_COOKIE = "learner_csrf"
AUTHORIZE_COOKIE = "learner_authorize"  # binds an OB API authorization to its browser
HOME = "/me"
# Link requests: per address and client together (nobody elsewhere can spend a person's own
# allowance), and per client address (what one client can make us send), in each window.
LINK_LIMITS = (("email", 5, 900), ("address", 30, 900))
OFFERS_PER_LEARNER = (30, 900)  # wallet offers a learner may make in a quarter of an hour


def _https() -> bool:
    return service_context().base_url.startswith("https://")


def _cookie_path() -> str:
    """/me under wherever the service is mounted (behind a proxy, a path of its own)."""
    return request.script_root + HOME


def _session_id() -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def signed_in_email() -> str | None:
    """The signed-in learner's email, from the store (a sign-out anywhere counts)."""
    if "learner_email" not in g:
        session_id = _session_id()
        with service_context().sessions() as db:
            g.learner_email = learner_sessions.resume(db, session_id) if session_id else None
    return g.learner_email


def csrf() -> str:
    """The token this page's forms carry."""
    session_id = _session_id()
    if session_id and signed_in_email():
        return learner_sessions.csrf_token(current_app.secret_key, session_id)
    if "learner_csrf" not in g:
        g.learner_csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return g.learner_csrf


def require_csrf() -> None:
    """The form's token must be this browser's (compared as bytes: any text may arrive)."""
    sent = request.form.get("csrf", "").encode()
    session_id = _session_id()
    expected = [request.cookies.get(CSRF_COOKIE, "")]
    if session_id:
        expected.append(learner_sessions.csrf_token(current_app.secret_key, session_id))
    if not sent or not any(token and secrets.compare_digest(sent, token.encode())
                           for token in expected):
        abort(400, description="the form has expired; reload the page and try again")


@bp.after_app_request
def _cookies(response: Response) -> Response:
    """Keep a new pre-sign-in CSRF token, and never cache the learner's own pages."""
    if "learner_csrf" in g and request.cookies.get(CSRF_COOKIE) != g.learner_csrf:
        response.set_cookie(CSRF_COOKIE, g.learner_csrf, path=_cookie_path(), httponly=True,
                            samesite="Strict", secure=_https())
    if request.path == HOME or request.path.startswith(HOME + "/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages for the signed-in learner: anyone else gets the sign-in page, which brings them
    back here afterwards (for the pages a link may land on)."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        email = signed_in_email()
        if email is None:
            return sign_in_page(landing=request.path, status=401)
        return view(email, *args, **kwargs)
    return wrapper


def posted(view: Callable[..., Any]) -> Callable[..., Any]:
    """POST handlers: a valid CSRF token and a signed-in learner, or nothing happens."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_csrf()
        email = signed_in_email()
        if email is None:
            return sign_in_page("You were signed out: sign in again.", 401)
        return view(email, *args, **kwargs)
    return wrapper


def sign_in_page(error: str | None = None, status: int = 200, notice: str | None = None,
                 landing: str | None = None) -> Any:
    return render_template("learner_sign_in.html", csrf=csrf(), error=error, notice=notice,
                           landing=learner_sign_in.landing_or_home(landing)), status


def _over_limit(email: str) -> bool:
    """Whether this request for a link is one too many (counted whether or not the address
    holds credentials, so the limit reveals nothing)."""
    address = request.remote_addr or "unknown"
    keys = {"email": hashlib.sha256(f"{email}\0{address}".encode()).hexdigest(),
            "address": address}
    return not all([spend(f"learner sign-in link per {name}", keys[name], limit, period)
                    for name, limit, period in LINK_LIMITS])


@bp.get("/me")
def home() -> Any:
    email = signed_in_email()
    if email is None:
        return sign_in_page()
    return _home(email)


def _home(email: str, errors: list[dict[str, str]] | None = None, status: int = 200) -> Any:
    context = service_context()
    with context.sessions() as db:
        items = learner_credentials.list_for(db, context.base_url, email)
        handle = learner_credentials.public_handle(db, email)
    public_url = f"{context.base_url}/learners/{handle}" if handle else None
    return render_template("learner_home.html", csrf=csrf(), email=email, items=items,
                           public_url=public_url, record_errors=errors or []), status


@bp.post("/me/sign-in")
def email_link() -> Any:
    require_csrf()
    email = request.form.get("email", "").strip().lower()
    landing = request.form.get("landing")
    if "@" not in email or len(email) > 320:
        return sign_in_page("Not sent: enter the email address your credentials were "
                            "issued to.", 400, landing=landing)
    if _over_limit(email):
        return sign_in_page("Too many sign-in links asked for: wait a quarter of an hour "
                            "and try again.", 429, landing=landing)
    # The same one enqueue whatever the address: a worker looks it up and, if it holds
    # credentials, writes the link and its mail. Done here, a link, a mail and a commit
    # against one SELECT would tell by the answer's time whose address holds credentials.
    # (Which consent page it may land on depends on this browser, not on the address.)
    with service_context().sessions() as db:
        landing, application = _consent_landing(db, landing)
    tasks.enqueue(learner_work.SEND_LINK, email, learner_sign_in.landing_or_home(landing),
                  application)
    return sign_in_page(notice=f"If credentials were issued to {email} here, a sign-in link "
                               "is on its way to it. The link works once, within 15 "
                               "minutes.", landing=landing)


def _consent_landing(db: Session, landing: str | None) -> tuple[str | None, str | None]:
    """A link lands on a consent page only when this browser started that authorization
    (else on /me: someone else's request, mailed to the learner, is consent phishing), and
    the mail then names the application and where it sends the learner."""
    prefix = "/me/authorize/"
    if not landing or not landing.startswith(prefix):
        return landing, None
    try:
        asked = oauth_server.pending(db, landing.removeprefix(prefix),
                                     request.cookies.get(AUTHORIZE_COOKIE))
    except DomainError:
        return None, None
    return landing, f"{asked.client_name} ({urlsplit(asked.redirect_uri).hostname})"


@bp.get("/me/sign-in")
def sign_in_again() -> Any:
    """The form's address opened in a browser (a bookmark, Enter in the address bar): its
    page, not a 405. A landing given is kept, checked like any other."""
    landing = learner_sign_in.landing_or_home(request.args.get("landing"))
    return redirect(request.script_root + landing, 303)


@bp.get("/me/sign-in/link")
def link_page() -> Any:
    link = request.args.get("link", "")
    with service_context().sessions() as db:
        try:
            email = learner_sign_in.describe(db, link)
        except DomainError as problem:
            return sign_in_page(f"Not signed in: {problem.detail}. Ask for a new link "
                                "below.", STATUS[problem.kind])
    return render_template("learner_sign_in_link.html", csrf=csrf(), email=email, link=link)


@bp.post("/me/sign-in/link")
def use_link() -> Any:
    require_csrf()
    with service_context().sessions() as db:
        try:
            session_id, landing = learner_sign_in.redeem(db, request.form.get("link", ""))
        except DomainError as problem:
            return sign_in_page(f"Not signed in: {problem.detail}. Ask for a new link "
                                "below.", STATUS[problem.kind])
    response = redirect(request.script_root + landing, 303)
    response.set_cookie(SESSION_COOKIE, session_id, path=_cookie_path(), httponly=True,
                        samesite="Lax", secure=_https(),
                        max_age=int(learner_sessions.LIFETIME.total_seconds()))
    return response


@bp.post("/me/sign-out")
def sign_out() -> Any:
    require_csrf()
    session_id = _session_id()
    if session_id:
        with service_context().sessions() as db:
            learner_sessions.end(db, session_id)
    response = redirect(url_for("learner.home"), 303)
    response.delete_cookie(SESSION_COOKIE, path=_cookie_path(), httponly=True, samesite="Lax",
                           secure=_https())
    return response


@bp.post("/me/credentials/<credential_id>/hidden")
@posted
def set_hidden(email: str, credential_id: str) -> Any:
    with service_context().sessions() as db:
        learner_credentials.set_hidden(db, email, credential_id,
                                       request.form.get("hidden") == "1")
    return redirect(url_for("learner.home", _anchor=f"credential-{credential_id}"), 303)


@bp.post("/me/public")
@posted
def set_public(email: str) -> Any:
    with service_context().sessions() as db:
        learner_credentials.set_public(db, email, request.form.get("public") == "1")
    return redirect(url_for("learner.home", _anchor="public"), 303)


@bp.get("/learners/<handle>")
def public_list(handle: str) -> Any:
    context = service_context()
    with context.sessions() as db:
        items = learner_credentials.public_list(db, context.base_url, handle)
    return render_template("learner_public.html", items=items)


def _wallet_refused(email: str, credential_id: str, problem: DomainError) -> Any:
    heading = {"forbidden": "Not your credential", "conflict": "This credential is revoked",
               "not-found": "No such credential"}.get(problem.kind, "No wallet offer")
    return render_template("learner_refused.html", csrf=csrf(), email=email, heading=heading,
                           detail=problem.detail, credential_id=credential_id
                           ), STATUS[problem.kind]


@bp.get("/me/credentials/<credential_id>/wallet")
@signed_in
def wallet_page(email: str, credential_id: str) -> Any:
    """The credential, and a button that makes a wallet offer of it. Only reads: any site
    can navigate a signed-in browser here (the cookie is Lax), so opening it must not spend
    the learner's offers."""
    context = service_context()
    with context.sessions() as db:
        try:
            target = learner_wallet.target(db, context.base_url, email, credential_id)
        except DomainError as problem:
            return _wallet_refused(email, credential_id, problem)
    return render_template("learner_wallet.html", csrf=csrf(), email=email, target=target,
                           page=None)


@bp.post("/me/credentials/<credential_id>/wallet")
@posted
def make_wallet_offer(email: str, credential_id: str) -> Any:
    """A new wallet offer of the credential, as QR codes and links. Answered in place (no
    redirect): the offer's secrets then appear in no URL, history or log."""
    if not spend("wallet offer per learner", hashlib.sha256(email.encode()).hexdigest(),
                 *OFFERS_PER_LEARNER):
        return render_template("learner_refused.html", csrf=csrf(), email=email,
                               heading="Too many wallet offers",
                               detail="wait a quarter of an hour and try again"), 429
    context = service_context()
    with context.sessions() as db:
        try:
            page = learner_wallet.offer_page(db, context.kek, context.base_url, email,
                                             credential_id)
        except DomainError as problem:
            return _wallet_refused(email, credential_id, problem)
    return render_template("learner_wallet.html", csrf=csrf(), email=email,
                           target=page.target, page=page)


@bp.post("/me/records")
@posted
def build_record(email: str) -> Any:
    """Build and sign the learner's own record of the credentials ticked; its share page."""
    context = service_context()
    with context.sessions() as db:
        try:
            issued = learner_clr.build_own_record(db, context, email,
                                                  request.form.getlist("credential"))
        except DomainError as problem:
            return _home(email, problem.errors or [{"pointer": "", "detail": problem.detail}],
                         STATUS[problem.kind])
    return redirect(issued.credential.url, 303)
