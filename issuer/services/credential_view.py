"""What a verified credential says, in words for the person reading the verifier's result.

Any credential, from this service or another issuer, read defensively (a pasted credential can
hold anything anywhere). Status dates and reasons come from the store only for this service's
own credentials, and only when the verification found them revoked or suspended: the bits of
a status list carry no reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from credentials.dates import parse_datetime
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_jwt, unwrap
from credentials.verify import VerificationReport
from credentials.verify.report import Outcome, Standing
from issuer.services.identifiers import IssuerIdentifiers
from issuer.store.models import Credential, Issuer


@dataclass
class Level:
    name: str
    statements: list[str] = field(default_factory=list)
    attribution: str | None = None


@dataclass
class Evidence:
    name: str
    narrative: str
    url: str | None


@dataclass
class StatusView:
    """The credential's standing with its issuer: active, revoked or suspended (when and why
    where the issuer published that), unpublished (it has no status entry) or unknown (the
    check failed, or the signature did, so nothing it says about its status counts)."""

    state: str
    changed: str | None = None
    reason: str | None = None


@dataclass
class CredentialView:
    title: str
    issuer_name: str
    issuer_id: str | None
    issuer_url: str | None
    issuer_proven: bool
    signed: bool  # the signature verified: without it, nothing here is the issuer's word
    learner: str | None = None
    identified: bool = True  # the subject has an id or an identifier (someone it names)
    achievement: str | None = None
    achievement_type: str | None = None
    definition: str | None = None
    model: str | None = None
    level: Level | None = None
    issued: str | None = None
    completed: str | None = None
    valid_until: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # a CLR's achievements, by name
    status: StatusView | None = None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objs(value: Any) -> list[dict[str, Any]]:
    return [item for item in (value if isinstance(value, list) else [value])
            if isinstance(item, dict)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _safe_url(value: Any) -> str | None:
    """An http(s) URL to link; never ``javascript:``, ``data:`` or anything else."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def _date(value: Any) -> str | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return _day(moment) if moment else _text(value)


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def claims(credential: Any) -> dict[str, Any]:
    """The credential's claims: the object itself, or a VC-JWT's credential (one that does
    not decode claims nothing)."""
    token = unwrap(credential)
    if token is None:
        return _obj(credential)
    try:
        return _obj(decode_jwt(token).credential)
    except (ProofError, RecursionError, ValueError):
        return {}


def _learner(subject: dict[str, Any]) -> str | None:
    """The name the credential carries for its subject (an unhashed name identifier, or the
    subject's name)."""
    for identity in _objs(subject.get("identifier")):
        if identity.get("identityType") == "name" and not identity.get("hashed"):
            return _text(identity.get("identityHash"))
    return _text(subject.get("name"))


def _level(subject: dict[str, Any], achievement: dict[str, Any]) -> Level | None:
    """The achieved rubric level, its statements and their attribution (the level
    description's "Source: ..." line)."""
    result = next(iter(_objs(subject.get("result"))), {})
    achieved_id = result.get("achievedLevel")
    if not isinstance(achieved_id, str):
        return None
    level = next((level for description in _objs(achievement.get("resultDescription"))
                  for level in _objs(description.get("rubricCriterionLevel"))
                  if level.get("id") == achieved_id), None)
    if level is None:
        return None
    statements = [text for a in _objs(level.get("alignment"))
                  if (text := _text(a.get("targetDescription")))]
    description = _text(level.get("description")) or ""
    attribution = description.rpartition("Source: ")[2].strip() if "Source: " in description \
        else None
    return Level(_text(level.get("name")) or achieved_id, statements, attribution)


def _evidence(evidence: Any) -> list[Evidence]:
    items = evidence if isinstance(evidence, list) else [evidence] if evidence else []
    return [Evidence(_text(e.get("name")) or "Evidence", _text(e.get("narrative")) or "",
                     _safe_url(e.get("id"))) if isinstance(e, dict)
            else Evidence("Evidence", "", _safe_url(e)) for e in items]


