"""Competency model + level framework -> Open Badges 3.0 ``Achievement``.

Each competency becomes an Achievement of type ``Competency``. Its ``ResultDescription`` is a
rubric of the framework's levels; each ``RubricCriterionLevel`` carries the level statements
the crosswalk cites for that competency, with their framework and attribution, so that a
credential naming an achieved level also names what that level means.
"""

from __future__ import annotations

from typing import Any

from credentials.frameworks import Competency, Crosswalk, Evidence

ONET_SUMMARY_URL = "https://www.onetonline.org/link/summary/{soc}"


def achievement_url(base_url: str, model_id: str, competency_id: str) -> str:
    """The dereferenceable id of a competency's Achievement."""
    return f"{base_url.rstrip('/')}/achievements/{model_id}/{competency_id}"


def framework_url(base_url: str, model_id: str) -> str:
    """Where the service publishes a model with its crosswalked level statements."""
    return f"{base_url.rstrip('/')}/api/v1/frameworks/{model_id}"


def badge_url(base_url: str, model_id: str, competency_id: str, level: str | None = None,
              extension: str = "svg") -> str:
    """Where the service draws a competency's badge (and one per level)."""
    path = f"{model_id}/{competency_id}" + (f"/{level}" if level else "")
    return f"{base_url.rstrip('/')}/badges/{path}.{extension}"


def result_description_id(achievement_id: str) -> str:
    return f"{achievement_id}#levels"


def level_id(achievement_id: str, level: str) -> str:
    """The ``RubricCriterionLevel`` id a Result's ``achievedLevel`` points at."""
    return f"{achievement_id}#level-{level}"


def _framework_name(crosswalk: Crosswalk) -> str:
    framework = crosswalk.framework
    return (f"O*NET-SOC {framework.soc} {framework.occupation} proficiency levels "
            f"{framework.version} ({framework.attribution.text()})")


def _statement_alignment(evidence: Evidence, crosswalk: Crosswalk, base_url: str
                         ) -> dict[str, Any]:
    statement = evidence.statement
    level_label = crosswalk.framework.level(statement.level).label
    return {
        "type": ["Alignment"],
        "targetName": f"{level_label} statement {statement.number}",
        "targetDescription": statement.text,
        "targetUrl": f"{framework_url(base_url, crosswalk.model.id)}#{statement.id}",
        "targetFramework": _framework_name(crosswalk),
        "targetCode": statement.id,
        "targetType": "CFRubricCriterionLevel",
    }


def rubric_level(crosswalk: Crosswalk, competency: Competency, level: str, achievement_id: str,
                 base_url: str) -> dict[str, Any]:
    """One ``RubricCriterionLevel``: the level, its statements' text, and where they come from."""
    framework = crosswalk.framework
    evidence = crosswalk.evidence(competency.id, level)
    texts = "\n".join(e.statement.text for e in evidence)
    return {
        "id": level_id(achievement_id, level),
        "type": ["RubricCriterionLevel"],
        "name": framework.level(level).label,
        "level": framework.level(level).label,
        "description": f"{texts}\n\nSource: {framework.attribution.text()}" if evidence
        else f"{framework.level(level).label} ({framework.attribution.text()})",
        "alignment": [_statement_alignment(e, crosswalk, base_url) for e in evidence],
    }


def build_achievement(crosswalk: Crosswalk, competency_id: str, base_url: str
                      ) -> dict[str, Any]:
    """The OB 3.0 Achievement for one competency of the crosswalk's model."""
    model = crosswalk.model
    competency = model.competency(competency_id)
    achievement_id = achievement_url(base_url, model.id, competency.id)
    framework = crosswalk.framework
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": competency.name,
        "description": competency.definition,
        "criteria": {
            "narrative": (f"Assessed and verified by an authorised assessor of the issuing "
                          f"employer as demonstrating: {competency.definition} "
                          f"({competency.tier.name}, delivered as "
                          f"{competency.training_mode_name.lower()}; {model.title}, "
                          f"{model.publisher}, updated {model.version_date}.)"),
        },
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": competency.name,
                "targetDescription": competency.definition,
                "targetUrl": model.source_url,
                "targetFramework": f"{model.title} ({model.publisher}, {model.version_date})",
                "targetCode": f"{model.id}/{competency.id}",
                "targetType": "ceasn:Competency",
            },
            {
                "type": ["Alignment"],
                "targetName": framework.occupation,
                "targetUrl": ONET_SUMMARY_URL.format(soc=framework.soc),
                "targetFramework": f"O*NET-SOC ({framework.attribution.onet})",
                "targetCode": framework.soc,
                "targetType": "ext:OnetSocOccupation",
            },
        ],
        "image": {"id": badge_url(base_url, model.id, competency.id), "type": "Image",
                  "caption": f"{competency.name} badge"},
        "tag": [competency.tier.name, competency.training_mode_name, model.occupation],
        "inLanguage": "en",
        "version": model.version_date,
        "resultDescription": [{
            "id": result_description_id(achievement_id),
            "type": ["ResultDescription"],
            "name": f"Proficiency level ({framework.occupation}, {framework.version})",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                rubric_level(crosswalk, competency, level.id, achievement_id, base_url)
                for level in framework.levels
            ],
        }],
    }
