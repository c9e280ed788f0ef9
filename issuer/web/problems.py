"""RFC 9457 problem details: every error the service returns is ``application/problem+json``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from issuer.services.errors import UNACCEPTABLE_TEXT, DomainError, invalid_fields

PROBLEM_JSON = "application/problem+json"
# The one place a service's refusal becomes an HTTP status.
STATUS = {"malformed": 400, "unauthenticated": 401, "forbidden": 403, "not-found": 404,
          "conflict": 409, "too-large": 413, "invalid": 422, "unavailable": 503}
__all__ = ["UNACCEPTABLE_TEXT", "Problem", "from_domain", "problem_response",
           "validation_problem"]
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error the web layer raises to answer with problem details (services raise a
    ``DomainError``, which ``from_domain`` turns into one).

    ``errors`` lists field-level problems as ``{"pointer": "/json/pointer", "detail": "..."}``.
    """

    def __init__(self, status: int, title: str, detail: str, *, type_: str = "about:blank",
                 errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra


def validation_problem(errors: list[dict[str, str]], detail: str | None = None) -> Problem:
    """422 for the web layer's own checks, worded as a service's ``invalid_fields``."""
    return from_domain(invalid_fields(errors, detail))


def from_domain(error: DomainError, headers: dict[str, str] | None = None) -> Problem:
    """The problem details for a service's refusal: its kind's status, its code as the
    problem type, its detail, field errors and extra members unchanged; ``headers`` are
    the web layer's own (a 401's challenge)."""
    return Problem(STATUS[error.kind], error.title, error.detail, type_=error.code,
                   errors=error.errors, headers=headers, **error.extra)


def problem_response(problem: Problem) -> Response:
    body: dict[str, Any] = {"type": problem.type, "title": problem.title,
                            "status": problem.status, "detail": problem.detail,
                            "instance": request.path}
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON)
    response.headers.update(problem.headers)
    return response


def _from_http_exception(error: HTTPException) -> Response:
    detail = error.description or error.name
    headers = {}
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        detail = f"{request.method} is not allowed here; use {headers['Allow']}"
    if error.code == 404:
        detail = f"nothing at {request.path}"
    return problem_response(Problem(error.code or 500, error.name, detail, headers=headers))


def _from_store_outage(error: DBAPIError) -> Response:
    """The database went away (a restart, a failover): nothing was written, retry shortly."""
    if not error.connection_invalidated and not isinstance(error, OperationalError | \
                                                           InterfaceError):
        return _from_unexpected(error)
    log.warning("store unavailable on %s %s: %s", request.method, request.path,
                type(error.orig).__name__)
    return problem_response(Problem(503, "Service Unavailable",
                                    "the store is unavailable for a moment; nothing was "
                                    "changed, and it is safe to retry",
                                    headers={"Retry-After": "1"}))


def _from_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(Problem(500, "Internal Server Error",
                                    "the service failed to handle this request; nothing was "
                                    "changed, and it is safe to retry"))


def init_app(app: Flask) -> None:
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(DomainError, lambda error: problem_response(from_domain(error)))
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(DBAPIError, _from_store_outage)
    app.register_error_handler(Exception, _from_unexpected)
