"""schemathesis against /openapi.json: thousands of generated requests, no server error, every
answer as the document describes it.

One check is left out: "positive data acceptance" takes JSON Schema patterns as ECMA-262
regular expressions, where \\s is ASCII whitespace; we check them with Python's, where it is
Unicode whitespace too, so an email address with U+0085 in it is generated as valid and then
(rightly) refused."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from issuer.services.issuers import create_issuer
from issuer.store import store
from issuer.web.context import service_context
from tests.service.conftest import BASE, copied_store, make_app

pytestmark = pytest.mark.filterwarnings("ignore")  # schemathesis' deprecation chatter
EXAMPLES_PER_OPERATION = 100
MINIMUM_REQUESTS = 2000


def exercise(operation, token: str, statuses: Counter, failures: list[str]) -> None:
    """Up to EXAMPLES_PER_OPERATION generated requests to one operation."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        # identity: schemathesis' WSGI transport sends Accept-Encoding: gzip but, unlike an
        # HTTP client, does not decode what it asked for (gzip is tested in test_site_pages).
        response = case.call(headers={"Authorization": f"Bearer {token}",
                                      "Accept-Encoding": "identity"})
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, excluded_checks=[positive_data_acceptance])
        except Exception as error:
            failures.append(f"{operation.label} -> {response.status_code}: "
                            f"{str(error)[:600]}")

    run()


def test_generated_requests_meet_the_openapi_document(tmp_path, template_store) -> None:
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, RATE_LIMIT_VERIFY_PER_IP="0", RATE_LIMIT_ISSUE_PER_IP="0",
                       RATE_LIMIT_ISSUE_PER_TOKEN="0", **config)
        with store(app).sessions() as db:
            token = create_issuer(db, service_context(app).kek, BASE, "riverbend",
                                  "Riverbend")["token"]
        schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
        statuses: Counter = Counter()
        failures: list[str] = []
        for result in schema.get_all_operations():
            exercise(result.ok(), token, statuses, failures)
        store(app).engine.dispose()
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    assert sum(statuses.values()) >= MINIMUM_REQUESTS, statuses
    assert server_errors == 0, statuses
    assert not failures, "\n".join(sorted(set(failures))[:20])
