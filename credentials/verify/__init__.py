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
from credentials.fetch import deadline
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_jwt, unwrap
from credentials.rdfc import shared_budget
from credentials.verify.checks import (
    check_embedded,
    check_endorsements,
    check_jwt_validity,
    check_schema,
    check_subject,
    check_validity_period,
)
from credentials.verify.limits import MAX_DEPTH, LimitExceeded, check_credential
from credentials.verify.proof_check import check_issuer, verify_jwt_proof, verify_proofs
from credentials.verify.report import (
    Check,
    Outcome,
    ProofFailure,
    Standing,
    VerificationReport,
)
from credentials.verify.resolvers import (
    ChainResolver,
    IssuerDirectory,
    KeyProblem,
    ResolutionError,
    default_resolver,
)
from credentials.verify.status_check import (
    HttpStatusListSource,
    ListsOfOneVerification,
    StatusListSource,
    StatusUnavailable,
    check_status,
)

_DEFAULT_STATUS_SOURCE = HttpStatusListSource()


MAX_NESTING = 2  # a CLR may embed credentials; those may not embed further CLRs
FETCH_SECONDS = 8.0  # all the fetches of one verification (did:web, controllers, lists)
# RDFC-1.0 N-degree steps all the canonicalizations of one verification spend together (its
# proofs, endorsements, embedded credentials, status lists): no more than one document alone
# may spend (rdfc.MAX_STEPS), about a quarter of a second of CPU. Honest inputs spend far less:
# every official example and a learner record embedding 25 credentials at most 100; a record
# embedding five credentials twice (symmetric on purpose) 30,708 to 151,500 by hash seed.
RDFC_STEPS = 250_000


def verify_credential(
    credential: Any,
    *,
    resolver: ChainResolver | None = None,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    now: datetime | None = None,
    expected_email: str | None = None,
    status_source: StatusListSource | None = None,
    issuers: IssuerDirectory | None = None,
) -> VerificationReport:
    """Run every check on ``credential`` and return the report (never raises for bad input).

    ``issuers`` answers, from the caller's own records, for the issuers it governs: a
    credential naming one of them must be signed by one of its keys (see ``check_issuer``).

    A credential over a cap of :mod:`credentials.verify.limits` fails at once with a
    ``limits`` check naming the cap. Status lists come from ``status_source`` (default: HTTPS
    through the safe fetcher, cached per process for each list's ttl); each list is fetched
    and verified once per verification. A ClrCredential's embedded credentials are each
    verified in full, with the same resolver, loader, clock and status lists. All fetches of
    one verification end within ``FETCH_SECONDS``, and all its canonicalizations spend
    together at most ``RDFC_STEPS`` steps of RDFC-1.0 work (each at most its own budget too).
    """
    with deadline(FETCH_SECONDS), shared_budget(RDFC_STEPS, "one verification"):
        return _verify(credential, resolver or default_resolver(), loader, now,
                       expected_email, status_source or _DEFAULT_STATUS_SOURCE, issuers, 0,
                       None)


def _limits_failure(error: LimitExceeded) -> VerificationReport:
    return VerificationReport((Check("limits", Outcome.FAILURE, str(error), error.as_json()),))


def _verify(credential: Any, resolver: ChainResolver, loader: StaticDocumentLoader,
            now: datetime | None, expected_email: str | None,
            status_source: StatusListSource, issuers: IssuerDirectory | None, depth: int,
            lists: ListsOfOneVerification | None) -> VerificationReport:
    token = unwrap(credential)
    decoded = None
    if token is not None:
        try:
            decoded = decode_jwt(token)
        except RecursionError:
            return _limits_failure(LimitExceeded("max_depth", MAX_DEPTH, "", "the VC-JWT "
                                                 "payload is nested too deeply"))
        except ProofError as error:
            return VerificationReport((Check("proof", Outcome.FAILURE, str(error),
                                             {"format": "vc+jwt",
                                              "failure": ProofFailure.PROOF}),))
        credential = decoded.credential
    try:
        check_credential(credential)
    except LimitExceeded as error:
        return _limits_failure(error)
    if not isinstance(credential, Mapping):
        return VerificationReport((Check("schema", Outcome.FAILURE,
                                         "a credential must be a JSON object or a VC-JWT"),))
    moment = now or datetime.now(UTC)

    def verify_list(document: Mapping[str, Any]) -> tuple[bool, str]:
        """A status list credential: caps, schema, proof and dates; its own status is not
        read."""
        try:
            check_credential(document)
        except LimitExceeded as error:
            return False, str(error)
        proof, signatures = verify_proofs(document, resolver, loader)
        checks = (check_schema(document), proof,
                  check_issuer(document, proof, signatures, resolver, issuers),
                  check_validity_period(document, moment))
        report = VerificationReport(checks)
        return report.verified, "; ".join(report.errors)

    lists = lists or ListsOfOneVerification(status_source, verify_list)

    def verify_embedded(embedded: Any) -> VerificationReport:
        if depth >= MAX_NESTING:
            return VerificationReport((Check("schema", Outcome.FAILURE,
                                             "credentials are nested too deeply"),))
        return _verify(embedded, resolver, loader, moment, None, status_source, issuers,
                       depth + 1, lists)

    proof, signatures = (verify_jwt_proof(decoded, resolver) if decoded is not None
                         else verify_proofs(credential, resolver, loader))
    dates = check_validity_period(credential, moment)
    return VerificationReport((
        check_schema(credential),
        proof,
        check_issuer(credential, proof, signatures, resolver, issuers),
        check_jwt_validity(decoded.payload, dates, moment) if decoded is not None else dates,
        check_status(credential, status_source, verify_list, lists),
        check_subject(credential, expected_email),
        check_embedded(credential, verify_embedded),
        check_endorsements(credential, verify_embedded),
    ))


__all__ = [
    "ChainResolver",
    "Check",
    "HttpStatusListSource",
    "IssuerDirectory",
    "KeyProblem",
    "Outcome",
    "ProofFailure",
    "ResolutionError",
    "Standing",
    "StatusListSource",
    "StatusUnavailable",
    "VerificationReport",
    "default_resolver",
    "verify_credential",
]
