"""Record a verified completion and issue its credential, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.achievements import badge_url, build_achievement
from credentials.build import (
    EvidenceItem,
    Learner,
    build_achievement_credential,
    normalise_email,
)
from credentials.frameworks.model import CompetencyModel, add_duration
from issuer.services import idempotency, issuance
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.errors import DomainError, Invalid, invalid_fields
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuance import NewCredential
from issuer.services.issuers import get_issuer
from issuer.services.levels import check_level
from issuer.services.profile import profile_of
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
    valid_until: str | None = None  # None: the competency's default (validFor), if any

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CompletionRequest:
        return cls(body["learner"]["name"].strip(), body["learner"]["email"].strip(),
                   body["competency"], body["level"], body["completedOn"],
                   body.get("evidence", []), body.get("format", "data-integrity"),
                   body.get("algorithm", "RS256"), body.get("validUntil"))

EMAIL_MAX = 320  # the store's column, and RFC 5321's longest address


def refused(pointer: str, detail: str) -> Invalid:
    """422 for one field, its detail the plain message (which names the field)."""
    return invalid_fields([{"pointer": pointer, "detail": detail}], detail=detail)


MAX_AGE_YEARS = 10  # a completion older than this is a typing slip, not a record


def _date(value: str, pointer: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise refused(pointer, f"{label}: {value} is not a date on the calendar") from None


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def completed_on_date(value: str, today: date, model: CompetencyModel | None = None) -> date:
    """The completion date, refused when it is not a date, in the future, more than
    MAX_AGE_YEARS ago, or (given the model) before the model's version existed."""
    completed = _date(value, "/completedOn", "Completed on")
    refusal = None
    if completed > today:
        refusal = f"{_long_date(completed)} is in the future"
    elif model is not None and completed < model.first_day:
        refusal = (f"{_long_date(completed)} is before this competency model existed "
                   f"(its version is of {model.first_day:%B %Y})")
    elif completed < today.replace(year=today.year - MAX_AGE_YEARS, day=min(today.day, 28)):
        refusal = (f"{_long_date(completed)} is more than {MAX_AGE_YEARS} years ago; "
                   "check the year")
    if refusal:
        raise refused("/completedOn", f"Completed on: {refusal}")
    return completed


def valid_until_date(value: str | None, completed: date, valid_for: str | None,
                     today: date) -> date | None:
    """The date a completion stops being current: the one given, else the competency's
    default (its ``validFor`` from the completion date), else None (for good). A date given
    must be after the completion and not already past."""
    if value is None:
        return add_duration(completed, valid_for) if valid_for else None
    until = _date(value, "/validUntil", "Valid until")
    if until <= completed:
        refusal = "must be after the completion date"
    elif until < today:
        refusal = f"{_long_date(until)} has already passed"
    else:
        return until
    raise refused("/validUntil", f"Valid until: {refusal}")


