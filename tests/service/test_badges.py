"""Badge artwork and baked badges served by the service, verified when sent back."""

from __future__ import annotations

import pytest

from credentials.baking import extract
from tests.service.conftest import MODEL, completion_body


@pytest.mark.parametrize("path, media", [
    (f"/badges/{MODEL}/de-escalation.svg", "image/svg+xml"),
    (f"/badges/{MODEL}/de-escalation/proficient.png", "image/png"),
])
def test_badge_artwork(service, path: str, media: str) -> None:
    response = service.client.get(path)
    assert response.status_code == 200 and response.mimetype == media
    if media == "image/svg+xml":
        assert b"De-escalation" in response.data and b'role="img"' in response.data
    else:
        assert response.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("format_", ["data-integrity", "jwt"])
@pytest.mark.parametrize("extension, media", [("png", "image/png"), ("svg", "image/svg+xml")])
def test_baked_badges_verify_when_sent_back(service, format_: str, extension: str,
                                            media: str) -> None:
    issued = service.client.post("/api/v1/issuers/riverbend/completions",
                                 json=completion_body(format=format_),
                                 headers=service.auth(service.assessor)).get_json()
    if format_ == "data-integrity":
        assert issued["credential"]["image"]["id"].endswith(
            f"/badges/{MODEL}/de-escalation/developing.svg")
    baked = service.client.get(f"/credentials/{issued['credentialId']}/badge.{extension}")
    assert baked.status_code == 200 and baked.mimetype == media
    assert extract(baked.data) == issued["credential"]
    report = service.client.post("/credentials/verify", data=baked.data,
                                 content_type=media)
    assert report.status_code == 200, report.get_json()["errors"]


def test_unknown_badges_are_404(service) -> None:
    assert service.client.get(f"/badges/{MODEL}/juggling.svg").status_code == 404
    assert service.client.get(f"/badges/{MODEL}/de-escalation/expert.svg").status_code == 404
    assert service.client.get(f"/badges/{MODEL}/de-escalation.gif").status_code == 404
    response = service.client.post("/credentials/verify", data=b"\x89PNG\r\n\x1a\nnope",
                                   content_type="image/png")
    assert response.status_code == 400
