"""The employer desk: staff sign in (by emailed link or single sign-on: issuer.pages.
desk_sign_in; machines and the first admin with an API token, here) and record, review,
revoke and bundle credentials in a browser. The cookie holds a server-side session's id,
never the token (issuer.services.desk_sessions). State-changing forms carry a per-session
CSRF token."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie,
)

from credentials.frameworks import Crosswalk
from credentials.frameworks.model import DURATION, Level
from issuer.operations import imports
from issuer.pages.desk_forms import CompletionForm
from issuer.services import (
    batches,
    cohort_upload,
    completions,
    credential_status,
    desk_sessions,
    learner_records,
)
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.credential_table import TableQuery, list_for_desk
from issuer.services.errors import DomainError, Malformed
from issuer.services.field_text import check_text
from issuer.services.issuers import find_issuer
from issuer.services.levels import levels_by_model
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("desk", __name__, url_prefix="/desk")
STATUS_ROLES = ("admin",)  # who may revoke, suspend and reinstate (credential_status)


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


def _statements(crosswalk: Crosswalk) -> dict[str, dict[str, list[str]]]:
    return {c.id: {level.id: [e.statement.text for e in crosswalk.evidence(c.id, level.id)]
                   for level in crosswalk.framework.levels}
            for c in crosswalk.model.competencies}


def _attributions(crosswalks: list[Crosswalk]) -> list[dict[str, str]]:
    """Each current framework's own credit, once, naming the occupations it gives levels to."""
    shown: dict[str, dict[str, str]] = {}
    for crosswalk in crosswalks:
        framework = crosswalk.framework
        entry = shown.setdefault(framework.id, {"occupations": "",
                                                "text": framework.attribution.text()})
        entry["occupations"] = ", ".join(filter(None, (entry["occupations"],
                                                        crosswalk.model.occupation)))
    return list(shown.values())


def _form_data(crosswalks: list[Crosswalk]) -> dict[str, Any]:
    """What desk.js needs, in the page's JSON block (no inline script): per model its levels
    in order, per competency its statements at each level, its default expiry and whether
    the crosswalk gives it no statement at all."""
    return {
        "statements": {x.model.id: _statements(x) for x in crosswalks},
        "levels": {x.model.id: [{"id": level.id, "label": level.label}
                                for level in x.framework.levels] for x in crosswalks},
        "withoutStatements": [f"{x.model.id}/{c.id}" for x in crosswalks
                              for c in x.model.competencies if not x.mapped(c.id)],
        "validFor": {f"{x.model.id}/{c.id}": _valid_for_words(c.valid_for)
                     for x in crosswalks for c in x.model.competencies if c.valid_for},
    }


def _level_group(levels: dict[str, tuple[Level, ...]]) -> Callable[[dict[str, str]],
                                                                   str | None]:
    """For a form row: the model whose level list holds its selected level (the row's own
    model, or else the first that has the level), so only one option is marked selected."""
    def group(row: dict[str, str]) -> str | None:
        model_id = row.get("competency", "").partition("/")[0]
        if model_id in levels:
            return model_id
        return next((m for m, known in levels.items()
                     if any(level.id == row.get("level") for level in known)), None)
    return group


def _valid_for_words(duration: str) -> str:
    """``P2Y`` as "2 years": the model's expiry default, for the form's hint."""
    match = DURATION.match(duration)
    parts = [f"{int(amount)} {unit}{'s' if int(amount) != 1 else ''}"
             for amount, unit in zip(match.groups() if match else (), ("year", "month", "day"),
                                     strict=False) if amount]
    return " and ".join(parts)


def _may_change_status(caller: Caller) -> bool:
    return caller.is_operator or caller.role in STATUS_ROLES


def _render_desk(caller: Caller, form: CompletionForm, status: int = 200,
                 focus: str | None = None) -> tuple[str, int]:
    """The desk: the completion form (as typed, with any problems) and the table."""
    query = TableQuery.from_args(request.args)
    table = list_for_desk(session(), caller, caller.issuer_slug, query,
                          service_context().base_url)
    with session().begin():
        data = catalog(session())
    levels = levels_by_model(data)
    crosswalks = [data.crosswalk_for(model_id) for model_id in levels]
    return render_template(
        "desk.html", caller=caller, csrf=_csrf(), models=[x.model for x in crosswalks],
        form=form, focus=focus, form_key=request.form.get("form_key") or str(uuid.uuid4()),
        form_data=_form_data(crosswalks), levels=levels, level_group=_level_group(levels),
        attributions=_attributions(crosswalks),
        table=table, query=query, may_change_status=_may_change_status(caller)), status


