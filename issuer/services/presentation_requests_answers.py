"""Answers to presentation requests: the exchanges wallets open, the presentations they send,
verified in full and weighed against what was asked, and the sweep that deletes answers past
the issuer's retention period.

A wallet opens an exchange (VC API) or fetches an authorization request (OpenID4VP): either
makes a pending answer with its own challenge (the OpenID4VP nonce) and, for OpenID4VP, a
state, used once. The presentation must carry that challenge and our domain (the OpenID4VP
client_id) in its authentication proof; a presentation that does not is refused and the
exchange stays open. One that does is recorded with every credential's full verification
report and, per asked competency, whether it is satisfied and by which credential.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from credentials.fetch import deadline
from credentials.frameworks import Catalog
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_presentation_jwt, presentation_of
from credentials.rdfc import shared_budget
from credentials.vcdm import issuer_id_of
from credentials.verify import VerificationReport
from credentials.verify.limits import MAX_PRESENTED
from credentials.verify.presentation import unwrap_presentation
from credentials.verify.presentation_auth import holder_of
from credentials.verify.report import Outcome
from issuer.services.catalog import catalog
from issuer.services.context import ServiceContext
from issuer.services.errors import Gone, Invalid, Malformed, NotFound, Unavailable
from issuer.services.presentation_requests import Asked, asked, presentation_request
from issuer.services.presentation_verification import verify_held
from issuer.store.models import Issuer, PresentationAnswer, PresentationRequest

EXCHANGE_LIFETIME = timedelta(minutes=30)  # a pending answer: long enough to pick credentials
MAX_PENDING = 200  # open exchanges per request at once: a link crawled stays harmless
# One answer (every presentation of an OpenID4VP vp_token together) costs at most this much:
# seconds of wall time and of fetches, and RDFC-1.0 steps (as one presentation may alone).
ANSWER_SECONDS = 10.0
ANSWER_RDFC_STEPS = 500_000
NOT_OF_QUERY = "/problems/vp-token-not-of-query"
LEVEL_MARK = "#level-"  # an achievedLevel is "<achievement id>#level-<level>"


def _open_request(db: Session, request_id: Any, now: datetime) -> PresentationRequest:
    request = db.get(PresentationRequest, request_id) \
        if isinstance(request_id, str) and len(request_id) <= 43 else None
    if request is None:
        raise NotFound("no such presentation request")
    if now >= request.expires_at:
        raise Gone("this presentation request has expired: it takes no more answers",
                   code="/problems/presentation-request-expired")
    return request


def public_request(db: Session, request_id: str, *, now: datetime | None = None
                   ) -> tuple[PresentationRequest, Issuer, list[dict[str, str]]]:
    """An open request as a candidate sees it: the request, its issuer, and each asked
    competency's name and level label."""
    with db.begin():
        request = _open_request(db, request_id, now or datetime.now(UTC))
        data = catalog(db)
        shown = []
        for item in asked(request):
            crosswalk = data.crosswalk_for(item.model)
            shown.append({"competency": crosswalk.model.competency(item.competency).name,
                          "level": crosswalk.framework.level(item.level).label})
        return request, db.get(Issuer, request.issuer_id), shown


def open_exchange(db: Session, request_id: str, protocol: str, client_id: str | None = None,
                  *, now: datetime | None = None) -> tuple[PresentationRequest,
                                                           PresentationAnswer]:
    """A pending answer to an open request, with its own challenge (and, for OpenID4VP, its
    state and the client_id the presentation must name as its domain)."""
    now = now or datetime.now(UTC)
    request = _open_request(db, request_id, now)
    pending = db.scalar(select(func.count()).select_from(PresentationAnswer).where(
        PresentationAnswer.request_id == request.id,
        PresentationAnswer.answered_at.is_(None),
        PresentationAnswer.created_at > now - EXCHANGE_LIFETIME))
    if pending >= MAX_PENDING:
        raise Unavailable("too many wallets are answering this request at once; try again "
                          "in a few minutes")
    answer = PresentationAnswer(
        id=secrets.token_urlsafe(24), request_id=request.id, protocol=protocol,
        challenge=secrets.token_urlsafe(24),
        state=secrets.token_urlsafe(24) if protocol == "openid4vp" else None,
        client_id=client_id, created_at=now)
    db.add(answer)
    db.flush()
    return request, answer


