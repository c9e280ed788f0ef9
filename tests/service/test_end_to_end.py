"""The whole path a user takes: CLI set-up, a real server process, HTTP, verification."""

from __future__ import annotations

from tests.service.conftest import MODEL, completion_body
from tests.service.live import call


def test_record_then_verify_over_http(server) -> None:
    base, created, assessor, instance = (server.base, server.created, server.assessor,
                                         server.instance)
    assert created["did"].startswith("did:web:127.0.0.1%3A")
    assert created["token"].startswith("cc_")
    assert (instance / "key-encryption-key").stat().st_mode & 0o077 == 0

    status, result = call(f"{base}/api/v1/issuers/riverbend/completions",
                          completion_body(competency=f"{MODEL}/patient-vitals"), assessor)
    assert status == 201, result
    status, served = call(result["url"])
    assert status == 200 and served == result["credential"]
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 200 and report["verified"] is True, report
    served["name"] = "Something else"
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 422 and report["verified"] is False
