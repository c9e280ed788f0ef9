"""Verify a verifiable presentation: its form, its holder's proof, every credential in it, and
whether each credential is about the holder.

A presentation comes as JSON-LD with a Data Integrity proof, as a compact JWS (VC-JOSE-COSE
``vp+jwt``, or VC-JWT's ``vp`` claim), or as an ``EnvelopedVerifiablePresentation`` around
one. :func:`verify_presentation` is the one entry point; like ``verify_credential`` it needs
no Flask and no database, never raises for bad input, and names every check in its report.

The holder's proof is checked by :mod:`credentials.verify.presentation_auth` (purpose
``authentication``, the challenge and domain asked for, ``expires``, a key the holder DID
authorises); each credential by :func:`credentials.verify.verify_credential`, in full. A
credential with no proof of its own is the holder's own claim, secured by the presentation's
proof only: it counts when the presentation names its holder and the credential names the
holder as its issuer (VCDM 2.0, "Presentations Including Holder Claims"), never otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.fetch import deadline
from credentials.proofs import ProofError
from credentials.proofs.jwt import (
    PRESENTATION_ENVELOPE_PREFIX,
    DecodedJwt,
    decode_presentation_jwt,
    presentation_of,
)
from credentials.rdfc import shared_budget
from credentials.vcdm import VC_V2, is_envelope, issuer_id_of, presentation_problems
from credentials.verify import verify_credential
from credentials.verify.checks import held_credential
from credentials.verify.limits import MAX_DEPTH, LimitExceeded, check_presentation
from credentials.verify.presentation_auth import (
    Authentication,
    AuthenticationError,
    holder_of,
    verify_authentication,
    verify_jwt_authentication,
)
from credentials.verify.report import Check, Outcome, ProofFailure, Standing, VerificationReport
from credentials.verify.resolvers import ChainResolver, IssuerDirectory, default_resolver
from credentials.verify.status_check import StatusListSource

ENVELOPE_TYPE = "EnvelopedVerifiablePresentation"
# All the fetches of one presentation (the holder's DID document, every credential's keys
# and status lists) end within this; a credential's own verification keeps its 8 seconds
# inside it.
FETCH_SECONDS = 10.0
# RDFC-1.0 steps all the canonicalizations of one presentation spend together: the holder's
# proof over the whole presentation, and each credential's proofs, status lists and
# endorsements. Twice one credential's budget: honest presentations spend a few hundred.
RDFC_STEPS = 500_000


class Binding(StrEnum):
    """How a presented credential's subject stands to the presentation's holder."""

    HOLDER = "holder"  # a subject id is the holder's
    OTHER = "other"  # its subject ids are someone else's
    BEARER = "bearer"  # its subject names no id: whoever holds it can present it
    UNKNOWN = "unknown"  # the presentation names no holder, or the credential is unreadable


BINDING_WORDS = {
    Binding.HOLDER: "about the presentation's holder",
    Binding.OTHER: "about someone other than the presentation's holder",
    Binding.BEARER: "names no subject id, so whoever holds it can present it",
    Binding.UNKNOWN: "cannot be tied to a holder",
}


@dataclass(frozen=True)
class PresentedCredential:
    """One credential of the presentation: where it sits, its full verification, and how its
    subject stands to the holder."""

    pointer: str
    label: str
    report: VerificationReport
    binding: Binding
    subjects: tuple[str, ...]
    credential: Mapping[str, Any] | None  # as read (a VC-JWT's payload); None if unreadable

    def as_json(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "id": self.label,
                "holderBinding": {"binding": str(self.binding),
                                  "subjects": list(self.subjects),
                                  "words": BINDING_WORDS[self.binding]},
                **self.report.as_json()}


PLAIN_FAILURES = {
    "data_model": "it is not a well-formed verifiable presentation",
    "credentials": "a credential in it does not verify",
    "holder_binding": "a credential in it is not about its holder",
}


@dataclass(frozen=True)
class PresentationReport:
    """Every check of one presentation, and each credential's own report."""

    checks: tuple[Check, ...]
    credentials: tuple[PresentedCredential, ...] = ()
    holder: str | None = None  # whom the presentation names as its holder
    authentication: Authentication | None = None  # the holder's proof, when it verified
    presentation: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def verified(self) -> bool:
        """True when no check failed (a failed credential fails the ``credentials`` check)."""
        return all(check.outcome is not Outcome.FAILURE for check in self.checks)

    @property
    def holder_proven(self) -> bool:
        """True when a proof by the key of a DID, named as the holder, verified (or, in a
        presentation naming no holder, by some DID: ``authentication.holder`` says which)."""
        return self.authentication is not None

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    @property
    def verdict(self) -> str:
        """The whole result in one sentence."""
        failed = next((c for c in self.checks if c.outcome is Outcome.FAILURE), None)
        if failed is not None:
            if failed.name == "holder_proof":
                return f"Not verified: the holder's proof does not hold ({failed.message})."
            return f"Not verified: {PLAIN_FAILURES.get(failed.name, failed.message)}."
        if self.standing is Standing.UNBOUND:
            return (f"The signatures are valid, but "
                    f"{self.check('credentials').message}.")
        warned = next((c for c in self.checks if c.outcome is Outcome.WARNING), None)
        if warned is not None:
            return f"Verified, with a warning: {warned.message}."
        return "Verified: every check passed."

    @property
    def standing(self) -> Standing:
        """verified, failed, or unbound when a credential's signature is tied to no one
        behind the issuer it names (``verified`` alone cannot say so: a self-signed
        credential naming a college verifies)."""
        if not self.verified:
            return Standing.FAILED
        if any(not c.report.issuer_bound for c in self.credentials):
            return Standing.UNBOUND
        return Standing.VERIFIED

    @property
    def errors(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.FAILURE]

    @property
    def warnings(self) -> list[str]:
        return [f"{c.name}: {c.message}" for c in self.checks if c.outcome is Outcome.WARNING]

    def as_json(self) -> dict[str, Any]:
        """The VC API verify response (verified, checks, warnings, errors) with the holder,
        whether its proof holds, the verdict, and each credential's own report."""
        return {"verified": self.verified, "standing": str(self.standing),
                "holder": self.holder,
                "holderProven": self.holder_proven,
                "authenticatedBy": self.authentication.verification_method
                if self.authentication else None,
                "verdict": self.verdict,
                "checks": [check.as_json() for check in self.checks],
                "warnings": self.warnings, "errors": self.errors,
                "credentials": [c.as_json() for c in self.credentials]}


