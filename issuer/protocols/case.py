"""1EdTech CASE 1.1 REST paths (read-only, public): every competency model edition and level
framework version as CFPackages, CFDocuments, CFItems, CFAssociations and CFRubrics. The
alignments of the credentials we issue point here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json

from credentials.case import CASE_PATH
from issuer.services import case_documents
from issuer.store import session
from issuer.web.context import service_context

bp = Blueprint("case", __name__, url_prefix=CASE_PATH)


def _json(document: Any) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


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
