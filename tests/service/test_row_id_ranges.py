"""A number in an admin path or query that no stored row id can be (beyond the 32-bit
INTEGER keys of PostgreSQL, or below 1) is a 400 or 404 problem, never a database error."""

from __future__ import annotations

import pytest

from tests.service.test_errors import assert_problem

AUDIT = "/api/v1/issuers/riverbend/audit"
OUT_OF_RANGE = ["2147483648", "99999999999999999999", "-99999999999999999999", "0", "-1"]


@pytest.mark.parametrize("before", OUT_OF_RANGE)
def test_an_audit_before_no_row_id_can_be_is_400(service, before: str) -> None:
    response = service.client.get(f"{AUDIT}?before={before}",
                                  headers=service.auth(service.admin))
    problem = assert_problem(response, 400)
    assert "before must be an audit event id from 1 to 2147483647" in problem["detail"]


def test_an_audit_before_at_the_largest_row_id_still_pages(service) -> None:
    everything = service.client.get(AUDIT, headers=service.auth(service.admin)).get_json()
    response = service.client.get(f"{AUDIT}?before=2147483647",
                                  headers=service.auth(service.admin))
    assert response.status_code == 200
    assert response.get_json()["events"] == everything["events"]
    first = everything["events"][-1]["id"]
    assert service.client.get(f"{AUDIT}?before={first}", headers=service.auth(
        service.admin)).get_json()["events"] == []


@pytest.mark.parametrize("token_id", ["2147483648", "99999999999999999999", "0"])
def test_revoking_a_token_no_row_id_can_be_is_404(service, token_id: str) -> None:
    before = service.counts()
    response = service.client.post(f"/api/v1/issuers/riverbend/tokens/{token_id}/revoke",
                                   headers=service.auth(service.admin))
    problem = assert_problem(response, 404)
    assert problem["detail"] == f"issuer 'riverbend' has no token {token_id}"
    assert service.counts() == before
