"""Issued credentials: the VC API issue use case, listing and fetching."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from credentials.build import normalise_email, status_property
from credentials.canonical import CanonicalizationError, expand_safely
from credentials.dates import format_datetime
from credentials.proofs.jwt import envelope
from credentials.verify.checks import check_schema
from credentials.verify.report import Outcome
from issuer.problems import Problem
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.identifiers import credential_url
from issuer.services.issuers import get_issuer
from issuer.services.keyring import JWS_ALGORITHMS
from issuer.services.signing import (
    check_identifier,
    issuer_id_of,
    sign_as,
    sign_jwt_as,
    stored_form,
)
from issuer.services.status_lists import status_entries_for
from issuer.store.models import Completion, Credential
from keys.encryption import KeyEncryptionKey

VC_V2 = "https://www.w3.org/ns/credentials/v2"


def _bad(pointer: str, detail: str) -> Problem:
    return Problem(400, "Bad Request", f"{pointer}: {detail}", type_="/problems/validation",
                   errors=[{"pointer": pointer, "detail": detail}])


def issue_credential(db: Session, caller: Caller, credential: Any, options: Any,
                     base_url: str, kek: KeyEncryptionKey) -> dict[str, Any]:
    """VC API ``POST /credentials/issue``: sign a caller-built credential as its issuer."""
    if caller.role not in ("assessor", "admin"):
        raise Problem(403, "Forbidden", "issuing needs an assessor or admin token")
    if not isinstance(credential, Mapping):
        raise _bad("/credential", "must be a JSON object")
    if options is not None and not isinstance(options, Mapping):
        raise _bad("/options", "must be a JSON object")
    options = options or {}
    output_format = options.get("format", "data-integrity")
    if output_format not in ("data-integrity", "jwt"):
        raise _bad("/options/format", "must be 'data-integrity' or 'jwt'")
    algorithm = options.get("algorithm", "RS256")
    if algorithm not in JWS_ALGORITHMS:
        raise _bad("/options/algorithm", f"must be one of {', '.join(JWS_ALGORITHMS)}")
    if "proof" in credential:
        raise _bad("/credential/proof", "the credential to issue must not already have a proof")
    if "credentialStatus" in credential:
        raise _bad("/credential/credentialStatus",
                   "the issuer sets credentialStatus (its own status lists)")
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2:
        raise _bad("/credential/@context", f"must be an array starting with {VC_V2}")
    document = dict(credential)
    credential_id = str(uuid.uuid4())
    document.setdefault("id", credential_url(base_url, credential_id))
    schema = check_schema(document)
    if schema.outcome is Outcome.FAILURE:
        pointer = "/credential" + schema.detail.get("pointer", "").rstrip("/")
        raise _bad(pointer, schema.message)
    with db.begin():
        issuer = get_issuer(db, caller.issuer_slug)
        issuer_id = issuer_id_of(document) or ""
        check_identifier(db, issuer, kek, base_url, issuer_id)
        entries = status_entries_for(db, issuer, issuer_id, credential_id, base_url)
        document["credentialStatus"] = status_property(entries)
        try:
            if output_format == "jwt":
                # The JSON-LD must still be sound, though the JWS signs the bytes.
                expand_safely(document)
                signed, key = sign_jwt_as(db, issuer, kek, base_url, document, algorithm)
            else:
                signed, key = sign_as(db, issuer, kek, base_url, document)
        except CanonicalizationError as error:
            raise _bad("/credential" + error.path, str(error)) from None
        db.add(Credential(id=credential_id, issuer_id=issuer.id, completion_id=None,
                          learner_email=None, signing_key_id=key.id,
                          document=stored_form(signed)))
        record(db, issuer, caller.token_id, "credential.issue", f"credential:{credential_id}",
               {"via": "vc-api", "format": output_format})
    return envelope(signed) if isinstance(signed, str) else signed


MAX_PAGE = 500


def _cursor(row: Credential) -> str:
    raw = json.dumps([row.created_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        created, credential_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(
            cursor) % 4)))
        return datetime.fromisoformat(created), str(credential_id)
    except (ValueError, TypeError):
        raise Problem(400, "Bad Request", "cursor: not a cursor this list gave out",
                      errors=[{"pointer": "cursor", "detail": "unknown cursor"}]) from None


def list_credentials(db: Session, caller: Caller, slug: str, learner: str | None,
                     base_url: str, limit: int = 100,
                     cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the issuer's credentials, newest first, and the cursor of the next page
    (None on the last)."""
    caller.require(slug, ("assessor", "admin"))
    query = (select(Credential, Completion)
             .outerjoin(Completion, Completion.id == Credential.completion_id)
             .where(Credential.issuer_id == caller.issuer_id)
             .order_by(Credential.created_at.desc(), Credential.id)
             .limit(min(max(limit, 1), MAX_PAGE) + 1))
    if learner:
        query = query.where(Credential.learner_email == normalise_email(learner))
    if cursor:
        created, last_id = _after(cursor)
        query = query.where(or_(Credential.created_at < created,
                                and_(Credential.created_at == created, Credential.id > last_id)))
    with db.begin():
        rows = db.execute(query).all()
    more = len(rows) > min(max(limit, 1), MAX_PAGE)
    rows = rows[:min(max(limit, 1), MAX_PAGE)]
    return [{
        "credentialId": credential.id,
        "url": credential_url(base_url, credential.id),
        "issuedAt": format_datetime(credential.created_at.replace(
            tzinfo=credential.created_at.tzinfo or UTC)),
        "learnerEmail": credential.learner_email,
        "competency": f"{completion.model_id}/{completion.competency_id}" if completion else None,
        "level": completion.level if completion else None,
        "status": credential.status,
        "completionId": completion.id if completion else None,
    } for credential, completion in rows], _cursor(rows[-1][0]) if more else None


def credential_row(db: Session, credential_id: str) -> Credential:
    """The stored credential, or 404 (inside the caller's transaction)."""
    try:
        uuid.UUID(credential_id)
    except ValueError:
        raise Problem(404, "Not Found", f"no credential {credential_id!r}") from None
    row = db.get(Credential, credential_id)
    if row is None:
        raise Problem(404, "Not Found", f"no credential {credential_id!r}")
    return row


def credential_document(db: Session, credential_id: str) -> str:
    """The stored text of a credential (JSON or VC-JWT), exactly as issued."""
    with db.begin():
        return credential_row(db, credential_id).document
