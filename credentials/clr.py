"""CLR 2.0 ``ClrCredential``: a learner's signed credentials in one record, placed in the
competency model by associations (competency -> tier -> model), and the programme-completion
Achievement that a full record earns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from credentials.achievements import is_achievement_of
from credentials.build import (
    OB_V3P0,
    VC_V2,
    IssuerProfile,
    Learner,
    email_identity,
    name_identity,
    status_property,
)
from credentials.case import ModelIds, case_url
from credentials.dates import format_datetime
from credentials.frameworks import Crosswalk

CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_CONTEXT = [VC_V2, CLR_V2P0, OB_V3P0]


def model_url(base_url: str, model_id: str) -> str:
    return f"{base_url.rstrip('/')}/achievements/{model_id}"


def tier_url(base_url: str, model_id: str, tier_id: str) -> str:
    return f"{model_url(base_url, model_id)}/tiers/{tier_id}"


def programme_achievement(crosswalk: Crosswalk, base_url: str, required_level: str
                          ) -> dict[str, Any]:
    """The ``Certificate`` Achievement for holding every competency of a model."""
    model = crosswalk.model
    level = crosswalk.framework.level(required_level).label
    document = ModelIds(base_url, crosswalk).document
    return {
        "id": model_url(base_url, model.id),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"{model.occupation}: all {len(model.competencies)} competencies",
        "description": f"Holds every competency of the {model.title} ({model.publisher}, "
                       f"updated {model.version_date}) at {level} level or above.",
        "criteria": {"narrative": f"A credential from this issuer for each of the "
                                  f"{len(model.competencies)} competencies of the model, each "
                                  f"assessed at {level} or above."},
        "alignment": [{"type": ["Alignment"], "targetName": model.title,
                       "targetUrl": model.source_url, "targetFramework": model.publisher,
                       "targetCode": model.id, "targetType": "CTDL"},
                      {"type": ["Alignment"], "targetName": model.title,
                       "targetUrl": case_url(base_url, "CFDocuments", document),
                       "targetDescription": f"The CASE 1.1 document of this model's edition "
                                            f"{crosswalk.edition}",
                       "targetFramework": model.publisher, "targetCode": document,
                       "targetType": "ext:CFDocument"}],
        "inLanguage": "en",
        "version": model.version_date,
    }


def tier_achievement(crosswalk: Crosswalk, tier_id: str, base_url: str) -> dict[str, Any]:
    model = crosswalk.model
    tier = next(t for t in model.tiers if t.id == tier_id)
    count = sum(1 for c in model.competencies if c.tier.id == tier_id)
    return {
        "id": tier_url(base_url, model.id, tier.id),
        "type": ["Achievement"],
        "achievementType": "ext:CompetencyModelTier",
        "name": tier.name,
        "description": f"Tier {tier.position} of the {model.title}: {count} competencies.",
        "criteria": {"narrative": f"The {tier.name} of the {model.title}."},
    }


def build_programme_credential(*, credential_id: str, issuer: IssuerProfile, learner: Learner,
                               achievement: dict[str, Any],
                               evidence: Sequence[tuple[str, str, str]], salt: str,
                               issued_at: datetime | None = None,
                               credential_status: Sequence[dict[str, Any]] = ()
                               ) -> dict[str, Any]:
    """The programme-completion AchievementCredential; ``evidence`` lists each competency
    credential as (url, competency name, level label)."""
    issued = format_datetime(issued_at or datetime.now(UTC))
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_V3P0],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"],
        "name": achievement["name"],
        "description": f"{learner.name} holds every competency of the programme, each "
                       f"verified by {issuer.name}.",
        "issuer": issuer.as_json(),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [email_identity(learner.email, salt), name_identity(learner.name)],
            "achievement": achievement,
        },
        "evidence": [{"id": url, "type": ["Evidence"], "name": name,
                      "narrative": f"{name}: {level} (credential {url})"}
                     for url, name, level in evidence],
    }
    if credential_status:
        credential["credentialStatus"] = status_property(credential_status)
    return credential


def _association(kind: str, source: str, target: str) -> dict[str, str]:
    return {"type": "Association", "associationType": kind, "sourceId": source,
            "targetId": target}


def _competency_of(credential: dict[str, Any], crosswalk: Crosswalk, base_url: str
                   ) -> str | None:
    achievement_id = credential.get("credentialSubject", {}).get("achievement", {}).get("id")
    for competency in crosswalk.model.competencies:
        if isinstance(achievement_id, str) and is_achievement_of(
                achievement_id, base_url, crosswalk.model.id, competency.id):
            return competency.id
    return None


def unholdable(credential: Any) -> str | None:
    """Why a ClrCredential cannot hold this credential, or None when it can.

    CLR 2.0 (and its official JSON Schema) holds AchievementCredential objects secured by an
    embedded proof, each with at most one ``credentialStatus`` (OB 3.0: 0..1).
    """
    if not isinstance(credential, Mapping) or "proof" not in credential:
        return "is not a JSON credential with an embedded proof (a VC-JWT is not)"
    if not {"AchievementCredential", "OpenBadgeCredential"} & set(_types(credential.get("type"))):
        return "is not an AchievementCredential"
    if isinstance(credential.get("credentialStatus"), list):
        return "has several credentialStatus entries; CLR 2.0 holds credentials with at most one"
    return None


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _record_identities(learner: Learner, salt: str,
                       credentials: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's subject: the learner's email hashed with ``salt`` and with the salt of
    each credential it holds (hashes those credentials already show), and their name. A
    verifier ties each held credential to the record by the hash with its salt, even when
    the learner's name was written differently then."""
    salts = [salt]
    for credential in credentials:
        subject = credential.get("credentialSubject")
        held = subject.get("identifier") if isinstance(subject, Mapping) else None
        for identity in held if isinstance(held, list) else [held]:
            if isinstance(identity, Mapping) and identity.get("hashed") is True \
                    and identity.get("identityType") == "emailAddress" \
                    and isinstance(identity.get("salt"), str) and identity["salt"] not in salts:
                salts.append(identity["salt"])
    return [*(email_identity(learner.email, s) for s in salts), name_identity(learner.name)]


