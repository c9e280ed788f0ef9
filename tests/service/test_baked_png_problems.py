"""Malformed baked PNGs are a 400 problem on the VC API and the /verify page, never a 500."""

from __future__ import annotations

import io

import pytest

from tests.test_baking_hostile import HOSTILE, png_with_itxt


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_malformed_baked_png_is_400_on_the_api_and_the_page(service, data: bytes) -> None:
    png = png_with_itxt(data)
    api = service.client.post("/credentials/verify", data=png, content_type="image/png")
    assert api.status_code == 400, api.data[:300]
    assert api.content_type == "application/problem+json"
    assert "PNG" in api.get_json()["detail"] or "iTXt" in api.get_json()["detail"]
    page = service.client.post("/verify", data={"credential_file": (io.BytesIO(png), "b.png")},
                               content_type="multipart/form-data")
    assert page.status_code == 400, page.data[:300]
