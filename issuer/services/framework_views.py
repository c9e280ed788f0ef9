"""Frameworks as the API shows them: competencies with the statements each level cites, the
edition new credentials cite, and where the CASE package is."""

from __future__ import annotations

from typing import Any

from credentials.achievements import achievement_url
from credentials.case import ModelIds, case_url
from credentials.frameworks import Catalog, Crosswalk
from issuer.services.errors import NotFound


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


def edition_summary(crosswalk: Crosswalk, current: bool) -> dict[str, Any]:
    """One edition as ``frameworks list`` shows it: the code ``show --edition`` takes, and the
    versions it joins."""
    return {"model": crosswalk.model.id, "edition": crosswalk.edition, "current": current,
            "modelVersion": crosswalk.model.version_date,
            "crosswalk": crosswalk.id, "crosswalkVersion": crosswalk.version,
            "levelFramework": crosswalk.framework.id,
            "frameworkVersion": crosswalk.framework.version}


def editions(data: Catalog) -> list[dict[str, Any]]:
    """Every edition the store can serve, current ones first."""
    current = {c.edition for c in data.crosswalks.values()}
    listed = {(c.model.id, c.edition): c for c in data.crosswalks.values()}
    for key, crosswalk in data.editions.items():
        listed.setdefault(key, crosswalk)
    return sorted((edition_summary(c, c.edition in current) for c in listed.values()),
                  key=lambda e: (e["model"], not e["current"], e["modelVersion"]))


def find_edition(data: Catalog, model_id: str, edition: str | None) -> Crosswalk:
    """A model as new completions use it, or as one edition was: ``edition`` is its code
    (``frameworks list``) or the model's version date, when that names one edition."""
    if model_id not in data.models and not any(m == model_id for m, _ in data.editions):
        raise NotFound(f"no competency model {model_id!r} (`frameworks list` shows them)")
    try:
        current = data.crosswalk_for(model_id)
    except KeyError:
        raise NotFound(f"model {model_id!r} has no crosswalk to a level framework") from None
    if edition is None or edition == current.edition:
        return current
    if (model_id, edition) in data.editions:
        return data.editions[(model_id, edition)]
    dated = {c.edition: c for (m, _), c in data.editions.items()
             if m == model_id and c.model.version_date == edition}
    if current.model.version_date == edition:
        return current
    if len(dated) == 1:
        return next(iter(dated.values()))
    codes = sorted({c.edition for (m, _), c in data.editions.items() if m == model_id}
                   | {current.edition})
    if dated:
        raise NotFound(f"model {model_id!r} version {edition} has several editions "
                       f"({', '.join(sorted(dated))}); give one of these codes")
    raise NotFound(f"model {model_id!r} has no edition {edition!r}: give an edition code "
                   f"({', '.join(codes)}) or a version date of the model, as `frameworks "
                   "list` shows them")
