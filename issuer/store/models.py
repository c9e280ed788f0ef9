"""The service's tables (SQLAlchemy 2 declarative models). Migrations: ``migrations/``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware column that reads back aware in UTC on every database.

    PostgreSQL keeps the zone; SQLite stores the wall-clock text only and hands back naive
    values, so an aware value is written as its UTC time and a naive one read as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Issuer(Base):
    """An employer (or programme) that issues credentials under its own keys."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    suspension_enabled: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    # Lowest level that counts toward programme completion; None: the model's own.
    programme_level: Mapped[str | None] = mapped_column(String(16))
    # Email each learner when a credential is issued to them (the issuer's opt-out).
    learner_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    description: Mapped[str | None] = mapped_column(Text)
    # The service's own identity (one per store, made by ``flask init``): it signs the CLRs
    # learners build of their own credentials, and is never an employer on a desk.
    is_platform: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Days an answer to the issuer's presentation requests is kept, then deleted.
    answer_retention_days: Mapped[int] = mapped_column(Integer, default=90,
                                                       server_default="90")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SigningKey(Base):
    """An issuer's key pair: public part in clear, private part AES-GCM encrypted."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("issuer_id", "kid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(16))  # Ed25519, P-256 or RSA-2048
    # The fragment of the key's verification method: the Multikey for Ed25519, the RFC 7638
    # thumbprint otherwise.
    kid: Mapped[str] = mapped_column(String(128))
    public_multikey: Mapped[str | None] = mapped_column(String(128), unique=True)
    public_jwk: Mapped[Any] = mapped_column(JSON)
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|retired|revoked
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A bearer token for one issuer and one role; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Written at most once a minute per token, so authenticating stays a read.
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeskSession(Base):
    """A signed-in desk browser: the cookie holds a random id, the store its SHA-256, so any
    host sees a sign-out, and the API token never travels in the cookie."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Opened with an API token (machines, bootstrapping) or by a person: one of the two.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Like a token's last use: written at most once a minute, for the idle timeout.
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class KeyCheck(Base):
    """The key-encryption-key canary: a value encrypted under the store's KEK, so a host
    configured with another KEK finds out before it signs or stores anything."""

    __tablename__ = "key_checks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 1: one per store
    canary: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class FrameworkDocument(Base):
    """One version of a competency model, level framework or crosswalk document, as loaded by
    ``init`` or imported. Versions are kept: credentials issued under one keep citing it."""

    __tablename__ = "framework_documents"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    document: Mapped[Any] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The version new completions use; exactly one per (kind, id).
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # The issuer whose admin imported it (None: the operator, by the CLI or init).
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("issuers.id"))


