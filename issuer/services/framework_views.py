"""Frameworks as the API shows them: competencies with the statements each level cites, the
edition new credentials cite, and where the CASE package is."""

from __future__ import annotations

from typing import Any

from credentials.achievements import achievement_url
from credentials.case import ModelIds, case_url
from credentials.frameworks import Crosswalk


def _case_package(crosswalk: Crosswalk, base_url: str) -> str:
    return case_url(base_url, "CFPackages", ModelIds(base_url, crosswalk).document)


def framework_summary(crosswalk: Crosswalk, base_url: str) -> dict[str, Any]:
    model = crosswalk.model
    return {"id": model.id, "title": model.title, "occupation": model.occupation,
            "versionDate": model.version_date, "competencies": len(model.competencies),
            "levelFramework": crosswalk.framework.id, "edition": crosswalk.edition,
            "url": f"{base_url.rstrip('/')}/api/v1/frameworks/{model.id}",
            "case": _case_package(crosswalk, base_url)}


def model_view(crosswalk: Crosswalk, base_url: str) -> dict[str, Any]:
    model, framework = crosswalk.model, crosswalk.framework
    return {
        "id": model.id, "title": model.title, "publisher": model.publisher,
        "occupation": model.occupation, "sourceUrl": model.source_url,
        "versionDate": model.version_date, "edition": crosswalk.edition,
        "crosswalk": {"id": crosswalk.id, "version": crosswalk.version},
        "requiredLevel": crosswalk.required_level,
        "case": _case_package(crosswalk, base_url),
        "tiers": [{"id": t.id, "name": t.name, "position": t.position} for t in model.tiers],
        "levelFramework": {
            "id": framework.id, "soc": framework.soc, "occupation": framework.occupation,
            "version": framework.version, "attribution": framework.attribution.text(),
            "levels": [{"id": level.id, "label": level.label} for level in framework.levels],
        },
        "competencies": [{
            "id": c.id, "name": c.name, "definition": c.definition, "tier": c.tier.id,
            "trainingMode": c.training_mode,
            "achievement": achievement_url(base_url, model.id, c.id, crosswalk.edition),
            "withoutStatements": not crosswalk.mapped(c.id),
            "levels": {level.id: [{"id": e.statement.id, "text": e.statement.text,
                                   "rationale": e.rationale}
                                  for e in crosswalk.evidence(c.id, level.id)]
                       for level in framework.levels},
        } for c in model.competencies],
    }