PASSED = (Outcome.SUCCESS, Outcome.WARNING)


def outcome(report: VerificationReport, name: str) -> Outcome | None:
    """The outcome of the check ``name``; None when the report has no such check (a
    credential over a cap is refused before any other check)."""
    return next((c.outcome for c in report.checks if c.name == name), None)


def _status(db: Session, base_url: str, credential_id: Any, issuer_id: str | None,
            report: VerificationReport) -> StatusView:
    """Active, or revoked or suspended as the verification found it, with the issuer's date
    and reason when the credential is this service's own: its id ours, and its issuer the
    one that issued the credential stored under that id (whose key the verification
    required)."""
    standing = report.standing
    if standing not in (Standing.REVOKED, Standing.SUSPENDED):
        if outcome(report, "proof") not in PASSED:  # its status entry is unproven
            return StatusView("unknown")
        return StatusView({Outcome.SUCCESS: "active", Outcome.SKIPPED: "unpublished"}.get(
            outcome(report, "status"), "unknown"))
    prefix = f"{base_url}/credentials/"
    row = None
    if isinstance(credential_id, str) and credential_id.startswith(prefix):
        try:
            row = db.get(Credential, str(uuid.UUID(credential_id.removeprefix(prefix))))
        except ValueError:
            row = None
    owner = db.get(Issuer, row.issuer_id) if row is not None else None
    ids = IssuerIdentifiers.for_slug(base_url, owner.slug) if owner is not None else None
    if row is None or ids is None or issuer_id not in (ids.profile, ids.did_web) \
            or row.status != standing.value:
        return StatusView(standing.value)
    changed = _day(row.status_changed_at) if row.status_changed_at else None
    return StatusView(standing.value, changed, row.status_reason)


def credential_view(db: Session, base_url: str, credential: Any,
                    report: VerificationReport) -> CredentialView:
    """What ``credential`` says, for a person: who it was issued to, by whom (and whether
    that is proven), for what, at which level, when, on what evidence, and its status."""
    data = claims(credential)
    issuer = data.get("issuer")
    issuer_id = _text(issuer.get("id")) if isinstance(issuer, dict) else _text(issuer)
    issuer_name = (_text(issuer.get("name")) if isinstance(issuer, dict) else None) \
        or issuer_id or "an unnamed issuer"
    subject = next(iter(_objs(data.get("credentialSubject"))), {})
    achievements = _objs(subject.get("achievement"))
    view = CredentialView(
        title=_text(data.get("name")) or "Credential", issuer_name=issuer_name,
        issuer_id=issuer_id,
        issuer_url=_safe_url(issuer.get("url")) if isinstance(issuer, dict) else None,
        issuer_proven=report.issuer_bound, signed=outcome(report, "proof") in PASSED,
        learner=_learner(subject),
        identified=bool(_text(subject.get("id")) or _objs(subject.get("identifier"))),
        issued=_date(data.get("validFrom") or data.get("issuanceDate")),
        completed=_date(subject.get("activityEndDate")),
        valid_until=_date(data.get("validUntil") or data.get("expirationDate")),
        evidence=_evidence(data.get("evidence")),
        status=_status(db, base_url, data.get("id"), issuer_id, report))
    if len(achievements) == 1:
        achievement = achievements[0]
        view.achievement = _text(achievement.get("name"))
        view.achievement_type = _text(achievement.get("achievementType"))
        view.definition = _text(achievement.get("description"))
        view.level = _level(subject, achievement)
        view.model = next((_text(a.get("targetFramework"))
                           for a in _objs(achievement.get("alignment"))
                           if a.get("targetType") == "ceasn:Competency"), None)
    else:  # a CLR 2.0 record: the achievements it lists
        view.held = [name for a in achievements if (name := _text(a.get("name")))]
    return view
