"""Bearer-token authentication for the HTTP layer: every request reads the store (no cache),
so a revoked or expired token is refused at once on every host."""

from __future__ import annotations

from flask import request

from issuer.services.callers import Caller
from issuer.services.errors import Unauthenticated
from issuer.services.tokens import authenticate
from issuer.web.context import service_context
from issuer.web.problems import Problem, from_domain

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="competency-credentials"'}


def current_caller() -> Caller:
    """The caller the request's ``Authorization: Bearer`` token identifies, or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "this needs an API token: "
                      "send 'Authorization: Bearer <token>'", headers=CHALLENGE)
    with service_context().sessions() as db:
        try:
            return authenticate(db, token.strip())
        except Unauthenticated as error:
            raise from_domain(error, CHALLENGE) from None
