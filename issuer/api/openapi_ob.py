"""The OpenAPI description of the Open Badges 3.0 API (issuer/protocols/ob_api.py), its
OAuth 2.0 endpoints, and the learner's consent pages (issuer/pages/consent.py). The
resource endpoints answer errors as 1EdTech's imsx_StatusInfo, the OAuth endpoints as RFC
6749/7591 error objects; the service description document a client reads is
``/ims/ob/v3p0/discovery``."""

from __future__ import annotations

from typing import Any

TEXT = {"type": "string"}
OBJECT = {"type": "object"}
HTML = {"text/html": {"schema": TEXT}}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
STATUS_INFO = {"type": "object", "required": ["imsx_codeMajor", "imsx_severity"],
               "properties": {"imsx_codeMajor": {"enum": ["failure", "processing", "success",
                                                          "unsupported"]},
                              "imsx_severity": {"enum": ["error", "status", "warning"]},
                              "imsx_description": TEXT, "imsx_codeMinor": OBJECT}}
OAUTH_ERROR = {"type": "object", "required": ["error"],
               "properties": {"error": TEXT, "error_description": TEXT}}
BEARER = [{"ObOAuth2": []}]


def _imsx(description: str) -> dict[str, Any]:
    return {"description": description + " (imsx_StatusInfo)",
            "content": {"application/json": {"schema": STATUS_INFO}}}


def _oauth_error(description: str) -> dict[str, Any]:
    return {"description": description + " (an RFC 6749 error object; or problem details "
                                         "for a request that is not even HTTP-clean)",
            "content": {"application/json": {"schema": OAUTH_ERROR}, **PROBLEM}}


BAD = {"description": "refused: a query or body that cannot be taken (imsx_StatusInfo; or "
                      "problem details for a request that is not even HTTP-clean)",
       "content": {"application/json": {"schema": STATUS_INFO}, **PROBLEM}}
UNAUTHORISED = _imsx("no, an unknown, a revoked or an expired access token")
FORBIDDEN = _imsx("the access token was not granted this operation's scope")
CREDENTIALS = {"type": "object", "additionalProperties": False, "properties": {
    "credential": {"type": "array", "items": OBJECT},
    "compactJwsString": {"type": "array", "items": TEXT}}}
PROFILE = {"type": "object", "required": ["id", "type"], "properties": {
    "id": TEXT, "type": {"type": "array", "items": TEXT}, "email": TEXT}}
LOCATION = {"Location": {"schema": TEXT}}
PAGE_REFUSED = {"description": "refused: a page saying why (nothing is shared)",
                "content": HTML}
BAD_PAGE = {"description": "refused: a page saying why (nothing is shared); problem details "
                           "for a request that is not even HTTP-clean",
            "content": {**HTML, **PROBLEM}}


