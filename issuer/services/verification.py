"""Verify any credential; our own issuers' keys come from the store, never over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.fetch import SafeFetcher
from credentials.verify import VerificationReport, verify_credential
from credentials.verify.resolvers import (
    ChainResolver,
    DidKeyResolver,
    DidWebResolver,
    MultikeyFragmentResolver,
    ResolutionError,
)
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import verification_key
from issuer.store.models import Issuer, SigningKey
from keys.signer import Verifier


@dataclass
class StoreResolver:
    """Verification methods of issuers this service hosts: ``<profile or did:web>#<multikey>``."""

    db: Session
    base_url: str

    def _slug(self, controller: str) -> str | None:
        for prefix in (IssuerIdentifiers.for_slug(self.base_url, "").profile,
                       IssuerIdentifiers.for_slug(self.base_url, "").did_web + ":"):
            if controller.startswith(prefix) and "/" not in controller[len(prefix):]:
                return controller[len(prefix):] or None
        return None

    def handles(self, url: str) -> bool:
        return self._slug(url.partition("#")[0]) is not None

    def resolve(self, url: str, purpose: str) -> Verifier:
        controller, _, multikey = url.partition("#")
        slug = self._slug(controller)
        row = self.db.execute(
            select(SigningKey).join(Issuer, Issuer.id == SigningKey.issuer_id)
            .where(Issuer.slug == slug, SigningKey.public_multikey == multikey)).scalar()
        if row is None:
            raise ResolutionError(f"{url!r} is not a key of issuer {slug!r} of this service")
        if row.status == "revoked":
            raise ResolutionError(f"{url!r} was revoked by its issuer")
        return verification_key(row, url, controller)


def verify(db: Session, credential: Any, base_url: str, fetcher: SafeFetcher
           ) -> VerificationReport:
    resolver = ChainResolver([StoreResolver(db, base_url), DidKeyResolver(),
                              DidWebResolver(fetcher), MultikeyFragmentResolver()])
    with db.begin():
        return verify_credential(credential, resolver=resolver)
