"""The site's own pages: what this service is (``/``), what each problem type means
(``/problems/<name>``), and its icon. Each answers a browser with a page and a machine with
JSON, at the same URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, send_from_directory

from issuer.web.context import service_context
from issuer.web.negotiation import negotiated, prefers_html
from issuer.web.problems import PROBLEM_TYPES, Problem, ProblemType

bp = Blueprint("site", __name__)

JSON = "application/json"
ABOUT = ("Issues Open Badges 3.0 and CLR 2.0 credentials for verified workplace "
         "competencies, and verifies any such credential from any issuer.")


def _page(template: str, document: dict[str, Any], **context: Any) -> Response:
    """The page for a browser, ``document`` as JSON for anyone else."""
    if prefers_html(JSON):
        return negotiated(Response(render_template(template, **context),
                                   mimetype="text/html"))
    return negotiated(jsonify(document))


@bp.get("/")
def index() -> Response:
    base = service_context().base_url
    links = {"verify": f"{base}/verify", "desk": f"{base}/desk", "docs": f"{base}/docs",
             "openapi": f"{base}/openapi.json", "verifyApi": f"{base}/credentials/verify",
             "problemTypes": f"{base}/problems"}
    return _page("index.html", {"name": "Competency Credentials", "description": ABOUT,
                                "links": links}, about=ABOUT)


def _described(problem_type: ProblemType) -> dict[str, Any]:
    base = service_context().base_url
    return {"type": problem_type.uri, "url": base + problem_type.uri,
            "title": problem_type.title, "status": problem_type.status,
            "meaning": problem_type.meaning, "remedy": problem_type.remedy}


@bp.get("/problems")
def problem_types() -> Response:
    types = list(PROBLEM_TYPES.values())
    return _page("problem_type.html", {"problemTypes": [_described(t) for t in types]},
                 types=types)


@bp.get("/problems/<name>")
def problem_type(name: str) -> Response:
    found = PROBLEM_TYPES.get(name)
    if found is None:
        raise Problem(404, "Not Found", f"no problem type {name!r}; /problems lists them all")
    return _page("problem_type.html", _described(found), types=[found], single=True)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the same SVG answers."""
    return send_from_directory(current_app.static_folder or "static", "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