def presentation_envelope_problems(value: Any) -> list[tuple[str, str]]:
    """VCDM 2.0 4.13.2: an EnvelopedVerifiablePresentation has its own ``@context`` (including
    the base context) and a data: URL of the secured presentation as its ``id``; empty for
    anything that is not one."""
    if not isinstance(value, Mapping) or value.get("type") not in (ENVELOPE_TYPE,
                                                                   [ENVELOPE_TYPE]):
        return []
    problems = []
    context = value.get("@context")
    if VC_V2 not in (context if isinstance(context, list) else [context]):
        problems.append(("/@context", f"an {ENVELOPE_TYPE} needs its own @context, "
                                      f"including {VC_V2}"))
    if unwrap_presentation(value) is None:
        problems.append(("/id", f"must be a {PRESENTATION_ENVELOPE_PREFIX} URL holding the "
                                "VP-JWT"))
    return problems


def unwrap_presentation(value: Any) -> str | None:
    """The compact JWS in a VP-JWT string or an EnvelopedVerifiablePresentation, else None."""
    if isinstance(value, str) and value.count(".") == 2:
        return value.strip()
    if isinstance(value, Mapping) and value.get("type") in (ENVELOPE_TYPE, [ENVELOPE_TYPE]):
        identifier = value.get("id", "")
        if isinstance(identifier, str) and identifier.startswith(PRESENTATION_ENVELOPE_PREFIX):
            return identifier[len(PRESENTATION_ENVELOPE_PREFIX):].strip()
    return None


def is_presentation(value: Any) -> bool:
    """Whether ``value`` is offered as a presentation (not a credential): its type says
    VerifiablePresentation or EnvelopedVerifiablePresentation, or it is a JWT whose payload
    is one (or holds one in ``vp``). Nothing is verified here."""
    token = unwrap_presentation(value)
    if token is not None and not isinstance(value, Mapping):
        try:
            value = presentation_of(decode_presentation_jwt(token))
        except (ProofError, RecursionError):
            return False
    if not isinstance(value, Mapping):
        return False
    kind = value.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "VerifiablePresentation" in kinds or ENVELOPE_TYPE in kinds


