"""What the services need from the running service, gathered once by ``create_app``.

Handlers and the command line take this from the app and hand it (or its fields) to the
services, so no service reads Flask's ``current_app`` and every handler sees the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from credentials.fetch import SafeFetcher
from credentials.verify.status_check import HttpStatusListSource
from issuer.services.mail_delivery import MailSettings
from keys.encryption import KeyEncryptionKey


@dataclass(frozen=True)
class ServiceContext:
    """The service's settings and shared objects (one per app, never changed after start)."""

    base_url: str  # PUBLIC_BASE_URL without a trailing slash: every URL and DID we mint
    kek: KeyEncryptionKey  # opens the issuers' private keys
    fetcher: SafeFetcher  # the only way out to the network (did:web, status lists, images)
    status_source: HttpStatusListSource  # remote status lists, cached for their ttl
    sessions: sessionmaker[Session]  # a new database session per use case
    desk_idle: timedelta  # a desk session ends after this long unused
    desk_lifetime: timedelta  # and this long after sign-in, in any case
    mail: MailSettings  # where queued mail goes (SMTP, or .eml files)
