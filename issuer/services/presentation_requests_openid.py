"""OpenID4VP 1.0 for presentation requests: the authorization request (a DCQL query,
response_type vp_token, response_mode direct_post to our response_uri, nonce and state), as
an unsigned request under the ``redirect_uri:`` client identifier prefix (by value, in the
``openid4vp://`` link) or as a request object signed with the issuer's did:web key under the
``decentralized_identifier:`` prefix (by reference, ``request_uri``); and the vp_token the
wallet posts back, read into its presentations.

Per OpenID4VP's W3C VC profile, a Data Integrity presentation's proof carries the nonce as
its challenge and the client_id as its domain; the answer is checked with those
(issuer.services.presentation_requests_answers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from issuer.services.context import ServiceContext
from issuer.services.errors import Invalid, Malformed, NotFound
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import signer_for
from issuer.services.presentation_requests import dcql_query
from issuer.services.presentation_requests_answers import (
    NOT_OF_QUERY,
    open_exchange,
    pending_answer,
    record_answer,
)
from issuer.services.signing import signing_key
from issuer.store.models import Issuer, PresentationAnswer, PresentationRequest
from keys import base64url
from keys.encryption import KeyEncryptionKey

SCHEME = "openid4vp://"
REDIRECT_URI_PREFIX = "redirect_uri:"
DID_PREFIX = "decentralized_identifier:"
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
REQUEST_OBJECT_LIFETIME = timedelta(minutes=10)
MAX_VP_TOKEN = 2_000_000  # characters
# What we verify (client_metadata.vp_formats_supported).
VP_FORMATS = {
    "ldp_vc": {"proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
               "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019",
                                      "ecdsa-jcs-2019"]},
    "jwt_vc_json": {"alg_values": ["EdDSA", "ES256", "RS256"]},
}


def response_uri(base_url: str) -> str:
    """Where wallets post the answer (response_mode direct_post)."""
    return f"{base_url}/openid4vp/responses"


def request_uri(base_url: str, request_id: str) -> str:
    """Where a wallet fetches the signed request object (each fetch is a new exchange)."""
    return f"{base_url}/openid4vp/requests/{request_id}"


def unsigned_client_id(base_url: str) -> str:
    """``redirect_uri:`` and the response_uri, as the prefix requires with direct_post."""
    return REDIRECT_URI_PREFIX + response_uri(base_url)


def did_client_id(base_url: str, slug: str) -> str:
    return DID_PREFIX + IssuerIdentifiers.for_slug(base_url, slug).did_web


def authorization_request(request: PresentationRequest, answer: PresentationAnswer,
                          base_url: str) -> dict[str, Any]:
    """The authorization request's parameters for this exchange (its client_id decides the
    prefix)."""
    return {"client_id": answer.client_id, "response_type": "vp_token",
            "response_mode": "direct_post", "response_uri": response_uri(base_url),
            "nonce": answer.challenge, "state": answer.state,
            "dcql_query": dcql_query(request),
            "client_metadata": {"vp_formats_supported": VP_FORMATS,
                                "client_name": request.title}}


def unsigned_link(request: PresentationRequest, answer: PresentationAnswer, base_url: str
                  ) -> str:
    """The ``openid4vp://`` link carrying the unsigned request by value."""
    parameters = authorization_request(request, answer, base_url)
    return SCHEME + "?" + urlencode(
        {name: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
         for name, value in parameters.items()}, quote_via=quote)


def signed_link(base_url: str, slug: str, request_id: str) -> str:
    """The ``openid4vp://`` link to the signed request object, by reference."""
    return SCHEME + "?" + urlencode({"client_id": did_client_id(base_url, slug),
                                     "request_uri": request_uri(base_url, request_id)},
                                    quote_via=quote)


