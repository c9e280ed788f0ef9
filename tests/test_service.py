"""The Flask app factory and its health endpoint."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import timedelta

import pytest

from issuer import create_app
from issuer.store import store
from issuer.web.context import service_context


def test_healthz(tmp_path) -> None:
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_one_service_context(tmp_path) -> None:
    """create_app builds the settings services use once; nothing can change them later."""
    app = create_app({"TESTING": True,
                      "PUBLIC_BASE_URL": "https://issuer.example/cc/",
                      "DESK_SESSION_IDLE_SECONDS": "90"}, instance_path=str(tmp_path))
    context = service_context(app)
    assert context.base_url == "https://issuer.example/cc"
    assert context.desk_idle == timedelta(seconds=90)
    assert context.sessions is store(app).sessions
    with pytest.raises(FrozenInstanceError):
        context.base_url = "https://elsewhere.example"  # type: ignore[misc]
    with app.app_context():
        assert service_context() is context
