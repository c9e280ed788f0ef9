"""The app's one ServiceContext: built in ``create_app``, read by handlers and the CLI."""

from __future__ import annotations

from flask import Flask, current_app

from issuer.services.context import ServiceContext

KEY = "context"


def install(app: Flask, context: ServiceContext) -> None:
    """Store ``context`` as the app's only source of service settings."""
    app.extensions[KEY] = context


def service_context(app: Flask | None = None) -> ServiceContext:
    """The context of ``app`` (the current app when not given)."""
    return (app or current_app).extensions[KEY]