def verify_presentation(
    presentation: Any,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    resolver: ChainResolver | None = None,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    now: datetime | None = None,
    status_source: StatusListSource | None = None,
    issuers: IssuerDirectory | None = None,
    did_methods: Collection[str] = ("key", "web"),
    holder_binding_required: bool = False,
) -> PresentationReport:
    """Run every check on ``presentation`` and return the report (never raises for bad input).

    With ``challenge`` (or ``domain``) the presentation must carry a holder's proof made for
    exactly that challenge (that domain); without them a proof is still checked when there is
    one, and a presentation with none passes with a warning (nothing shows who presented it).
    Each credential is verified as ``verify_credential`` would, with the same resolver,
    loader, clock, status source and issuer directory. A credential whose subject is not the
    holder is reported in the ``holder_binding`` check: a warning, or a failure with
    ``holder_binding_required``. Over a cap of :mod:`credentials.verify.limits` (among them
    ``MAX_PRESENTED`` credentials) it fails at once; all fetches end within
    ``FETCH_SECONDS`` and all canonicalizations spend at most ``RDFC_STEPS`` together.
    """
    with deadline(FETCH_SECONDS), shared_budget(RDFC_STEPS, "one presentation"):
        return _Verification(challenge, domain, resolver or default_resolver(), loader,
                             now or datetime.now(UTC), status_source, issuers,
                             tuple(did_methods), holder_binding_required).run(presentation)


def _limits_failure(error: LimitExceeded) -> PresentationReport:
    return PresentationReport((Check("limits", Outcome.FAILURE, str(error), error.as_json()),))