@bp.app_template_global()
def issuer_name(slug: str | None) -> str:
    """The desk's issuer by its name, for headings (the slug is an id, not a name)."""
    if not slug:
        return ""
    with service_context().sessions() as db:
        found = find_issuer(db, slug)
        return found.name if found is not None else slug


@bp.get("")
def desk() -> Any:
    caller = _caller()
    if caller is None:
        from issuer.pages.desk_sign_in import sign_in_page  # it builds on this module
        return sign_in_page()
    return _render_desk(caller, CompletionForm.blank())


@bp.post("/sign-in")
def sign_in() -> Any:
    _require_csrf()
    token = request.form.get("token", "").strip()
    with service_context().sessions() as db:
        try:
            session_id = desk_sessions.start(db, token, *_limits())
        except DomainError as problem:
            from issuer.pages.desk_sign_in import sign_in_page
            return sign_in_page(f"Not signed in: {problem.detail}.", 401)
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
    """Record every competency of the form for its one learner, all or none. "Add another
    competency" shows the form again with one more row; problems show it again as typed."""
    form = CompletionForm.from_post(request.form)
    if request.form.get("action") == "add":
        form.add_row()
        return _render_desk(caller, form, focus=f"competency-{len(form.rows) - 1}")
    form.check()
    rows = form.filled()
    form.add_meaning_errors(completions.completion_problems(
        session(), [form.body(i) for i in rows], form.flagged()))
    if form.errors:
        return _render_desk(caller, form, 422)
    requests = [completions.CompletionRequest.from_json(form.body(i)) for i in rows]
    if not request.form.get("confirm_duplicates"):
        with session().begin():
            form.duplicates = sorted({rows[i] for i in completions.likely_duplicates(
                session(), caller.issuer_id, requests)} | set(form.repeated()))
        if form.duplicates:
            return _render_desk(caller, form, 409)
    try:
        result = completions.record_completions(
            session(), caller, caller.issuer_slug, requests, [form.body(i) for i in rows],
            request.form.get("form_key") or None, service_context().base_url,
            service_context().kek)
    except completions.RowRefused as refused:
        for error in refused.errors or [{"pointer": "/competency", "detail": refused.detail}]:
            form.add_error(rows[refused.index], error["pointer"], error["detail"])
        return _render_desk(caller, form, 422)
    except DomainError as problem:  # not about one row (a role, the host's key)
        form.errors.setdefault("record", []).append(f"Not recorded: {problem.detail}")
        return _render_desk(caller, form, 422)
    issued = result.body["issued"]
    flash({"text": f"Recorded and issued {len(issued)} credential"
                   f"{'s' if len(issued) != 1 else ''} for {form.learner_name.strip()}:",
           "links": [{"url": item["url"], "name": item["credential"]["name"]}
                     if isinstance(item.get("credential"), dict)
                     else {"url": item["url"], "name": item["url"]} for item in issued]},
          "issued")
    return redirect(url_for("desk.desk"))


@bp.get("/credentials/<credential_id>/<any(revoke, suspend):action>")
def confirm_change(credential_id: str, action: str) -> Any:
    """Ask before revoking or suspending: what it is, whose, and why (the reason is kept)."""
    caller = _caller()
    if caller is None:
        return redirect(url_for("desk.desk"))
    if not _may_change_status(caller):
        abort(403, description="revoking and suspending need an admin token")
    found = _table_row(caller, credential_id)
    if found is None:  # none of this issuer's
        abort(404, description=f"no credential {credential_id!r} of this issuer")
    return render_template("desk_confirm.html", caller=caller, csrf=_csrf(), action=action,
                           credential=found, credential_id=credential_id)


def _table_row(caller: Caller, credential_id: str) -> dict[str, Any] | None:
    """The credentials table's row for one of the issuer's credentials (None: not its)."""
    return next((c for c in list_for_desk(session(), caller, caller.issuer_slug,
                                          TableQuery(search=credential_id),
                                          service_context().base_url).rows
                 if c["credentialId"] == credential_id), None)


