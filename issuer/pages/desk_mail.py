"""The desk's mail page: what the service wrote to learners (and staff) for the signed-in
issuer, and whether it went out, so a coordinator can see a message stuck or refused."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from issuer.pages.desk import _caller as signed_in
from issuer.services import mail_log
from issuer.services.errors import DomainError
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("desk_mail", __name__, url_prefix="/desk")
PAGE = 50  # messages a page


@bp.get("/mail")
def mail() -> Any:
    caller = signed_in()
    if caller is None:
        return redirect(url_for("desk.desk"))
    before = request.args.get("before", type=int)
    try:
        page = mail_log.list_mail(session(), caller, caller.issuer_slug, None, before, PAGE)
    except DomainError as problem:
        return render_template("desk_mail.html", caller=caller, messages=[], next_before=None,
                               error=problem.detail, folder=_folder()), 400
    return render_template("desk_mail.html", caller=caller, messages=page["mail"],
                           next_before=page["next"], error=None, folder=_folder())


def _folder() -> str | None:
    """Where messages are written as files when no MAIL_URL is set (None: sent by SMTP),
    so the page never says "Sent" of a message that only reached a file."""
    settings = service_context().mail
    return str(settings.folder) if settings.url is None else None
