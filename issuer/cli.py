"""``flask --app wsgi ...`` commands: init, issuers create, tokens create, demo."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from issuer.problems import Problem
from issuer.services.catalog import load_bundled_frameworks
from issuer.services.issuers import ROLES, create_issuer, create_token
from issuer.store import store
from issuer.store.migrate import upgrade
from issuer.store.models import Issuer

DEMO_SLUG = "demo"


def _fail(problem: Problem) -> None:
    click.echo(json.dumps({"error": problem.title, "detail": problem.detail}), err=True)
    sys.exit(1)


@click.command("init")
def init_command() -> None:
    """Create or migrate the store and load the bundled frameworks (idempotent)."""
    engine = store(current_app).engine
    upgrade(engine)
    with store(current_app).sessions() as db:
        changed = load_bundled_frameworks(db)
    click.echo(json.dumps({"database": engine.url.render_as_string(hide_password=True),
                           "frameworksLoaded": changed}))


@click.group("issuers")
def issuers_group() -> None:
    """Issuers (employers, programmes)."""


@issuers_group.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--url")
@click.option("--email")
def create_issuer_command(slug: str, name: str, url: str | None, email: str | None) -> None:
    """Create issuer SLUG with an Ed25519 key and an admin token (printed once)."""
    with store(current_app).sessions() as db:
        try:
            result = create_issuer(db, current_app.extensions["kek"],
                                   current_app.config["PUBLIC_BASE_URL"], slug, name, url, email)
        except Problem as problem:
            _fail(problem)
    click.echo(json.dumps(result))


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--issuer", "slug", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label")
def create_token_command(slug: str, role: str, label: str | None) -> None:
    """Mint a token for an issuer (printed once)."""
    with store(current_app).sessions() as db:
        try:
            result = create_token(db, slug, role, label)
        except Problem as problem:
            _fail(problem)
    click.echo(json.dumps(result))


@click.command("demo")
def demo_command() -> None:
    """Create the demo issuer if there is no issuer yet, and print its admin token."""
    with store(current_app).sessions() as db:
        with db.begin():
            count = db.scalar(select(func.count()).select_from(Issuer))
        if count:
            click.echo(json.dumps({"demo": "issuers exist; nothing created"}))
            return
        result = create_issuer(db, current_app.extensions["kek"],
                               current_app.config["PUBLIC_BASE_URL"], DEMO_SLUG,
                               "Demo Behavioral Health (demo issuer)")
    click.echo(json.dumps(result))


def init_app(app: Flask) -> None:
    for command in (init_command, issuers_group, tokens_group, demo_command):
        app.cli.add_command(command)
