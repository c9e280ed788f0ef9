"""1EdTech CASE 1.1 REST paths (read-only, public): the competency model editions and level
framework versions as CFPackages, CFDocuments, CFItems, CFAssociations, CFRubrics and
CFLicenses. The alignments of the credentials we issue point here.

A refusal here is CASE's own status payload (``imsx_StatusInfo``), as the CASE REST binding
defines it for its endpoints, not problem+json: a CASE client reads that."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json

from credentials.case import CASE_PATH
from issuer.services import case_documents
from issuer.services.errors import DomainError
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("case", __name__, url_prefix=CASE_PATH)


def _json(document: Any) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.errorhandler(DomainError)
def _status_info(error: DomainError) -> Response:
    """An unknown identifier (the one refusal these read-only paths make) as CASE's
    imsx_StatusInfo: failure, error, and the code minor ``unknownobject``."""
    status = {"not-found": 404, "malformed": 400}.get(error.kind, 400)
    minor = "unknownobject" if status == 404 else "invaliddata"
    body = {"imsx_codeMajor": "failure", "imsx_severity": "error",
            "imsx_description": error.detail,
            "imsx_CodeMinor": {"imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": minor}]}}
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _base_url() -> str:
    return service_context().base_url


@bp.get("/CFDocuments")
def cf_documents() -> Response:
    return _json({"CFDocuments": case_documents.documents(session(), _base_url())})


@bp.get("/CFDocuments/<identifier>")
def cf_document(identifier: str) -> Response:
    return _json(case_documents.document(session(), _base_url(), identifier))


@bp.get("/CFPackages/<identifier>")
def cf_package(identifier: str) -> Response:
    return _json(case_documents.package(session(), _base_url(), identifier))


@bp.get("/CFItems/<identifier>")
def cf_item(identifier: str) -> Response:
    return _json(case_documents.item(session(), _base_url(), identifier))


@bp.get("/CFAssociations/<identifier>")
def cf_association(identifier: str) -> Response:
    return _json(case_documents.association(session(), _base_url(), identifier))


@bp.get("/CFRubrics/<identifier>")
def cf_rubric(identifier: str) -> Response:
    return _json(case_documents.rubric(session(), _base_url(), identifier))


@bp.get("/CFLicenses/<identifier>")
def cf_license(identifier: str) -> Response:
    return _json(case_documents.cf_license(session(), _base_url(), identifier))