def pending_answer(db: Session, *, challenge: Any = None, state: Any = None,
                   now: datetime | None = None) -> tuple[PresentationRequest,
                                                         PresentationAnswer]:
    """The open exchange (by its challenge, or by OpenID4VP state), its row locked;
    NotFound, or Gone when answered already, past its lifetime, or its request expired."""
    now = now or datetime.now(UTC)
    value, column = (challenge, PresentationAnswer.challenge) if challenge is not None \
        else (state, PresentationAnswer.state)
    answer = db.scalars(select(PresentationAnswer).where(column == value).with_for_update()
                        ).first() if isinstance(value, str) and 0 < len(value) <= 64 else None
    if answer is None:
        raise NotFound("no such exchange")
    if answer.answered_at is not None:
        raise Gone("this exchange was answered already: each is used once",
                   code="/problems/exchange-complete")
    if now >= answer.created_at + EXCHANGE_LIFETIME:
        raise Gone("this exchange expired (30 minutes); open the request's link again",
                   code="/problems/presentation-request-expired")
    return _open_request(db, answer.request_id, now), answer


@dataclass(frozen=True)
class CheckedPresentation:
    """What a presentation proved: its holder (authenticated or only named) and each
    credential it holds (its claims as read: a VC-JWT's payload) with its full report."""

    holder: str | None
    authenticated: bool
    credentials: list[tuple[Mapping[str, Any], VerificationReport]]


def check_presentation(db: Session, context: ServiceContext, presentation: Any, *,
                       challenge: str, domain: str, require_proof: bool) -> CheckedPresentation:
    """Verify a presentation as an answer (JSON-LD, a VP-JWT or an enveloped one), in full:
    its holder's proof for this challenge and domain (required when ``require_proof``;
    checked whenever there is one) and every credential it holds. Invalid when it is no
    answer at all: malformed, or its proof does not hold."""
    has_proof = not isinstance(presentation, Mapping) or "proof" in presentation or \
        presentation.get("type") in ("EnvelopedVerifiablePresentation",
                                     ["EnvelopedVerifiablePresentation"])
    asked = require_proof or has_proof
    report = verify_held(db, presentation, context, challenge=challenge if asked else None,
                         domain=domain if asked else None)
    for check in report.checks:
        if check.name in ("limits", "data_model", "holder_proof") and \
                check.outcome is Outcome.FAILURE:
            raise Invalid(f"the presentation does not answer this request: {check.message}",
                          code="/problems/presentation-not-authenticated",
                          reason=str((check.detail or {}).get("problem", check.name)))
    authenticated = report.authentication is not None
    holder = report.authentication.holder if authenticated else report.holder
    return CheckedPresentation(holder, authenticated,
                               [(item.credential or {}, item.report)
                                for item in report.credentials])


def _shown(claims: Mapping[str, Any]) -> tuple[str | None, list[tuple[str, str | None]]]:
    """The subject's id and each (competency code, achieved level) the credential shows."""
    subject = claims.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping):
        return None, []
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    codes = [a.get("targetCode") for a in achievement.get("alignment", []) or []
             if isinstance(a, Mapping) and a.get("targetType") == "CFItem"
             and isinstance(a.get("targetCode"), str)]
    levels = [r.get("achievedLevel") for r in subject.get("result", []) or []
              if isinstance(r, Mapping) and isinstance(r.get("achievedLevel"), str)]
    prefix = f"{achievement.get('id')}{LEVEL_MARK}"
    level = next((value[len(prefix):] for value in levels if value.startswith(prefix)), None)
    subject_id = subject.get("id")
    return subject_id if isinstance(subject_id, str) else None, [(c, level) for c in codes]


def _meets(data: Catalog, item: Asked, level: str | None) -> bool:
    try:
        return level is not None and \
            data.crosswalk_for(item.model).framework.meets(level, item.level)
    except KeyError:
        return False


