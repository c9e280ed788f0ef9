"""The OpenAPI description of the VC API exchanges a wallet runs to take a credential
offered to it (issuer/protocols/exchanges.py). No token: the offer id in the path is the
authority, good once, for 15 minutes."""

from __future__ import annotations

from typing import Any

OBJECT = {"type": "object"}
TEXT = {"type": "string"}
PROBLEM = {"description": "RFC 9457 problem details", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
OFFER_ID = {"name": "offer_id", "in": "path", "required": True,
            "description": "the offer, as the interaction URL or deep link names it",
            "schema": TEXT}
OVER = {**PROBLEM, "description": "the offer expired (/problems/offer-expired) or was "
                                  "taken (/problems/offer-used)"}
VPR = {"type": "object", "required": ["verifiablePresentationRequest"], "properties": {
    "verifiablePresentationRequest": {
        "type": "object", "required": ["query", "challenge", "domain", "interact"],
        "properties": {
            "query": {"type": "object", "description": "type DIDAuthentication, with "
                      "acceptedMethods (key, web) and acceptedCryptosuites "
                      "(eddsa-rdfc-2022, Ed25519Signature2020)"},
            "challenge": TEXT,
            "domain": {"type": "string", "description": "the host (and port) of this "
                       "service's public base URL"},
            "interact": {"type": "object", "description": "service[0] is an "
                         "UnmediatedPresentationService2021 whose serviceEndpoint is this "
                         "exchange"}}}}}
EXCHANGE_PATHS: dict[str, Any] = {
    "/interactions/{offer_id}": {"get": {
        "summary": "VC API interaction URL: the ways to take an offered credential",
        "description": "A wallet (Accept: application/json; the URL it is given ends in "
                       "?iuv=1) gets {\"protocols\": {\"vcapi\": <exchange URL>, "
                       "\"OID4VCI\": <credential offer by reference>}}; a browser that "
                       "opened the QR code gets a page saying to open it in a wallet. Any "
                       "origin may call it (CORS).",
        "parameters": [OFFER_ID,
                       {"name": "iuv", "in": "query", "required": False,
                        "description": "the interaction URL version, 1",
                        "schema": {"enum": ["1"]}}],
        "responses": {"200": {"description": "the protocols, or the page", "content": {
            "application/json": {"schema": {"type": "object", "required": ["protocols"],
                                            "properties": {"protocols": OBJECT}}},
            "text/html": {"schema": TEXT}}},
            "404": {**PROBLEM, "description": "no such offer"}, "410": OVER}}},
    "/workflows/claim/exchanges/{offer_id}": {"post": {
        "summary": "VC API exchange: DID Authentication, then the credential bound to the "
                   "wallet's DID",
        "description": "POST {} (or nothing) to start: the answer is a Verifiable "
                       "Presentation Request for DID Authentication. POST "
                       "{\"verifiablePresentation\": <VP>} with the VP signed for that "
                       "challenge and domain (proofPurpose authentication, by an "
                       "authentication key of a did:key or did:web, holder the same DID): "
                       "the answer is {\"verifiablePresentation\": <unsigned VP>} holding "
                       "the credential, issued anew with credentialSubject.id the holder's "
                       "DID and the original's status entries. Taking the offer uses it: a "
                       "second POST is 410. Any origin may call it (CORS).",
        "parameters": [OFFER_ID],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {"verifiablePresentation": OBJECT}}}}},
        "responses": {
            "200": {"description": "the presentation request, or the credential in a "
                                   "presentation", "content": {"application/json": {
                                       "schema": {"oneOf": [VPR, {
                                           "type": "object",
                                           "required": ["verifiablePresentation"],
                                           "properties": {
                                               "verifiablePresentation": OBJECT}}]}}}},
            "400": {**PROBLEM, "description": "not an exchange message "
                                              "(/problems/exchange-message)"},
            "401": {**PROBLEM, "description": "the presentation does not authenticate "
                                              "(/problems/did-authentication-failed; "
                                              "reason says which check failed)"},
            "404": {**PROBLEM, "description": "no such offer"},
            "409": {**PROBLEM, "description": "the credential was revoked since it was "
                                              "offered (/problems/credential-revoked)"},
            "410": OVER,
            "415": {**PROBLEM, "description": "a body that is not JSON"}}}},
}
