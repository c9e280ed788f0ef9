"""The URLs and DIDs the service mints, all under ``PUBLIC_BASE_URL``."""

from __future__ import annotations

from dataclasses import dataclass

from keys.did import did_web_for_url


@dataclass(frozen=True)
class IssuerIdentifiers:
    """The identifiers one issuer is known by: its profile URL and its did:web."""

    profile: str
    did_web: str

    @classmethod
    def for_slug(cls, base_url: str, slug: str) -> IssuerIdentifiers:
        profile = f"{base_url.rstrip('/')}/issuers/{slug}"
        return cls(profile, did_web_for_url(profile))


def verification_method(controller: str, multikey: str) -> str:
    """``<controller>#<multikey>``: resolvable from the store, and by verifiers offline."""
    return f"{controller}#{multikey}"


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url.rstrip('/')}/credentials/{credential_id}"
