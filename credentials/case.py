"""Competency models and level frameworks as 1EdTech CASE 1.1 packages.

A model, as linked by one crosswalk version to one framework version (an *edition*), is a
CFDocument whose CFItems are its tiers and competencies, whose CFAssociations place each
competency in its tier (``isChildOf``) and link it to the level statements the crosswalk
cites (``isRelatedTo``, into the framework's document), and whose CFRubric has a criterion per
competency with a CFRubricCriterionLevel per proficiency level carrying those statements and
their attribution. A level framework (an LER.me export) is a CFDocument of its levels and
statements, each statement with its attribution, and a CFRubric of its levels.

Identifiers are UUIDs derived (version 5) from the service's base URL and what they name, so a
document keeps its identifiers across restarts and each version has its own.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from credentials.frameworks import Competency, Crosswalk, LevelFramework

CASE_PATH = "/ims/case/v1p1"
CASE_VERSION = "1.1"
# The namespace of this project's CASE identifiers (a fixed random UUID).
NAMESPACE = uuid.UUID("9b3d6c52-0f4e-4a61-8f2b-6c1e0d7a5e43")


def case_id(base_url: str, *parts: str) -> str:
    """The stable UUID of one CASE object of this deployment."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join((base_url.rstrip("/"), *parts))))


def case_url(base_url: str, collection: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}{CASE_PATH}/{collection}/{identifier}"


def _link(title: str, identifier: str, uri: str) -> dict[str, str]:
    return {"title": title, "identifier": identifier, "uri": uri}


def _first_instant(version_date: str) -> str:
    """A model's ``YYYY-MM[-DD]`` as the dateTime its version began."""
    day = date.fromisoformat(version_date if len(version_date) == 10 else f"{version_date}-01")
    return f"{day.isoformat()}T00:00:00+00:00"


class ModelIds:
    """The identifiers of one model edition's CASE objects."""

    def __init__(self, base_url: str, crosswalk: Crosswalk) -> None:
        self.base_url = base_url
        self.key = ("model", crosswalk.model.id, crosswalk.edition)
        self.document = case_id(base_url, *self.key)
        self.rubric = case_id(base_url, *self.key, "rubric")

    def item(self, kind: str, local_id: str) -> str:
        return case_id(self.base_url, *self.key, kind, local_id)

    def criterion(self, competency_id: str) -> str:
        return case_id(self.base_url, *self.key, "criterion", competency_id)

    def criterion_level(self, competency_id: str, level: str) -> str:
        return case_id(self.base_url, *self.key, "criterion-level", competency_id, level)

    def association(self, *parts: str) -> str:
        return case_id(self.base_url, *self.key, "association", *parts)


class FrameworkIds:
    """The identifiers of one level framework version's CASE objects."""

    def __init__(self, base_url: str, framework: LevelFramework) -> None:
        self.base_url = base_url
        self.key = ("framework", framework.id, framework.version)
        self.document = case_id(base_url, *self.key)
        self.rubric = case_id(base_url, *self.key, "rubric")
        self.criterion = case_id(base_url, *self.key, "criterion")

    def item(self, kind: str, local_id: str) -> str:
        return case_id(self.base_url, *self.key, kind, local_id)

    def association(self, *parts: str) -> str:
        return case_id(self.base_url, *self.key, "association", *parts)


def competency_item_url(base_url: str, crosswalk: Crosswalk, competency_id: str) -> str:
    """Where a competency's CFItem is served: the targetUrl of its ``CFItem`` alignment."""
    return case_url(base_url, "CFItems",
                    ModelIds(base_url, crosswalk).item("competency", competency_id))


def criterion_level_url(base_url: str, crosswalk: Crosswalk, competency_id: str, level: str
                        ) -> str:
    """The uri of a competency's CFRubricCriterionLevel: its rubric's URL, with the level's
    identifier as the fragment (CASE serves criterion levels inside their rubric)."""
    ids = ModelIds(base_url, crosswalk)
    return (f"{case_url(base_url, 'CFRubrics', ids.rubric)}"
            f"#{ids.criterion_level(competency_id, level)}")


def _no_statements(competency: Competency, crosswalk: Crosswalk) -> str:
    return (f"No level statements are crosswalked to {competency.name}: the credential cites "
            f"the competency of the {crosswalk.model.title} alone.")


