"""Verify a verifiable presentation the way this service verifies credentials: our issuers'
keys and status lists from the store, anything else over HTTPS."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from credentials.verify.presentation import PresentationReport, verify_presentation
from issuer.services.context import ServiceContext
from issuer.services.verification import store_first


def verify_held(db: Session, presentation: Any, context: ServiceContext, *,
                challenge: str | None = None, domain: str | None = None,
                holder_binding_required: bool = False) -> PresentationReport:
    """The report on ``presentation`` (JSON-LD, a VP-JWT or an enveloped one): with
    ``challenge`` and ``domain``, the holder's proof must answer exactly them; with
    ``holder_binding_required``, every credential must be about the holder. Each credential
    naming one of our issuers must be signed by one of that issuer's keys, as in
    :func:`issuer.services.verification.verify`."""
    found = store_first(db, context)
    return verify_presentation(presentation, challenge=challenge, domain=domain,
                               resolver=found.resolver, status_source=found.status_source,
                               issuers=found.issuers,
                               holder_binding_required=holder_binding_required)
