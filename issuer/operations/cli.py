"""``flask --app wsgi ...`` commands: init, issuers, tokens, credentials, keys, clr,
completions import, jobs resume, worker, mail, staff, demo."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from credentials.frameworks import FrameworkDataError, bundled_catalog
from credentials.frameworks.imports import read_imports
from issuer.operations import imports, tasks
from issuer.services import batches, oidc, staff
from issuer.services.audit import list_events
from issuer.services.callers import Caller
from issuer.services.catalog import (
    catalog,
    import_documents,
    load_bundled_frameworks,
    stored_versions,
)
from issuer.services.credential_status import TRANSITIONS, change_status
from issuer.services.errors import DomainError, Invalid, Malformed, NotFound
from issuer.services.field_text import check_text
from issuer.services.framework_views import editions, find_edition, model_view
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuers import (
    create_issuer,
    create_token,
    find_issuer,
    list_tokens,
    revoke_token,
    update_issuer,
)
from issuer.services.keyring import kek_matches, kek_mismatch
from issuer.services.keys import revoke, rotate_keys
from issuer.services.learner_records import build_learner_record
from issuer.services.mail_delivery import deliver_due
from issuer.services.notifications import mail_settings
from issuer.services.platform import ensure_platform
from issuer.services.tokens import EXPIRY_FORM, ROLES, authenticate, parse_expiry
from issuer.store import store
from issuer.store.migrate import upgrade
from issuer.store.models import Issuer
from issuer.web.context import service_context
from issuer.web.problems import PROBLEM_TYPES

DEMO_SLUG = "demo"
# Whoever runs these commands administers the host: every issuer, no token.
OPERATOR = Caller.operator()


def _fail(error: DomainError) -> NoReturn:
    """The command's refusal: one JSON line on stderr naming the kind and what was wrong;
    exit status 1."""
    kind = PROBLEM_TYPES.get(error.code.removeprefix("/problems/"))
    message: dict[str, Any] = {"error": kind.title if kind else error.title,
                               "detail": error.detail}
    if error.errors:
        message["errors"] = error.errors
    click.echo(json.dumps(message), err=True)
    sys.exit(1)


def _field_message(field: str, message: str) -> str:
    """``field: message``, the field named once: a message that already opens with its
    field's name (as a level refusal does, "Level: choose …") loses that opening."""
    name = field.strip("/")
    if message.lower().startswith(f"{name.lower()}:"):
        message = message[len(name) + 1:].lstrip()
    return f"{name}: {message}"


def _print_result(action: Callable[[Session], Any]) -> None:
    """Run ``action`` with a session; print its result as JSON, or the refusal (exit 1).
    The command's text options are held to the API's rules first (no NUL or control
    characters), and a value the store cannot keep (too long for its column) is a refusal,
    not a traceback."""
    params = click.get_current_context().params
    with service_context().sessions() as db:
        try:
            check_text({name: value for name, value in params.items()
                        if isinstance(value, str)})
            result = action(db)
        except DomainError as error:
            _fail(error)
        except DataError as error:
            _fail(Invalid("the store cannot keep a value given: "
                          f"{str(error.orig).splitlines()[0]}"))
    click.echo(json.dumps(result))


@click.command("init")
@click.option("--platform-name", help="The name the service's own identity signs learners' "
              "own records under (default: kept, or \"Competency Credentials\").")
@with_appcontext
def init_command(platform_name: str | None) -> None:
    """Create or migrate the store, load the bundled frameworks, check (or, for a new
    store, record) the key-encryption key and make the service's own (platform) issuer
    identity (idempotent)."""
    engine = store(current_app).engine
    upgrade(engine)
    with service_context().sessions() as db:
        changed = load_bundled_frameworks(db)
        with db.begin():
            matches = kek_matches(db, service_context().kek)
        if not matches:
            _fail(kek_mismatch())
        try:
            platform = ensure_platform(db, service_context().kek, platform_name)
        except DomainError as error:
            _fail(error)
    ids = IssuerIdentifiers.for_slug(service_context().base_url, platform.slug)
    click.echo(json.dumps({"database": engine.url.render_as_string(hide_password=True),
                           "frameworksLoaded": changed, "keyEncryptionKey": "matches",
                           "platform": {"slug": platform.slug, "name": platform.name,
                                        "did": ids.did_web}}))


