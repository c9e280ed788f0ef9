"""The Flask service: an app factory in the shape of Flask's tutorial application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

try:
    from flask import Flask, Response, request
except ImportError as error:  # the library-only install has no service dependencies
    raise ImportError("the issuer service needs its dependencies: "
                      "pip install '.[service]' (the competency-credentials[service] extra)"
                      ) from error

from credentials.fetch import SafeFetcher
from credentials.verify.status_check import HttpStatusListSource

DEFAULTS = {
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "KEY_ENCRYPTION_KEY": None,  # None: generated once into the instance folder
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "FETCH_ALLOW_PRIVATE": False,  # tests only: let did:web reach loopback addresses
    "TASK_QUEUE_URL": None,  # None: SQLite in the instance folder; redis://... for many hosts
    "TASK_QUEUE_NAME": "competency-credentials",  # one queue per deployment on a shared Redis
    "TASK_HEALTH_CHECK_SECONDS": 10.0,  # a worker process that died is replaced this soon
    "BATCH_INLINE_ROWS": 50,  # larger batches answer 202 and run as a background job
    "LOG_JSON": True,  # one JSON object per log line, with the request id
    "RATE_LIMIT_ISSUE_PER_TOKEN": "600/60",  # requests/seconds; "0" turns a limit off
    "RATE_LIMIT_ISSUE_PER_IP": "1200/60",
    "RATE_LIMIT_VERIFY_PER_IP": "600/60",
    "RATE_LIMIT_REDIS_URL": None,  # e.g. redis://127.0.0.1:6379/0, shared by every worker
    "DESK_SESSION_IDLE_SECONDS": 30 * 60,  # a desk session ends after this long unused
    "DESK_SESSION_MAX_SECONDS": 12 * 60 * 60,  # and this long after sign-in, in any case
    "METRICS_TOKEN": None,  # set: GET /metrics needs "Authorization: Bearer <token>"
    "MAIL_URL": None,  # smtp://[user:password@]host[:port] or smtps://; None: .eml files
    "MAIL_FROM": None,  # None: no-reply@ the base URL's host name (localhost for an IP)
    # Reverse proxies in front whose X-Forwarded-For/-Proto are believed (0: none).
    "TRUSTED_PROXY_HOPS": 0,
}
FROM_ENVIRONMENT = ("PUBLIC_BASE_URL", "DATABASE_URL", "KEY_ENCRYPTION_KEY", "SECRET_KEY",
                    "RATE_LIMIT_ISSUE_PER_TOKEN", "RATE_LIMIT_ISSUE_PER_IP",
                    "RATE_LIMIT_VERIFY_PER_IP", "RATE_LIMIT_REDIS_URL", "METRICS_TOKEN",
                    "DESK_SESSION_IDLE_SECONDS", "DESK_SESSION_MAX_SECONDS", "MAIL_URL",
                    "MAIL_FROM", "TASK_QUEUE_URL", "TASK_QUEUE_NAME",
                    "TASK_HEALTH_CHECK_SECONDS", "TRUSTED_PROXY_HOPS")

# Pages run only scripts and styles served from here (nothing inline), are never framed, and
# load images from here, data: URLs or https.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data: https:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")


def _security_headers(response: Response, https: bool) -> Response:
    """The same headers on every answer; the desk (signed-in pages) is never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path == "/desk" or request.path.startswith("/desk/") or (
            "Authorization" in request.headers and request.path.startswith("/api/")):
        headers["Cache-Control"] = "no-store"  # signed-in pages and answers to a token
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def create_app(test_config: Mapping[str, Any] | None = None,
               instance_path: str | None = None) -> Flask:
    """Build the app: defaults, then environment, then ``test_config``; blueprints last."""
    app = Flask(__name__, instance_path=instance_path or os.environ.get("INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping({k: os.environ[k] for k in FROM_ENVIRONMENT if os.environ.get(k)})
    if test_config:
        app.config.from_mapping(test_config)
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"].rstrip("/")
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.sort_keys = False  # keep credentials in the order they were written

    from issuer import store
    from issuer.operations import cli
    from issuer.services.context import ServiceContext
    from issuer.services.instance_secrets import load_secret
    from issuer.services.keyring import check_at_start, load_kek
    from issuer.services.mail_delivery import MailSettings
    from issuer.web import context, problems

    store.init_app(app)
    problems.init_app(app)
    cli.init_app(app)
    fetcher = SafeFetcher(allow_private=app.config["FETCH_ALLOW_PRIVATE"])
    services = ServiceContext(
        base_url=app.config["PUBLIC_BASE_URL"],
        kek=load_kek(app.config["KEY_ENCRYPTION_KEY"], app.instance_path),
        fetcher=fetcher,
        # One per process: remote status lists are cached here for their ttl.
        status_source=HttpStatusListSource(fetcher),
        sessions=store.store(app).sessions,
        desk_idle=timedelta(seconds=float(app.config["DESK_SESSION_IDLE_SECONDS"])),
        desk_lifetime=timedelta(seconds=float(app.config["DESK_SESSION_MAX_SECONDS"])),
        mail=MailSettings.configured(app.config["MAIL_URL"], app.config["MAIL_FROM"],
                                     app.instance_path, app.config["PUBLIC_BASE_URL"]))
    context.install(app, services)

    app.secret_key = app.config.get("SECRET_KEY") or load_secret(app.instance_path)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=services.base_url.startswith("https"))

    from issuer.api import openapi, presentation_requests, routes
    from issuer.operations import mail_work, observability, rate_limits, tasks
    from issuer.pages import (
        badges,
        consent,
        desk,
        desk_admin,
        desk_mail,
        desk_requests,
        desk_sign_in,
        learner,
        logos,
        site,
        verify,
    )
    from issuer.protocols import (
        case,
        exchanges,
        ob_api,
        oid4vci,
        openid4vp,
        presentation_exchanges,
        published,
        vc_api,
    )
    from issuer.web import compression, proxy
    from issuer.web.requests import refuse_control_characters_in_url

    observability.init_app(app)
    tasks.init_app(app)
    mail_work.init_app(app)
    app.before_request(refuse_control_characters_in_url)

    # Machines' API, standard protocols and published documents, then people's pages.
    for blueprint in (routes.bp, openapi.bp, vc_api.bp, exchanges.bp, published.bp, case.bp,
                      badges.bp, verify.bp, desk.bp, desk_mail.bp, site.bp, desk_sign_in.bp,
                      desk_admin.bp, logos.bp, oid4vci.bp, learner.bp, presentation_requests.bp,
                      presentation_exchanges.bp, openid4vp.bp, desk_requests.bp, ob_api.bp,
                      consent.bp):
        app.register_blueprint(blueprint)
    rate_limits.init_app(app)  # limits name endpoints: after every blueprint
    https = services.base_url.startswith("https://")
    compression.init_app(app)  # after the headers below: the last added runs first
    app.after_request(lambda response: _security_headers(response, https))
    proxy.init_app(app, services.base_url, int(app.config["TRUSTED_PROXY_HOPS"]))
    check_at_start(services.sessions, services.kek)  # logs a wrong KEK
    return app
