"""The Open Badges 3.0 API's resources, for the learner a token was granted by: their
credentials (what our issuers issued to their email address, and what they stored here from
elsewhere), and their profile; its service description document.

Refusals are ``ApiRefusal``: the HTTP layer answers them as ``imsx_StatusInfo``, as the
specification wants of every error of these endpoints."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from credentials.proofs.data_integrity import ProofError
from credentials.proofs.jwt import decode_jwt, unwrap
from credentials.verify.inputs import read_credential
from issuer.services import verification
from issuer.services.context import ServiceContext
from issuer.services.oauth_server import SCOPE_BASE, SCOPES
from issuer.services.tokens import hash_token
from issuer.store.models import ApiProfile, Credential, HeldCredential, OAuthToken

READ_CREDENTIALS = SCOPE_BASE + "credential.readonly"
UPSERT_CREDENTIALS = SCOPE_BASE + "credential.upsert"
READ_PROFILE = SCOPE_BASE + "profile.readonly"
UPDATE_PROFILE = SCOPE_BASE + "profile.update"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# What a client may set in a learner's profile: plain text properties of OB 3.0's Profile.
PROFILE_TEXT = ("name", "description", "phone", "familyName", "givenName", "additionalName",
                "patronymicName", "honorificPrefix", "honorificSuffix", "familyNamePrefix")
PROFILE_URL = ("url",)
PROFILE_FIXED = ("@context", "id", "type", "email")  # ours to say
MAX_PROFILE_TEXT = 500
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACHIEVEMENT_TYPES = {"AchievementCredential", "OpenBadgeCredential"}


class ApiRefusal(Exception):
    """An answer other than success: HTTP status, imsx code minor, words."""

    def __init__(self, status: int, minor: str, description: str) -> None:
        super().__init__(description)
        self.status, self.minor, self.description = status, minor, description


def status_info(minor: str, description: str, major: str = "failure",
                severity: str = "error") -> dict[str, Any]:
    """An Imsx_StatusInfo body."""
    return {"imsx_codeMajor": major, "imsx_severity": severity,
            "imsx_description": description,
            "imsx_codeMinor": {"imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem",
                 "imsx_codeMinorFieldValue": minor}]}}


@dataclass
class Grant:
    """Who a valid access token speaks for, and what it may do."""

    email: str
    client_id: str
    scopes: frozenset[str]


def authenticate(db: Session, authorization: str | None, scope: str) -> Grant:
    """The grant behind a bearer token that carries ``scope``: 401 for no, an unknown, a
    revoked or an expired token; 403 for a token without that scope."""
    kind, _, token = (authorization or "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise ApiRefusal(401, "unauthorizedrequest", "an OAuth 2.0 bearer token is required")
    with db.begin():
        row = db.scalars(select(OAuthToken).where(
            OAuthToken.access_hash == hash_token(token.strip()))).first()
        if row is None or row.revoked_at is not None or \
                row.access_expires_at <= datetime.now(UTC):
            raise ApiRefusal(401, "unauthorizedrequest",
                             "the access token is unknown, revoked or expired")
        grant = Grant(row.email, row.client_id, frozenset(row.scope.split()))
    if scope not in grant.scopes:
        raise ApiRefusal(403, "forbidden", f"the access token was not granted {scope}")
    return grant


def _paging_number(text: str | None, name: str, default: int, least: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or int(text) < least or len(text) > 9:
        raise ApiRefusal(400, "invalid_query_parameter",
                         f"{name} must be a whole number, at least {least}")
    return int(text)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiRefusal(400, "invalid_query_parameter",
                         "since must be a date and time with its offset, as "
                         "2026-11-27T10:00:00Z")
    return moment


@dataclass
class Page:
    body: dict[str, Any]
    total: int
    limit: int
    offset: int


def credentials_page(db: Session, email: str, limit_text: str | None,
                     offset_text: str | None, since_text: str | None) -> Page:
    """One page of the learner's credentials, oldest first: the achievement and programme
    credentials our issuers issued to their address (wallet-bound copies and CLRs, which
    are no AchievementCredential, left out), and those they stored here from elsewhere.
    ``since``: issued (ours) or stored (theirs) after that moment."""
    limit = min(_paging_number(limit_text, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _paging_number(offset_text, "offset", 0, 0)
    since = _since(since_text)
    with db.begin():
        ours = select(Credential.created_at, Credential.id).where(
            Credential.learner_email == email, Credential.source_id.is_(None),
            Credential.kind != "clr")
        held = select(HeldCredential.created_at, HeldCredential.id).where(
            HeldCredential.email == email)
        if since is not None:
            ours = ours.where(Credential.created_at > since)
            held = held.where(HeldCredential.created_at > since)
        keys = sorted([(at, "ours", key) for at, key in db.execute(ours)] +
                      [(at, "held", key) for at, key in db.execute(held)])
        chosen = keys[offset:offset + limit]
        documents: list[tuple[str, bool]] = []
        for _at, table, key in chosen:
            if table == "ours":
                document = db.get(Credential, key).document
                documents.append((document, not document.startswith("{")))
            else:
                row = db.get(HeldCredential, key)
                documents.append((row.document, row.is_jwt))
    body: dict[str, Any] = {
        "credential": [json.loads(text) for text, is_jwt in documents if not is_jwt],
        "compactJwsString": [text for text, is_jwt in documents if is_jwt]}
    return Page(body, len(keys), limit, offset)


def page_links(url: str, page: Page) -> str:
    """The Link header: first and last always, next while more follow, prev past the
    first."""
    base = url.split("?", 1)[0]
    query = "&".join(part for part in urlsplit(url).query.split("&")
                     if part and not part.startswith(("limit=", "offset=")))

    def link(offset: int, rel: str) -> str:
        extra = f"&{query}" if query else ""
        return f'<{base}?limit={page.limit}&offset={offset}{extra}>; rel="{rel}"'

    last = max(0, (page.total - 1) // page.limit * page.limit)
    links = []
    if page.offset + page.limit < page.total:
        links.append(link(page.offset + page.limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if page.offset > 0:
        links.append(link(max(0, page.offset - page.limit), "prev"))
    return ", ".join(links)


def _credential_key(document: Any, text: str) -> str:
    identifier = document.get("id") if isinstance(document, dict) else None
    return hashlib.sha256((identifier if isinstance(identifier, str) and identifier
                           else text).encode()).hexdigest()


def _ours(document: Mapping[str, Any], base_url: str) -> bool:
    """Whether the credential's id is one of this service's credential URLs."""
    identifier = document.get("id")
    return isinstance(identifier, str) and identifier.startswith(f"{base_url}/credentials/")


def _names_an_email(document: Mapping[str, Any]) -> bool:
    """Whether a subject of the credential carries an email address identifier."""
    subjects = document.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
        for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
            if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
                return True
    return False


def upsert(db: Session, context: ServiceContext, grant: Grant, body: bytes,
           content_type: str) -> tuple[int, str, bool]:
    """Store a credential the learner holds from elsewhere, once it verifies: 201 when new,
    200 when it replaces the one with the same ``id`` (a VC-JWT: its credential's id).
    The answer is the credential as sent (its text, and whether it is a VC-JWT)."""
    is_jwt = content_type.split(";")[0].strip().lower() == "text/plain"
    try:
        credential = read_credential(body)
    except ValueError as error:
        raise ApiRefusal(400, "invalid_data", f"not a credential: {error}") from None
    if is_jwt != (unwrap(credential) is not None and isinstance(credential, str)):
        raise ApiRefusal(400, "invalid_data", "a VC-JWT is sent as text/plain, a credential "
                         "with an embedded proof as application/json")
    try:
        document = decode_jwt(credential).credential if is_jwt else credential
    except ProofError as error:
        raise ApiRefusal(400, "invalid_data", f"the VC-JWT does not decode: {error}") \
            from None
    types = document.get("type") if isinstance(document, dict) else None
    types = {types} if isinstance(types, str) else set(types or [])
    if not types & ACHIEVEMENT_TYPES:
        raise ApiRefusal(400, "invalid_data", "only an AchievementCredential "
                         "(OpenBadgeCredential) can be stored here")
    if _ours(document, context.base_url):
        raise ApiRefusal(400, "invalid_data", "this credential was issued here: the learner's "
                         "credentials from this service are listed already, as issued")
    with db.begin():
        # A subject that names an email address must name the learner's; one identified
        # only by a DID is taken as the learner's (nothing here can prove whose DID it is).
        report = verification.verify(db, credential, context, expected_email=grant.email
                                     if _names_an_email(document) else None)
    if not report.verified or not report.issuer_bound:
        # A key nothing ties to the issuer named proves nothing about that issuer: stored,
        # it would reach every host the learner connects as if the issuer had said it.
        raise ApiRefusal(400, "invalid_data",
                         f"the credential was not stored: {report.verdict}")
    text = credential.strip() if is_jwt else json.dumps(credential, ensure_ascii=False)
    key = _credential_key(document, text)
    now = datetime.now(UTC)
    with db.begin():
        replaced = db.execute(update(HeldCredential).where(
            HeldCredential.email == grant.email, HeldCredential.credential_key == key)
            .values(document=text, is_jwt=is_jwt, client_id=grant.client_id,
                    updated_at=now)).rowcount
        if not replaced:
            db.add(HeldCredential(id=str(uuid.uuid4()), email=grant.email,
                                  credential_key=key, document=text, is_jwt=is_jwt,
                                  client_id=grant.client_id, created_at=now,
                                  updated_at=now))
    return (200 if replaced else 201), text, is_jwt


def _profile_row(db: Session, email: str) -> ApiProfile:
    row = db.get(ApiProfile, email)
    if row is None:
        row = ApiProfile(email=email, profile_id=f"urn:uuid:{uuid.uuid4()}", document={},
                         updated_at=datetime.now(UTC))
        db.add(row)
    return row


def _profile(row: ApiProfile) -> dict[str, Any]:
    return {"@context": [OB_CONTEXT], "id": row.profile_id, "type": ["Profile"],
            **row.document, "email": row.email}


def get_profile(db: Session, email: str) -> dict[str, Any]:
    """The learner's profile: a random id of their own, their address, and what they set."""
    with db.begin():
        return _profile(_profile_row(db, email))


def put_profile(db: Session, email: str, body: Any) -> dict[str, Any]:
    """Replace what the learner set in their profile (the whole Profile is sent). Refused:
    any property we cannot take (listed), another id, another email address."""
    if not isinstance(body, dict):
        raise ApiRefusal(400, "invalid_data", "the body must be a Profile (a JSON object)")
    types = body.get("type")
    if "Profile" not in ([types] if isinstance(types, str) else types or []):
        raise ApiRefusal(400, "invalid_data", "type must include Profile")
    unknown = sorted(set(body) - set(PROFILE_TEXT) - set(PROFILE_URL) - set(PROFILE_FIXED)
                     - {"dateOfBirth"})
    if unknown:
        raise ApiRefusal(400, "invalid_data", "these properties cannot be kept here: "
                         + ", ".join(unknown))
    kept: dict[str, Any] = {}
    for name, value in body.items():
        if name in PROFILE_FIXED:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_PROFILE_TEXT \
                or not value.isprintable():
            raise ApiRefusal(400, "invalid_data", f"{name} must be a line of text (at most "
                             f"{MAX_PROFILE_TEXT} characters)")
        if name in PROFILE_URL and urlsplit(value).scheme not in ("https", "http"):
            raise ApiRefusal(400, "invalid_data", f"{name} must be an http(s) URL")
        if name == "dateOfBirth" and not DATE.match(value):
            raise ApiRefusal(400, "invalid_data", "dateOfBirth must be a date, as 1990-04-01")
        kept[name] = value.strip()
    if body.get("email") not in (None, email):
        raise ApiRefusal(400, "invalid_data", "email is the address you signed in with; it "
                         "cannot be changed here")
    with db.begin():
        row = _profile_row(db, email)
        if body.get("id") not in (None, row.profile_id):
            raise ApiRefusal(400, "invalid_data", f"id must be {row.profile_id}")
        row.document, row.updated_at = kept, datetime.now(UTC)
        return _profile(row)


def discovery(base_url: str, name: str = "Competency Credentials") -> dict[str, Any]:
    """The service description document: OpenAPI 3.0 with 1EdTech's x-imssf extensions,
    the OAuth 2.0 authorization code flow (authorization, token, refresh, registration)
    and the four scopes."""
    statuses = {"default": {"description": "An Imsx_StatusInfo", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Imsx_StatusInfo"}}}}}
    def operation(op_id: str, scope: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"operationId": op_id, "tags": ["OpenBadgeCredentials"],
                "security": [{"OAuth2ACG": [scope]}], "responses": {**ok, **statuses},
                **extra}

    paging = [{"name": name, "in": "query", "required": False,
               "schema": schema} for name, schema in (
        ("limit", {"type": "integer", "minimum": 1}),
        ("offset", {"type": "integer", "minimum": 0}),
        ("since", {"type": "string", "format": "date-time"}))]
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "Open Badges API", "version": "3.0",
            "description": "The Open Badges 3.0 API of " + name,
            "termsOfService": f"{base_url}/terms",
            "x-imssf-image": f"{base_url}/favicon.ico",
            "x-imssf-privacyPolicyUrl": f"{base_url}/privacy",
        },
        "servers": [{"url": f"{base_url}/ims/ob/v3p0", "description": name}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": operation("getCredentials", READ_CREDENTIALS,
                                 {"200": {"description": "GetOpenBadgeCredentialsResponse"}},
                                 parameters=paging),
                "post": operation("upsertCredential", UPSERT_CREDENTIALS, {
                    "200": {"description": "Replaced"}, "201": {"description": "Created"}}),
            },
            "/profile": {
                "get": operation("getProfile", READ_PROFILE, {"200": {"description": "Profile"}}),
                "put": operation("putProfile", UPDATE_PROFILE,
                                 {"200": {"description": "Profile"}}),
            },
            "/discovery": {"get": {"operationId": "getServiceDescription",
                                   "tags": ["Discovery"], "security": [],
                                   "responses": {"200": {"description": "This document"},
                                                 **statuses}}},
        },
        "components": {
            "securitySchemes": {"OAuth2ACG": {
                "type": "oauth2",
                "description": "OAuth 2.0 Authorization Code Grant authorization (PKCE S256)",
                "x-imssf-name": name,
                "x-imssf-privacyPolicyUrl": f"{base_url}/privacy",
                "x-imssf-registrationUrl": f"{base_url}/oauth/register",
                "x-imssf-termsOfServiceUrl": f"{base_url}/terms",
                "flows": {"authorizationCode": {
                    "authorizationUrl": f"{base_url}/me/authorize",
                    "tokenUrl": f"{base_url}/oauth/token",
                    "refreshUrl": f"{base_url}/oauth/token",
                    "scopes": dict(SCOPES)}},
            }},
            "schemas": {"Imsx_StatusInfo": {"type": "object", "required": [
                "imsx_codeMajor", "imsx_severity"]}},
        },
    }