@bp.post("/credentials/<credential_id>/<any(revoke, suspend, reinstate):action>")
@_checked
def change(caller: Caller, credential_id: str, action: str) -> Any:
    reason = (request.form.get("reason") or "").strip() or None
    try:
        credential_status.change_status(session(), caller.issuer_slug, credential_id, action,
                                        reason, caller)
        done = {"revoke": "Revoked", "suspend": "Suspended", "reinstate": "Reinstated"}[action]
        row = _table_row(caller, credential_id)
        if row is not None:  # say whose and for what, not an id
            about = " for ".join(filter(None, (row["learnerName"] or row["learnerEmail"],
                                               row["competency"])))
            flash(f"{done}: {about}." + (f" Reason: {reason}" if reason else ""), "ok")
            return redirect(url_for("desk.desk", q=row["learnerEmail"] or credential_id))
        flash(f"{done}: credential {credential_id}."
              + (f" Reason: {reason}" if reason else ""), "ok")
    except DomainError as problem:
        flash(f"Not changed: {problem.detail}", "error")
    return redirect(url_for("desk.desk", q=credential_id))


@bp.get("/cohort")
def cohort() -> Any:
    caller = _caller()
    if caller is None:
        return redirect(url_for("desk.desk"))
    return render_template("desk_cohort.html", caller=caller, csrf=_csrf(),
                           columns=cohort_upload.COLUMNS)


@bp.get("/cohort/template.csv")
def cohort_template() -> Any:
    if _caller() is None:
        return redirect(url_for("desk.desk"))
    with session().begin():
        text = cohort_upload.template_csv(catalog(session()))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="cohort-template.csv"'})


def _uploaded_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return cohort_upload.decode(upload.read(cohort_upload.MAX_BYTES + 1))
    return request.form.get("csv_text", "")


@bp.post("/cohort/preview")
@_checked
def cohort_preview(caller: Caller) -> Any:
    """Every row of the upload with its problems in words; nothing is issued yet."""
    try:
        text = _uploaded_text()
        if not text.strip():
            raise Malformed("choose a CSV file to upload")
        preview = cohort_upload.preview(session(), caller, caller.issuer_slug, text)
    except DomainError as problem:
        return render_template("desk_cohort.html", caller=caller, csrf=_csrf(),
                               columns=cohort_upload.COLUMNS,
                               error=f"Not read: {problem.detail}."), 422
    return render_template("desk_cohort.html", caller=caller, csrf=_csrf(),
                           columns=cohort_upload.COLUMNS, preview=preview, csv_text=text,
                           upload_key=str(uuid.uuid4()))


@bp.post("/cohort/issue")
@_checked
def cohort_issue(caller: Caller) -> Any:
    """Submit the rows the preview showed as valid as one import job; show its progress."""
    try:
        job, _count = cohort_upload.submit(
            session(), caller, caller.issuer_slug, request.form.get("csv_text", ""),
            bool(request.form.get("with_duplicates")), request.form.get("upload_key") or None,
            service_context().kek)
    except DomainError as problem:
        return render_template("desk_cohort.html", caller=caller, csrf=_csrf(),
                               columns=cohort_upload.COLUMNS,
                               error=f"Not issued: {problem.detail}."), 422
    if job.finished_at is None:
        imports.send(job.id, job.total - batches.invalid_rows(job))
    return redirect(url_for("desk.cohort_job", job_id=job.id))


def _job(caller: Caller, job_id: str) -> dict[str, Any]:
    return batches.get_job(session(), caller, caller.issuer_slug, job_id,
                           service_context().base_url)


@bp.get("/cohort/jobs/<job_id>")
def cohort_job(job_id: str) -> Any:
    caller = _caller()
    if caller is None:
        return redirect(url_for("desk.desk"))
    try:
        job = _job(caller, job_id)
    except DomainError:
        abort(404)
    return render_template("desk_job.html", caller=caller, job=job)


@bp.get("/cohort/jobs/<job_id>/progress")
def cohort_progress(job_id: str) -> Any:
    """The job's counts, for the progress bar to follow without reloading the page."""
    caller = _caller()
    if caller is None:
        abort(401)
    try:
        job = _job(caller, job_id)
    except DomainError:
        abort(404)
    return jsonify({key: job[key] for key in ("status", "valid", "issued", "failed",
                                              "pending")})


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
