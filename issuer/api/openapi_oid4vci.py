"""The OpenAPI description of OpenID4VCI 1.0 (issuer/protocols/oid4vci.py): the metadata
wallets read, Credential Offers by reference, and the token, nonce and credential endpoints.
Their refusals are OAuth error objects (``error``, ``error_description``) as the
specifications require, not problem details; the employer's offer API is in the main
document's style."""

from __future__ import annotations

from typing import Any

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
OBJECT = {"type": "object"}
TEXT = {"type": "string"}
OAUTH_ERROR = {"type": "object", "required": ["error"],
               "properties": {"error": TEXT, "error_description": TEXT}}


def _refused(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": OAUTH_ERROR}, **PROBLEM}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _metadata(summary: str, description: str) -> dict[str, Any]:
    return {"get": {"summary": summary,
                    "responses": {"200": _json(description, OBJECT),
                                  "404": {"description": "not our identifier's path",
                                          "content": PROBLEM}}}}


def _tail(operation: dict[str, Any]) -> dict[str, Any]:
    return {"get": {**operation["get"], "parameters": [
        {"name": "path", "in": "path", "required": True, "schema": TEXT,
         "description": "the path of PUBLIC_BASE_URL, when it has one"}]}}


ISSUER_METADATA = _metadata("OpenID4VCI credential issuer metadata", "the metadata: "
                            "endpoints, display, credential configurations (ldp_vc and "
                            "jwt_vc_json)")
SERVER_METADATA = _metadata("OAuth authorization server metadata (RFC 8414) for the "
                            "pre-authorized code grant", "the metadata")
OID4VCI_PATHS = {
    "/.well-known/openid-credential-issuer": ISSUER_METADATA,
    "/.well-known/openid-credential-issuer/{path}": _tail(ISSUER_METADATA),
    "/.well-known/oauth-authorization-server": SERVER_METADATA,
    "/.well-known/oauth-authorization-server/{path}": _tail(SERVER_METADATA),
    "/oid4vci/offers/{id}": {"get": {
        "summary": "A Credential Offer by reference (credential_offer_uri)",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": TEXT}],
        "responses": {
            "200": _json("the Credential Offer object", {
                "type": "object",
                "required": ["credential_issuer", "credential_configuration_ids", "grants"],
                "properties": {"credential_issuer": TEXT, "grants": OBJECT,
                               "credential_configuration_ids": {"type": "array",
                                                                "items": TEXT}}}),
            "404": {"description": "no such offer", "content": PROBLEM},
            "410": {"description": "the offer expired or was used", "content": PROBLEM}}}},
    "/oid4vci/token": {"post": {
        "summary": "Token endpoint: an access token for a pre-authorized code (and its "
                   "transaction code)",
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["grant_type", "pre-authorized_code"],
                "properties": {"grant_type": TEXT, "pre-authorized_code": TEXT,
                               "tx_code": TEXT}}}}},
        "responses": {
            "200": _json("the access token (Bearer, good for one credential)", {
                "type": "object", "required": ["access_token", "token_type", "expires_in"],
                "properties": {"access_token": TEXT, "token_type": TEXT,
                               "expires_in": {"type": "integer"}}}),
            "400": _refused("invalid_request, invalid_grant or unsupported_grant_type")}}},
    "/oid4vci/nonce": {"post": {
        "summary": "Nonce endpoint: a c_nonce for one key proof",
        "responses": {"200": _json("the nonce", {
            "type": "object", "required": ["c_nonce"], "properties": {"c_nonce": TEXT}})}}},
    "/oid4vci/credential": {"post": {
        "summary": "Credential endpoint: the offered credential, bound to the key a jwt key "
                   "proof shows (Authorization: Bearer <access_token>)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {"credential_configuration_id": TEXT,
                           "proofs": {"type": "object", "properties": {
                               "jwt": {"type": "array", "items": TEXT}}}}}}}},
        "responses": {
            "200": _json("the credential", {
                "type": "object", "required": ["credentials"],
                "properties": {"credentials": {"type": "array", "items": {
                    "type": "object", "required": ["credential"],
                    "properties": {"credential": {"type": ["object", "string"]}}}}}}),
            "400": _refused("invalid_credential_request, unknown_credential_configuration, "
                            "unknown_credential_identifier, invalid_proof, invalid_nonce or "
                            "credential_request_denied"),
            "401": {"description": "invalid_token (with a Bearer challenge)",
                    "headers": {"WWW-Authenticate": {"schema": TEXT}},
                    "content": {"application/json": {"schema": OAUTH_ERROR}}}}}},
}