def evaluate(request: PresentationRequest, checked: CheckedPresentation, data: Catalog
             ) -> dict[str, Any]:
    """Each credential checked (verification, issuer accepted and proven, holder binding,
    what it shows) and each asked competency satisfied or missing, and why."""
    entries = []
    for claims, report in checked.credentials:
        subject, shown = _shown(claims)
        issuer = issuer_id_of(claims)
        issuer_value = claims.get("issuer")
        accepted = not request.accepted_issuers or issuer in request.accepted_issuers
        bound = None if not checked.authenticated else subject == checked.holder
        entries.append({
            "id": claims.get("id"), "name": claims.get("name"), "issuer": issuer,
            "issuerName": issuer_value.get("name") if isinstance(issuer_value, Mapping)
            else None,
            "issuerAccepted": accepted, "issuerIdentityProven": report.issuer_bound,
            "subject": subject, "holderBound": bound,
            "shows": [{"competency": code, "level": level} for code, level in shown],
            "verification": report.as_json()})
    competencies = []
    for item in asked(request):
        by, seen = [], []
        for n, entry in enumerate(entries):
            for shown in entry["shows"]:
                if shown["competency"] != item.code:
                    continue
                why = _unusable(request, entry, data, item, shown["level"])
                seen.append({"credential": n, "level": shown["level"], "problem": why})
                if why is None:
                    by.append(n)
        competencies.append({"competency": item.code, "level": item.level,
                             "satisfied": bool(by), "by": by, "presented": seen,
                             "missing": None if by else _missing(seen)})
    return {"holder": checked.holder, "holderAuthenticated": checked.authenticated,
            "credentials": entries, "competencies": competencies}


def _unusable(request: PresentationRequest, entry: Mapping[str, Any], data: Catalog,
              item: Asked, level: str | None) -> str | None:
    """Why a credential showing the competency does not satisfy it, or None."""
    verification_result = entry["verification"]
    if not verification_result["verified"]:
        return f"the credential does not verify ({verification_result['standing']})"
    if not entry["issuerAccepted"]:
        return f"its issuer {entry['issuer']} is not one this request accepts"
    if request.did_auth and entry["holderBound"] is not True:
        return "it was issued to someone else (its subject is not the presenting holder)"
    if not _meets(data, item, level):
        return f"its level ({level or 'none'}) is below {item.level}"
    return None


def _missing(seen: list[dict[str, Any]]) -> str:
    if not seen:
        return "no credential presented shows this competency"
    return "; ".join(entry["problem"] for entry in seen if entry["problem"])


@dataclass(frozen=True)
class Claimed:
    """What a presentation says of itself, read without verifying anything: the holder it
    names, the DID of the key its proof names, the challenge (a VP-JWT's nonce) it carries,
    and how many credentials it holds."""

    holder: str | None
    signer: str | None
    challenge: str | None
    held: int


def claimed(presentation: Any) -> Claimed:
    """The presentation's own claims (JSON-LD, a VP-JWT or an enveloped one); a JWT that
    cannot even be read claims nothing (verification then says why)."""
    token = unwrap_presentation(presentation)
    nonce: Any = None
    signer: Any = None
    if token is not None:
        try:
            decoded = decode_presentation_jwt(token)
        except (ProofError, RecursionError, ValueError):
            return Claimed(None, None, None, 0)
        value: Any = presentation_of(decoded)
        nonce, signer = decoded.payload.get("nonce"), decoded.header.get("kid")
        holder = holder_of(value) or decoded.payload.get("iss")
    elif isinstance(presentation, Mapping):
        value = presentation
        proof = value.get("proof")
        proof = proof[0] if isinstance(proof, list) and len(proof) == 1 else proof
        if isinstance(proof, Mapping):
            nonce, signer = proof.get("challenge"), proof.get("verificationMethod")
        holder = holder_of(value)
    else:
        return Claimed(None, None, None, 0)
    items = value.get("verifiableCredential")
    held = len(items) if isinstance(items, list) else int(items is not None)
    return Claimed(holder if isinstance(holder, str) else None,
                   signer.split("#")[0] if isinstance(signer, str) else None,
                   nonce if isinstance(nonce, str) else None, held)


def _screen(presentations: list[Any]) -> None:
    """Refuse, before any costly check, an answer whose presentations name different holders,
    are signed by a key not of the holder they name, or hold more than ``MAX_PRESENTED``
    credentials together (each one is verified in full)."""
    claims = [claimed(presentation) for presentation in presentations]
    if len({claim.holder for claim in claims}) > 1:
        raise Invalid("the presentations are of different holders",
                      code="/problems/presentation-not-authenticated", reason="holder")
    for claim in claims:
        if claim.signer is not None and claim.holder is not None and \
                claim.signer != claim.holder:
            raise Invalid(f"the presentation names {claim.holder} as its holder, but its "
                          f"proof names a key of {claim.signer}",
                          code="/problems/presentation-not-authenticated", reason="holder")
    if sum(claim.held for claim in claims) > MAX_PRESENTED:
        raise Malformed(f"the answer holds more than {MAX_PRESENTED} credentials in all",
                        code=NOT_OF_QUERY, error="invalid_request")


