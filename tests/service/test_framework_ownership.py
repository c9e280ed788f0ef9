"""An issuer's admin gives levels only to models that issuer imported: a crosswalk naming
another issuer's (or the bundled) model is refused, whatever its own id."""

from __future__ import annotations

import json
from pathlib import Path

from tests.service.conftest import MODEL

BUNDLED = Path(__file__).resolve().parents[2] / "credentials" / "frameworks" / "data"


def test_a_crosswalk_for_someone_else_s_model_is_refused(service) -> None:
    crosswalk = json.loads(next(BUNDLED.glob("crosswalk-*.json")).read_text(encoding="utf-8"))
    crosswalk["id"] = "hijack"  # a new id: the check must look at the model it names
    assert crosswalk["model"] == MODEL
    answer = service.client.post(
        "/api/v1/issuers/lakeside/frameworks", headers=service.auth(service.other_admin),
        json={"files": [{"name": "hijack.json", "content": json.dumps(crosswalk)}]})
    assert answer.status_code == 403, answer.get_json()
    assert "did not import" in answer.get_json()["detail"]
    listed = service.client.get(f"/api/v1/frameworks/{MODEL}").get_json()
    assert "hijack" not in json.dumps(listed)


def test_a_hostile_file_is_a_refusal_not_a_500(service) -> None:
    """Nesting past the caps, and an id or version longer than the store's columns."""
    framework = json.loads(next(BUNDLED.glob("*.lerme.json")).read_text(encoding="utf-8"))
    long_version = json.dumps({**framework, "framework": {**framework["framework"],
                                                          "version": "v" * 300}})
    for name, content in (("deep.json", "[" * 200_000), ("long.lerme.json", long_version)):
        answer = service.client.post(
            "/api/v1/issuers/lakeside/frameworks", headers=service.auth(service.other_admin),
            json={"files": [{"name": name, "content": content}]})
        assert answer.status_code in (400, 422), (name, answer.get_json())
