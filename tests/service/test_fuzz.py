"""Generated JSON and mutated real credentials thrown at every public endpoint: never a 5xx."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.baking import bake_png, bake_svg
from tests.service.conftest import BASE
from tests.service.test_api import issue
from tests.test_baking import tiny_png

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | \
    st.floats(allow_nan=False) | st.text(max_size=30) | st.sampled_from([
        "javascript:alert(1)", "https://example.org/x", "did:key:z6Mk", "2026-01-01T00:00:00Z",
        "urn:uuid:00000000-0000-0000-0000-000000000000", "", "a.b.c", "#z6Mkabc"])
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12) | st.sampled_from(["id", "type", "image", "evidence", "proof",
                                             "issuer", "name", "credentialStatus", "@context"]),
    inner, max_size=4), max_leaves=12)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, original: dict) -> Any:
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(paths(document)))
        if not path:
            return draw(json_values)
        holder = document
        for step in path[:-1]:
            holder = holder[step]
        if draw(st.booleans()) and isinstance(holder, dict):
            del holder[path[-1]]
        else:
            holder[path[-1]] = draw(json_values)
    return document


def no_5xx(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.data[:500]}"


def throw(service, value: Any) -> None:
    client = service.client
    no_5xx(client.post("/credentials/verify", json={"verifiableCredential": value}), "verify")
    text = json.dumps(value)
    no_5xx(client.post("/verify", data={"credential_text": text}), "paste")
    no_5xx(client.post("/verify", data={"credential_file": (io.BytesIO(text.encode()), "c.json")},
                       content_type="multipart/form-data"), "upload")
    if isinstance(value, dict):
        png = bake_png(tiny_png(), value)
        no_5xx(client.post("/credentials/verify", data=png, content_type="image/png"), "png")
        svg = bake_svg('<svg xmlns="http://www.w3.org/2000/svg"></svg>', value)
        no_5xx(client.post("/credentials/verify", data=svg, content_type="image/svg+xml"), "svg")
    issued = client.post("/credentials/issue", headers=service.auth(service.admin),
                         json={"credential": value})
    no_5xx(issued, "issue")
    if issued.status_code == 201:
        url = issued.get_json()["verifiableCredential"]["id"].removeprefix(BASE)
        for accept in ("text/html", "application/vc+ld+json"):
            no_5xx(client.get(url, headers={"Accept": accept}), f"share {accept}")


def test_generated_json_at_every_endpoint(service) -> None:
    @SETTINGS
    @given(json_values)
    def run(value: Any) -> None:
        throw(service, value)

    run()


def test_mutated_real_credentials_at_every_endpoint(service) -> None:
    credential = issue(service)["credential"]
    vc_api = service.client.post("/credentials/issue", headers=service.auth(service.admin), json={
        "credential": {"@context": ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                       "type": ["VerifiableCredential"], "issuer": f"{BASE}/issuers/riverbend",
                       "credentialSubject": {"id": "did:example:learner"},
                       "image": "https://img.example/b.png",
                       "evidence": {"id": "https://evidence.example/1",
                                    "type": ["Evidence"]}}}).get_json()[
        "verifiableCredential"]
    def unsigned(signed: dict) -> dict:  # as a caller would send it to be issued
        return {k: v for k, v in signed.items() if k not in ("id", "proof", "credentialStatus")}

    originals = [credential, vc_api, unsigned(credential), unsigned(vc_api)]

    @SETTINGS
    @given(st.sampled_from(originals).flatmap(mutated))
    def run(value: Any) -> None:
        throw(service, value)

    run()


def test_generated_paths_never_5xx(service) -> None:
    @SETTINGS
    @given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
    def run(segment: str) -> None:
        get_everywhere(service.client, segment)

    run()


def get_everywhere(client, segment: str) -> None:
    from urllib.parse import quote

    for template in ("/credentials/{}", "/issuers/{}", "/issuers/{}/did.json", "/status/{}/1",
                     "/achievements/{}/x", "/credentials/{}/badge.png"):
        path = template.format(quote(segment, safe=""))
        for method in ("GET", "HEAD"):
            for accept in ("text/html", "application/json"):
                no_5xx(client.open(path, method=method, headers={"Accept": accept}), path)
    no_5xx(client.head("/verify"), "HEAD /verify")
