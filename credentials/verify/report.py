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
    def errors(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.FAILURE]

    @property
    def warnings(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.WARNING]

    def as_json(self) -> dict[str, Any]:
        """The VC API verify response shape: verified, checks, warnings, errors."""
        return {
            "verified": self.verified,
            "checks": [check.as_json() for check in self.checks],
            "warnings": self.warnings,
            "errors": self.errors,
        }
