"""Verify any credential; our own issuers' keys come from the store, never over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.dates import format_datetime
from credentials.status import status_list_credential
from credentials.verify import VerificationReport, verify_credential
from credentials.verify.proof_check import key_thumbprint
from credentials.verify.resolvers import (
    ChainResolver,
    ControllerDocumentResolver,
    DidKeyResolver,
    DidWebResolver,
    MultikeyFragmentResolver,
    ResolutionError,
)
from credentials.verify.status_check import (
    ChainStatusSource,
    StatusUnavailable,
)
from issuer.services import metrics
from issuer.services.context import ServiceContext
from issuer.services.field_text import bad_character
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuers import SLUG
from issuer.services.keyring import verification_key
from issuer.services.namespace import IssuerNamespace, did_key_multikey
from issuer.services.status_lists import TTL_MS, VALIDITY, encoded_list, list_url
from issuer.store.models import Issuer, SigningKey, StatusList
from keys.ed25519 import Ed25519VerificationKey
from keys.signer import Verifier


@dataclass
class StoreResolver:
    """Verification methods of issuers this service hosts: ``<profile or did:web>#<multikey>``."""

    db: Session
    base_url: str
    binds = True
    _rows: dict[tuple[str | None, str], SigningKey | None] = field(default_factory=dict)

    def aliases(self, url: str) -> frozenset[str]:
        """An issuer here is known by its profile URL and its did:web alike."""
        slug = IssuerNamespace(self.base_url).slug(url.partition("#")[0])
        if slug is None:
            return frozenset()
        ids = IssuerIdentifiers.for_slug(self.base_url, slug)
        return frozenset({ids.profile, ids.did_web})

    def handles(self, url: str) -> bool:
        return IssuerNamespace(self.base_url).slug(url.partition("#")[0]) is not None

    def resolve(self, url: str, purpose: str) -> Verifier:
        if why := bad_character(url):  # never looked up: PostgreSQL cannot compare NUL
            raise ResolutionError(f"the verification method {why}: it names no key")
        controller, _, kid = url.partition("#")
        slug = IssuerNamespace(self.base_url).slug(controller)
        if (slug, kid) not in self._rows:  # a CLR's credentials name one key many times
            self._rows[slug, kid] = self.db.execute(
                select(SigningKey).join(Issuer, Issuer.id == SigningKey.issuer_id)
                .where(Issuer.slug == slug, SigningKey.kid == kid)).scalar()
        row = self._rows[slug, kid]
        if row is None:
            raise ResolutionError(f"{url!r} is not a key of issuer {slug!r} of this service")
        if row.status == "revoked":
            raise ResolutionError(f"key {url} was revoked by its issuer on "
                                  f"{_when(row.revoked_at)}; what it "
                                  "signed no longer verifies")
        return verification_key(row, url, controller)


CLOCK_SKEW = timedelta(seconds=60)


@dataclass
class StoreIssuers:
    """This service's issuers, answered from the store: which identifiers are ours (any in
    our namespace, however spelled -- see :mod:`issuer.services.namespace` -- and the did:key
    of any key we hold), and which keys may sign for each."""

    db: Session
    base_url: str
    _found: dict[tuple[str, str], Any] = field(default_factory=dict)

    def _once(self, kind: str, key: str, look_up: Callable[[], Any]) -> Any:
        """``look_up()``, asked once per verification: a CLR's credentials name one issuer
        and one key many times."""
        if (kind, key) not in self._found:
            self._found[kind, key] = look_up()
        return self._found[kind, key]

    def _did_key_row(self, issuer: str) -> SigningKey | None:
        multikey = did_key_multikey(issuer)
        if multikey is None or bad_character(issuer):
            return None
        return self._once("did:key", multikey, lambda: self.db.scalars(select(SigningKey).where(
            SigningKey.public_multikey == multikey)).first())

    def governs(self, issuer: str) -> bool:
        return IssuerNamespace(self.base_url).governs(issuer) or \
            self._did_key_row(issuer) is not None

    def refuse_key(self, issuer: str, key: Verifier, signed_at: datetime | None
                   ) -> str | None:
        if why := bad_character(issuer):
            return f"cannot sign for an issuer id that {why}"
        namespace = IssuerNamespace(self.base_url)
        named_key = None
        if namespace.governs(issuer):
            slug = namespace.slug(issuer)
            owner = None if slug is None else self._once("slug", slug, lambda: self.db.scalars(
                select(Issuer).where(Issuer.slug == slug)).first())
            if owner is None:
                return f"cannot sign for {issuer}: this service has no such issuer"
            owner_id = owner.id
        else:
            named_key = self._did_key_row(issuer)
            if named_key is None:
                return f"cannot sign for {issuer}: it is not an issuer of this service"
            owner_id = named_key.issuer_id
        row = self._key_row(key)
        if row is None:
            return f"is not a key of {issuer} (nor of any issuer of this service)"
        if named_key is not None and row.id != named_key.id:
            return f"is not the key {issuer} names"
        if row.issuer_id != owner_id:
            other = self.db.get(Issuer, row.issuer_id)
            return f"is a key of this service's issuer {other.slug!r}, not of {issuer}"
        return _unusable(row, signed_at)

    def _key_row(self, key: Verifier) -> SigningKey | None:
        """The stored key with this public key (Ed25519 by Multikey, others by thumbprint)."""
        if isinstance(key, Ed25519VerificationKey):
            name, condition = key.multikey, SigningKey.public_multikey == key.multikey
        else:
            name = key_thumbprint(key)
            condition = (SigningKey.kid == name) & (SigningKey.algorithm != "Ed25519")
        return self._once("key", name, lambda: self.db.scalars(
            select(SigningKey).where(condition)).first())


