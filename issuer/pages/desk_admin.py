"""The desk's admin pages: the issuer's staff (invite, change role, remove), its API tokens
(create, shown once; list; revoke) and its public profile (name, URL, email, description,
logo). Only admins see them; anyone else signed in gets a 403 page. Every form carries the
session's CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from issuer.pages.desk import _caller, _csrf, _require_csrf
from issuer.services import issuers, profile, staff
from issuer.services.callers import Caller
from issuer.services.errors import DomainError
from issuer.services.tokens import ROLES
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.problems import STATUS

bp = Blueprint("desk_admin", __name__, url_prefix="/desk/admin")


def _admins_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in admin (else the sign-in page, or a 403 page); on POST, this browser's
    CSRF token first."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            _require_csrf()
        caller = _caller()
        if caller is None:
            return redirect(url_for("desk.desk"))
        if caller.role != "admin":
            return render_template("desk_forbidden.html", caller=caller, csrf=_csrf()), 403
        return view(caller, *args, **kwargs)
    return wrapper


def _refused(problem: DomainError, page: Callable[..., Any], caller: Caller) -> Any:
    """The page again, saying what was wrong (field by field where the service said)."""
    return page(caller, error=problem.detail, errors=problem.errors,
                status=STATUS[problem.kind])


def _staff_page(caller: Caller, error: str | None = None,
                errors: list[dict[str, str]] | None = None, status: int = 200) -> Any:
    people = staff.list_staff(session(), caller, caller.issuer_slug)
    return render_template("desk_staff.html", caller=caller, csrf=_csrf(), people=people,
                           roles=ROLES, error=error, errors=errors or [],
                           form=request.form if error else {}), status


@bp.get("/staff")
@_admins_only
def staff_list(caller: Caller) -> Any:
    return _staff_page(caller)


@bp.post("/staff")
@_admins_only
def staff_invite(caller: Caller) -> Any:
    form = request.form
    try:
        person = staff.invite(session(), caller, caller.issuer_slug, form.get("email", ""),
                              form.get("name", ""), form.get("role", ""),
                              service_context().base_url)
    except DomainError as problem:
        return _refused(problem, _staff_page, caller)
    flash(f"Invited {person['email']} as {person['role']}: a sign-in link is on its way.",
          "ok")
    return redirect(url_for("desk_admin.staff_list"))


@bp.post("/staff/<int:staff_id>/role")
@_admins_only
def staff_role(caller: Caller, staff_id: int) -> Any:
    try:
        person = staff.change_role(session(), caller, caller.issuer_slug, staff_id,
                                   request.form.get("role", ""))
    except DomainError as problem:
        return _refused(problem, _staff_page, caller)
    flash(f"{person['email']} is now {person['role']}.", "ok")
    return redirect(url_for("desk_admin.staff_list"))


@bp.post("/staff/<int:staff_id>/remove")
@_admins_only
def staff_remove(caller: Caller, staff_id: int) -> Any:
    try:
        person = staff.remove(session(), caller, caller.issuer_slug, staff_id)
    except DomainError as problem:
        return _refused(problem, _staff_page, caller)
    flash(f"Removed {person['email']}: signed out everywhere.", "ok")
    return redirect(url_for("desk_admin.staff_list"))


def _tokens_page(caller: Caller, error: str | None = None,
                 errors: list[dict[str, str]] | None = None, status: int = 200,
                 new_token: dict[str, Any] | None = None) -> Any:
    tokens = issuers.list_tokens(session(), caller.issuer_slug, caller)["tokens"]
    return render_template("desk_tokens.html", caller=caller, csrf=_csrf(), tokens=tokens,
                           roles=ROLES, error=error, errors=errors or [],
                           new_token=new_token), status


@bp.get("/tokens")
@_admins_only
def tokens_list(caller: Caller) -> Any:
    return _tokens_page(caller)


@bp.post("/tokens")
@_admins_only
def token_create(caller: Caller) -> Any:
    try:
        created = issuers.create_token(session(), caller.issuer_slug,
                                       request.form.get("role", ""),
                                       request.form.get("label", "").strip() or None, caller)
    except DomainError as problem:
        return _refused(problem, _tokens_page, caller)
    # Rendered, not redirected: the token is shown this once and never stored in a cookie.
    return _tokens_page(caller, new_token=created)


@bp.post("/tokens/<int:token_id>/revoke")
@_admins_only
def token_revoke(caller: Caller, token_id: int) -> Any:
    try:
        issuers.revoke_token(session(), caller.issuer_slug, token_id, caller)
    except DomainError as problem:
        return _refused(problem, _tokens_page, caller)
    flash(f"Token {token_id} revoked: it stops working at once.", "ok")
    return redirect(url_for("desk_admin.tokens_list"))


def _profile_page(caller: Caller, error: str | None = None,
                  errors: list[dict[str, str]] | None = None, status: int = 200) -> Any:
    shown = profile.get_profile(session(), caller, caller.issuer_slug,
                                service_context().base_url)
    if error:  # keep what was typed
        shown = {**shown, **{k: request.form.get(k, "") for k in profile.FIELDS}}
    return render_template("desk_profile.html", caller=caller, csrf=_csrf(), profile=shown,
                           error=error, errors=errors or [],
                           max_kib=profile.LOGO_MAX_BYTES // 1024), status


@bp.get("/profile")
@_admins_only
def profile_edit(caller: Caller) -> Any:
    return _profile_page(caller)


@bp.post("/profile")
@_admins_only
def profile_save(caller: Caller) -> Any:
    form = request.form
    upload = request.files.get("logo")
    try:
        profile.save_profile(session(), caller, caller.issuer_slug,
                             {k: form.get(k, "") for k in profile.FIELDS},
                             upload.read(profile.LOGO_MAX_BYTES + 1)
                             if upload is not None and upload.filename else None,
                             remove_logo=bool(form.get("remove_logo")))
    except DomainError as problem:
        return _refused(problem, _profile_page, caller)
    flash("Profile saved.", "ok")
    return redirect(url_for("desk_admin.profile_edit"))