def _form(fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": required, "properties": fields}}}}


OB_API_PATHS: dict[str, Any] = {
    "/ims/ob/v3p0/discovery": {"get": {
        "summary": "Open Badges API: the service description document (OpenAPI with the "
                   "x-imssf extensions, the OAuth 2.0 flow and the four scopes)",
        "security": [],
        "responses": {"200": {"description": "the document", "content": {
            "application/json": {"schema": OBJECT}}}}}},
    "/ims/ob/v3p0/credentials": {
        "get": {
            "summary": "Open Badges API getCredentials: the signed-in learner's credentials, "
                       "oldest first, a page at a time (scope credential.readonly)",
            "security": BEARER,
            "parameters": [
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1},
                 "description": "at most this many (20 by default, 100 at most)"},
                {"name": "offset", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 0}, "description": "from this one"},
                {"name": "since", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date-time"},
                 "description": "only those issued (or stored here) after this moment"}],
            "responses": {
                "200": {"description": "GetOpenBadgeCredentialsResponse",
                        "headers": {"X-Total-Count": {"schema": {"type": "integer"}},
                                    "Link": {"schema": TEXT}},
                        "content": {"application/json": {"schema": CREDENTIALS}}},
                "400": BAD, "401": UNAUTHORISED, "403": FORBIDDEN}},
        "post": {
            "summary": "Open Badges API upsertCredential: store a credential the learner "
                       "holds from elsewhere, once it verifies; kept apart from what this "
                       "service's issuers issued (scope credential.upsert)",
            "security": BEARER,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": OBJECT}, "text/plain": {"schema": TEXT}}},
            "responses": {
                "200": {"description": "replaced the one with the same id: the credential "
                                       "as sent", "content": {
                                           "application/json": {"schema": OBJECT},
                                           "text/plain": {"schema": TEXT}}},
                "201": {"description": "stored: the credential as sent", "content": {
                    "application/json": {"schema": OBJECT}, "text/plain": {"schema": TEXT}}},
                "400": BAD, "401": UNAUTHORISED, "403": FORBIDDEN,
                "413": {"description": "the body is too large", "content": PROBLEM}}}},
    "/ims/ob/v3p0/profile": {
        "get": {"summary": "Open Badges API getProfile: the learner's profile (scope "
                           "profile.readonly)",
                "security": BEARER,
                "responses": {"200": {"description": "Profile", "content": {
                    "application/json": {"schema": PROFILE}}},
                    "401": UNAUTHORISED, "403": FORBIDDEN}},
        "put": {"summary": "Open Badges API putProfile: replace the learner's profile (the "
                           "whole Profile; scope profile.update)",
                "security": BEARER,
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": OBJECT}}},
                "responses": {"200": {"description": "Profile", "content": {
                    "application/json": {"schema": PROFILE}}},
                    "400": BAD, "401": UNAUTHORISED, "403": FORBIDDEN,
                    "413": {"description": "the body is too large", "content": PROBLEM}}}},
    "/oauth/register": {"post": {
        "summary": "OAuth 2.0 dynamic client registration (RFC 7591), open: the metadata "
                   "the Open Badges specification requires; the secret is shown once",
        "security": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["client_name", "client_uri", "logo_uri",
                                           "tos_uri", "policy_uri", "software_id",
                                           "software_version", "redirect_uris", "scope"],
            "properties": {"redirect_uris": {"type": "array", "items": TEXT},
                           **{name: TEXT for name in (
                               "client_name", "client_uri", "logo_uri", "tos_uri",
                               "policy_uri", "software_id", "software_version", "scope",
                               "token_endpoint_auth_method")}}}}}},
        "responses": {"201": {"description": "registered: client_id, client_secret and the "
                                             "metadata as kept",
                              "content": {"application/json": {"schema": OBJECT}}},
                      "400": _oauth_error("refused metadata"),
                      "413": {"description": "the body is too large", "content": PROBLEM},
                      "429": _oauth_error("too many registrations from this address")}}},
    "/oauth/token": {"post": {
        "summary": "OAuth 2.0 token endpoint: an authorization code (with its PKCE "
                   "verifier) or a refresh token (rotated) for tokens; client_secret_basic",
        "security": [],
        "requestBody": _form({"grant_type": {"enum": ["authorization_code",
                                                      "refresh_token"]},
                              "code": TEXT, "redirect_uri": TEXT, "code_verifier": TEXT,
                              "refresh_token": TEXT, "scope": TEXT}, ["grant_type"]),
        "responses": {"200": {"description": "access_token, refresh_token, expires_in, scope",
                              "content": {"application/json": {"schema": OBJECT}}},
                      "400": _oauth_error("refused"),
                      "401": _oauth_error("the client did not authenticate")}}},
    "/oauth/revoke": {"post": {
        "summary": "OAuth 2.0 token revocation (RFC 7009): an access or refresh token, and "
                   "the other of its pair",
        "security": [],
        "requestBody": _form({"token": TEXT, "token_type_hint": {
            "enum": ["access_token", "refresh_token"]}}, ["token"]),
        "responses": {"200": {"description": "revoked (or was no token of this client's)",
                              "content": {"application/json": {"schema": OBJECT}}},
                      "400": _oauth_error("refused"),
                      "401": _oauth_error("the client did not authenticate")}}},
    "/me/authorize": {"get": {
        "summary": "OAuth 2.0 authorization endpoint (a page for the learner): the request "
                   "is checked and kept, then its consent page",
        "security": [],
        "parameters": [{"name": name, "in": "query", "required": False, "schema": TEXT}
                       for name in ("response_type", "client_id", "redirect_uri", "scope",
                                    "state", "code_challenge", "code_challenge_method")],
        "responses": {"303": {"description": "to the consent page", "headers": LOCATION},
                      "302": {"description": "an error for the client, at its (registered) "
                                             "redirect URI", "headers": LOCATION},
                      "400": BAD_PAGE}}},
    "/me/authorize/{handle}": {
        "get": {"summary": "The consent page: who asks for what (signed-in learners; others "
                           "get the sign-in page, which brings them back)",
                "security": [],
                "parameters": [{"name": "handle", "in": "path", "required": True,
                                "schema": TEXT}],
                "responses": {"200": {"description": "the page", "content": HTML},
                              "401": {"description": "the sign-in page", "content": HTML},
                              "404": PAGE_REFUSED}},
        "post": {"summary": "The learner allows or denies: back to the client's redirect URI "
                            "with a single-use code or access_denied",
                 "security": [],
                 "parameters": [{"name": "handle", "in": "path", "required": True,
                                 "schema": TEXT}],
                 "requestBody": _form({"csrf": TEXT, "decision": {"enum": ["allow", "deny"]}},
                                      ["csrf"]),
                 "responses": {"302": {"description": "to the client", "headers": LOCATION},
                               "400": {"description": "the form's CSRF token is missing or "
                                                      "not this browser's",
                                       "content": {**PROBLEM, **HTML}},
                               "401": {"description": "signed out: the sign-in page",
                                       "content": HTML},
                               "404": PAGE_REFUSED}}},
    "/me/applications": {"get": {
        "summary": "The applications the signed-in learner allowed, each with a button that "
                   "withdraws its access (others get the sign-in page)",
        "security": [],
        "responses": {"200": {"description": "the page", "content": HTML},
                      "401": {"description": "the sign-in page", "content": HTML}}}},
    "/me/applications/{grant}/withdraw": {"post": {
        "summary": "The learner withdraws an application's access: every token it holds "
                   "from that consent stops working",
        "security": [],
        "parameters": [{"name": "grant", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "requestBody": _form({"csrf": TEXT}, ["csrf"]),
        "responses": {"303": {"description": "back to the list", "headers": LOCATION},
                      "400": {"description": "the form's CSRF token is missing or not this "
                                             "browser's", "content": {**PROBLEM, **HTML}},
                      "401": {"description": "signed out: the sign-in page",
                              "content": HTML},
                      "404": {"description": "no such application of yours (a page), or a "
                                             "grant that is no number (problem details)",
                              "content": {**HTML, **PROBLEM}}}}},
    "/privacy": {"get": {"summary": "The privacy policy the Open Badges API links to",
                         "security": [],
                         "responses": {"200": {"description": "the page", "content": HTML}}}},
    "/terms": {"get": {"summary": "The terms of service the Open Badges API links to",
                       "security": [],
                       "responses": {"200": {"description": "the page", "content": HTML}}}},
}
