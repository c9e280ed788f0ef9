"""Record a verified completion and issue its credential, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from credentials.achievements import badge_url, build_achievement
from credentials.build import (
    EvidenceItem,
    IssuerProfile,
    Learner,
    build_achievement_credential,
    normalise_email,
)
from issuer.services import idempotency, issuance
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.errors import invalid_fields
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuance import NewCredential
from issuer.services.issuers import get_issuer
from issuer.services.levels import check_level
from issuer.services.programmes import award_if_complete
from issuer.store.models import Completion
from keys.encryption import KeyEncryptionKey


@dataclass(frozen=True)
class CompletionRequest:
    """A completion as the API accepted it (shape already checked by the HTTP layer)."""

    learner_name: str
    learner_email: str
    competency: str  # "<model>/<competency>"
    level: str
    completed_on: str
    evidence: list[dict[str, str]]
    format: str = "data-integrity"
    algorithm: str = "RS256"  # for VC-JWT: every OB 3.0 verifier supports RS256

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CompletionRequest:
        return cls(body["learner"]["name"].strip(), body["learner"]["email"].strip(),
                   body["competency"], body["level"], body["completedOn"],
                   body.get("evidence", []), body.get("format", "data-integrity"),
                   body.get("algorithm", "RS256"))


def completed_on_date(value: str, today: date) -> date:
    try:
        completed = date.fromisoformat(value)
    except ValueError:
        raise invalid_fields([{"pointer": "/completedOn",
                               "detail": f"{value!r} is not a calendar date"}]) from None
    if completed > today:
        raise invalid_fields([{"pointer": "/completedOn",
                               "detail": f"{value} is in the future"}])
    return completed


def record_completion(db: Session, caller: Caller, slug: str, request: CompletionRequest,
                      raw_body: dict[str, Any], idempotency_key: str | None, base_url: str,
                      kek: KeyEncryptionKey) -> idempotency.StoredResponse:
    """Validate, record and sign; replay the first answer for a repeated Idempotency-Key."""
    caller.require(slug, ("assessor", "admin"))
    return idempotency.run_once(db, caller.issuer_id, idempotency_key, "completion", raw_body,
                                lambda: issue_completion(db, caller, slug, request, base_url, kek))


def issue_completion(db: Session, caller: Caller, slug: str, request: CompletionRequest,
                     base_url: str, kek: KeyEncryptionKey) -> dict[str, Any]:
    """Record one completion and issue its credential, inside the caller's transaction."""
    issuer = get_issuer(db, slug)
    model_id, _, competency_id = request.competency.partition("/")
    data = catalog(db)
    try:
        crosswalk = data.crosswalk_for(model_id)
        crosswalk.model.competency(competency_id)
    except KeyError:
        raise invalid_fields([{"pointer": "/competency",
                               "detail": f"no competency {request.competency!r}; see "
                                         "GET /api/v1/frameworks"}]) from None
    check_level(crosswalk, request.level)
    now = datetime.now(UTC)
    completed_on = completed_on_date(request.completed_on, now.date())
    email = normalise_email(request.learner_email)
    completion = Completion(
        id=str(uuid.uuid4()), issuer_id=issuer.id, learner_name=request.learner_name,
        learner_email=email, model_id=model_id, competency_id=competency_id,
        level=request.level, completed_on=completed_on, evidence=request.evidence,
        verified_by_token_id=caller.token_id)
    db.add(completion)
    db.flush()

    ids = IssuerIdentifiers.for_slug(base_url, slug)

    def build(new: NewCredential, status: list[dict[str, Any]]) -> dict[str, Any]:
        return build_achievement_credential(
            credential_id=new.url,
            issuer=IssuerProfile(ids.did_web, issuer.name, issuer.url, issuer.email),
            achievement=build_achievement(crosswalk, competency_id, base_url),
            level=request.level,
            learner=Learner(request.learner_name, email),
            completed_on=completed_on,
            evidence=[EvidenceItem(e["name"], e["narrative"], e.get("url"))
                      for e in request.evidence],
            issued_at=now,
            credential_status=status,
            image=badge_url(base_url, model_id, competency_id, request.level),
        )

    issued = issuance.issue(db, issuer, kek, base_url, build, issuance.Issuance(
        issuance.Audit(caller.token_id, "credential.issue",
                       {"completion": completion.id, "competency": request.competency,
                        "level": request.level}),
        jwt_algorithm=request.algorithm if request.format == "jwt" else None,
        completion_id=completion.id, learner_email=email))
    body = {"completionId": completion.id, "credentialId": issued.credential.id,
            "url": issued.credential.url, "credential": issued.signed}
    programme = award_if_complete(db, issuer, Learner(request.learner_name, email), crosswalk,
                                  base_url, kek, now)
    if programme:
        body["programmeCredential"] = programme
    return body
