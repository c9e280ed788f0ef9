"""Build unsigned Open Badges 3.0 ``AchievementCredential`` documents (VC Data Model 2.0)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from credentials.achievements import level_id, result_description_id
from credentials.dates import format_datetime

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXT = [VC_V2, OB_V3P0]


@dataclass(frozen=True)
class IssuerProfile:
    """The issuing organisation as an OB 3.0 ``Profile``."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None  # the logo's URL

    def as_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        if self.email:
            profile["email"] = self.email
        if self.description:
            profile["description"] = self.description
        if self.image:
            profile["image"] = {"id": self.image, "type": "Image"}
        return profile


@dataclass(frozen=True)
class Learner:
    name: str
    email: str


@dataclass(frozen=True)
class EvidenceItem:
    """Something the assessor saw: a narrative, optionally at a URL."""

    name: str
    narrative: str
    url: str | None = None

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"type": ["Evidence"], "name": self.name,
                                "narrative": self.narrative}
        if self.url:
            item["id"] = self.url
        return item


def normalise_email(email: str) -> str:
    return email.strip().lower()


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex SHA-256 of the value followed by the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def email_identity(email: str, salt: str) -> dict[str, Any]:
    """A salted, hashed email ``IdentityObject``: the learner can prove it, nobody can read it."""
    return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": identity_hash(normalise_email(email), salt), "salt": salt}


def name_identity(name: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": name}


def status_property(entries: Sequence[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """``credentialStatus``: one entry as an object, several as an array."""
    return dict(entries[0]) if len(entries) == 1 else [dict(e) for e in entries]


def _rubric_level_ids(achievement: dict[str, Any]) -> list[str]:
    return [level["id"] for description in achievement.get("resultDescription", [])
            for level in description.get("rubricCriterionLevel", [])]


def build_achievement_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: dict[str, Any],
    level: str,
    learner: Learner,
    completed_on: date,
    evidence: Sequence[EvidenceItem] = (),
    issued_at: datetime | None = None,
    valid_until: datetime | None = None,
    salt: str | None = None,
    credential_status: Sequence[dict[str, Any]] = (),
    image: str | None = None,
) -> dict[str, Any]:
    """An unsigned AchievementCredential recording ``learner``'s ``level`` in ``achievement``."""
    achieved = level_id(achievement["id"], level)
    if achieved not in _rubric_level_ids(achievement):
        raise ValueError(f"achievement {achievement['id']} has no level {level!r}")
    issued = format_datetime(issued_at or datetime.now(UTC))
    level_name = level.capitalize()
    credential: dict[str, Any] = {
        "@context": list(OB_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"],
        "name": f"{achievement['name']} ({level_name})",
        "description": f"{learner.name} demonstrated {achievement['name']} at the "
                       f"{level_name} level, verified by {issuer.name}.",
        "issuer": issuer.as_json(),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [email_identity(learner.email, salt or secrets.token_hex(16)),
                           name_identity(learner.name)],
            "achievement": achievement,
            "activityEndDate": format_datetime(datetime.combine(completed_on, time(), UTC)),
            "result": [{
                "type": ["Result"],
                "resultDescription": result_description_id(achievement["id"]),
                "achievedLevel": achieved,
            }],
        },
    }
    if image:
        credential["image"] = {"id": image, "type": "Image",
                               "caption": f"{achievement['name']} ({level_name}) badge"}
    if valid_until:
        credential["validUntil"] = format_datetime(valid_until)
    if evidence:
        credential["evidence"] = [item.as_json() for item in evidence]
    if credential_status:
        credential["credentialStatus"] = status_property(credential_status)
    return credential