def meaning_errors(data: Any, body: dict[str, Any], today: date,
                   flagged: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """Every problem the catalog and the calendar find with a completion body, as
    {"pointer", "detail"}: an unknown competency, a level its model lacks, a completion date
    that is no day, in the future or before the model existed, an expiry before it. Fields
    already refused (their pointers in ``flagged``) are not checked again, so a form or an
    upload can say every field's problem at once rather than one round at a time."""
    errors: list[dict[str, str]] = []

    def check(pointer: str, step: Any) -> Any:
        try:
            return step()
        except DomainError as problem:
            errors.extend(problem.errors or [{"pointer": pointer, "detail": problem.detail}])
            return None

    def given(pointer: str) -> Any:
        value = body.get(pointer.strip("/"))
        return value if isinstance(value, str) and pointer not in flagged else None

    crosswalk = competency = None
    if given("/competency") is not None:
        model_id, _, competency_id = body["competency"].partition("/")
        try:
            crosswalk = data.crosswalk_for(model_id)
            competency = crosswalk.model.competency(competency_id)
        except KeyError:
            crosswalk = None
            errors.append({"pointer": "/competency",
                           "detail": f"Competency: the model has no competency "
                                     f"{body['competency']}"})
    if crosswalk is not None and given("/level") is not None:
        check("/level", lambda: check_level(crosswalk, body["level"]))
    completed = None
    if given("/completedOn") is not None:
        model = crosswalk.model if crosswalk is not None else None
        completed = check("/completedOn",
                          lambda: completed_on_date(body["completedOn"], today, model))
    if given("/validUntil") is not None and completed is not None:
        valid_for = competency.valid_for if competency is not None else None
        check("/validUntil",
              lambda: valid_until_date(body["validUntil"], completed, valid_for, today))
    return errors


def completion_problems(db: Session, bodies: Sequence[dict[str, Any]],
                        flagged: Sequence[frozenset[str]]) -> list[list[dict[str, str]]]:
    """:func:`meaning_errors` of each body against the current catalog (a form's rows)."""
    with db.begin():
        data = catalog(db)
    today = datetime.now(UTC).date()
    return [meaning_errors(data, body, today, done) for body, done in zip(bodies, flagged,
                                                                            strict=True)]


def end_of_day(day: date) -> datetime:
    """A credential valid until a date is valid through that whole day (UTC)."""
    return datetime.combine(day, time(23, 59, 59), UTC)


def likely_duplicates(db: Session, issuer_id: int, requests: Sequence[CompletionRequest]
                      ) -> list[int]:
    """Positions of the requests the issuer has already recorded: the same learner,
    competency, level and completion date. Unreadable dates are left to validation; the
    learners' completions are read a few hundred learners at a time (a cohort's preview)."""
    wanted: dict[tuple[str, str, str, str, date], list[int]] = {}
    for index, request in enumerate(requests):
        model_id, _, competency_id = request.competency.partition("/")
        try:
            completed = date.fromisoformat(request.completed_on)
        except ValueError:
            continue
        key = (normalise_email(request.learner_email), model_id, competency_id,
               request.level, completed)
        wanted.setdefault(key, []).append(index)
    emails = sorted({key[0] for key in wanted})
    found: set[int] = set()
    for start in range(0, len(emails), 500):
        recorded = db.execute(select(
            Completion.learner_email, Completion.model_id, Completion.competency_id,
            Completion.level, Completion.completed_on).where(
            Completion.issuer_id == issuer_id,
            Completion.learner_email.in_(emails[start:start + 500]))).all()
        for row in recorded:
            found.update(wanted.get(tuple(row), ()))
    return sorted(found)


def record_completion(db: Session, caller: Caller, slug: str, request: CompletionRequest,
                      raw_body: dict[str, Any], idempotency_key: str | None, base_url: str,
                      kek: KeyEncryptionKey) -> idempotency.StoredResponse:
    """Validate, record and sign; replay the first answer for a repeated Idempotency-Key."""
    caller.require(slug, ("assessor", "admin"))
    return idempotency.run_once(db, caller.issuer_id, idempotency_key, "completion", raw_body,
                                lambda: issue_completion(db, caller, slug, request, base_url, kek))


class RowRefused(Invalid):
    """One completion of several was refused: which one, and why (its errors)."""

    def __init__(self, index: int, problem: DomainError) -> None:
        super().__init__(problem.detail, code=problem.code, errors=problem.errors)
        self.index, self.problem = index, problem


def record_completions(db: Session, caller: Caller, slug: str,
                       requests: Sequence[CompletionRequest], raw_bodies: list[dict[str, Any]],
                       idempotency_key: str | None, base_url: str,
                       kek: KeyEncryptionKey) -> idempotency.StoredResponse:
    """Several completions (one learner's, from the desk) in one transaction: all are
    recorded and issued, or none is (RowRefused names the first refused and why)."""
    caller.require(slug, ("assessor", "admin"))

    def issue_all() -> dict[str, Any]:
        issued = []
        for index, request in enumerate(requests):
            try:
                issued.append(issue_completion(db, caller, slug, request, base_url, kek))
            except DomainError as problem:
                if problem.kind != "invalid":
                    raise
                raise RowRefused(index, problem) from None
        return {"issued": issued}

    return idempotency.run_once(db, caller.issuer_id, idempotency_key, "completions",
                                raw_bodies, issue_all)


def issue_completion(db: Session, caller: Caller, slug: str, request: CompletionRequest,
                     base_url: str, kek: KeyEncryptionKey) -> dict[str, Any]:
    """Record one completion and issue its credential, inside the caller's transaction."""
    issuer = get_issuer(db, slug)
    model_id, _, competency_id = request.competency.partition("/")
    data = catalog(db)
    try:
        crosswalk = data.crosswalk_for(model_id)
        competency = crosswalk.model.competency(competency_id)
    except KeyError:
        raise refused("/competency", f"Competency: the model has no competency "
                                     f"{request.competency}; see GET /api/v1/frameworks"
                      ) from None
    check_level(crosswalk, request.level)
    now = datetime.now(UTC)
    completed_on = completed_on_date(request.completed_on, now.date(), crosswalk.model)
    valid_until = valid_until_date(request.valid_until, completed_on, competency.valid_for,
                                   now.date())
    email = normalise_email(request.learner_email)
    if len(email) > EMAIL_MAX:  # lower case can be longer (İ is two characters lowered)
        raise refused("/learner/email", f"Learner email: at most {EMAIL_MAX} characters "
                                        f"once in lower case (this has {len(email)})")
    completion = Completion(
        id=str(uuid.uuid4()), issuer_id=issuer.id, learner_name=request.learner_name,
        learner_email=email, model_id=model_id, competency_id=competency_id,
        level=request.level, completed_on=completed_on, valid_until=valid_until,
        evidence=request.evidence,
        verified_by_token_id=caller.token_id, verified_by_staff_id=caller.staff_id)
    db.add(completion)
    db.flush()

    ids = IssuerIdentifiers.for_slug(base_url, slug)

    def build(new: NewCredential, status: list[dict[str, Any]]) -> dict[str, Any]:
        return build_achievement_credential(
            credential_id=new.url,
            issuer=profile_of(db, issuer, ids.did_web, base_url),
            achievement=build_achievement(crosswalk, competency_id, base_url),
            level=request.level,
            learner=Learner(request.learner_name, email),
            completed_on=completed_on,
            evidence=[EvidenceItem(e["name"], e["narrative"], e.get("url"))
                      for e in request.evidence],
            issued_at=now,
            valid_until=end_of_day(valid_until) if valid_until else None,
            credential_status=status,
            image=badge_url(base_url, model_id, competency_id, request.level),
        )

    issued = issuance.issue(db, issuer, kek, base_url, build, issuance.Issuance(
        issuance.Audit(caller, "credential.issue",
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
