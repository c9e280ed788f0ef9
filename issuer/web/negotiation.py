"""Content negotiation: a browser gets a page, a machine keeps its JSON, at the same URL."""

from __future__ import annotations

from flask import Response, request


def prefers_html(*machine_types: str) -> bool:
    """True when the caller ranks text/html above every one of ``machine_types``, and did
    not ask for the data by ``?format=json`` (a download link). ``*/*`` alone, or no Accept
    header at all (curl, HTTP libraries), is a machine."""
    if request.args.get("format") in ("json", "jwt"):
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", *machine_types]) == "text/html" and \
        all(accept["text/html"] > accept[kind] for kind in machine_types)


def negotiated(response: Response) -> Response:
    """Mark an answer that depends on Accept, so caches keep one per kind."""
    response.vary.add("Accept")
    return response
