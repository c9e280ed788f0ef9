"""Competency model + level framework -> Open Badges 3.0 ``Achievement``.

Each competency becomes an Achievement of type ``Competency``. Its ``ResultDescription`` is a
rubric of the framework's levels; each ``RubricCriterionLevel`` carries the level statements
the crosswalk cites for that competency, with their framework and attribution, so that a
credential naming an achieved level also names what that level means. The competency is
aligned to its CASE ``CFItem`` and each statement to the CASE ``CFRubricCriterionLevel`` that
holds it (credentials.case), and the Achievement's id names the model edition it was built
from, so a later version of the model or framework never changes what a credential cites.
"""

from __future__ import annotations

from typing import Any

from credentials.case import competency_item_url, criterion_level_url
from credentials.frameworks import Competency, Crosswalk, Evidence

ONET_SUMMARY_URL = "https://www.onetonline.org/link/summary/{soc}"


def achievement_url(base_url: str, model_id: str, competency_id: str,
                    edition: str | None = None) -> str:
    """The dereferenceable id of a competency's Achievement: of one model edition, or (with
    no edition, as credentials issued before editions cite it) of the current one."""
    url = f"{base_url.rstrip('/')}/achievements/{model_id}/{competency_id}"
    return f"{url}/{edition}" if edition else url


def is_achievement_of(achievement_id: str, base_url: str, model_id: str,
                      competency_id: str) -> bool:
    """Whether an Achievement id names this competency, in any edition of its model."""
    url = achievement_url(base_url, model_id, competency_id)
    return achievement_id == url or (achievement_id.startswith(f"{url}/")
                                     and "/" not in achievement_id[len(url) + 1:])


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


def _statement_alignment(evidence: Evidence, crosswalk: Crosswalk, competency: Competency,
                         base_url: str) -> dict[str, Any]:
    statement = evidence.statement
    level_label = crosswalk.framework.level(statement.level).label
    return {
        "type": ["Alignment"],
        "targetName": f"{level_label} statement {statement.number}",
        "targetDescription": statement.text,
        "targetUrl": criterion_level_url(base_url, crosswalk, competency.id, statement.level),
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
    label = framework.level(level).label
    if evidence:
        description = f"{texts}\n\nSource: {framework.attribution.text()}"
    elif not crosswalk.mapped(competency.id):
        description = f"{label}. {without_statements(crosswalk, competency)}"
    else:  # nothing quoted at this level, so nothing to attribute
        description = f"{label}. {no_statement_at(label)}"
    return {
        "id": level_id(achievement_id, level),
        "type": ["RubricCriterionLevel"],
        "name": label,
        "level": label,
        "description": description,
        "alignment": [_statement_alignment(e, crosswalk, competency, base_url)
                      for e in evidence],
    }


def without_statements(crosswalk: Crosswalk, competency: Competency) -> str:
    """What a credential says when the crosswalk gives its competency no level statement."""
    return (f"No level statements are crosswalked to this competency: the credential cites "
            f"the competency of the {crosswalk.model.title} ({crosswalk.model.publisher}) "
            f"alone.")


def no_statement_at(label: str) -> str:
    """What a credential says of a level the crosswalk gives its competency no statement at."""
    return (f"The crosswalk cites no {label} statement for this competency: at this level "
            f"the credential cites the competency alone.")


def build_achievement(crosswalk: Crosswalk, competency_id: str, base_url: str,
                      edition: bool = True) -> dict[str, Any]:
    """The OB 3.0 Achievement for one competency of the crosswalk's model (its id naming the
    edition, unless ``edition`` is False: the page credentials from before editions cite)."""
    model = crosswalk.model
    competency = model.competency(competency_id)
    achievement_id = achievement_url(base_url, model.id, competency.id,
                                     crosswalk.edition if edition else None)
    framework = crosswalk.framework
    narrative = (f"Assessed and verified by an authorised assessor of the issuing "
                 f"employer as demonstrating: {competency.definition} "
                 f"({competency.tier.name}, delivered as "
                 f"{competency.training_mode_name.lower()}; {model.title}, "
                 f"{model.publisher}, updated {model.version_date}.)")
    if not crosswalk.mapped(competency.id):
        narrative += " " + without_statements(crosswalk, competency)
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": competency.name,
        "description": competency.definition,
        "criteria": {"narrative": narrative},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": competency.name,
                "targetDescription": competency.definition,
                "targetUrl": competency_item_url(base_url, crosswalk, competency.id),
                "targetFramework": f"{model.title} ({model.publisher}, {model.version_date})",
                "targetCode": f"{model.id}/{competency.id}",
                "targetType": "CFItem",
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
