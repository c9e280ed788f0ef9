"""Issue a document: the one pipeline every credential we sign for someone goes through.

Competency credentials, programme certificates, learner records (CLRs) and VC API requests
differ only in the document they build; the steps around it are the same and in the same
order, inside the caller's transaction: resolve the signing key once (refusing an issuer
identifier that is not this issuer's), claim the status list entries under that identifier,
build the document around its id and entries, sign it (Data Integrity or VC-JWT), store it
as issued, write the audit event, and queue the learner's email (when the issuer mails
learners). A failure anywhere writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.identifiers import IssuerIdentifiers, credential_url
from issuer.services.notifications import queue_credential_notice
from issuer.services.signing import sign_with, signing_key, stored_form
from issuer.services.status_lists import allocate, status_entries_for
from issuer.store.models import Credential, Issuer
from keys.encryption import KeyEncryptionKey


@dataclass(frozen=True)
class NewCredential:
    """The id (a random UUID) and URL of a credential about to be issued."""

    id: str
    url: str

    @classmethod
    def mint(cls, base_url: str) -> NewCredential:
        credential_id = str(uuid.uuid4())
        return cls(credential_id, credential_url(base_url, credential_id))


@dataclass(frozen=True)
class Audit:
    """The audit event an issuance writes: who (None: the service itself), what, details."""

    actor: Caller | None
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Issuance:
    """How to issue one document: as which identifier (default: the issuer's did:web), in
    which format, with which status purposes (default: the issuer's), stored as what."""

    audit: Audit
    issuer_id: str | None = None
    jwt_algorithm: str | None = None  # None: a Data Integrity proof
    purposes: tuple[str, ...] | None = None
    kind: str = "achievement"
    completion_id: str | None = None
    learner_email: str | None = None
    notify: bool = True  # queue the learner's email (a wallet-bound copy is not news)
    source_id: str | None = None  # a wallet-bound copy: its root credential
    holder_id: str | None = None  # and the holder DID it is bound to


@dataclass(frozen=True)
class Issued:
    credential: NewCredential
    unsigned: Mapping[str, Any]
    signed: dict[str, Any] | str  # a VC-JWT is its compact JWS


# What a kind of credential adds: its document, given its id and status list entries.
Build = Callable[[NewCredential, list[dict[str, Any]]], Mapping[str, Any]]


def issue(db: Session, issuer: Issuer, kek: KeyEncryptionKey, base_url: str, build: Build,
          how: Issuance, new: NewCredential | None = None) -> Issued:
    """Issue the document ``build`` makes, as ``how`` says, inside the caller's transaction.
    ``new``: an id minted earlier (when something else must name it first)."""
    new = new or NewCredential.mint(base_url)
    issuer_id = how.issuer_id if how.issuer_id is not None else \
        IssuerIdentifiers.for_slug(base_url, issuer.slug).did_web
    key, method, controller = signing_key(db, issuer, kek, base_url, issuer_id,
                                          how.jwt_algorithm)
    if how.purposes is None:
        entries = status_entries_for(db, issuer, issuer_id, new.id, base_url)
    else:
        entries = [allocate(db, issuer, purpose, issuer_id, new.id, base_url)
                   for purpose in how.purposes]
    unsigned = build(new, entries)
    signed = sign_with(issuer, key, kek, method, controller, unsigned, how.jwt_algorithm)
    db.add(Credential(id=new.id, issuer_id=issuer.id, completion_id=how.completion_id,
                      learner_email=how.learner_email, signing_key_id=key.id, kind=how.kind,
                      source_id=how.source_id, holder_id=how.holder_id,
                      document=stored_form(signed)))
    record(db, issuer, how.audit.actor, how.audit.action, f"credential:{new.id}",
           how.audit.detail)
    if how.learner_email and how.notify:
        queue_credential_notice(db, issuer, how.kind, unsigned, how.learner_email,
                                base_url, new.id)
    return Issued(new, unsigned, signed)