@dataclass(frozen=True)
class _Verification:
    challenge: str | None
    domain: str | None
    resolver: ChainResolver
    loader: StaticDocumentLoader
    now: datetime
    status_source: StatusListSource | None
    issuers: IssuerDirectory | None
    did_methods: tuple[str, ...]
    holder_binding_required: bool

    def run(self, value: Any) -> PresentationReport:
        if problems := presentation_envelope_problems(value):
            return PresentationReport((Check("data_model", Outcome.FAILURE, "not a valid "
                                             f"{ENVELOPE_TYPE}: {problems[0][0]}: "
                                             f"{problems[0][1]}"),))
        token = unwrap_presentation(value)
        decoded = None
        if token is not None:
            try:
                decoded = decode_presentation_jwt(token)
            except RecursionError:
                return _limits_failure(LimitExceeded("max_depth", MAX_DEPTH, "", "the VP-JWT "
                                                     "payload is nested too deeply"))
            except ProofError as error:
                return PresentationReport((Check("holder_proof", Outcome.FAILURE, str(error),
                                                 {"format": "vp+jwt"}),))
            value = presentation_of(decoded)
        try:
            check_presentation(value)
        except LimitExceeded as error:
            return _limits_failure(error)
        if not isinstance(value, Mapping):
            return PresentationReport((Check("data_model", Outcome.FAILURE,
                                             "a presentation must be a JSON object, a VP-JWT "
                                             "or an EnvelopedVerifiablePresentation"),))
        holder = holder_of(value)
        if decoded is not None and holder is None and isinstance(decoded.payload.get("iss"),
                                                                 str):
            holder = decoded.payload["iss"]  # VC-JWT names the holder in iss
        holder = holder if isinstance(holder, str) else None
        authentication, proof = self._holder_proof(value, decoded, holder)
        credentials = [self._credential(index, item, holder, authentication)
                       for index, item in enumerate(_items(value))]
        checks = (_data_model(value), proof, _credentials_check(credentials),
                  self._binding_check(credentials, holder, authentication))
        return PresentationReport(checks, tuple(credentials), holder, authentication, value)

    def _holder_proof(self, presentation: Mapping[str, Any], decoded: DecodedJwt | None,
                      holder: str | None) -> tuple[Authentication | None, Check]:
        """The holder's proof: a JWT's signature, or the one Data Integrity proof."""
        asked = {name: value for name, value in (("challenge", self.challenge),
                                                 ("domain", self.domain)) if value is not None}
        if decoded is None and "proof" not in presentation:
            if asked:
                return None, Check("holder_proof", Outcome.FAILURE, "the presentation has no "
                                   f"proof, but a {' and a '.join(asked)} was asked for: "
                                   "only a proof made for them shows who presented it, and "
                                   "when", {"failure": ProofFailure.MISSING})
            return None, Check("holder_proof", Outcome.WARNING, "the presentation carries no "
                               "proof: nothing shows who presented it",
                               {"failure": ProofFailure.MISSING})
        try:
            if decoded is not None:
                found = verify_jwt_authentication(
                    decoded, challenge=self.challenge, domain=self.domain,
                    resolver=self.resolver, now=self.now, did_methods=self.did_methods,
                    holder_required=False)
            else:
                found = verify_authentication(
                    presentation, challenge=self.challenge, domain=self.domain,
                    resolver=self.resolver, loader=self.loader, now=self.now,
                    did_methods=self.did_methods, holder_required=False)
        except AuthenticationError as error:
            return None, Check("holder_proof", Outcome.FAILURE, str(error),
                               {"problem": str(error.problem), **asked})
        detail = {"holder": found.holder, "verificationMethod": found.verification_method,
                  "cryptosuite": found.cryptosuite, **asked,
                  "created": found.created.isoformat() if found.created else None}
        named = "the holder" if holder else "a DID (the presentation names no holder)"
        return found, Check("holder_proof", Outcome.SUCCESS,
                            f"signed by {named} {found.holder} ({found.cryptosuite}, "
                            f"{found.verification_method})"
                            + (f" for this {' and '.join(asked)}" if asked else ""), detail)

    def _credential(self, index: int, item: Any, holder: str | None,
                    authentication: Authentication | None) -> PresentedCredential:
        pointer = f"/verifiableCredential/{index}"
        report = verify_credential(item, resolver=self.resolver, loader=self.loader,
                                   now=self.now, status_source=self.status_source,
                                   issuers=self.issuers)
        if isinstance(item, Mapping) and not is_envelope(item) and "proof" not in item:
            report = _holder_claim(report, item, holder, authentication)
        read = held_credential(item)
        label = read.get("id") if read is not None else None
        label = label if isinstance(label, str) and not label.startswith("data:") else pointer
        subjects = _subject_ids(read)
        if read is None or holder is None:
            binding = Binding.UNKNOWN
        elif not subjects:
            binding = Binding.BEARER
        else:
            binding = Binding.HOLDER if holder in subjects else Binding.OTHER
        return PresentedCredential(pointer, label, report, binding, subjects, read)

    def _binding_check(self, credentials: list[PresentedCredential], holder: str | None,
                       authentication: Authentication | None) -> Check:
        """Whether each credential is about the holder (credentialSubject.id): reported, and
        a failure only when the caller requires it."""
        if not credentials:
            return Check("holder_binding", Outcome.SKIPPED, "no credentials to bind")
        detail = {"holder": holder, "credentials": [
            {"id": c.label, "binding": str(c.binding), "subjects": list(c.subjects)}
            for c in credentials]}
        unbound = [c for c in credentials if c.binding is not Binding.HOLDER]
        if not unbound:
            if authentication is None:
                return Check("holder_binding", Outcome.WARNING, f"every credential is about "
                             f"{holder}, the holder the presentation names, but no proof by "
                             "that holder verified", detail)
            return Check("holder_binding", Outcome.SUCCESS, f"every credential is about the "
                         f"holder {holder}, who signed the presentation", detail)
        named = "; ".join(f"{c.label} {BINDING_WORDS[c.binding]}" for c in unbound[:5])
        message = (f"{len(unbound)} of {len(credentials)} credentials are not bound to the "
                   f"holder: {named}")
        outcome = Outcome.FAILURE if self.holder_binding_required else Outcome.WARNING
        return Check("holder_binding", outcome, message, detail)


def _items(presentation: Mapping[str, Any]) -> list[Any]:
    items = presentation.get("verifiableCredential")
    return [] if items is None else items if isinstance(items, list) else [items]


def _subject_ids(credential: Mapping[str, Any] | None) -> tuple[str, ...]:
    if credential is None:
        return ()
    subjects = credential.get("credentialSubject")
    return tuple(s["id"] for s in (subjects if isinstance(subjects, list) else [subjects])
                 if isinstance(s, Mapping) and isinstance(s.get("id"), str))


