"""Verify any credential; our own issuers' keys come from the store, never over HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from credentials.dates import format_datetime
from credentials.fetch import SafeFetcher
from credentials.verify import VerificationReport, verify_credential
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
    HttpStatusListSource,
    StatusUnavailable,
)
from issuer import metrics
from issuer.problems import Problem
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import verification_key
from issuer.services.status_lists import signed_list
from issuer.store.models import Issuer, SigningKey
from keys.encryption import KeyEncryptionKey
from keys.signer import Verifier


@dataclass
class StoreResolver:
    """Verification methods of issuers this service hosts: ``<profile or did:web>#<multikey>``."""

    db: Session
    base_url: str
    binds = True

    def aliases(self, url: str) -> frozenset[str]:
        """An issuer here is known by its profile URL and its did:web alike."""
        slug = self._slug(url.partition("#")[0])
        if slug is None:
            return frozenset()
        ids = IssuerIdentifiers.for_slug(self.base_url, slug)
        return frozenset({ids.profile, ids.did_web})

    def _slug(self, controller: str) -> str | None:
        for prefix in (IssuerIdentifiers.for_slug(self.base_url, "").profile,
                       IssuerIdentifiers.for_slug(self.base_url, "").did_web + ":"):
            if controller.startswith(prefix) and "/" not in controller[len(prefix):]:
                return controller[len(prefix):] or None
        return None

    def handles(self, url: str) -> bool:
        return self._slug(url.partition("#")[0]) is not None

    def resolve(self, url: str, purpose: str) -> Verifier:
        controller, _, kid = url.partition("#")
        slug = self._slug(controller)
        row = self.db.execute(
            select(SigningKey).join(Issuer, Issuer.id == SigningKey.issuer_id)
            .where(Issuer.slug == slug, SigningKey.kid == kid)).scalar()
        if row is None:
            raise ResolutionError(f"{url!r} is not a key of issuer {slug!r} of this service")
        if row.status == "revoked":
            when = format_datetime(row.revoked_at.replace(tzinfo=row.revoked_at.tzinfo or UTC))
            raise ResolutionError(f"key {url} was revoked by its issuer on {when}; what it "
                                  "signed no longer verifies")
        return verification_key(row, url, controller)


@dataclass
class StoreStatusSource:
    """This service's own status lists, read from the store (re-signed if stale)."""

    sessions: sessionmaker[Session]
    base_url: str
    kek: KeyEncryptionKey

    def handles(self, url: str) -> bool:
        return url.startswith(f"{self.base_url}/status/")

    def get(self, url: str) -> Mapping[str, Any]:
        slug, _, number = url.removeprefix(f"{self.base_url}/status/").partition("/")
        if not number.isdigit():
            raise StatusUnavailable(f"{url!r} is not a status list of this service")
        with self.sessions() as db:
            try:
                return json.loads(signed_list(db, slug, int(number), self.base_url,
                                              self.kek).document)
            except Problem as problem:
                raise StatusUnavailable(problem.detail) from None


def verify(db: Session, sessions: sessionmaker[Session], credential: Any, base_url: str,
           fetcher: SafeFetcher, kek: KeyEncryptionKey,
           http_status: HttpStatusListSource) -> VerificationReport:
    """Verify any credential: our issuers' keys and lists from the store, others over HTTPS."""
    resolver = ChainResolver([StoreResolver(db, base_url), DidKeyResolver(),
                              DidWebResolver(fetcher), MultikeyFragmentResolver(),
                              ControllerDocumentResolver(fetcher)])
    status = ChainStatusSource([StoreStatusSource(sessions, base_url, kek), http_status])
    report = verify_credential(credential, resolver=resolver, status_source=status)
    metrics.VERIFICATIONS.labels("true" if report.verified else "false").inc()
    return report