def _unusable(row: SigningKey, signed_at: datetime | None) -> str | None:
    """Why a key of the right issuer still cannot have made this proof: revoked, or the
    proof's time falls outside the key's life (before it existed, after it was retired)."""
    if row.status == "revoked":
        return f"was revoked by its issuer on {_when(row.revoked_at)}"
    if signed_at is None:
        # Nothing shows the proof predates the retirement; this service always says when.
        return None if row.retired_at is None else (
            f"was retired on {_when(row.retired_at)}, and the proof does not say when it was "
            "made (no created, or neither iat nor nbf): it cannot be shown to predate the "
            "retirement")
    if signed_at + CLOCK_SKEW < row.created_at:
        return (f"did not exist yet when the proof says it was made ({_when(signed_at)}; "
                f"the key was created {_when(row.created_at)})")
    if row.retired_at is not None and signed_at > row.retired_at + CLOCK_SKEW:
        return (f"was retired on {_when(row.retired_at)}, before the proof says it was "
                f"made ({_when(signed_at)})")
    return None


def _when(moment: datetime | None) -> str:
    return format_datetime(moment) if moment else "an unknown date"


@dataclass
class StoreStatusSource:
    """This service's own status lists, read from the store as they stand now.

    The verifier trusts its own records (``vouches``): the bits come from the stored entries,
    not from a signed list, so a host that cannot sign (a wrong key-encryption key) still
    sees what was revoked. Anything that is not exactly ``<base>/status/<slug>/<number>`` is
    refused before any lookup."""

    db: Session
    base_url: str

    def handles(self, url: str) -> bool:
        return url.startswith(f"{self.base_url}/status/")

    def vouches(self, url: str) -> bool:
        return self.handles(url)

    def get(self, url: str) -> Mapping[str, Any]:
        slug, _, number = url.removeprefix(f"{self.base_url}/status/").partition("/")
        if not (SLUG.match(slug) and number.isascii() and number.isdigit()
                and len(number) <= 9):
            raise StatusUnavailable(f"{_shown(url)} is not a status list of this service")
        row = self.db.execute(select(StatusList).join(Issuer).where(
            Issuer.slug == slug, StatusList.number == int(number))).scalar()
        if row is None:
            raise StatusUnavailable(f"this service has no status list {slug}/{number}")
        now = datetime.now(UTC)
        return status_list_credential(list_url(self.base_url, slug, row.number),
                                      row.issuer_identifier, row.purpose,
                                      encoded_list(self.db, row),
                                      format_datetime(now), format_datetime(now + VALIDITY),
                                      TTL_MS)


def _shown(text: str) -> str:
    """``text`` quoted for a message, its control characters escaped."""
    return json.dumps(text)


@dataclass(frozen=True)
class StoreFirst:
    """How this service verifies: our issuers' keys and lists from the store, anything else
    over HTTPS (through the context's fetcher and status-list cache)."""

    resolver: ChainResolver
    status_source: ChainStatusSource
    issuers: StoreIssuers


def store_first(db: Session, context: ServiceContext) -> StoreFirst:
    base_url, fetcher = context.base_url, context.fetcher
    return StoreFirst(
        ChainResolver([StoreResolver(db, base_url), DidKeyResolver(), DidWebResolver(fetcher),
                       MultikeyFragmentResolver(), ControllerDocumentResolver(fetcher)]),
        ChainStatusSource([StoreStatusSource(db, base_url), context.status_source]),
        StoreIssuers(db, base_url))


def verify(db: Session, credential: Any, context: ServiceContext,
           expected_email: str | None = None) -> VerificationReport:
    """Verify any credential (see :func:`store_first`). A credential naming one of our
    issuers must be signed by one of that issuer's keys. With ``expected_email``, the
    subject check also asks whether it was issued to that address (as the CLI's
    ``--email``)."""
    found = store_first(db, context)
    report = verify_credential(credential, resolver=found.resolver,
                               status_source=found.status_source, issuers=found.issuers,
                               expected_email=expected_email)
    metrics.VERIFICATIONS.labels("true" if report.verified else "false").inc()
    return report