def signed_request_object(db: Session, issuer: Issuer, kek: KeyEncryptionKey, base_url: str,
                          request: PresentationRequest, answer: PresentationAnswer,
                          now: datetime | None = None) -> str:
    """The request object (JAR, RFC 9101) as a compact JWS by the issuer's active Ed25519
    key, its ``kid`` the key's verification method in the issuer's did:web document."""
    now = now or datetime.now(UTC)
    did_web = IssuerIdentifiers.for_slug(base_url, issuer.slug).did_web
    key, method, controller = signing_key(db, issuer, kek, base_url, did_web, "EdDSA")
    signer = signer_for(issuer, key, kek, method, controller)
    header = {"alg": signer.algorithm, "kid": method, "typ": REQUEST_OBJECT_TYPE}
    claims = {**authorization_request(request, answer, base_url),
              "aud": "https://self-issued.me/v2", "iat": int(now.timestamp()),
              "exp": int((now + REQUEST_OBJECT_LIFETIME).timestamp())}
    signing_input = ".".join(base64url.encode(json.dumps(part, separators=(",", ":"))
                                              .encode()) for part in (header, claims))
    return f"{signing_input}.{base64url.encode(signer.sign(signing_input.encode()))}"


def presentations_in(vp_token: Any, query: Mapping[str, Any]) -> list[Any]:
    """The presentations of a vp_token: a JSON object from the ids of the DCQL query's
    credential queries to one presentation each (none of ours allows ``multiple``), so at
    most as many as it has credential queries; Invalid (``invalid_request``, OpenID4VP 1.0
    section 8.5) when it is anything else."""
    if not isinstance(vp_token, str) or len(vp_token) > MAX_VP_TOKEN:
        raise Invalid("vp_token is missing or too long",
                      code="/problems/presentation-not-authenticated")
    try:
        value = json.loads(vp_token)
    except (ValueError, RecursionError):
        raise Invalid("vp_token is not JSON: OpenID4VP 1.0 answers a DCQL query with an "
                      "object of presentations by query id",
                      code="/problems/presentation-not-authenticated") from None
    if not isinstance(value, dict) or not value:
        raise Invalid("vp_token is not an object of presentations by DCQL query id",
                      code="/problems/presentation-not-authenticated")
    ids = {item["id"] for item in query["credentials"]}
    found: list[Any] = []
    for query_id, presentations in value.items():
        if query_id not in ids:
            raise Malformed(f"vp_token answers {query_id[:64]!r}, not a credential query of "
                            "this request", code=NOT_OF_QUERY, error="invalid_request")
        presentations = presentations if isinstance(presentations, list) else [presentations]
        if len(presentations) != 1:
            raise Malformed(f"vp_token holds {len(presentations)} presentations for "
                            f"{query_id!r}: its query takes exactly one (multiple is not set)",
                            code=NOT_OF_QUERY, error="invalid_request")
        found += presentations
    return found


def unsigned_request_link(db: Session, kek: KeyEncryptionKey, base_url: str,
                          request_id: str) -> str:
    """A new exchange on the request, as an unsigned ``redirect_uri:`` request by value
    (stored nowhere: viewing the page that shows it costs nothing)."""
    with db.begin():
        request, answer = open_exchange(db, kek, request_id, "u",
                                        unsigned_client_id(base_url))
        return unsigned_link(request, answer, base_url)


def signed_request(db: Session, kek: KeyEncryptionKey, base_url: str, request_id: str) -> str:
    """A new exchange on the request, as a request object signed under the issuer's DID."""
    with db.begin():
        request = db.get(PresentationRequest, request_id) \
            if isinstance(request_id, str) and len(request_id) <= 43 else None
        issuer = db.get(Issuer, request.issuer_id) if request else None
        client_id = did_client_id(base_url, issuer.slug) if issuer else None
        request, answer = open_exchange(db, kek, request_id, "s", client_id)
        return signed_request_object(db, issuer, kek, base_url, request, answer)


def record_response(db: Session, context: ServiceContext, state: Any, vp_token: Any
                    ) -> PresentationAnswer:
    """The wallet's direct_post: the exchange its state names (the request's id and the
    nonce), answered with the vp_token's presentations (each proof's challenge the nonce,
    its domain the client_id the request named)."""
    request_id, _, nonce = state.partition(".") if isinstance(state, str) else ("", "", "")
    with db.begin():
        request, answer, kind = pending_answer(db, context.kek, request_id, nonce)
        if kind == "u":
            answer.client_id = unsigned_client_id(context.base_url)
        elif kind == "s":
            issuer = db.get(Issuer, request.issuer_id)
            answer.client_id = did_client_id(context.base_url, issuer.slug)
        else:
            raise NotFound("no such exchange")
        return record_answer(db, context, request, answer,
                             presentations_in(vp_token, dcql_query(request)),
                             domain=answer.client_id)
