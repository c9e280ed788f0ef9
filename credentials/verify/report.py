"""The verification report: named checks with outcomes and messages, and one verdict.

The report owns the headline: ``verified``, ``issuer_bound``, ``standing`` (which of five
results), ``reason`` (why, in plain words) and ``verdict`` (the sentence). The HTTP API
serialises it as-is, and the CLI, the verifier page and the share page render those
fields; none re-derives a verdict from the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from credentials.verify.resolvers import KeyProblem


class Outcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"  # passed, with something the verifier should know
    FAILURE = "failure"
    SKIPPED = "skipped"  # not applicable, or not checked (the message says which)


class Standing(StrEnum):
    """The whole report in one word; a renderer picks its wording and colour by it."""

    VERIFIED = "verified"  # no check failed, and everything is tied to whom it names
    # No check failed, but something is not tied to whom it names: a key (the credential's,
    # an embedded credential's, an endorsement's) to its issuer or endorser, or the subject
    # of a credential inside a CLR to the CLR's subject.
    UNBOUND = "unbound"
    REVOKED = "revoked"  # the first failure: the issuer revoked it
    SUSPENDED = "suspended"  # the first failure: the issuer suspended it
    FAILED = "failed"  # any other failure


class ProofFailure(StrEnum):
    """What kind of failure a failed ``proof`` check is (its detail's ``failure``)."""

    SIGNATURE = "signature"  # the signature does not match: something was changed
    KEY = "key"  # the key could not be resolved (the detail's ``keyProblem`` says why)
    PROOF = "proof"  # the proof is malformed or of a kind not checked
    MISSING = "missing"  # there is no proof


PROOF_FAILURES = {
    ProofFailure.SIGNATURE: "the signature does not match: the credential was changed after "
                            "it was signed, or was not signed by the key it names",
    ProofFailure.PROOF: "its proof is malformed or of a kind this verifier does not check",
    ProofFailure.MISSING: "it carries no proof",
}

# Why a signing key could not be resolved, by the proof check's ``keyProblem``
# (KeyProblem.UNAVAILABLE, a resolver's unspecific failure, says no more).
KEY_PROBLEMS = {
    KeyProblem.NOT_FOUND: "the document that should publish it was not found",
    KeyProblem.UNREACHABLE: "the document that should publish it could not be fetched",
    KeyProblem.REFUSED: "the address of the document that should publish it was refused: "
                        "only public https addresses are fetched",
    KeyProblem.MALFORMED: "the document that should publish it is malformed",
    KeyProblem.UNUSABLE_KEY: "the key published for it is not usable",
    KeyProblem.NOT_LISTED: "its controller's document does not list it",
    KeyProblem.NOT_AUTHORISED: "its controller's document does not authorise it to sign "
                               "credentials",
    KeyProblem.UNSUPPORTED: "it is named in a way this verifier does not resolve",
}

PLAIN_FAILURES = {
    "issuer": "it was not signed by a key of the issuer it names",
    "validity_period": "it is outside its validity period (expired, or not yet valid)",
    "schema": "it is not a well-formed Open Badges 3.0 or CLR 2.0 credential",
    "embedded_credentials": "a credential inside it did not verify",
}


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


def _proof_failure(proof: Check) -> str:
    """Why the proof check failed, from the kind of failure its detail records: only a
    signature that does not match says the credential was changed."""
    failure = proof.detail.get("failure")
    if failure == ProofFailure.KEY:
        why = KEY_PROBLEMS.get(proof.detail.get("keyProblem", ""))
        return "its signing key could not be resolved" + (f" ({why})" if why else "")
    return PROOF_FAILURES.get(failure, "its signature could not be checked")


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
        this service's own issuers -- its records. It says whose key signed, nothing more:
        a revoked or expired credential signed by its issuer's key is still issuer-bound.
        False when the key is only self-asserted or someone else's, or no proof verified."""
        issuer = self._named("issuer")
        embedded = self._named("embedded_credentials")
        return bool(issuer and issuer.detail.get("bound")) and \
            (embedded is None or embedded.detail.get("bound", True) is not False)

    @property
    def standing(self) -> Standing:
        """Revoked or suspended only when that is the first failure: a forgery reusing a
        revoked credential's status entry is a forgery first."""
        first = self._first_failure()
        if first is None:
            return Standing.VERIFIED if self.issuer_bound and self._untied() is None \
                else Standing.UNBOUND
        if first.name == "status":
            states = {entry.get("status") for entry in first.detail.get("entries", [])
                      if isinstance(entry, dict)}
            for state in (Standing.REVOKED, Standing.SUSPENDED):
                if state.value in states:
                    return state
        return Standing.FAILED

    @property
    def reason(self) -> str:
        """Why the report stands as it does, in words a person can act on."""
        standing = self.standing
        if standing is Standing.VERIFIED:
            warned = self._first(Outcome.WARNING)
            return "every check passed" if warned is None else warned.message
        if standing in (Standing.REVOKED, Standing.SUSPENDED):
            return f"the issuer has {standing.value} this credential"
        if standing is Standing.UNBOUND:
            if self._issuer_unbound():
                named = self.check("issuer").detail.get("issuer") or "its issuer"
                return f"nothing ties the key to {named}"
            if not self.issuer_bound:
                return "nothing ties the key of an embedded credential to its issuer"
            return self._untied() or "something in it is not tied to whom it names"
        first = self._first_failure()
        if first is None:
            return "a check failed"
        held = first.detail.get("credentials", []) if first.name == "embedded_credentials" \
            else []
        if held and all(r.get("verified") for r in held):
            return "a credential inside it is about someone other than this record's subject"
        if first.name == "proof":
            return _proof_failure(first)
        return PLAIN_FAILURES.get(first.name, first.message)

    @property
    def verdict(self) -> str:
        """One sentence for the whole report; "every check passed" only when verified,
        issuer-bound and no check warned."""
        standing = self.standing
        if standing is Standing.VERIFIED:
            warned = self._first(Outcome.WARNING) is not None
            return f"Verified, with a warning: {self.reason}." if warned \
                else "Verified: every check passed."
        if standing is Standing.UNBOUND and self.issuer_bound:
            return f"Verified, but {self.reason}."
        if standing is Standing.UNBOUND:
            subject = "signature is" if self._issuer_unbound() else "signatures are"
            return f"The {subject} valid, but {self.reason}."
        return f"Not verified: {self.reason}."

    def _untied(self) -> str | None:
        """What, beyond the keys ``issuer_bound`` covers, is not tied to whom it names: an
        endorsement's key to its endorser, a held credential's subject to a CLR's."""
        endorsements = self._named("endorsements")
        if endorsements is not None and endorsements.detail.get("bound") is False:
            first = next((r for r in endorsements.detail.get("endorsements", [])
                          if not r.get("issuerBound")), {})
            endorser = first.get("endorser")
            return "nothing ties the key of an endorsement to the endorser it names" + (
                f" ({endorser})" if isinstance(endorser, str) else "")
        embedded = self._named("embedded_credentials")
        if embedded is not None and embedded.detail.get("subjectsTied") is False:
            first = next((r for r in embedded.detail.get("credentials", [])
                          if r.get("subject") != "tied"), {})
            return (f"nothing ties the subject of the credential {first.get('id')} inside it "
                    "to this record's subject")
        return None

    def _issuer_unbound(self) -> bool:
        issuer = self._named("issuer")
        return issuer is not None and not issuer.detail.get("bound")

    def _first_failure(self) -> Check | None:
        return self._first(Outcome.FAILURE)

    def _first(self, outcome: Outcome) -> Check | None:
        return next((c for c in self.checks if c.outcome is outcome), None)

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
        ``issuerBound``, ``standing`` and ``verdict`` (see those properties)."""
        return {
            "verified": self.verified,
            "issuerBound": self.issuer_bound,
            "standing": str(self.standing),
            "verdict": self.verdict,
            "checks": [check.as_json() for check in self.checks],
            "warnings": self.warnings,
            "errors": self.errors,
        }
