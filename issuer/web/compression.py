"""gzip for answers worth it: text, JSON, SVG, at least ``MIN_BYTES`` long, to clients that
accept it.

Never for the desk or anything marked ``no-store``: those pages carry a CSRF token (and the
answers that show a new API token carry it once) beside text an attacker may choose, which
is what BREACH reads through compressed sizes. Images already compressed (PNG) are left as
they are."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 500
WHOLE = (200, 201, 202)  # answers with a whole body (not 204, nor 206's part of one)
SECRET_ENDPOINTS = {"api.post_token"}  # the answer holds the new token
TEXT_TYPES = {"application/javascript", "application/vc+jwt", "image/svg+xml",
              "application/xml"}


def _compressible(response: Response) -> bool:
    mimetype = response.mimetype or ""
    return (mimetype.startswith("text/") or mimetype.endswith("json")
            or mimetype.endswith("+json") or mimetype in TEXT_TYPES)


def _carries_secrets(response: Response) -> bool:
    """The desk's pages (CSRF tokens), a new API token, anything not to be stored."""
    return request.path == "/desk" or request.path.startswith("/desk/") or \
        request.endpoint in SECRET_ENDPOINTS or bool(response.cache_control.no_store)


def compress(response: Response) -> Response:
    if (request.method == "HEAD" or response.status_code not in WHOLE
            or "Content-Encoding" in response.headers
            or not request.accept_encodings["gzip"] or not _compressible(response)
            or _carries_secrets(response)
            or (response.is_streamed and not response.direct_passthrough)):
        return response
    response.vary.add("Accept-Encoding")
    response.direct_passthrough = False  # a static file: read it to compress it
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # the same entity, other bytes: only weakly the same
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(compress)
