"""Answers to presentation requests: the exchanges wallets open, the presentations they send,
verified in full and weighed against what was asked, and the sweep that deletes answers past
the issuer's retention period.

A wallet opens an exchange (VC API) or fetches an authorization request (OpenID4VP): either
gives it its own challenge (the OpenID4VP nonce; for OpenID4VP also a state), made with a
MAC under the KEK and stored nowhere, so opening exchanges holds nothing anyone could run
out of. The presentation must carry that challenge and our domain (the OpenID4VP client_id)
in its authentication proof; a presentation that does not is refused and the exchange stays
open. One that does is recorded with every credential's full verification report and, per
asked competency, whether it is satisfied and by which credential; the row written then
makes the challenge used (it is unique). One answer, however many presentations it holds,
costs at most ``ANSWER_SECONDS`` and ``ANSWER_RDFC_STEPS``.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
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
from issuer.services.errors import Conflict, Gone, Invalid, Malformed, NotFound
from issuer.services.presentation_requests import (
    MAX_ANSWERS,
    Asked,
    asked,
    kept_since,
    presentation_request,
)
from issuer.services.presentation_verification import verify_held
from issuer.store.models import Issuer, PresentationAnswer, PresentationRequest
from keys import base64url
from keys.encryption import KeyEncryptionKey

EXCHANGE_LIFETIME = timedelta(minutes=30)  # a pending answer: long enough to pick credentials
# An exchange's kind, the first letter of its challenge: the protocol, and for OpenID4VP
# which client_id the request named (the unsigned request's or the issuer's DID).
EXCHANGE_KINDS = {"v": "vcapi", "u": "openid4vp", "s": "openid4vp"}
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


def _tag(kek: KeyEncryptionKey, request_id: str, body: str) -> str:
    return base64url.encode(kek.mac(b"presentation exchange",
                                    f"{request_id}\0{body}".encode())[:15])


def open_exchange(db: Session, kek: KeyEncryptionKey, request_id: str, kind: str,
                  client_id: str | None = None, *, now: datetime | None = None
                  ) -> tuple[PresentationRequest, PresentationAnswer]:
    """A new exchange on an open request, stored nowhere: its challenge (the OpenID4VP
    nonce) carries its kind (``EXCHANGE_KINDS``), when it was made and a MAC under the
    KEK, so opening exchanges (a page viewed, a link crawled, ``POST {}`` a thousand times)
    holds nothing that others could run out of; the row is written when it is answered.
    The answer returned is not added to the session: it only carries the challenge, the
    OpenID4VP state (the request's id and the nonce) and the client_id."""
    now = now or datetime.now(UTC)
    request = _open_request(db, request_id, now)
    body = f"{kind}{int(now.timestamp()):x}.{secrets.token_urlsafe(12)}"
    challenge = f"{body}.{_tag(kek, request.id, body)}"
    return request, PresentationAnswer(
        id=secrets.token_urlsafe(24), request_id=request.id,
        protocol=EXCHANGE_KINDS[kind], challenge=challenge,
        state=f"{request.id}.{challenge}" if EXCHANGE_KINDS[kind] == "openid4vp" else None,
        client_id=client_id, created_at=now)


def pending_answer(db: Session, kek: KeyEncryptionKey, request_id: Any, challenge: Any, *,
                   now: datetime | None = None) -> tuple[PresentationRequest,
                                                         PresentationAnswer, str]:
    """The exchange a challenge (nonce) of ours names on the request, as a new answer not
    yet added to the session, and the exchange's kind; NotFound when the challenge is not
    one we made for this request, Gone when it was answered already, is past its lifetime,
    or its request expired."""
    now = now or datetime.now(UTC)
    parts = challenge.split(".") if isinstance(challenge, str) and len(challenge) <= 64 \
        else []
    body = ".".join(parts[:2])
    if len(parts) != 3 or not isinstance(request_id, str) or parts[0][:1] not in \
            EXCHANGE_KINDS or not hmac.compare_digest(parts[2], _tag(kek, request_id, body)):
        raise NotFound("no such exchange")
    kind = parts[0][0]
    opened = datetime.fromtimestamp(int(parts[0][1:], 16), UTC)
    if db.scalar(select(PresentationAnswer.id).where(
            PresentationAnswer.challenge == challenge)) is not None:
        raise Gone("this exchange was answered already: each is used once",
                   code="/problems/exchange-complete")
    if now >= opened + EXCHANGE_LIFETIME:
        raise Gone("this exchange expired (30 minutes); open the request's link again",
                   code="/problems/presentation-request-expired")
    request = _open_request(db, request_id, now)
    return request, PresentationAnswer(
        id=secrets.token_urlsafe(24), request_id=request.id, protocol=EXCHANGE_KINDS[kind],
        challenge=challenge, created_at=opened), kind


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
    if not entry["issuerIdentityProven"]:
        # A credential whose key nothing ties to the issuer it names (a did:key of anyone's,
        # or the holder's own claim) proves nothing about that issuer's assessment.
        return (f"nothing ties its signature to its issuer {entry['issuer']}: anyone could "
                "have made it")
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
    are signed by a key of another DID than the holder they name (a relative ``kid`` is left
    to verification), or hold more than ``MAX_PRESENTED`` credentials together (each one is
    verified in full)."""
    claims = [claimed(presentation) for presentation in presentations]
    if len({claim.holder for claim in claims}) > 1:
        raise Invalid("the presentations are of different holders",
                      code="/problems/presentation-not-authenticated", reason="holder")
    for claim in claims:
        if claim.signer is not None and claim.signer.startswith("did:") and \
                claim.holder is not None and claim.signer != claim.holder:
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
    issuer = db.get(Issuer, request.issuer_id)
    if db.scalar(select(func.count()).select_from(PresentationAnswer).where(
            PresentationAnswer.request_id == request.id,
            PresentationAnswer.answered_at >= kept_since(issuer, now))) >= MAX_ANSWERS:
        raise Conflict(f"this request has the {MAX_ANSWERS} answers it keeps; ask the "
                       "employer for a new request", code="/problems/presentation-request-full")
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
    for entry in result["credentials"]:
        entry["verification"] = _compact(entry["verification"])
    answer.answered_at, answer.holder, answer.satisfied = now, holder, satisfied
    answer.result = result
    try:
        with db.begin_nested():
            db.add(answer)
    except IntegrityError:  # another answer to this exchange was recorded meanwhile
        raise Gone("this exchange was answered already: each is used once",
                   code="/problems/exchange-complete") from None
    return answer


def _compact(verification: Mapping[str, Any]) -> dict[str, Any]:
    """A credential's report as an answer keeps it: the verdict and each check's outcome and
    message, without the details (keys, documents, status list entries) the full report
    carries, so an answer costs little to store and to show."""
    return {"verified": verification["verified"], "issuerBound": verification["issuerBound"],
            "standing": verification["standing"], "verdict": verification["verdict"],
            "checks": [{name: check[name] for name in ("check", "outcome", "message")}
                       for check in verification["checks"]]}


def vcapi_request(db: Session, kek: KeyEncryptionKey, request_id: str, domain: str, *,
                  now: datetime | None = None) -> dict[str, Any]:
    """A new exchange on the request: its verifiablePresentationRequest."""
    with db.begin():
        request, answer = open_exchange(db, kek, request_id, "v", now=now)
        return presentation_request(request, catalog(db), answer.challenge, domain)


def vcapi_answer(db: Session, context: ServiceContext, request_id: str, presentation: Any,
                 domain: str, *, now: datetime | None = None) -> PresentationAnswer:
    """Record a presentation posted to the request's exchange: it answers the exchange whose
    challenge it carries (a Data Integrity proof's challenge, a VP-JWT's nonce, enveloped or
    not); an unsigned one (the request not asking for DID authentication) answers a new
    exchange."""
    now = now or datetime.now(UTC)
    with db.begin():
        challenge = claimed(presentation).challenge
        if challenge is not None or not isinstance(presentation, Mapping) or \
                "proof" in presentation:
            request, answer, kind = pending_answer(db, context.kek, request_id, challenge,
                                                   now=now)
            if kind != "v":
                raise NotFound("that challenge is not of this request's VC API exchanges")
        else:
            request = _open_request(db, request_id, now)
            answer = PresentationAnswer(id=secrets.token_urlsafe(24), request_id=request.id,
                                        protocol="vcapi", challenge=secrets.token_urlsafe(24),
                                        created_at=now)
        return record_answer(db, context, request, answer, [presentation], domain=domain,
                             now=now)


def sweep(db: Session, now: datetime | None = None) -> int:
    """Delete answers kept past their issuer's retention period, and the pending exchanges
    an earlier version stored (never answered); returns how many rows went."""
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
