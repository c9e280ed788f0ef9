"""The employer desk: trainers sign in with their API token and record, review, revoke and
bundle credentials in a browser. The cookie holds a server-side session's id, never the
token (issuer.services.desk_sessions). State-changing forms carry a per-session CSRF token."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie,
)
from jsonschema import Draft202012Validator

from issuer.services import (
    completions,
    credential_status,
    credentials,
    desk_sessions,
    learner_records,
)
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.errors import DomainError, Invalid
from issuer.services.field_text import check_text
from issuer.services.levels import offered_levels
from issuer.services.request_schemas import COMPLETION
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("desk", __name__, url_prefix="/desk")
DESK_PAGE = 100  # credentials per page of the desk's table


def _limits() -> tuple[timedelta, timedelta]:
    """A desk session's idle and absolute limits, as configured."""
    context = service_context()
    return context.desk_idle, context.desk_lifetime


def _caller() -> Caller | None:
    """The signed-in caller, from the store (so a sign-out or revocation anywhere counts)."""
    session_id = cookie.get("sid")
    if not session_id:
        return None
    with service_context().sessions() as db:
        return desk_sessions.resume(db, session_id, *_limits())


def _csrf() -> str:
    if "csrf" not in cookie:
        cookie["csrf"] = secrets.token_urlsafe(32)
    return cookie["csrf"]


def _require_csrf() -> None:
    """The form's CSRF token must be this browser's. Compared as UTF-8 bytes: any text may
    arrive, and compare_digest refuses str with non-ASCII characters."""
    sent = request.form.get("csrf", "").encode()
    if not sent or not secrets.compare_digest(sent, cookie.get("csrf", "").encode()):
        abort(400, description="the form has expired; reload the page and try again")


def _checked(view: Callable[..., Any]) -> Callable[..., Any]:
    """POST handlers: a valid CSRF token and a signed-in caller, or nothing happens."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _require_csrf()
        caller = _caller()
        if caller is None:
            return redirect(url_for("desk.desk"))
        return view(caller, *args, **kwargs)
    return wrapper


def _statements(data: Any, model_id: str) -> dict[str, dict[str, list[str]]]:
    crosswalk = data.crosswalk_for(model_id)
    return {c.id: {level.id: [e.statement.text for e in crosswalk.evidence(c.id, level.id)]
                   for level in crosswalk.framework.levels}
            for c in crosswalk.model.competencies}


@bp.get("")
def desk() -> Any:
    caller = _caller()
    if caller is None:
        return render_template("desk_sign_in.html", csrf=_csrf())
    listed, after = credentials.list_credentials(
        session(), caller, caller.issuer_slug, None, service_context().base_url,
        DESK_PAGE, request.args.get("cursor"))
    with session().begin():
        data = catalog(session())
    models = list(data.models.values())
    return render_template(
        "desk.html", caller=caller, csrf=_csrf(), models=models,
        statements={m.id: _statements(data, m.id) for m in models},
        levels=offered_levels(data),
        credentials=listed, next_cursor=after)


@bp.post("/sign-in")
def sign_in() -> Any:
    _require_csrf()
    token = request.form.get("token", "").strip()
    with service_context().sessions() as db:
        try:
            session_id = desk_sessions.start(db, token, *_limits())
        except DomainError as problem:
            return render_template("desk_sign_in.html", csrf=_csrf(),
                                   error=f"Not signed in: {problem.detail}."), 401
    cookie.clear()  # a new session id and CSRF token at every sign-in
    cookie["sid"] = session_id
    return redirect(url_for("desk.desk"))


@bp.post("/sign-out")
@_checked
def sign_out(caller: Caller) -> Any:
    with service_context().sessions() as db:
        desk_sessions.end(db, cookie["sid"])
    cookie.clear()
    return redirect(url_for("desk.desk"))


@bp.post("/completions")
@_checked
def record(caller: Caller) -> Any:
    form = request.form
    body: dict[str, Any] = {
        "learner": {"name": form.get("learner_name", ""), "email": form.get("learner_email", "")},
        "competency": form.get("competency", ""), "level": form.get("level", ""),
        "completedOn": form.get("completed_on", "")}
    if form.get("evidence_name") or form.get("evidence_narrative"):
        item = {"name": form.get("evidence_name", ""),
                "narrative": form.get("evidence_narrative", "")}
        if form.get("evidence_url"):
            item["url"] = form["evidence_url"]
        body["evidence"] = [item]
    errors = list(Draft202012Validator(COMPLETION).iter_errors(body))
    try:
        check_text(body)
        if errors:
            raise Invalid(errors[0].message)
        result = completions.record_completion(
            session(), caller, caller.issuer_slug,
            completions.CompletionRequest.from_json(body), body, None,
            service_context().base_url, service_context().kek)
    except DomainError as problem:
        flash(f"Not recorded: {problem.detail}", "error")
        return redirect(url_for("desk.desk"))
    flash(f"Recorded and issued: {result.body['url']}", "ok")
    return redirect(url_for("desk.desk", issued=result.body["credentialId"]))


@bp.post("/credentials/<credential_id>/<any(revoke, suspend, reinstate):action>")
@_checked
def change(caller: Caller, credential_id: str, action: str) -> Any:
    try:
        credential_status.change_status(session(), caller.issuer_slug, credential_id, action,
                                        request.form.get("reason") or None, caller)
        done = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}[action]
        flash(f"Credential {credential_id} {done}.", "ok")
    except DomainError as problem:
        flash(f"Not changed: {problem.detail}", "error")
    return redirect(url_for("desk.desk"))


@bp.post("/clr")
@_checked
def build_clr(caller: Caller) -> Any:
    try:
        check_text({"email": request.form.get("email", "")})
        result = learner_records.build_learner_record(
            session(), caller, caller.issuer_slug, request.form.get("email", ""), None, None,
            service_context().base_url, service_context().kek)
        flash(f"Learner record built: {result.body['url']}", "ok")
    except DomainError as problem:
        flash(f"No learner record: {problem.detail}", "error")
    return redirect(url_for("desk.desk"))