class Completion(Base):
    """An assessor's verified record that a learner completed a competency at a level."""

    __tablename__ = "completions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    learner_name: Mapped[str] = mapped_column(String(200))
    learner_email: Mapped[str] = mapped_column(String(320), index=True)
    model_id: Mapped[str] = mapped_column(String(200))
    competency_id: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    completed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: current for good
    evidence: Mapped[Any] = mapped_column(JSON)
    # The token, or the person signed in at the desk, who recorded it.
    verified_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    verified_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Credential(Base):
    """A signed credential exactly as issued (the JSON text is what its URL serves)."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    completion_id: Mapped[str | None] = mapped_column(ForeignKey("completions.id"), unique=True)
    learner_email: Mapped[str | None] = mapped_column(String(320), index=True)
    signing_key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id"))
    document: Mapped[str] = mapped_column(Text)
    # achievement (one competency), programme (a completed model) or clr (a learner record)
    kind: Mapped[str] = mapped_column(String(16), default="achievement",
                                      server_default="achievement")
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # A copy bound to a holder's wallet: the credential it was issued from (always the
    # completion's own, the root), whose status entries it shares, and the holder's DID.
    source_id: Mapped[str | None] = mapped_column(String(36), index=True)
    holder_id: Mapped[str | None] = mapped_column(String(500))
    # The learner left it off their public list (it still verifies at its URL).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StatusList(Base):
    """One Bitstring Status List of an issuer, for one purpose (revocation or suspension).

    ``version`` counts bit changes; the signed list credential is kept with the version it
    was made from, so it is re-signed once per batch of changes, when next requested.
    """

    __tablename__ = "status_lists"
    __table_args__ = (UniqueConstraint("issuer_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))
    # The issuer identifier the list is issued under (profile URL, did:web or did:key): it
    # must equal the issuer of every credential that points at the list.
    issuer_identifier: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=0)
    signed_version: Mapped[int | None] = mapped_column(Integer)
    signed_document: Mapped[str | None] = mapped_column(Text)
    signed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StatusEntry(Base):
    """A position in a status list, given to one credential; ``is_set`` is its bit."""

    __tablename__ = "status_entries"
    __table_args__ = (UniqueConstraint("status_list_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    position: Mapped[int] = mapped_column(Integer)
    # Not a foreign key: the entry is allocated before the credential that embeds it is signed.
    credential_id: Mapped[str] = mapped_column(String(36), index=True)
    is_set: Mapped[bool] = mapped_column(Boolean, default=False)


class IdempotencyRecord(Base):
    """The first response to an ``Idempotency-Key``, replayed for identical retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("issuer_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEvent(Base):
    """Who did what, when: every issuance and every key or token operation."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))  # the person
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ProgrammeAward(Base):
    """A learner's completion of a whole model, recorded once (the credential is issued once)."""

    __tablename__ = "programme_awards"
    __table_args__ = (UniqueConstraint("issuer_id", "learner_email", "model_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    learner_email: Mapped[str] = mapped_column(String(320))
    model_id: Mapped[str] = mapped_column(String(200))
    credential_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ImportJob(Base):
    """A batch of completions: validated up front, then issued row by row (resumable)."""

    __tablename__ = "import_jobs"
    __table_args__ = (UniqueConstraint("issuer_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    role: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the per-row report
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ImportRow(Base):
    """One valid row of a job: pending until the transaction that issues it marks it."""

    __tablename__ = "import_rows"
    # A worker's claim: the job's first pending row, found by one index seek.
    __table_args__ = (Index("ix_import_rows_job_state_row", "job_id", "state", "row"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    request: Mapped[Any] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    credential_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMail(Base):
    """A message to send, written in the transaction of what it reports (a transactional
    outbox): it exists if and only if that action committed, and is delivered afterwards."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # e.g. "credential-issued", "sign-in-link"
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # queued, sent, or failed (given up after the last retry)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffMember(Base):
    """A person who works an issuer's desk, in one role; invited by email, active once they
    have signed in, removed (kept, for the audit trail) when an admin takes them off."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("issuer_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    email: Mapped[str] = mapped_column(String(320), index=True)  # lower case
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # assessor | admin
    state: Mapped[str] = mapped_column(String(16), default="invited")  # invited|active|removed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInLink(Base):
    """An emailed sign-in link: only its SHA-256 is kept; it works once, until it expires."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OidcProvider(Base):
    """An issuer's single sign-on: the employer's OpenID Provider and this service's client
    there (the secret AES-GCM encrypted under the key-encryption key, like private keys)."""

    __tablename__ = "oidc_providers"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), primary_key=True,
                                           autoincrement=False)
    label: Mapped[str] = mapped_column(String(100))  # "Sign in with <label>"
    discovery_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # The email domains accepted (empty: any domain; the person must be staff either way).
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    email_claim: Mapped[str] = mapped_column(String(64), default="email")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class IssuerLogo(Base):
    """An issuer's logo as served (re-encoded PNG, or a sanitised SVG)."""

    __tablename__ = "issuer_logos"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), primary_key=True,
                                           autoincrement=False)
    media_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class LearnerSignInLink(Base):
    """A learner's emailed sign-in link (or an issue email's claim link): only its SHA-256
    is kept; it works once, until it expires, and lands on ``landing`` (a /me path)."""

    __tablename__ = "learner_sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)  # normalised
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    landing: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # swept
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LearnerSession(Base):
    """A learner's signed-in browser: the cookie holds the id, the store its SHA-256."""

    __tablename__ = "learner_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LearnerProfile(Base):
    """A learner's choices: ``public_handle`` (random, unguessable) names their public list
    of credentials while they keep it on; None: no public list."""

    __tablename__ = "learner_profiles"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    public_handle: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WalletOffer(Base):
    """An offer of one credential to the learner's wallet, by VC API exchange or OpenID4VCI
    pre-authorized code: short-lived, used once. The id is a capability (it reaches only the
    signed-in learner); the pre-authorized code is kept encrypted (the by-reference offer
    shows it) and hashed (the token endpoint finds the offer by it)."""

    __tablename__ = "wallet_offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    learner_email: Mapped[str] = mapped_column(String(320))
    challenge: Mapped[str] = mapped_column(String(64))
    pre_authorized_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pre_authorized_code_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    protocol: Mapped[str | None] = mapped_column(String(16))  # vcapi | oid4vci, once used
    bound_credential_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Oid4vciAccessToken(Base):
    """An OpenID4VCI access token, from a wallet offer's pre-authorized code: only its
    SHA-256 is kept; it lasts minutes and buys one credential. One per offer (unique): the
    code is spent when the token is made."""

    __tablename__ = "oid4vci_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("wallet_offers.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Oid4vciNonce(Base):
    """A ``c_nonce`` from the nonce endpoint (its SHA-256): a key proof carries it once,
    within minutes."""

    __tablename__ = "oid4vci_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Oid4vciTxCodeFailure(Base):
    """A wrong transaction code sent for an offer: the third ends the offer."""

    __tablename__ = "oid4vci_tx_code_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("wallet_offers.id"), index=True)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PresentationRequest(Base):
    """A hiring employer's request for credentials: the competencies asked (each with its
    lowest acceptable level), the issuers accepted (None: any), whether the holder must prove
    control of its DID, and until when answers are taken. The id is public: it is in the
    request's link and QR code."""

    __tablename__ = "presentation_requests"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # [{"model", "competency", "level"}]: the level is the lowest that satisfies.
    competencies: Mapped[Any] = mapped_column(JSON)
    accepted_issuers: Mapped[Any] = mapped_column(JSON, nullable=True)
    did_auth: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PresentationAnswer(Base):
    """One holder's answer to a request, written when the answer is recorded (the exchange's
    challenge or OpenID4VP nonce is unique: each is used once) with the verified result; an
    exchange opened but not answered is no row (rows pending from before stay until the
    sweep). Kept for the requesting issuer only, for its retention period."""

    __tablename__ = "presentation_answers"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("presentation_requests.id"),
                                            index=True)
    protocol: Mapped[str] = mapped_column(String(16))  # vcapi | openid4vp
    challenge: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_id: Mapped[str | None] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    holder: Mapped[str | None] = mapped_column(String(500))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)


class OAuthClient(Base):
    """A client of the Open Badges API, registered dynamically (RFC 7591): its metadata as
    registered, and the SHA-256 of its secret (shown once, in the registration answer)."""

    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    client_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class OAuthGrant(Base):
    """One authorization request: the validated request (kept while the learner signs in
    and decides), then the learner's consent and its single-use code. Every token issued
    from it points here, so a code used twice revokes them all."""

    __tablename__ = "oauth_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oauth_clients.client_id"), index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    email: Mapped[str | None] = mapped_column(String(320))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    code_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OAuthToken(Base):
    """An access token and its refresh token (SHA-256 digests only). A refresh rotates:
    this row is revoked and marked rotated, and a new row is issued."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("oauth_grants.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    scope: Mapped[str] = mapped_column(Text)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    access_expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class HeldCredential(Base):
    """A credential a learner holds from elsewhere, stored through the Open Badges API
    after it verified; never one of ours, never served at /credentials/<id>."""

    __tablename__ = "held_credentials"
    __table_args__ = (UniqueConstraint("email", "credential_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    # SHA-256 of the credential's id (or of the whole document when it has none): the
    # upsert's notion of "the same credential"
    credential_key: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    is_jwt: Mapped[bool] = mapped_column(Boolean)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiProfile(Base):
    """A learner's Open Badges API profile: the properties they (through a client) chose to
    keep, under a random identifier of their own."""

    __tablename__ = "api_profiles"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