def record_answer(db: Session, context: ServiceContext, request: PresentationRequest,
                  answer: PresentationAnswer, presentations: list[Any], *, domain: str,
                  now: datetime | None = None) -> PresentationAnswer:
    """Verify the presentations (one, or one per OpenID4VP query) and record the answer;
    Invalid (nothing recorded, the exchange still open) when one does not authenticate."""
    now = now or datetime.now(UTC)
    if not presentations:
        raise Invalid("the answer holds no presentation",
                      code="/problems/presentation-not-authenticated")
    require_proof = request.did_auth or answer.protocol == "openid4vp"
    _screen(presentations)
    holder: str | None = None
    authenticated = True
    credentials: list[tuple[Any, VerificationReport]] = []
    ends = time.monotonic() + ANSWER_SECONDS
    with deadline(ANSWER_SECONDS), shared_budget(ANSWER_RDFC_STEPS, "one answer"):
        for presentation in presentations:
            if time.monotonic() >= ends:
                raise Malformed(f"the answer took more than {ANSWER_SECONDS:g} seconds to "
                                "verify: send fewer, simpler presentations",
                                code=NOT_OF_QUERY, error="invalid_request")
            checked = check_presentation(db, context, presentation,
                                         challenge=answer.challenge, domain=domain,
                                         require_proof=require_proof)
            if holder is not None and checked.holder != holder:
                raise Invalid("the presentations are of different holders",
                              code="/problems/presentation-not-authenticated")
            holder, authenticated = checked.holder, authenticated and checked.authenticated
            credentials += checked.credentials
    result = evaluate(request, CheckedPresentation(holder, authenticated, credentials),
                      catalog(db))
    satisfied = all(c["satisfied"] for c in result["competencies"]) and \
        (authenticated or not request.did_auth)
    answer.answered_at, answer.holder, answer.satisfied = now, holder, satisfied
    answer.result = result
    return answer


def vcapi_request(db: Session, request_id: str, domain: str, *,
                  now: datetime | None = None) -> dict[str, Any]:
    """A new exchange on the request: its verifiablePresentationRequest."""
    with db.begin():
        request, answer = open_exchange(db, request_id, "vcapi", now=now)
        return presentation_request(request, catalog(db), answer.challenge, domain)


def vcapi_answer(db: Session, context: ServiceContext, request_id: str, presentation: Any,
                 domain: str, *, now: datetime | None = None) -> PresentationAnswer:
    """Record a presentation posted to the request's exchange: it answers the exchange whose
    challenge its proof carries; an unsigned one (the request not asking for DID
    authentication) answers a new exchange."""
    now = now or datetime.now(UTC)
    with db.begin():
        proof = presentation.get("proof") if isinstance(presentation, Mapping) else None
        proof = proof[0] if isinstance(proof, list) and len(proof) == 1 else proof
        if isinstance(proof, Mapping):
            request, answer = pending_answer(db, challenge=proof.get("challenge"), now=now)
            if request.id != request_id:
                raise NotFound("that challenge is not of this request's exchanges")
        else:
            request, answer = open_exchange(db, request_id, "vcapi", now=now)
        return record_answer(db, context, request, answer, [presentation], domain=domain,
                             now=now)


def sweep(db: Session, now: datetime | None = None) -> int:
    """Delete answers kept past their issuer's retention period, and exchanges opened but
    never answered; returns how many rows went."""
    now = now or datetime.now(UTC)
    gone = db.execute(delete(PresentationAnswer).where(
        PresentationAnswer.answered_at.is_(None),
        PresentationAnswer.created_at < now - EXCHANGE_LIFETIME)).rowcount or 0
    for issuer_id, days in db.execute(select(Issuer.id, Issuer.answer_retention_days)).all():
        requests = select(PresentationRequest.id).where(
            PresentationRequest.issuer_id == issuer_id)
        gone += db.execute(delete(PresentationAnswer).where(
            PresentationAnswer.request_id.in_(requests),
            PresentationAnswer.answered_at < now - timedelta(days=days))).rowcount or 0
    return gone
