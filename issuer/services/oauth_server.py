"""The OAuth 2.0 authorization server of the Open Badges 3.0 API, on authlib's generic server
classes (no web framework here: the HTTP layer hands in an ``HttpRequest`` and gets back
status, body and headers).

What the Open Badges specification (section 7) asks, and what we hold to:
- clients register themselves (RFC 7591) with the metadata it requires; the secret is
  shown once and kept as its SHA-256; redirect URIs are https (http only on loopback) and
  matched exactly;
- the authorization code grant only, with PKCE S256 required (no "plain", no request
  without a challenge); a code lives two minutes and works once: a second use revokes every
  token issued from it (RFC 6749 section 4.1.2);
- refresh tokens rotate: each works once, and presenting a rotated one revokes the whole
  grant (someone else has a copy);
- revocation (RFC 7009) of an access or refresh token ends both;
- codes, tokens and secrets are stored as SHA-256 digests only.

Every request runs in one transaction of the caller's session: committed when the answer
is a success, rolled back otherwise, except when a replayed code or refresh token revoked
a grant (``Server.keep``), which must hold whatever the answer."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    InvalidRequestError,
    InvalidScopeError,
    JsonPayload,
    JsonRequest,
    OAuth2Error,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from issuer.services.errors import Forbidden, Malformed, NotFound
from issuer.services.oid4vci import SERVICE_NAME
from issuer.services.tokens import hash_token
from issuer.store.models import OAuthClient, OAuthGrant, OAuthToken

SCOPE_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
SCOPES = {
    SCOPE_BASE + "credential.readonly": "Read your credentials",
    SCOPE_BASE + "credential.upsert": "Store credentials you hold from elsewhere",
    SCOPE_BASE + "profile.readonly": "Read your profile",
    SCOPE_BASE + "profile.update": "Change your profile",
}
# The client metadata section 7 of the Open Badges specification requires at registration.
REQUIRED_METADATA = ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri",
                     "software_id", "software_version", "redirect_uris", "scope")
URI_METADATA = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
GRANT_TYPES = ("authorization_code", "refresh_token")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
REQUEST_LIFETIME = timedelta(minutes=30)  # time to sign in by emailed link and decide
CODE_LIFETIME = timedelta(minutes=2)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=30)
UNUSED_CLIENT_LIFETIME = timedelta(days=1)  # a client that never obtained a token goes
MAX_REDIRECT_URIS = 10
KEPT_PARAMETERS = ("response_type", "client_id", "redirect_uri", "scope", "state",
                   "code_challenge", "code_challenge_method")
MAX_TEXT = 2000  # any one metadata value
MAX_STATE = 512  # the client's state: an anonymous request's only free-form part, kept
BROWSER = "browser"  # kept with a pending request: the digest of its browser's nonce


@dataclass
class HttpRequest:
    """What the server reads of an HTTP request."""

    method: str
    url: str
    headers: Mapping[str, str]
    form: Mapping[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass
class Answer:
    status: int
    body: Any
    headers: list[tuple[str, str]]


def _now() -> datetime:
    return datetime.now(UTC)


def _scopes(scope: str | None) -> list[str]:
    return [s for s in (scope or "").split(" ") if s]


class Client:
    """authlib's ClientMixin over a stored client."""

    def __init__(self, row: OAuthClient) -> None:
        self.row, self.meta = row, row.client_metadata

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # the request must name one: never a guess

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(_scopes(self.meta.get("scope")))
        return " ".join(s for s in _scopes(scope) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.meta["redirect_uris"]  # exact, character for character

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(hash_token(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.meta.get("token_endpoint_auth_method", AUTH_METHODS[0])

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.meta.get("grant_types", GRANT_TYPES)


class Code:
    """authlib's AuthorizationCodeMixin over a grant whose code was just claimed."""

    def __init__(self, row: OAuthGrant) -> None:
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.request["redirect_uri"]

    def get_scope(self) -> str:
        return self.row.request["scope"]


class Token:
    """What authlib's refresh grant and revocation endpoint ask of a stored token row (the
    resource endpoints check tokens themselves: issuer.services.ob_api.authenticate)."""

    def __init__(self, row: OAuthToken) -> None:
        self.row = row

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.row.scope


class Server(AuthorizationServer):
    """One per request, bound to that request's session."""

    def __init__(self, db: Session) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.db = db
        self.keep = False  # a revocation that must be committed even with an error answer
        self.register_token_generator("default", self._tokens)
        self.register_grant(CodeGrant, [S256Only(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Registration)

    def _tokens(self, grant_type: str, client: Client, user: Any = None,
                scope: str | None = None, expires_in: int | None = None,
                include_refresh_token: bool = True) -> dict[str, Any]:
        token = {"token_type": "Bearer", "access_token": generate_token(48),
                 "expires_in": int(ACCESS_LIFETIME.total_seconds()), "scope": scope or ""}
        if include_refresh_token:
            token["refresh_token"] = generate_token(48)
        return token

    def query_client(self, client_id: str) -> Client | None:
        row = self.db.get(OAuthClient, client_id) if isinstance(client_id, str) and \
            len(client_id) <= 64 else None
        return Client(row) if row else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        now = _now()
        grant_id = request.authorization_code.row.id if request.authorization_code \
            else request.refresh_token.row.grant_id
        self.db.add(OAuthToken(
            grant_id=grant_id, client_id=request.client.get_client_id(), email=request.user,
            scope=token["scope"], access_hash=hash_token(token["access_token"]),
            refresh_hash=hash_token(token["refresh_token"]) if "refresh_token" in token
            else None, issued_at=now, access_expires_at=now + ACCESS_LIFETIME,
            refresh_expires_at=now + REFRESH_LIFETIME if "refresh_token" in token else None))

    def revoke_grant(self, grant_id: int) -> None:
        """Every token of a grant stops working (a code or refresh token was replayed)."""
        self.db.execute(update(OAuthToken).where(
            OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None))
            .values(revoked_at=_now()))
        self.keep = True

    def create_oauth2_request(self, request: HttpRequest | OAuth2Request) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        made = OAuth2Request(request.method, request.url, headers=request.headers)
        made.payload = BasicOAuth2Payload(dict(request.form))
        made._body = dict(request.form)  # what the grants read as request.form
        return made

    def create_json_request(self, request: HttpRequest) -> JsonRequest:
        made = JsonRequest(request.method, request.url, request.headers)
        made.payload = _Json(request.json)
        return made

    def handle_response(self, status: int, body: Any, headers: Any) -> Answer:
        return Answer(status, body, list(headers or []))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's hook for framework signals: none here."""


class _Json(JsonPayload):
    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def data(self) -> Any:
        return self._data


class S256Only(CodeChallenge):
    """PKCE as the Open Badges API requires it: every authorization request carries an S256
    challenge (authlib asks it of public clients only)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE (S256) is required",
                                      redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256",
                                      redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: Code) -> str:
        return authorization_code.row.request["code_challenge"]

    def get_authorization_code_challenge_method(self, authorization_code: Code) -> str:
        return authorization_code.row.request["code_challenge_method"]


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)
    server: Server

    def validate_authorization_request(self) -> str:
        """authlib's checks, then: a redirect URI named in the request, and only scopes the
        client registered (asked for beyond them is refused, not trimmed)."""
        data = self.request.payload.data
        if not data.get("redirect_uri"):
            raise InvalidRequestError("Missing 'redirect_uri'")
        redirect_uri = super().validate_authorization_request()
        wanted = _scopes(data.get("scope"))
        if not wanted or self.request.client.get_allowed_scope(data["scope"]) != \
                " ".join(wanted):
            raise InvalidScopeError(redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        grant: OAuthGrant = request.pending  # the stored request the learner consented to
        now = _now()
        grant.email, grant.decided_at = request.user, now
        grant.code_hash, grant.code_expires_at = hash_token(code), now + CODE_LIFETIME

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        """Claim the code (once, atomically); a second use revokes what the first got."""
        digest = hash_token(code)
        now = _now()
        claimed = self.server.db.execute(update(OAuthGrant).where(
            OAuthGrant.code_hash == digest, OAuthGrant.client_id == client.get_client_id(),
            OAuthGrant.code_used_at.is_(None), OAuthGrant.code_expires_at > now)
            .values(code_used_at=now)).rowcount
        row = self.server.db.scalars(select(OAuthGrant).where(
            OAuthGrant.code_hash == digest)).first()
        if claimed == 1:
            return Code(row)
        if row is not None and row.code_used_at is not None and \
                row.client_id == client.get_client_id():
            self.server.revoke_grant(row.id)
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Nothing: the code was marked used when it was claimed."""

    def authenticate_user(self, authorization_code: Code) -> str | None:
        return authorization_code.row.email


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: Server

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        """Claim the refresh token (once, atomically: it rotates); a rotated one presented
        again revokes its whole grant."""
        digest = hash_token(refresh_token)
        client_id = self.request.client.get_client_id()
        now = _now()
        claimed = self.server.db.execute(update(OAuthToken).where(
            OAuthToken.refresh_hash == digest, OAuthToken.client_id == client_id,
            OAuthToken.revoked_at.is_(None), OAuthToken.refresh_expires_at > now)
            .values(revoked_at=now, rotated_at=now)).rowcount
        row = self.server.db.scalars(select(OAuthToken).where(
            OAuthToken.refresh_hash == digest)).first()
        if claimed == 1:
            return Token(row)
        if row is not None and row.rotated_at is not None and row.client_id == client_id:
            self.server.revoke_grant(row.grant_id)
        return None

    def authenticate_user(self, refresh_token: Token) -> str:
        return refresh_token.row.email

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """Nothing more: the old token was revoked when it was claimed."""


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        digest = hash_token(token_string)
        row = self.server.db.scalars(select(OAuthToken).where(
            (OAuthToken.access_hash == digest) | (OAuthToken.refresh_hash == digest))).first()
        return Token(row) if row else None

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        if token.row.revoked_at is None:
            token.row.revoked_at = _now()


# What a redirect URI may hold: RFC 3986's characters less the quotes, ';' and ',' (which
# separate things in headers such as the consent page's CSP) and '#' (no fragment).
URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&()*+=%]+")
HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
                  r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _loopback(host: str | None) -> bool:
    """A loopback IP literal (RFC 8252 section 7.3); not ``localhost``, which section 8.3
    advises against (it may resolve off the loopback interface)."""
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _host(host: str | None) -> bool:
    if host and HOST.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return True


def redirect_origin(uri: str) -> str | None:
    """``uri``'s origin (scheme, host, port), rebuilt from its parsed parts, when ``uri`` is
    a redirect URI we accept: what may go into a header such as a CSP; None otherwise."""
    if not isinstance(uri, str) or len(uri) > MAX_TEXT or not URI_CHARACTERS.fullmatch(uri):
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    secure = parts.scheme == "https" or (parts.scheme == "http" and _loopback(host))
    if not secure or not _host(host) or parts.username is not None or \
            parts.password is not None or not parts.netloc.lower().endswith(
                (host, f"[{host}]", f":{port}")):
        return None
    shown = f"[{host}]" if ":" in (host or "") else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port is not None else "")


def _good_redirect(uri: Any) -> bool:
    """https, or http on a loopback IP (a native or test client); an absolute RFC 3986 URI
    with a plain host, no fragment, no credentials, no quotes, ';' or ','."""
    return redirect_origin(uri) is not None


def _imitates_us(name: str) -> bool:
    """Whether a client's name holds this service's own (in any case, spacing or
    compatibility form): the consent page and the sign-in mail show it to learners as the
    application asking, so it must not pass for us (RFC 7591 section 5)."""
    def letters(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", text).casefold()
                       if c.isalnum())
    return letters(SERVICE_NAME) in letters(name)


class Registration(ClientRegistrationEndpoint):
    """Open dynamic registration, as the Open Badges API expects of a service provider."""

    server: Server

    def authenticate_token(self, request: JsonRequest) -> bool:
        return True  # no initial access token: anyone may register a client

    def get_server_metadata(self) -> dict[str, Any]:
        return {"scopes_supported": list(SCOPES), "response_types_supported": ["code"],
                "grant_types_supported": list(GRANT_TYPES),
                "token_endpoint_auth_methods_supported": list(AUTH_METHODS)}

    def extract_client_metadata(self, request: JsonRequest) -> dict[str, Any]:
        data = request.payload.data
        if not isinstance(data, dict):
            raise InvalidClientMetadataError("the body must be a JSON object")
        missing = [name for name in REQUIRED_METADATA if not data.get(name)]
        if missing:
            raise InvalidClientMetadataError("missing client metadata: " + ", ".join(missing))
        uris = data["redirect_uris"]
        if not isinstance(uris, list) or not 0 < len(uris) <= MAX_REDIRECT_URIS or \
                not all(_good_redirect(uri) for uri in uris):
            raise InvalidRedirectURIError("redirect_uris must be a list of https URLs "
                                          "(http only on a loopback IP), with a plain host, "
                                          "no fragment, spaces, quotes, ';' or ','")
        for name in (*REQUIRED_METADATA, "token_endpoint_auth_method"):
            if name != "redirect_uris" and name in data and (
                    not isinstance(data[name], str) or len(data[name]) > MAX_TEXT):
                raise InvalidClientMetadataError(f"{name} must be a string")
        for name in URI_METADATA:
            if urlsplit(data[name]).scheme not in ("https", "http"):
                raise InvalidClientMetadataError(f"{name} must be an http(s) URL")
        if _imitates_us(data["client_name"]):
            raise InvalidClientMetadataError(f"client_name must not be or contain this "
                                             f"service's name, {SERVICE_NAME}")
        scopes = _scopes(data["scope"])
        if not scopes or any(scope not in SCOPES for scope in scopes):
            raise InvalidClientMetadataError("scope: only the Open Badges scopes, "
                                             "space-separated")
        try:
            metadata = super().extract_client_metadata(request)
        except ValueError:  # authlib refuses to quote what it found in an error description
            raise InvalidClientMetadataError("a metadata value is not acceptable") from None
        metadata.setdefault("token_endpoint_auth_method", AUTH_METHODS[0])
        metadata.setdefault("grant_types", list(GRANT_TYPES))
        metadata.setdefault("response_types", ["code"])
        if metadata["token_endpoint_auth_method"] not in AUTH_METHODS or \
                not set(metadata["grant_types"]) <= set(GRANT_TYPES) or \
                "authorization_code" not in metadata["grant_types"] or \
                metadata["response_types"] != ["code"]:
            raise InvalidClientMetadataError(
                "only the authorization code grant (with refresh_token), response type "
                "code, and client_secret_basic or client_secret_post")
        for unused in ("jwks", "jwks_uri"):
            metadata.pop(unused, None)
        return metadata

    def generate_client_id(self, request: JsonRequest) -> str:
        return secrets.token_urlsafe(24)

    def generate_client_secret(self, request: JsonRequest) -> str:
        return secrets.token_urlsafe(32)

    def save_client(self, client_info: dict[str, Any], client_metadata: dict[str, Any],
                    request: JsonRequest) -> Client:
        """Keep the new client; clients registered a day ago that never obtained a token
        (anyone may register) go, with their requests."""
        unused = select(OAuthClient.client_id).where(
            OAuthClient.created_at <= _now() - UNUSED_CLIENT_LIFETIME,
            OAuthClient.client_id.not_in(select(OAuthToken.client_id)))
        self.server.db.execute(delete(OAuthGrant).where(OAuthGrant.client_id.in_(unused)))
        self.server.db.execute(delete(OAuthClient).where(OAuthClient.client_id.in_(unused)))
        row = OAuthClient(client_id=client_info["client_id"],
                          secret_hash=hash_token(client_info["client_secret"]),
                          client_metadata=client_metadata, created_at=_now())
        self.server.db.add(row)
        return Client(row)


# The HTTP layer's entry points: each runs one request in one transaction.

def _vschar(form: Mapping[str, str]) -> bool:
    """Whether every parameter is printable ASCII, as RFC 6749 (appendix A) has them: what
    is not is refused before authlib (whose error descriptions quote some values, and
    refuse to carry anything else) reads it."""
    return all(isinstance(v, str) and all(" " <= c <= "~" for c in k + v)
               for k, v in form.items())


BAD_CHARACTERS = Answer(400, {"error": "invalid_request", "error_description":
                              "parameters are printable ASCII (RFC 6749 appendix A)"},
                        [("Content-Type", "application/json")])


def _basic_unreadable(headers: Mapping[str, str]) -> bool:
    """Whether the request carries Basic credentials that are not base64 of UTF-8 text
    (authlib's decoder fails on them with an exception rather than refusing them)."""
    kind, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if kind.lower() != "basic":
        return False
    try:
        base64.b64decode(encoded).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return True
    return False


UNREADABLE_CLIENT = Answer(401, {"error": "invalid_client", "error_description":
                                 "the Basic credentials are not base64 of UTF-8 text"},
                           [("Content-Type", "application/json"),
                            ("WWW-Authenticate", 'Basic error="invalid_client"')])


def _run(db: Session, call: Callable[[Server], Answer], form: Mapping[str, str],
         headers: Mapping[str, str] | None = None) -> Answer:
    """``call`` in a transaction: kept when the answer is a success (or a replay revoked a
    grant), rolled back otherwise."""
    if not _vschar(form):
        return BAD_CHARACTERS
    if headers is not None and _basic_unreadable(headers):
        return UNREADABLE_CLIENT
    server = Server(db)
    db.begin()
    try:
        answer = call(server)
    except BaseException:
        db.rollback()
        raise
    if 200 <= answer.status < 400 or server.keep:
        db.commit()
    else:
        db.rollback()
    return answer


def register(db: Session, request: HttpRequest) -> Answer:
    return _run(db, lambda server: server.create_endpoint_response(
        Registration.ENDPOINT_NAME, request), {})


def token(db: Session, request: HttpRequest) -> Answer:
    return _run(db, lambda server: server.create_token_response(request), request.form,
                request.headers)


def revoke(db: Session, request: HttpRequest) -> Answer:
    """RFC 7009 section 2.1: a token_type_hint we do not know is ignored (every type is
    searched), not an error."""
    form = {name: value for name, value in request.form.items()
            if name != "token_type_hint" or value in ("access_token", "refresh_token")}
    request = replace(request, form=form)
    return _run(db, lambda server: server.create_endpoint_response(
        Revocation.ENDPOINT_NAME, request), request.form, request.headers)


@dataclass
class Pending:
    """An authorization request waiting for the learner's decision, in words."""

    client_name: str
    client_uri: str
    policy_uri: str
    tos_uri: str
    redirect_uri: str
    scopes: list[str]  # what each asked-for scope allows, in words


class OtherBrowser(Forbidden):
    """A pending request opened or decided in a browser other than the one that started it
    (someone else's request, sent to the learner: consent phishing)."""


def start_authorization(db: Session, request: HttpRequest, browser: str) -> str:
    """Validate an authorization request (client, exact redirect URI, response type, scopes
    the client registered, an S256 challenge). Valid: it is kept (30 minutes, for the
    learner to sign in and decide), bound to ``browser`` (a nonce in a cookie of the
    browser that brought it: only that browser can see and decide it), and its handle
    returned. Invalid: Malformed, shown to the person, never redirected, even to a
    registered redirect URI: registration is open to anyone, so no client's URI is
    trusted, and an error redirect would make this an open redirector (RFC 9700 section
    4.11.2)."""
    if not _vschar(request.form):
        raise Malformed("this authorization request cannot be used: its parameters are "
                        "printable ASCII (RFC 6749 appendix A)")
    if len(request.form.get("state") or "") > MAX_STATE:
        raise Malformed(f"this authorization request cannot be used: its state is longer "
                        f"than {MAX_STATE} characters")
    server = Server(db)
    with db.begin():
        oauth_request = server.create_oauth2_request(request)
        try:
            server.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            raise Malformed(f"this authorization request cannot be used: "
                          f"{error.description or error.error}") from None
        # Requests nobody decided in time, and codes never exchanged, are of no more use.
        db.execute(delete(OAuthGrant).where(OAuthGrant.expires_at <= _now() - CODE_LIFETIME,
                                            OAuthGrant.code_used_at.is_(None)))
        handle = secrets.token_urlsafe(32)
        data = oauth_request.payload.data
        db.add(OAuthGrant(
            request_hash=hash_token(handle), client_id=data["client_id"],
            request={**{name: data.get(name) for name in KEPT_PARAMETERS},
                     BROWSER: hash_token(browser)},
            created_at=_now(), expires_at=_now() + REQUEST_LIFETIME))
        return handle


def _pending_row(db: Session, handle: str, browser: str | None) -> OAuthGrant:
    row = db.scalars(select(OAuthGrant).where(
        OAuthGrant.request_hash == hash_token(handle))).first()
    if row is None or row.decided_at is not None or row.expires_at <= _now():
        raise NotFound("this authorization request is unknown, expired or already decided: "
                       "start again from the application that sent you here")
    if not hmac.compare_digest(row.request.get(BROWSER, ""), hash_token(browser or "")):
        raise OtherBrowser("this authorization request was started in another browser: "
                           "if you want to connect an application, start again from it, "
                           "in this browser")
    return row


def pending(db: Session, handle: str, browser: str | None) -> Pending:
    """The request behind ``handle``, in words, for the browser that started it only."""
    with db.begin():
        row = _pending_row(db, handle, browser)
        meta = db.get(OAuthClient, row.client_id).client_metadata
        return Pending(meta["client_name"], meta["client_uri"], meta["policy_uri"],
                       meta["tos_uri"], row.request["redirect_uri"],
                       [SCOPES[s] for s in _scopes(row.request["scope"])])


def decide(db: Session, handle: str, email: str, allow: bool, browser: str | None) -> Answer:
    """The learner's decision: a single-use code for the client (allowed) or access_denied,
    either way a redirect to the client's exact redirect URI. Each request is decided once,
    in the browser that started it."""
    server = Server(db)
    db.begin()
    try:
        row = _pending_row(db, handle, browser)
        claimed = db.execute(update(OAuthGrant).where(
            OAuthGrant.id == row.id, OAuthGrant.decided_at.is_(None))
            .values(decided_at=_now())).rowcount
        if claimed != 1:
            raise NotFound("this authorization request was decided already")
        oauth_request = server.create_oauth2_request(HttpRequest(
            "GET", "https://localhost/authorize", {},
            {k: row.request[k] for k in KEPT_PARAMETERS if row.request.get(k) is not None}))
        oauth_request.pending = row
        grant = server.get_authorization_grant(oauth_request)
        answer = server.create_authorization_response(
            oauth_request, grant_user=email if allow else None, grant=grant)
        db.commit()
        return answer
    except BaseException:
        db.rollback()
        raise


@dataclass
class Connection:
    """An application the learner allowed, while any of its tokens still works."""

    grant_id: int
    client_name: str
    client_uri: str
    scopes: list[str]
    allowed_at: datetime


def connections(db: Session, email: str) -> list[Connection]:
    """The applications ``email`` allowed whose access has not ended (newest first)."""
    now = _now()
    with db.begin():
        rows = db.execute(select(OAuthGrant, OAuthClient).join(
            OAuthClient, OAuthClient.client_id == OAuthGrant.client_id).where(
            OAuthGrant.email == email, OAuthGrant.id.in_(select(OAuthToken.grant_id).where(
                OAuthToken.email == email, OAuthToken.revoked_at.is_(None),
                (OAuthToken.access_expires_at > now) | (OAuthToken.refresh_expires_at > now))))
            .order_by(OAuthGrant.decided_at.desc())).all()
        return [Connection(grant.id, client.client_metadata["client_name"],
                           client.client_metadata["client_uri"],
                           [SCOPES[s] for s in _scopes(grant.request["scope"])],
                           grant.decided_at) for grant, client in rows]


def disconnect(db: Session, email: str, grant_id: int) -> None:
    """The learner withdraws an application's access: every token of that grant stops
    working. NotFound for anyone else's grant."""
    with db.begin():
        grant = db.get(OAuthGrant, grant_id)
        if grant is None or grant.email != email:
            raise NotFound("you allowed no such application")
        db.execute(update(OAuthToken).where(
            OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None))
            .values(revoked_at=_now()))