def _model_document(crosswalk: Crosswalk, ids: ModelIds, changed: str, current: bool
                    ) -> dict[str, Any]:
    model, framework = crosswalk.model, crosswalk.framework
    uri = case_url(ids.base_url, "CFDocuments", ids.document)
    notes = [f"Levels from {framework.occupation} proficiency levels {framework.version} "
             f"(O*NET-SOC {framework.soc}) through crosswalk {crosswalk.id} version "
             f"{crosswalk.version}.", f"Level statements: {framework.attribution.text()}"]
    if model.program:
        notes.append(f"Programme: {model.program}")
    if model.based_on:
        notes.append(f"Based on: {model.based_on}")
    document = {
        "identifier": ids.document, "uri": uri, "creator": model.publisher,
        "title": f"{model.title} (version {model.version_date}, edition {crosswalk.edition})",
        "lastChangeDateTime": changed,
        "officialSourceURL": model.source_url, "publisher": model.publisher,
        "description": model.occupation_description or f"Competency model for {model.occupation}",
        "language": "en", "version": model.version_date,
        "adoptionStatus": _status(current),
        "notes": " ".join(_sentence(note) for note in notes),
        "frameworkType": "Competency model", "caseVersion": CASE_VERSION,
        "CFPackageURI": _link(model.title, ids.document,
                              case_url(ids.base_url, "CFPackages", ids.document)),
    }
    return document


def _status(current: bool) -> str:
    """CASE's adoptionStatus: the version new credentials cite is adopted; an older one, kept
    for the credentials that cite it, is deprecated."""
    return "Adopted" if current else "Deprecated"


