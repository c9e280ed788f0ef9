"""The verification report: named checks with outcomes and messages, and one verdict.

The HTTP API serialises it as-is and pages render it; nothing re-derives a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"  # passed, with something the verifier should know
    FAILURE = "failure"
    SKIPPED = "skipped"  # not applicable, or not checked (the message says which)


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"check": self.name, "outcome": str(self.outcome),
                                "message": self.message}
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True)
class VerificationReport:
    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        """True when no check failed."""
        return all(check.outcome is not Outcome.FAILURE for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    @property
    def issuer_bound(self) -> bool:
        """True when a key tied to the credential's issuer signed it (and, in a CLR, every
        embedded credential): by the issuer's published document, its did:key, or -- for
        this service's own issuers -- its records. False when the signature is valid but
        the key is only self-asserted, or when the credential does not verify."""
        if not self.verified:
            return False
        issuer = self._named("issuer")
        embedded = self._named("embedded_credentials")
        return bool(issuer and issuer.detail.get("bound")) and \
            (embedded is None or embedded.detail.get("bound", True) is not False)

    @property
    def verdict(self) -> str:
        """One sentence for the whole report; "every check passed" only when verified and
        issuer-bound."""
        if not self.verified:
            return f"Not verified: {self.errors[0] if self.errors else 'a check failed'}."
        issuer = self._named("issuer")
        if issuer is not None and not issuer.detail.get("bound"):
            named = issuer.detail.get("issuer") or "its issuer"
            return f"The signature is valid, but nothing ties the key to {named}."
        if not self.issuer_bound:
            return ("The signatures are valid, but nothing ties the key of an embedded "
                    "credential to its issuer.")
        return "Verified: every check passed."

    def _named(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    @property
    def errors(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.FAILURE]

    @property
    def warnings(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.WARNING]

    def as_json(self) -> dict[str, Any]:
        """The VC API verify response shape (verified, checks, warnings, errors), with
        ``issuerBound`` and ``verdict`` (see those properties)."""
        return {
            "verified": self.verified,
            "issuerBound": self.issuer_bound,
            "verdict": self.verdict,
            "checks": [check.as_json() for check in self.checks],
            "warnings": self.warnings,
            "errors": self.errors,
        }