def _data_model(presentation: Mapping[str, Any]) -> Check:
    problems = presentation_problems(presentation)
    if problems:
        pointer, message = problems[0]
        return Check("data_model", Outcome.FAILURE, f"not a valid verifiable presentation: "
                     f"{pointer}: {message}", {"errors": [
                         {"pointer": p, "message": m} for p, m in problems[:10]]})
    return Check("data_model", Outcome.SUCCESS, "a well-formed verifiable presentation")


def _holder_claim(report: VerificationReport, credential: Mapping[str, Any],
                  holder: str | None, authentication: Authentication | None
                  ) -> VerificationReport:
    """A credential with no proof of its own: the holder's claim, secured by the
    presentation's proof only -- which must have verified, and the presentation must name
    its holder as the credential's issuer (VCDM 2.0, Presentations Including Holder Claims).
    Its other checks (form, dates, status) stand as they were."""
    issuer = issuer_id_of(credential)
    if authentication is None:
        return report  # nothing secures it: "the credential has no proof" stands
    detail: dict[str, Any] = {"failure": ProofFailure.MISSING, "securedBy": "presentation"}
    if holder is None:
        proof = Check("proof", Outcome.FAILURE, "the credential has no proof of its own; "
                      "secured only by the presentation's proof it is the holder's claim, "
                      "and then the presentation must name its holder", detail)
        issued = Check("issuer", Outcome.SKIPPED, "no valid proof to attribute",
                       {"bound": False})
    elif issuer != holder:
        proof = Check("proof", Outcome.FAILURE, f"the credential has no proof of its own; "
                      f"secured only by the presentation's proof, its issuer ({issuer}) must "
                      f"be the presentation's holder ({holder})", detail)
        issued = Check("issuer", Outcome.SKIPPED, "no valid proof to attribute",
                       {"bound": False})
    else:
        proof = Check("proof", Outcome.SUCCESS, f"secured by the presentation's proof: a claim "
                      f"of the holder {holder}, who signed the presentation",
                      {"securedBy": "presentation",
                       "verificationMethod": authentication.verification_method})
        # Signed, but by the one it is about: a claim about oneself, which no one else
        # vouches for, so whatever issuer name it gives is not proven.
        issued = Check("issuer", Outcome.WARNING, f"the issuer {issuer} is the holder itself: "
                       "a claim the holder makes about itself, signed by no one else",
                       {"issuer": issuer, "bound": False, "selfAsserted": True})
    replaced = {"proof": proof, "issuer": issued}
    return VerificationReport(tuple(replaced.get(c.name, c) for c in report.checks))


def _credentials_check(credentials: list[PresentedCredential]) -> Check:
    """Every credential verifies in full; each one's report is in the presentation's."""
    if not credentials:
        return Check("credentials", Outcome.SKIPPED, "no credentials in the presentation")
    summary = [{"id": c.label, "verified": c.report.verified,
                "issuerBound": c.report.issuer_bound, "standing": str(c.report.standing)}
               for c in credentials]
    failed = [c for c in credentials if not c.report.verified]
    if failed:
        named = ", ".join(f"{c.label} ({c.report.errors[0] if c.report.errors else 'failed'})"
                          for c in failed[:5])
        return Check("credentials", Outcome.FAILURE, f"{len(failed)} of {len(credentials)} "
                     f"credentials do not verify: {named}", {"credentials": summary})
    unbound = [c for c in credentials if not c.report.issuer_bound]
    warned = [c for c in credentials if c.report.warnings]
    if unbound:
        named = ", ".join(f"{c.label} (naming {issuer_id_of(c.credential or {}) or 'no issuer'})"
                          for c in unbound[:5])
        return Check("credentials", Outcome.WARNING, f"nothing ties the signature of "
                     f"{len(unbound)} of the {len(credentials)} credentials to the issuer it "
                     f"names: {named}", {"credentials": summary, "unbound": len(unbound)})
    if warned:
        return Check("credentials", Outcome.WARNING, f"all {len(credentials)} credentials "
                     "verify (with warnings)", {"credentials": summary})
    return Check("credentials", Outcome.SUCCESS, f"all {len(credentials)} credentials verify",
                 {"credentials": summary})


__all__ = [
    "Binding",
    "PresentationReport",
    "PresentedCredential",
    "is_presentation",
    "presentation_envelope_problems",
    "unwrap_presentation",
    "verify_presentation",
]
