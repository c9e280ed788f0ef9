"""The Flask app factory and its health endpoint."""

from __future__ import annotations

from issuer import create_app


def test_healthz(tmp_path) -> None:
    app = create_app({"TESTING": True, "JOB_RUNNER": False}, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
