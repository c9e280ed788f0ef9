"""Request ids, one structured JSON log line per request, metrics, /metrics and /readyz."""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, request

from issuer.services import metrics
from issuer.services.keyring import kek_matches, kek_mismatch
from issuer.store import store
from issuer.store.migrate import is_current
from issuer.web.context import service_context
from issuer.web.problems import Problem

log = logging.getLogger("issuer.requests")
bp = Blueprint("observability", __name__)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object, with the request id when there is a request."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _request_id() -> str:
    sent = request.headers.get("X-Request-ID", "")
    if 0 < len(sent) <= 128 and sent.isprintable() and " " not in sent:
        return sent
    return uuid.uuid4().hex


def _start() -> None:
    g.request_id = _request_id()
    g.started = time.perf_counter()


# Path parts that are capabilities (a wallet offer's id takes the offer): logs, which many
# read, get the route's placeholder instead.
SECRET_PARTS = ("offer_id",)


def _logged_path() -> str:
    path, args = request.path, request.view_args or {}
    for name in SECRET_PARTS:
        if isinstance(args.get(name), str) and args[name]:
            path = path.replace(args[name], f"<{name}>")
    return path


def _finish(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    metrics.REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    metrics.LATENCY.labels(endpoint).observe(elapsed)
    if response.status_code >= 500:
        metrics.ERRORS.labels(endpoint).inc()
    response.headers["X-Request-ID"] = g.get("request_id", "")
    log.info("request", extra={"fields": {
        "method": request.method, "path": _logged_path(), "status": response.status_code,
        "duration_ms": round(elapsed * 1000, 2), "remote": request.remote_addr}})
    return response


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Prometheus exposition; with ``METRICS_TOKEN`` set, only for ``Bearer <token>``."""
    expected = current_app.config.get("METRICS_TOKEN")
    if expected:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {expected}".encode()):
            raise Problem(401, "Unauthorized", "/metrics needs the metrics token "
                          "(Authorization: Bearer <METRICS_TOKEN>)",
                          headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(metrics.exposition(), mimetype="text/plain; version=0.0.4")


@bp.get("/healthz")
def healthz() -> Any:
    """200 once the store answers."""
    try:
        store(current_app).ping()
    except Exception as error:  # any driver error means "not healthy", never a 500
        raise Problem(503, "Service Unavailable", f"the store does not answer: "
                      f"{type(error).__name__}") from None
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> Any:
    """200 when this process can serve: the store answers, its schema is current, and this
    host's key-encryption key opens the store's canary."""
    try:
        ready = is_current(store(current_app).engine)
        if ready:
            context = service_context()
            with context.sessions() as db, db.begin():
                kek_ok = kek_matches(db, context.kek)
    except Exception as error:  # a driver error means "not ready", never a 500
        raise Problem(503, "Service Unavailable", f"the store does not answer: "
                      f"{type(error).__name__}") from None
    if not ready:
        raise Problem(503, "Service Unavailable", "the store's schema is not current: run "
                      "flask --app wsgi init")
    if not kek_ok:
        raise kek_mismatch()
    return {"status": "ready"}


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
    if app.config["LOG_JSON"] and not app.testing:  # tests read records through pytest
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger("issuer")
        if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
            root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