@click.group("issuers", cls=AppGroup)
def issuers_group() -> None:
    """Issuers (employers, programmes)."""


@issuers_group.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--url")
@click.option("--email")
@click.option("--suspension/--no-suspension", default=False,
              help="Give new credentials a suspension status entry too.")
def create_issuer_command(slug: str, name: str, url: str | None, email: str | None,
                          suspension: bool) -> None:
    """Create issuer SLUG with an Ed25519 key and an admin token (printed once)."""
    _print_result(lambda db: create_issuer(
        db, service_context().kek, service_context().base_url, slug, name,
        url, email, suspension))


@issuers_group.command("update")
@click.argument("slug")
@click.option("--suspension/--no-suspension", default=None,
              help="Whether new credentials get a suspension status entry.")
@click.option("--programme-level", type=click.Choice(bundled_catalog().level_ids()),
              help="Lowest level that counts toward completing a whole model.")
def update_issuer_command(slug: str, suspension: bool | None,
                          programme_level: str | None) -> None:
    """Change an issuer's settings (applies from now on)."""
    _print_result(lambda db: update_issuer(db, slug, suspension, programme_level))


@click.group("credentials", cls=AppGroup)
def credentials_group() -> None:
    """Issued credentials: revoke, suspend, reinstate."""


def _status_command(action: str) -> click.Command:
    @click.argument("credential_id")
    @click.option("--issuer", "slug", required=True)
    @click.option("--reason")
    def command(credential_id: str, slug: str, reason: str | None) -> None:
        _print_result(lambda db: change_status(db, slug, credential_id, action, reason,
                                                OPERATOR))

    command.__doc__ = f"{action.capitalize()} credential CREDENTIAL_ID of --issuer."
    return credentials_group.command(action)(command)


for _action in TRANSITIONS:
    _status_command(_action)


@click.group("tokens", cls=AppGroup)
def tokens_group() -> None:
    """API tokens."""


def _expiry(_context: click.Context, _option: click.Parameter, text: str | None
            ) -> datetime | None:
    """--expires-at, read as the API reads expiresAt (click names the option on an error)."""
    try:
        return parse_expiry(text, datetime.now(UTC)) if text is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@tokens_group.command("create")
