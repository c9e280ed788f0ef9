"""Verify a credential offline-first and report every check by name.

``verify_credential`` is the one entry point; it needs no Flask and no database. Pass a
resolver to control how verification methods are found (the service puts its own store
first), and a loader to add JSON-LD contexts beyond the bundled ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.verify.checks import (
    check_proof,
    check_schema,
    check_status,
    check_subject,
    check_validity_period,
)
from credentials.verify.report import Check, Outcome, VerificationReport
from credentials.verify.resolvers import ChainResolver, ResolutionError, default_resolver


def verify_credential(
    credential: Any,
    *,
    resolver: ChainResolver | None = None,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    now: datetime | None = None,
    expected_email: str | None = None,
) -> VerificationReport:
    """Run every check on ``credential`` and return the report (never raises for bad input)."""
    if not isinstance(credential, Mapping):
        return VerificationReport((Check("schema", Outcome.FAILURE,
                                         "a credential must be a JSON object"),))
    return VerificationReport((
        check_schema(credential),
        check_proof(credential, resolver or default_resolver(), loader),
        check_validity_period(credential, now or datetime.now(UTC)),
        check_status(credential),
        check_subject(credential, expected_email),
    ))


__all__ = [
    "ChainResolver",
    "Check",
    "Outcome",
    "ResolutionError",
    "VerificationReport",
    "default_resolver",
    "verify_credential",
]
