"""Frameworks as the API shows them: competencies with the statements each level cites."""

from __future__ import annotations

from typing import Any

from credentials.achievements import achievement_url
from credentials.frameworks import Crosswalk


def framework_summary(crosswalk: Crosswalk, base_url: str) -> dict[str, Any]:
    model = crosswalk.model
    return {"id": model.id, "title": model.title, "occupation": model.occupation,
            "versionDate": model.version_date, "competencies": len(model.competencies),
            "levelFramework": crosswalk.framework.id,
            "url": f"{base_url.rstrip('/')}/api/v1/frameworks/{model.id}"}


def model_view(crosswalk: Crosswalk, base_url: str) -> dict[str, Any]:
    model, framework = crosswalk.model, crosswalk.framework
    return {
        "id": model.id, "title": model.title, "publisher": model.publisher,
        "occupation": model.occupation, "sourceUrl": model.source_url,
        "versionDate": model.version_date,
        "tiers": [{"id": t.id, "name": t.name, "position": t.position} for t in model.tiers],
        "levelFramework": {
            "id": framework.id, "soc": framework.soc, "occupation": framework.occupation,
            "version": framework.version, "attribution": framework.attribution.text(),
            "levels": [{"id": level.id, "label": level.label} for level in framework.levels],
        },
        "competencies": [{
            "id": c.id, "name": c.name, "definition": c.definition, "tier": c.tier.id,
            "trainingMode": c.training_mode,
            "achievement": achievement_url(base_url, model.id, c.id),
            "levels": {level.id: [{"id": e.statement.id, "text": e.statement.text,
                                   "rationale": e.rationale}
                                  for e in crosswalk.evidence(c.id, level.id)]
                       for level in framework.levels},
        } for c in model.competencies],
    }