@click.option("--issuer", "slug", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label")
@click.option("--expires-at", callback=_expiry,
              help=f"When the token stops working: {EXPIRY_FORM}; default: when revoked.")
def create_token_command(slug: str, role: str, label: str | None,
                         expires_at: datetime | None) -> None:
    """Mint a token for an issuer (printed once)."""
    _print_result(lambda db: create_token(db, slug, role, label, OPERATOR,
                                          expires_at=expires_at))


@tokens_group.command("list")
@click.option("--issuer", "slug", required=True)
def list_tokens_command(slug: str) -> None:
    """An issuer's tokens (never the tokens themselves): role, label, status, created,
    expiry, last use, revocation."""
    _print_result(lambda db: list_tokens(db, slug, OPERATOR))


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@click.option("--issuer", "slug", required=True)
def revoke_token_command(token_id: int, slug: str) -> None:
    """Revoke token TOKEN_ID (the id `tokens list` shows) and end its desk sessions."""
    _print_result(lambda db: revoke_token(db, slug, token_id, OPERATOR))


@click.group("keys", cls=AppGroup)
def keys_group() -> None:
    """Issuers' signing keys."""


@keys_group.command("rotate")
@click.option("--issuer", "slug", required=True)
def keys_rotate_command(slug: str) -> None:
    """Retire the issuer's active keys and start a new one; retired keys stay published."""
    _print_result(lambda db: rotate_keys(db, OPERATOR, slug, service_context().kek))


@keys_group.command("revoke")
@click.option("--issuer", "slug", required=True)
@click.option("--kid", required=True, help="The key id (the fragment of its method URL).")
def keys_revoke_command(slug: str, kid: str) -> None:
    """Revoke a key: it is unpublished and what it signed no longer verifies."""
    _print_result(lambda db: revoke(db, OPERATOR, slug, kid, service_context().kek))


@click.group("clr", cls=AppGroup)
def clr_group() -> None:
    """Comprehensive Learner Records."""


@clr_group.command("build")
@click.option("--issuer", "slug", required=True)
@click.option("--email", required=True, help="The learner's email address.")
@click.option("--credential", "credential_ids", multiple=True,
              help="A credential id to include (repeatable); default: all live ones.")
def clr_build_command(slug: str, email: str, credential_ids: tuple[str, ...]) -> None:
    """Build, sign and store a learner's CLR; prints its id and URL."""
    with service_context().sessions() as db:
        try:
            with db.begin():
                issuer = find_issuer(db, slug)
            if issuer is None:
                raise NotFound(f"no issuer {slug!r}")
            caller = Caller.operator(issuer.id, slug)
            result = build_learner_record(db, caller, slug, email, list(credential_ids) or None,
                                          None, service_context().base_url,
                                          service_context().kek)
        except DomainError as error:
            _fail(error)
    click.echo(json.dumps({k: v for k, v in result.body.items() if k != "credential"}))


@click.group("completions", cls=AppGroup)
def completions_group() -> None:
    """Recorded completions: import a cohort from CSV."""


@completions_group.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--issuer", "slug", required=True)
@click.option("--token", envvar="CC_TOKEN", required=True,
              help="The API token (assessor or admin) of the assessor who verified these "
                   "completions; or set CC_TOKEN.")
@click.option("--idempotency-key", "key",
              help="Default: derived from the file's content, so running the same file again "
                   "resumes (or replays) its job instead of issuing twice.")
@click.option("--background", is_flag=True,
              help="Record the job and leave it to the task workers (`flask worker`, on any "
                   "host); print it and return at once.")
def import_completions_command(csv_file: click.utils.LazyFile, slug: str, token: str,
                               key: str | None, background: bool) -> None:
    """Issue a credential for every valid row of CSV_FILE (header: learner_name,
    learner_email, competency, level, completed_on, evidence); bad rows are reported."""
    try:
        text = csv_file.read()
    except UnicodeDecodeError as error:
        _fail(Malformed(f"{csv_file.name} is not UTF-8 text (byte {error.start} cannot be "
                        "read): save it from the spreadsheet as CSV UTF-8"))
    key = key or "csv-" + hashlib.sha256(text.encode()).hexdigest()[:40]
    context = service_context()
    sessions, base_url, kek = context.sessions, context.base_url, context.kek
    with sessions() as db:
        try:
            caller = authenticate(db, token)
            job, _replayed = batches.create_job(db, caller, slug, batches.from_csv(text), key,
                                                kek)
            view = batches.get_job(db, caller, slug, job.id, base_url)
        except DomainError as error:
            _fail(error)
    for error in view["errors"]:
        click.echo(f"row {error['row']}: {_field_message(error['field'], error['message'])}",
                   err=True)
    if not background:
        _issue_here(job.id, view)
    elif view["status"] != "done" and not imports.send(job.id, view["pending"]):
        click.echo("the task queue did not take the job: the workers' sweep will find it "
                   "within a minute (or run `flask jobs resume`)", err=True)
    with sessions() as db:
        view = batches.get_job(db, caller, slug, job.id, base_url)
    click.echo(json.dumps({k: view[k] for k in ("id", "status", "total", "valid", "issued",
                                                "failed", "invalid")}))


def _issue_here(job_id: str, view: dict[str, Any]) -> None:
    """Issue the job's rows in this process, with a progress bar on stderr."""
    with click.progressbar(length=view["valid"], label="Issuing", file=sys.stderr,
                           show_pos=True) as bar:
        bar.update(view["valid"] - view["pending"])
        # Workers may share the job (the queue's sweep sends it to them): wait for the rows
        # they hold, and take back any whose worker died.
        while not _run_job_here(job_id, bar.update):
            time.sleep(0.5)


def _run_job_here(job_id: str, progress: Callable[[int], None]) -> bool:
    """Issue the job's free rows in this process; whether the job is finished."""
    context = service_context()
    try:
        return batches.run_job(context.sessions, job_id, context.base_url, context.kek,
                               progress)
    except DomainError as error:
        _fail(error)


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """Import jobs."""


@jobs_group.command("resume")
def resume_jobs_command() -> None:
    """Finish every interrupted import job here, now (workers do it in the background)."""
    try:
        context = service_context()
        finished = batches.resume_jobs(context.sessions, context.base_url, context.kek)
    except DomainError as error:
        _fail(error)
    click.echo(json.dumps({"finished": finished}))


@click.group("mail", cls=AppGroup)
def mail_group() -> None:
    """Mail to learners: send what is due, turn learner emails on or off."""


@mail_group.command("send")
def mail_send_command() -> None:
    """Send every queued message whose time has come (SMTP from MAIL_URL, or .eml files in
    the instance folder's mail/ without it); failures are retried on a later run."""
    click.echo(json.dumps({"sent": deliver_due(service_context())}))


@mail_group.command("learners")
@click.argument("slug")
@click.option("--on/--off", "learner_mail", default=None,
              help="Email learners when a credential is issued to them (default: on).")
def mail_learners_command(slug: str, learner_mail: bool | None) -> None:
    """Show, or with --on/--off change, whether issuer SLUG's learners are emailed."""
    _print_result(lambda db: mail_settings(db, OPERATOR, slug, learner_mail))


@click.command("worker")
@click.option("--workers", "-w", default=1, show_default=True, type=click.IntRange(1),
              help="Worker processes (or threads) running tasks at once.")
@click.option("--worker-type", type=click.Choice(["process", "thread"]), default="process",
              show_default=True, help="Processes use every core; threads share one.")
@with_appcontext
def worker_command(workers: int, worker_type: str) -> None:
    """Run background work (import jobs, and the periodic sweeps that resume it) from the task
    queue until stopped: SIGINT finishes the tasks in hand, SIGTERM stops at once (a row being
    issued rolls back and stays pending). Start one per host, or several."""
    tasks.run_worker(current_app, workers, worker_type)


@click.group("staff", cls=AppGroup)
def staff_group() -> None:
    """People who work an issuer's desk; its single sign-on; its audit trail."""


@staff_group.command("invite")
@click.option("--issuer", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="How the desk shows them (default: the email).")
def staff_invite_command(slug: str, email: str, role: str, name: str) -> None:
    """Invite a person to the issuer's desk (the first admin, say): the invitation, with a
    sign-in link, goes to the mail outbox."""
    _print_result(lambda db: staff.invite(db, OPERATOR, slug, email, name, role,
                                          service_context().base_url))


@staff_group.command("list")
@click.option("--issuer", "slug", required=True)
def staff_list_command(slug: str) -> None:
    """The issuer's staff: email, name, role, state."""
    _print_result(lambda db: {"staff": staff.list_staff(db, OPERATOR, slug)})


@staff_group.command("remove")
@click.argument("staff_id", type=int)
@click.option("--issuer", "slug", required=True)
def staff_remove_command(staff_id: int, slug: str) -> None:
    """Take STAFF_ID (the id `staff list` shows) off the staff; their sessions end."""
    _print_result(lambda db: staff.remove(db, OPERATOR, slug, staff_id))


@staff_group.command("sso")
@click.option("--issuer", "slug", required=True)
@click.option("--label", required=True, help='The button says "Sign in with LABEL".')
@click.option("--provider-url", required=True,
              help="The provider's issuer URL (its /.well-known/openid-configuration is read).")
@click.option("--client-id", required=True)
@click.option("--client-secret", envvar="OIDC_CLIENT_SECRET", prompt=True, hide_input=True,
              help="Or set OIDC_CLIENT_SECRET; stored encrypted under the key-encryption key.")
@click.option("--email-domain", "domains", multiple=True,
              help="An email domain to accept (repeatable); default: any staff member's.")
@click.option("--email-claim", default="email", show_default=True,
              help="The ID token claim that holds the person's email address.")
def staff_sso_command(slug: str, label: str, provider_url: str, client_id: str,
                      client_secret: str, domains: tuple[str, ...], email_claim: str) -> None:
    """Offer single sign-on with the employer's OpenID Connect provider; register
    PUBLIC_BASE_URL/desk/sso/SLUG/callback there as the redirect URI."""
    _print_result(lambda db: oidc.configure(db, service_context().kek, OPERATOR, slug, label,
                                            provider_url, client_id, client_secret,
                                            list(domains), email_claim))


@staff_group.command("audit")
@click.option("--issuer", "slug", required=True)
@click.option("--action", help="Only this action, e.g. credential.revoke.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
def staff_audit_command(slug: str, action: str | None, limit: int) -> None:
    """The issuer's audit trail, newest first: who (the person, or the token), what, when."""
    def events(db: Session) -> dict[str, Any]:
        with db.begin():
            issuer = find_issuer(db, slug)
        if issuer is None:
            raise NotFound(f"no issuer {slug!r}")
        return list_events(db, Caller.operator(issuer.id, slug), slug, action, None, limit)
    _print_result(events)


@click.group("frameworks", cls=AppGroup)
def frameworks_group() -> None:
    """Competency models, level frameworks and crosswalks: import, list, show."""


@frameworks_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the files and print what would change; "
                                              "write nothing.")
def import_frameworks_command(files: tuple[str, ...], dry_run: bool) -> None:
    """Import FILES (LER.me framework exports, competency models as JSON or CSV, crosswalks as
    JSON or CSV): all of them or none; a file imported again changes nothing."""
    try:
        documents = read_imports((Path(file).name, Path(file).read_bytes()) for file in files)
    except FrameworkDataError as error:
        each = error.each
        _fail(Invalid(str(each[0]) if len(each) == 1
                      else f"{len(each)} mistakes; the first: {each[0]}",
                      code="/problems/framework-data",
                      errors=[one.as_json() for one in each]))
    _print_result(lambda db: {"dryRun": dry_run, "changes": [
        c.as_json() for c in import_documents(db, documents, importer=None, dry_run=dry_run)]})


@frameworks_group.command("list")
def list_frameworks_command() -> None:
    """Every stored version of every model, framework and crosswalk, which one is current, and
    every edition (the code `show --edition` takes, and the versions it joins)."""
    _print_result(lambda db: {"versions": [v.as_json() for v in stored_versions(db)],
                              "editions": editions(catalog(db))})


@frameworks_group.command("show")
@click.argument("model_id")
@click.option("--edition", help="An older edition: its code (as credentials cite it and "
                                "`frameworks list` shows it) or the model's version date; "
                                "default: the current one.")
def show_framework_command(model_id: str, edition: str | None) -> None:
    """A model as new completions use it: its levels, and each competency's statements."""
    def show(db: Session) -> dict[str, Any]:
        crosswalk = find_edition(catalog(db), model_id, edition)
        return model_view(crosswalk, service_context().base_url)
    _print_result(show)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo issuer if there is no issuer yet, and print its admin token."""
    with service_context().sessions() as db:
        with db.begin():
            count = db.scalar(select(func.count()).select_from(Issuer))
        if count:
            click.echo(json.dumps({"demo": "issuers exist; nothing created"}))
            return
        result = create_issuer(db, service_context().kek, service_context().base_url,
                               DEMO_SLUG,
                               "Demo Behavioral Health (demo issuer)")
    click.echo(json.dumps(result))


def init_app(app: Flask) -> None:
    for command in (init_command, issuers_group, tokens_group, credentials_group, keys_group,
                    clr_group, completions_group, jobs_group, worker_command, mail_group,
                    staff_group, frameworks_group, demo_command):
        app.cli.add_command(command)
