"""Each attack that used to hold a worker answers within a second of CPU, with a problem
naming the cap; the same caps hold on the JSON API, the /verify page and baked badges."""

from __future__ import annotations

import copy
import io
import json
import time

import pytest

from credentials.status import status_entry
from loadtest.attacks import nested, png_holding
from tests.service.test_api import issue

CPU_SECONDS = 1.0


def cpu(call):
    started = time.process_time()
    response = call()
    return response, time.process_time() - started


def verify(service, credential):
    return service.client.post("/credentials/verify", json={"verifiableCredential": credential})


def paste(service, text: str):
    return service.client.post("/verify", data={"credential_text": text})


def upload(service, data: bytes, name: str):
    return service.client.post("/verify", data={"credential_file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")


def test_200_proofs_over_2000_evidence_items(service) -> None:
    credential = issue(service)["credential"]
    attack = copy.deepcopy(credential)
    attack["credentialSubject"]["evidence"] = [
        {"id": f"https://e.example/{i}", "type": ["Evidence"], "narrative": "x" * 60}
        for i in range(2000)]
    attack["proof"] = [credential["proof"]] * 200
    response, seconds = cpu(lambda: verify(service, attack))
    assert seconds < CPU_SECONDS
    problem = response.get_json()
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert problem["cap"] == "max_proofs" and problem["errors"][0]["pointer"] == \
        "/verifiableCredential/proof"
    page, seconds = cpu(lambda: paste(service, json.dumps(attack)))
    assert seconds < CPU_SECONDS and page.status_code == 400 and b"max_proofs" in page.data


def test_1000_status_entries(service) -> None:
    credential = issue(service)["credential"]
    entry = credential["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    attack = {**credential, "credentialStatus": [
        status_entry(entry["statusListCredential"], i, "revocation") for i in range(1000)]}
    response, seconds = cpu(lambda: verify(service, attack))
    assert seconds < CPU_SECONDS
    assert response.status_code == 400 and response.get_json()["cap"] == "max_status_entries"


def test_status_entries_within_the_cap(service) -> None:
    credential = issue(service)["credential"]
    entry = credential["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    many = {**credential, "credentialStatus": [
        status_entry(entry["statusListCredential"], i, "revocation") for i in range(10)]}
    ten, seconds = cpu(lambda: verify(service, many))
    assert seconds < CPU_SECONDS
    assert ten.status_code == 422  # the entries altered the signed document
    status = next(c for c in ten.get_json()["checks"] if c["check"] == "status")
    assert len(status["detail"]["entries"]) == 10


@pytest.mark.parametrize("depth", [900, 5000])
def test_deep_json_pasted_or_uploaded(service, depth: int) -> None:
    credential = issue(service)["credential"]
    text = json.dumps(credential)
    deep = text[:-1] + ', "extra": ' + nested(depth) + "}"
    for call in (lambda: paste(service, deep), lambda: upload(service, deep.encode(), "c.json"),
                 lambda: service.client.post("/credentials/verify", data=(
                     '{"verifiableCredential": ' + deep + "}"), content_type="application/json")):
        response, seconds = cpu(call)
        assert seconds < CPU_SECONDS
        assert response.status_code == 400, response.data[:300]
        assert b"nested more than 64 levels" in response.data


def test_a_small_png_holding_200000_deep_json(service) -> None:
    png = png_holding(nested(200_000).encode())
    assert len(png) < 4000
    for call in (lambda: service.client.post("/credentials/verify", data=png,
                                             content_type="image/png"),
                 lambda: upload(service, png, "badge.png")):
        response, seconds = cpu(call)
        assert seconds < CPU_SECONDS
        assert response.status_code == 413
        assert b"more than the 1048576 bytes allowed" in response.data
    shallower = png_holding(nested(100_000).encode())  # inside the size cap: the depth cap
    response = service.client.post("/credentials/verify", data=shallower,
                                   content_type="image/png")
    assert response.status_code == 400 and response.get_json()["cap"] == "max_depth"
    page = upload(service, shallower, "badge.png")
    assert page.status_code == 400 and b"nested more than 64 levels" in page.data


def test_a_credential_over_the_size_cap_is_413_on_the_page_too(service) -> None:
    page = upload(service, b'{"name": "' + b"x" * (1024 * 1024) + b'"}', "big.json")
    assert page.status_code == 413
