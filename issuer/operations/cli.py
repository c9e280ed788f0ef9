"""``flask --app wsgi ...`` commands: init, issuers, tokens, credentials, keys, clr,
completions import, jobs resume, demo."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from credentials.frameworks import FrameworkDataError, bundled_catalog
from credentials.frameworks.imports import read_import
from issuer.services import batches
from issuer.services.callers import Caller
from issuer.services.catalog import (
    catalog,
    import_documents,
    load_bundled_frameworks,
    stored_versions,
)
from issuer.services.credential_status import TRANSITIONS, change_status
from issuer.services.errors import Conflict, DomainError, Invalid, NotFound
from issuer.services.framework_views import model_view
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
from issuer.services.tokens import EXPIRY_FORM, ROLES, authenticate, parse_expiry
from issuer.store import store
from issuer.store.migrate import upgrade
from issuer.store.models import Issuer
from issuer.web.context import service_context

DEMO_SLUG = "demo"
# Whoever runs these commands administers the host: every issuer, no token.
OPERATOR = Caller.operator()


def _fail(error: DomainError) -> None:
    """The command's refusal: one JSON line on stderr naming the kind and what was wrong;
    exit status 1."""
    click.echo(json.dumps({"error": error.title, "detail": error.detail}), err=True)
    sys.exit(1)


def _print_result(action: Callable[[Session], Any]) -> None:
    """Run ``action`` with a session; print its result as JSON, or the refusal (exit 1)."""
    with service_context().sessions() as db:
        try:
            result = action(db)
        except DomainError as error:
            _fail(error)
    click.echo(json.dumps(result))


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or migrate the store, load the bundled frameworks and check (or, for a new
    store, record) the key-encryption key (idempotent)."""
    engine = store(current_app).engine
    upgrade(engine)
    with service_context().sessions() as db:
        changed = load_bundled_frameworks(db)
        with db.begin():
            matches = kek_matches(db, service_context().kek)
    if not matches:
        _fail(kek_mismatch())
    click.echo(json.dumps({"database": engine.url.render_as_string(hide_password=True),
                           "frameworksLoaded": changed, "keyEncryptionKey": "matches"}))


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
def import_completions_command(csv_file: click.utils.LazyFile, slug: str, token: str,
                               key: str | None) -> None:
    """Issue a credential for every valid row of CSV_FILE (header: learner_name,
    learner_email, competency, level, completed_on, evidence); bad rows are reported."""
    text = csv_file.read()
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
        click.echo(f"row {error['row']}: {error['field']}: {error['message']}", err=True)
    with click.progressbar(length=view["valid"], label="Issuing", file=sys.stderr,
                           show_pos=True) as bar:
        bar.update(view["valid"] - view["pending"])
        if not batches.run_job(sessions, job.id, batches.runner_id(), base_url, kek,
                               bar.update):
            _fail(Conflict("another process is running this job; it will "
                           "finish it (or run this again once its lease has expired)"))
    with sessions() as db:
        view = batches.get_job(db, caller, slug, job.id, base_url)
    click.echo(json.dumps({k: view[k] for k in ("id", "status", "total", "valid", "issued",
                                                "failed", "invalid")}))


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """Import jobs."""


@jobs_group.command("resume")
def resume_jobs_command() -> None:
    """Finish every interrupted import job whose lease is free."""
    try:
        context = service_context()
        finished = batches.resume_jobs(context.sessions, batches.runner_id(),
                                       context.base_url, context.kek)
    except DomainError as error:
        _fail(error)
    click.echo(json.dumps({"finished": finished}))


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
        documents = [read_import(Path(file).name, Path(file).read_bytes()) for file in files]
    except FrameworkDataError as error:
        _fail(Invalid(str(error)))
    _print_result(lambda db: {"dryRun": dry_run, "changes": [
        c.as_json() for c in import_documents(db, documents, importer=None, dry_run=dry_run)]})


@frameworks_group.command("list")
def list_frameworks_command() -> None:
    """Every stored version of every model, framework and crosswalk; which one is current."""
    _print_result(lambda db: {"versions": [v.as_json() for v in stored_versions(db)]})


@frameworks_group.command("show")
@click.argument("model_id")
@click.option("--edition", help="An older edition (as credentials cite it); default: current.")
def show_framework_command(model_id: str, edition: str | None) -> None:
    """A model as new completions use it: its levels, and each competency's statements."""
    def show(db: Session) -> dict[str, Any]:
        data = catalog(db)
        try:
            crosswalk = data.edition(model_id, edition) if edition else data.crosswalk_for(
                model_id)
        except KeyError as error:
            raise NotFound(str(error).strip("'\"")) from None
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
                    clr_group, completions_group, jobs_group, frameworks_group, demo_command):
        app.cli.add_command(command)
