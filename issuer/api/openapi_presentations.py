"""The OpenAPI description of presentation requests: the employer's API
(issuer/api/presentation_requests.py), the VC API exchange and interaction URL
(issuer/protocols/presentation_exchanges.py), OpenID4VP's request object and response
endpoint (issuer/protocols/openid4vp.py) and the desk's pages (issuer/pages/desk_requests.py)."""

from __future__ import annotations

from typing import Any

PROBLEM = {"description": "RFC 9457 problem details", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
OBJECT = {"type": "object"}
TEXT = {"type": "string"}
HTML = {"text/html": {"schema": TEXT}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": TEXT}
ID = {"name": "id", "in": "path", "required": True, "schema": TEXT,
      "description": "the presentation request's id"}
BEARER = [{"bearer": []}]
TO_DESK = {"description": "not signed in, or done: to the desk or the request's page",
           "headers": {"Location": {"schema": TEXT}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): PROBLEM for code in codes}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


NEW_REQUEST = {
    "type": "object", "required": ["title", "competencies"],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "competencies": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
            "type": "object", "required": ["competency", "level"],
            "properties": {"competency": {"type": "string",
                                          "description": "<model>/<competency>"},
                           "level": {"type": "string",
                                     "description": "the lowest level that satisfies, of "
                                                    "the model's framework"}}}},
        "acceptedIssuers": {"oneOf": [{"const": "any"}, {"type": "null"}, {
            "type": "array", "minItems": 1, "maxItems": 20, "items": TEXT}]},
        "didAuthentication": {"type": "boolean", "default": True},
        "expires": {"type": "string", "format": "date-time",
                    "description": "default: in 14 days; at most a year"}}}
REQUEST = {"type": "object", "required": ["id", "title", "url", "link", "openid4vp",
                                          "competencies", "expires"],
           "properties": {"id": TEXT, "title": TEXT, "url": TEXT,
                          "link": {"type": "string", "description": "the interaction URL: a "
                                   "page for the candidate; ?iuv=1 gives the protocols"},
                          "openid4vp": {"type": "string", "description": "openid4vp:// link "
                                        "to the signed request object"},
                          "competencies": {"type": "array", "items": OBJECT},
                          "acceptedIssuers": {}, "didAuthentication": {"type": "boolean"},
                          "answers": {"oneOf": [{"type": "integer"},
                                                {"type": "array", "items": OBJECT}]},
                          "expires": TEXT}}
SETTINGS = {"type": "object", "required": ["answerRetentionDays"],
            "properties": {"answerRetentionDays": {"type": "integer", "minimum": 1,
                                                   "maximum": 3650}}}