def _sentence(text: str) -> str:
    """A note as a sentence of its own: ends with a full stop unless it has one."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def model_package(crosswalk: Crosswalk, base_url: str, current: bool = True) -> dict[str, Any]:
    """The CFPackage of one model edition: adopted while it is the one new credentials cite,
    deprecated (kept for the credentials that cite it) once another is."""
    model, framework = crosswalk.model, crosswalk.framework
    ids = ModelIds(base_url, crosswalk)
    fids = FrameworkIds(base_url, framework)
    changed = _first_instant(model.version_date)
    document = _model_document(crosswalk, ids, changed, current)
    doc_link = _link(model.title, ids.document, document["uri"])
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []

    def associate(kind: str, origin: dict[str, str], destination: dict[str, str],
                  sequence: int, notes: str | None = None) -> None:
        identifier = ids.association(kind, origin["identifier"], destination["identifier"])
        association = {"identifier": identifier, "associationType": kind,
                       "uri": case_url(base_url, "CFAssociations", identifier),
                       "originNodeURI": origin, "destinationNodeURI": destination,
                       "sequenceNumber": sequence, "lastChangeDateTime": changed,
                       "CFDocumentURI": doc_link}
        if notes:
            association["notes"] = notes
        associations.append(association)

    tier_links = {}
    for tier in model.tiers:
        identifier = ids.item("tier", tier.id)
        items.append({"identifier": identifier, "uri": case_url(base_url, "CFItems", identifier),
                      "fullStatement": tier.name, "humanCodingScheme": tier.id,
                      "listEnumeration": str(tier.position), "CFItemType": "Tier",
                      "language": "en", "lastChangeDateTime": changed,
                      "CFDocumentURI": doc_link})
        tier_links[tier.id] = _link(tier.name, identifier, items[-1]["uri"])
        associate("isChildOf", tier_links[tier.id], doc_link, tier.position)
    for position, competency in enumerate(model.competencies, start=1):
        identifier = ids.item("competency", competency.id)
        notes = f"{competency.tier.name}; delivered as {competency.training_mode_name.lower()}."
        if not crosswalk.mapped(competency.id):
            notes += " " + _no_statements(competency, crosswalk)
        items.append({"identifier": identifier, "uri": case_url(base_url, "CFItems", identifier),
                      "fullStatement": competency.definition,
                      "abbreviatedStatement": competency.name,
                      "alternativeLabel": competency.name,
                      "humanCodingScheme": f"{model.id}/{competency.id}",
                      "listEnumeration": str(position), "CFItemType": "Competency",
                      "notes": notes, "language": "en", "lastChangeDateTime": changed,
                      "CFDocumentURI": doc_link})
        link = _link(competency.name, identifier, items[-1]["uri"])
        associate("isChildOf", link, tier_links[competency.tier.id], position)
        for level in framework.levels:
            for number, evidence in enumerate(crosswalk.evidence(competency.id, level.id), 1):
                statement = evidence.statement
                target = fids.item("statement", statement.id)
                associate("isRelatedTo", link,
                          _link(f"{level.label} statement {statement.number}", target,
                                case_url(base_url, "CFItems", target)), number,
                          f"{level.label}: {evidence.rationale}")
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations,
            "CFRubrics": [model_rubric(crosswalk, base_url)]}


def model_rubric(crosswalk: Crosswalk, base_url: str) -> dict[str, Any]:
    """The CFRubric of one model edition: per competency, its levels with their statements."""
    model, framework = crosswalk.model, crosswalk.framework
    ids = ModelIds(base_url, crosswalk)
    changed = _first_instant(model.version_date)
    uri = case_url(base_url, "CFRubrics", ids.rubric)
    criteria = []
    for position, competency in enumerate(model.competencies, start=1):
        criterion = ids.criterion(competency.id)
        levels = []
        for level in framework.levels:
            evidence = crosswalk.evidence(competency.id, level.id)
            if evidence:
                description = ("\n".join(e.statement.text for e in evidence)
                               + f"\n\nSource: {framework.attribution.text()}")
            else:
                description = (f"{level.label}. " + (
                    _no_statements(competency, crosswalk) if not crosswalk.mapped(competency.id)
                    else f"The crosswalk cites no {level.label} statement for this competency."))
            levels.append({"identifier": ids.criterion_level(competency.id, level.id),
                           "uri": criterion_level_url(base_url, crosswalk, competency.id,
                                                      level.id),
                           "description": description, "quality": level.label,
                           "position": level.position, "rubricCriterionId": criterion,
                           "lastChangeDateTime": changed})
        item = ids.item("competency", competency.id)
        criteria.append({"identifier": criterion, "uri": f"{uri}#{criterion}",
                         "category": competency.tier.name, "description": competency.name,
                         "CFItemURI": _link(competency.name, item,
                                            case_url(base_url, "CFItems", item)),
                         "position": position, "rubricId": ids.rubric,
                         "lastChangeDateTime": changed, "CFRubricCriterionLevels": levels})
    return {"identifier": ids.rubric, "uri": uri,
            "title": f"{model.title}: proficiency levels",
            "description": (f"The {len(framework.levels)} levels of {framework.occupation} "
                            f"proficiency levels {framework.version} (O*NET-SOC "
                            f"{framework.soc}) for each competency, with the statements the "
                            f"crosswalk cites. {framework.attribution.text()}"),
            "lastChangeDateTime": changed, "CFRubricCriteria": criteria}


def _framework_changed(framework: LevelFramework) -> str:
    return framework.exported_at or "1970-01-01T00:00:00+00:00"


def framework_package(framework: LevelFramework, base_url: str, current: bool = True
                      ) -> dict[str, Any]:
    """The CFPackage of one level framework version, attribution on every statement;
    deprecated once a newer version is current."""
    ids = FrameworkIds(base_url, framework)
    changed = _framework_changed(framework)
    title = (f"O*NET-SOC {framework.soc} {framework.occupation} proficiency levels "
             f"{framework.version}")
    uri = case_url(base_url, "CFDocuments", ids.document)
    attribution = framework.attribution
    licence = framework_license(framework, base_url)
    licence_link = _link(licence["title"], licence["identifier"], licence["uri"])
    document = {
        "identifier": ids.document, "uri": uri,
        "creator": attribution.generator or "LER.me", "title": title,
        "lastChangeDateTime": changed,
        "officialSourceURL": f"https://www.onetonline.org/link/summary/{framework.soc}",
        "publisher": _name(attribution.crosswalk or attribution.generator or "LER.me"),
        "description": framework.context_covered or title, "language": "en",
        "version": framework.version, "adoptionStatus": _status(current),
        "licenseURI": licence_link,
        "notes": attribution.text(), "frameworkType": "Proficiency levels",
        "caseVersion": CASE_VERSION,
        "CFPackageURI": _link(title, ids.document, case_url(base_url, "CFPackages", ids.document)),
    }
    doc_link = _link(title, ids.document, uri)
    items, associations = [], []
    for level in framework.levels:
        level_item = ids.item("level", level.id)
        items.append({"identifier": level_item, "uri": case_url(base_url, "CFItems", level_item),
                      "fullStatement": level.label, "humanCodingScheme": level.id,
                      "listEnumeration": str(level.position),
                      "CFItemType": "Proficiency level", "language": "en",
                      "lastChangeDateTime": changed, "CFDocumentURI": doc_link})
        level_link = _link(level.label, level_item, items[-1]["uri"])
        associations.append(_association(ids, "isChildOf", level_link, doc_link,
                                         level.position, changed, base_url))
        for statement in level.statements:
            identifier = ids.item("statement", statement.id)
            items.append({"identifier": identifier,
                          "uri": case_url(base_url, "CFItems", identifier),
                          "fullStatement": statement.text, "humanCodingScheme": statement.id,
                          "listEnumeration": str(statement.number),
                          "CFItemType": "Level statement", "notes": attribution.text(),
                          "licenseURI": licence_link,
                          "language": "en", "lastChangeDateTime": changed,
                          "CFDocumentURI": doc_link})
            associations.append(_association(
                ids, "isChildOf", _link(f"{level.label} statement {statement.number}",
                                        identifier, items[-1]["uri"]),
                level_link, statement.number, changed, base_url))
    rubric_uri = case_url(base_url, "CFRubrics", ids.rubric)
    rubric = {
        "identifier": ids.rubric, "uri": rubric_uri, "title": title,
        "description": f"{framework.context_covered or title} {attribution.text()}",
        "lastChangeDateTime": changed,
        "CFRubricCriteria": [{
            "identifier": ids.criterion, "uri": f"{rubric_uri}#{ids.criterion}",
            "category": framework.occupation, "description": title, "position": 1,
            "rubricId": ids.rubric, "lastChangeDateTime": changed,
            "CFRubricCriterionLevels": [{
                "identifier": ids.item("criterion-level", level.id),
                "uri": f"{rubric_uri}#{ids.item('criterion-level', level.id)}",
                "description": "\n".join(s.text for s in level.statements)
                + f"\n\nSource: {attribution.text()}",
                "quality": level.label, "position": level.position,
                "rubricCriterionId": ids.criterion, "lastChangeDateTime": changed,
            } for level in framework.levels],
        }],
    }
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations,
            "CFDefinitions": {"CFLicenses": [licence]}, "CFRubrics": [rubric]}


CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"


def framework_license(framework: LevelFramework, base_url: str) -> dict[str, Any]:
    """The CFLicense of a level framework version: its statements' sources, the O*NET
    licence (CC BY 4.0) and the notice (© EBSCOed), where a CASE tool looks for them."""
    ids = FrameworkIds(base_url, framework)
    identifier = ids.item("license", "statements")
    attribution = framework.attribution
    text = attribution.text()
    if "CC BY 4.0" in attribution.onet:
        text += f" O*NET content is licensed under CC BY 4.0 ({CC_BY_4})."
    return {"identifier": identifier, "uri": case_url(base_url, "CFLicenses", identifier),
            "title": f"Level statements of {framework.occupation} proficiency levels "
                     f"{framework.version}: {attribution.notice}",
            "description": "Sources, licence and notice of the level statements",
            "licenseText": text, "lastChangeDateTime": _framework_changed(framework)}


def _name(source: str) -> str:
    """A publisher as a name: a web address becomes its host (``skillscrosswalk.com``)."""
    host = urlsplit(source).hostname
    return host.removeprefix("www.") if host else source


def _association(ids: FrameworkIds, kind: str, origin: dict[str, str],
                 destination: dict[str, str], sequence: int, changed: str, base_url: str
                 ) -> dict[str, Any]:
    identifier = ids.association(kind, origin["identifier"], destination["identifier"])
    return {"identifier": identifier, "associationType": kind,
            "uri": case_url(base_url, "CFAssociations", identifier),
            "originNodeURI": origin, "destinationNodeURI": destination,
            "sequenceNumber": sequence, "lastChangeDateTime": changed}
