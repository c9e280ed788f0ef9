"""The verifier page refuses a credential holding a lone surrogate (JSON's grammar allows
``"\\ud800"``, but it is no Unicode text and cannot be written back as UTF-8): 400 naming
where, never a 500 while rendering."""

from __future__ import annotations

import base64
import io
import json

import pytest

CREDENTIAL = '{"name": "\\ud800", "type": "VerifiableCredential"}'


@pytest.fixture
def service(service):
    service.app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    return service


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def _assert_refused(response) -> None:
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "/name: holds a lone surrogate (U+D800)" in text, text[-600:]


def test_pasted_json_with_a_lone_surrogate_is_refused(service) -> None:
    _assert_refused(service.client.post("/verify", data={"credential_text": CREDENTIAL}))


def test_an_uploaded_file_with_a_lone_surrogate_is_refused(service) -> None:
    _assert_refused(service.client.post(
        "/verify", data={"credential_file": (io.BytesIO(CREDENTIAL.encode()), "vc.json")},
        content_type="multipart/form-data"))


def test_a_vc_jwt_whose_payload_holds_a_lone_surrogate_is_refused(service) -> None:
    token = _b64(json.dumps({"alg": "EdDSA", "kid": "did:example:a#k"})) + "." + \
        _b64(CREDENTIAL) + ".AAAA"
    _assert_refused(service.client.post("/verify", data={"credential_text": token}))
