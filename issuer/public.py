"""Public endpoints that need no token."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness for load balancers and ``make run`` users."""
    return {"status": "ok"}
