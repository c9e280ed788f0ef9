"""Single sign-on with the employer's OpenID Connect provider (Entra ID, Okta, ...), set up
per issuer: the authorization code flow with PKCE, state and nonce (authlib's client), the
ID token's signature and claims checked against the provider's published keys (joserfc), and
the person let in only if the token's email is verified, in a domain the issuer accepts, and
one of the issuer's staff. The client secret is stored encrypted under the key-encryption
key, like the issuers' private keys."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from cachetools import TTLCache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.services import desk_sessions
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.errors import Forbidden, Invalid, NotFound, Unauthenticated, Unavailable
from issuer.services.field_text import bad_character
from issuer.services.issuers import get_issuer
from issuer.store.models import Issuer, OidcProvider, StaffMember
from keys.encryption import KeyEncryptionKey

TIMEOUT = 10  # seconds for each call to the provider
SIGNING_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]  # asymmetric only: never HS256
DISCOVERY = "/.well-known/openid-configuration"
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def _associated_data(issuer_id: int) -> bytes:
    """Binds the sealed secret to its issuer, so it cannot be moved to another row."""
    return f"oidc-client-secret:{issuer_id}".encode()


@dataclass(frozen=True)
class Provider:
    """An issuer's provider, its client secret opened."""

    issuer_id: int
    slug: str
    label: str
    issuer_url: str  # the provider's issuer identifier
    client_id: str
    client_secret: str
    email_domains: tuple[str, ...]
    email_claim: str


def configure(db: Session, kek: KeyEncryptionKey, caller: Caller, slug: str, label: str,
              issuer_url: str, client_id: str, client_secret: str,
              email_domains: list[str], email_claim: str = "email") -> dict[str, Any]:
    """Set (or replace) issuer ``slug``'s single sign-on; audited, never the secret."""
    caller.require(slug, ("admin",))
    issuer_url = issuer_url.rstrip("/").removesuffix(DISCOVERY)
    if not issuer_url.startswith(("https://", "http://")) or not label.strip() \
            or not client_id or not client_secret:
        raise Invalid("single sign-on needs a label, the provider's issuer URL, a client id "
                      "and a client secret", code="/problems/validation")
    domains = sorted({d.strip().lower().lstrip("@") for d in email_domains if d.strip()})
    if email_claim != "email" and not domains:
        raise Invalid(f"the claim {email_claim!r} carries no verified flag: name the email "
                      "domains to accept", code="/problems/validation")
    with db.begin():
        issuer = get_issuer(db, slug)
        row = db.get(OidcProvider, issuer.id) or OidcProvider(issuer_id=issuer.id)
        row.label, row.discovery_url, row.client_id = label.strip(), issuer_url, client_id
        row.client_secret_encrypted = kek.encrypt(client_secret.encode(),
                                                  _associated_data(issuer.id))
        row.email_domains, row.email_claim = domains, email_claim
        row.updated_at = datetime.now(UTC)
        db.add(row)
        view = {"issuer": slug, "label": row.label, "issuerUrl": issuer_url,
                "clientId": client_id, "emailDomains": domains, "emailClaim": email_claim}
        record(db, issuer, caller, "sso.configure", f"issuer:{slug}", view)
        return view


def offered(db: Session) -> list[tuple[str, str, str]]:
    """(slug, issuer name, label) of the issuers offering single sign-on, for the sign-in
    page."""
    query = select(Issuer.slug, Issuer.name, OidcProvider.label).join(
        OidcProvider, OidcProvider.issuer_id == Issuer.id).order_by(Issuer.name)
    with db.begin():
        return [tuple(row) for row in db.execute(query)]


def load(db: Session, kek: KeyEncryptionKey, slug: str) -> Provider:
    with db.begin():
        row = db.execute(select(OidcProvider, Issuer.slug).join(
            Issuer, Issuer.id == OidcProvider.issuer_id).where(Issuer.slug == slug)).first()
        if row is None:
            raise NotFound(f"issuer {slug!r} has no single sign-on")
        found = row[0]
        secret = kek.decrypt(found.client_secret_encrypted, _associated_data(found.issuer_id))
        return Provider(found.issuer_id, slug, found.label, found.discovery_url,
                        found.client_id, secret.decode(), tuple(found.email_domains),
                        found.email_claim)


def _get_json(url: str) -> dict[str, Any]:
    """A provider document, from the URL itself (no redirect is followed elsewhere)."""
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"},
                                allow_redirects=False)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(f"the sign-in provider did not answer properly ({url}): "
                          f"{type(error).__name__}") from None


# Discovery documents, kept five minutes per provider: a sign-in start is anonymous, and must
# not be a way to make this service call the provider at will.
_discovered: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=256, ttl=300)
_discovered_lock = threading.Lock()


def _discovery(issuer_url: str) -> dict[str, Any]:
    with _discovered_lock:
        document = _discovered.get(issuer_url)
    if document is None:
        document = _get_json(issuer_url + DISCOVERY)
        with _discovered_lock:
            _discovered[issuer_url] = document
    return document


def metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document; its issuer must be the one configured."""
    document = _discovery(provider.issuer_url)
    missing = [k for k in ENDPOINTS if not isinstance(document.get(k), str)]
    if missing:
        raise Unavailable(f"the provider's discovery document lacks {', '.join(missing)}")
    if document.get("issuer") != provider.issuer_url:
        raise Unavailable(f"the provider's discovery document names issuer "
                          f"{document.get('issuer')!r}, not {provider.issuer_url!r}")
    return document


@dataclass(frozen=True)
class Pending:
    """What the browser keeps between leaving for the provider and coming back."""

    slug: str
    state: str
    nonce: str
    code_verifier: str

    def as_dict(self) -> dict[str, str]:
        return {"slug": self.slug, "state": self.state, "nonce": self.nonce,
                "verifier": self.code_verifier}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pending:
        return cls(str(data["slug"]), str(data["state"]), str(data["nonce"]),
                   str(data["verifier"]))


def _client(provider: Provider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(provider.client_id, provider.client_secret,
                         scope="openid email profile", redirect_uri=redirect_uri,
                         code_challenge_method="S256", default_timeout=TIMEOUT)


def begin(provider: Provider, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization URL to send the browser to, and what to keep."""
    endpoint = metadata(provider)["authorization_endpoint"]
    pending = Pending(provider.slug, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                      secrets.token_urlsafe(48))
    url, _state = _client(provider, redirect_uri).create_authorization_url(
        endpoint, state=pending.state, code_verifier=pending.code_verifier,
        nonce=pending.nonce)
    return url, pending


def _id_token_claims(provider: Provider, document: dict[str, Any], id_token: str,
                     nonce: str) -> dict[str, Any]:
    published = _get_json(document["jwks_uri"])
    try:
        keys = KeySet.import_key_set(published)
        token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=60, iss={"essential": True, "value": provider.issuer_url},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True}, sub={"essential": True},
            nonce={"essential": True, "value": nonce}).validate(token.claims)
        audience = token.claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and \
                token.claims.get("azp") != provider.client_id:
            raise ValueError("an ID token for several audiences must name this client as "
                             "its authorized party (azp)")  # OpenID Connect Core 3.1.3.7
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise Unauthenticated(f"the provider's ID token does not check out: {error}") from None
    return token.claims


def _email(provider: Provider, issuer: Issuer, claims: dict[str, Any]) -> str:
    """The person's email address from the ID token, if the issuer may trust it."""
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or "@" not in email or bad_character(email):
        raise Forbidden(f"the provider did not say who you are by email (no "
                        f"{provider.email_claim!r} claim)")
    email = email.strip().lower()
    if provider.email_claim == "email" and claims.get("email_verified") is not True:
        raise Forbidden(f"the provider has not verified {email}")
    if provider.email_domains and email.rpartition("@")[2] not in provider.email_domains:
        raise Forbidden(f"{email} is not in an email domain {issuer.name} accepts "
                        f"({', '.join(provider.email_domains)})")
    return email


def finish(db: Session, kek: KeyEncryptionKey, pending: Pending, answer: dict[str, str],
           redirect_uri: str, idle: timedelta, lifetime: timedelta) -> str:
    """Complete the sign-in the provider sent back (``answer``: the callback's query
    parameters): a new desk session's id. Unauthenticated or Forbidden saying why not."""
    # The state first: an answer this browser did not ask for puts no words on our page.
    if not secrets.compare_digest(answer.get("state", "").encode(), pending.state.encode()):
        raise Unauthenticated("this sign-in answer is not for this browser; start again")
    if "error" in answer:
        raise Unauthenticated("the sign-in provider did not sign you in: "
                              f"{answer.get('error_description') or answer['error']}")
    provider = load(db, kek, pending.slug)
    document = metadata(provider)
    try:
        tokens = _client(provider, redirect_uri).fetch_token(
            document["token_endpoint"], grant_type="authorization_code",
            code=answer.get("code", ""), code_verifier=pending.code_verifier)
    except (OAuth2Error, requests.RequestException) as error:
        raise Unauthenticated(f"the provider refused the sign-in code: {error}") from None
    claims = _id_token_claims(provider, document, tokens.get("id_token", ""), pending.nonce)
    now = datetime.now(UTC)
    with db.begin():
        issuer = db.get(Issuer, provider.issuer_id)
        email = _email(provider, issuer, claims)
        person = db.scalars(select(StaffMember).where(
            StaffMember.issuer_id == issuer.id, StaffMember.email == email,
            StaffMember.state.in_(("invited", "active")))).first()
        if person is None:
            raise Forbidden(f"{email} is not on {issuer.name}'s staff: ask one of its admins "
                            "to invite you")
        if person.state == "invited":
            person.state, person.activated_at = "active", now
        record(db, issuer, desk_sessions.person_caller(person, issuer), "staff.sign-in",
               f"staff:{person.id}", {"method": "oidc", "provider": provider.issuer_url})
        return desk_sessions.open_for_staff(db, person, now, idle, lifetime)