PRESENTATION_PATHS: dict[str, Any] = {
    "/api/v1/issuers/{slug}/presentation-requests": {
        "post": {"summary": "Ask candidates' wallets for credentials: competencies at a "
                            "level or above, from any or listed issuers (assessor or admin)",
                 "security": BEARER, "parameters": [SLUG],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": NEW_REQUEST}}},
                 "responses": {"201": _json(REQUEST, "the request, its link and its "
                                                     "OpenID4VP link"),
                               **_errors(401, 403, 404, 415, 422)}},
        "get": {"summary": "The issuer's presentation requests, newest first, with how many "
                           "answers each has", "security": BEARER, "parameters": [SLUG],
                "responses": {"200": _json({"type": "object", "properties": {
                    "presentationRequests": {"type": "array", "items": REQUEST}}},
                    "the requests"), **_errors(401, 403, 404)}}},
    "/api/v1/issuers/{slug}/presentation-requests/{id}": {"get": {
        "summary": "A presentation request with its answers: per answer the holder, each "
                   "credential's full verification, issuer accepted and proven, holder "
                   "binding, and each asked competency satisfied or missing (and why); "
                   "answers newest first, a page at a time (answerCount in all, nextCursor "
                   "for the next page); answers past the retention period are not shown",
        "security": BEARER, "parameters": [
            SLUG, ID,
            {"name": "cursor", "in": "query", "required": False, "schema": TEXT,
             "description": "nextCursor of the previous page"},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}}],
        "responses": {"200": _json(REQUEST, "the request and a page of its answers"),
                      **_errors(400, 401, 403, 404)}}},
    "/api/v1/issuers/{slug}/presentation-settings": {
        "get": {"summary": "How many days answers to the issuer's requests are kept",
                "security": BEARER, "parameters": [SLUG],
                "responses": {"200": _json(SETTINGS, "the setting"),
                              **_errors(401, 403, 404)}},
        "put": {"summary": "Change how many days answers are kept (admin); older answers "
                           "are deleted by the next sweep",
                "security": BEARER, "parameters": [SLUG],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": SETTINGS}}},
                "responses": {"200": _json(SETTINGS, "the setting"),
                              **_errors(401, 403, 404, 415, 422)}}},
    "/interactions/present/{id}": {"get": {
        "summary": "A presentation request's link: with ?iuv=1 the VC API protocols object "
                   "(vcapi, OID4VP); otherwise a page for the candidate with QR codes",
        "parameters": [ID, {"name": "iuv", "in": "query", "required": False,
                            "schema": {"enum": ["1"]}}],
        "responses": {"200": {"description": "the protocols, or the page", "content": {
            "application/json": {"schema": OBJECT}, **HTML}}, **_errors(404, 410, 429)}}},
    "/workflows/present/exchanges/{id}": {"post": {
        "summary": "VC API exchange: {} gives a verifiablePresentationRequest (QueryByExample "
                   "and DIDAuthentication, with a new challenge and our domain); "
                   "{verifiablePresentation} answers it",
        "parameters": [ID],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "properties": {"verifiablePresentation": OBJECT}}}}},
        "responses": {"200": _json(OBJECT, "the request, or {} once answered"),
                      **_errors(404, 409, 410, 415, 422, 429)}}},
    "/openid4vp/requests/{id}": {"get": {
        "summary": "OpenID4VP request object (request_uri), signed with the issuer's did:web "
                   "key (client_id decentralized_identifier:<did>), with a new nonce and "
                   "state",
        "parameters": [ID],
        "responses": {"200": {"description": "the signed request object", "content": {
            "application/oauth-authz-req+jwt": {"schema": TEXT}}},
            **_errors(404, 410, 429)}}},
    "/openid4vp/responses": {"post": {
        "summary": "OpenID4VP response_uri (response_mode direct_post): vp_token (an object "
                   "of presentations by DCQL query id) and state",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["vp_token", "state"],
                       "properties": {"vp_token": TEXT, "state": TEXT}}}}},
        "responses": {"200": _json(OBJECT, "recorded"),
                      **_errors(400, 404, 409, 410, 422, 429)}}},
    "/desk/requests": {
        "get": {"summary": "The desk's presentation requests and the form to make one",
                "responses": {"200": {"description": "the page", "content": HTML},
                              "302": TO_DESK, "403": {"description": "not staff of an issuer",
                                                      "content": HTML}}},
        "post": {"summary": "Create a presentation request from the desk's form",
                 "requestBody": {"required": True, "content": {
                     "application/x-www-form-urlencoded": {"schema": {
                         "type": "object", "required": ["csrf"],
                         "properties": {"csrf": TEXT, "title": TEXT, "competency": TEXT,
                                        "level": TEXT, "issuers": TEXT, "did_auth": TEXT,
                                        "days": TEXT}}}}},
                 "responses": {"302": TO_DESK, "400": PROBLEM,
                               "422": {"description": "a field is wrong: the page says "
                                                      "which", "content": HTML}}}},
    "/desk/requests/{id}": {"get": {
        "summary": "A request's page: its link and QR codes, and each answer's results",
        "parameters": [ID],
        "responses": {"200": {"description": "the page", "content": HTML}, "302": TO_DESK,
                      **_errors(403, 404)}}},
}