def _placed(credentials: Sequence[dict[str, Any]], crosswalks: Sequence[Crosswalk],
            base_url: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]],
                                    dict[str, set[str]]]:
    """The record's achievements (each held credential's, then the tiers it sits under),
    its associations (competency -> tier -> model, for each model the credential's
    achievement belongs to) and, per model, the competencies held. A credential of no model
    given is held with its achievement but placed nowhere."""
    achievements: dict[str, dict[str, Any]] = {}
    associations: list[dict[str, str]] = []
    held: dict[str, set[str]] = {crosswalk.model.id: set() for crosswalk in crosswalks}
    for credential in credentials:
        achievement = credential["credentialSubject"]["achievement"]
        achievements.setdefault(achievement["id"], achievement)
        for crosswalk in crosswalks:
            model = crosswalk.model
            competency_id = _competency_of(credential, crosswalk, base_url)
            if competency_id is None or competency_id in held[model.id]:
                continue
            held[model.id].add(competency_id)
            model_id = model_url(base_url, model.id)
            tier = model.competency(competency_id).tier.id
            tier_id = tier_url(base_url, model.id, tier)
            associations += [_association("isChildOf", achievement["id"], tier_id),
                             _association("isParentOf", tier_id, achievement["id"])]
            if tier_id not in achievements:
                achievements[tier_id] = tier_achievement(crosswalk, tier, base_url)
                associations += [_association("isChildOf", tier_id, model_id),
                                 _association("isParentOf", model_id, tier_id)]
    return achievements, associations, held


def _record(credential_id: str, name: str, description: str, issuer: IssuerProfile,
            learner: Learner, salt: str, credentials: Sequence[dict[str, Any]],
            achievements: dict[str, dict[str, Any]], associations: list[dict[str, str]],
            issued_at: datetime | None, credential_status: Sequence[dict[str, Any]]
            ) -> dict[str, Any]:
    clr: dict[str, Any] = {
        "@context": list(CLR_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "description": description,
        "issuer": issuer.as_json(),
        "validFrom": format_datetime(issued_at or datetime.now(UTC)),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": _record_identities(learner, salt, credentials),
            "achievement": list(achievements.values()),
            "verifiableCredential": [dict(c) for c in credentials],
            "association": associations,
        },
    }
    if credential_status:
        clr["credentialStatus"] = status_property(credential_status)
    return clr


def _refuse_unholdable(credentials: Sequence[dict[str, Any]]) -> None:
    refused = {i: reason for i, c in enumerate(credentials) if (reason := unholdable(c))}
    if refused:
        raise ValueError(f"a ClrCredential cannot hold these credentials: {refused}")


def build_clr_credential(*, credential_id: str, issuer: IssuerProfile, learner: Learner,
                         credentials: Sequence[dict[str, Any]], crosswalk: Crosswalk,
                         base_url: str, salt: str, issued_at: datetime | None = None,
                         credential_status: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """An unsigned ClrCredential embedding signed AchievementCredentials of one model, as
    the issuer that assessed them signs it.

    Only credentials :func:`unholdable` accepts; a VC-JWT, enveloped or not, is refused.
    """
    _refuse_unholdable(credentials)
    model = crosswalk.model
    achievements, associations, held = _placed(credentials, [crosswalk], base_url)
    count = len(held[model.id])
    clr = _record(credential_id,
                  f"Comprehensive Learner Record: {learner.name}, {model.occupation}",
                  f"{count} of the {len(model.competencies)} competencies of the "
                  f"{model.title}, as assessed and signed by {issuer.name}.",
                  issuer, learner, salt, credentials, achievements, associations, issued_at,
                  credential_status)
    if count < len(model.competencies):
        clr["partial"] = True
    return clr


def build_gathered_clr_credential(*, credential_id: str, issuer: IssuerProfile,
                                  learner: Learner, credentials: Sequence[dict[str, Any]],
                                  issuer_names: Sequence[str], crosswalks: Sequence[Crosswalk],
                                  base_url: str, salt: str, issued_at: datetime | None = None,
                                  credential_status: Sequence[dict[str, Any]] = ()
                                  ) -> dict[str, Any]:
    """An unsigned ClrCredential of credentials a learner gathered themselves, from any
    issuers and models, signed by a service that assessed none of them: its description says
    so, each held credential keeps its own issuer's proof, and each is placed in the model
    (of ``crosswalks``) its competency belongs to. No ``partial`` flag: a gathered record is
    the learner's choice, not a claim about one model's completeness."""
    _refuse_unholdable(credentials)
    achievements, associations, _held = _placed(credentials, crosswalks, base_url)
    names = ", ".join(dict.fromkeys(issuer_names))
    return _record(credential_id, f"Learner record: {learner.name}",
                   f"{len(credentials)} credentials chosen by {learner.name} and gathered by "
                   f"{issuer.name}, which checked that each verified when it was gathered. "
                   f"Each was assessed and signed by its own issuer ({names}); "
                   f"{issuer.name} assessed none of them.",
                   issuer, learner, salt, credentials, achievements, associations, issued_at,
                   credential_status)
