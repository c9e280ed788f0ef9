"""Issued credentials: the VC API issue use case, listing and fetching."""

from __future__ import annotations

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
from credentials.fetch import FetchError, SafeFetcher
from credentials.proofs.jwt import envelope
from credentials.terms import renamed_terms
from credentials.vcdm import (
    VC_V1,
    VC_V2,
    base_context,
    credential_problems,
    issuer_id_of,
    related_resource_problems,
    related_resources_to_retrieve,
)
from credentials.verify.checks import check_schema
from credentials.verify.report import Outcome
from issuer.services.callers import Caller
from issuer.services.errors import VALIDATION, Forbidden, Malformed, NotFound
from issuer.services.identifiers import credential_url
from issuer.services.issuance import Audit, Issuance, NewCredential, issue
from issuer.services.issuers import get_issuer
from issuer.services.keyring import JWS_ALGORITHMS
from issuer.services.namespace import IssuerNamespace
from issuer.store.models import Completion, Credential
from keys import base64url
from keys.encryption import KeyEncryptionKey

# Contexts a VCDM 1.1 credential needs for what the issuer adds: its status entries and its
# Data Integrity proof (VCDM 2.0's base context defines both).
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
OPEN_BADGES_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential",
                     "ClrCredential"}
MAX_RELATED_RESOURCES = 8  # each is fetched to check its digest before signing


def _bad_request(errors: list[dict[str, str]]) -> Malformed:
    first = errors[0]
    return Malformed(f"{first['pointer']}: {first['detail']}",
                     code=VALIDATION, errors=errors)


def _bad_option(pointer: str, detail: str) -> Malformed:
    return _bad_request([{"pointer": pointer, "detail": detail}])


def _refused(problems: list[tuple[str, str]]) -> Malformed:
    """400 naming every problem; the pointers are into the credential, and so the body's
    ``/credential``."""
    return _bad_request([{"pointer": "/credential" + pointer.rstrip("/"), "detail": detail}
                         for pointer, detail in problems])


def _bad(pointer: str, detail: str) -> Malformed:
    return _refused([(pointer, detail)])


def _options(options: Any) -> tuple[str, str]:
    """(format, algorithm) from the request's options."""
    if options is not None and not isinstance(options, Mapping):
        raise _bad_option("/options", "must be a JSON object")
    options = options or {}
    output_format = options.get("format", "data-integrity")
    if output_format not in ("data-integrity", "jwt"):
        raise _bad_option("/options/format", "must be 'data-integrity' or 'jwt'")
    algorithm = options.get("algorithm", "RS256")
    if algorithm not in JWS_ALGORITHMS:
        raise _bad_option("/options/algorithm", f"must be one of {', '.join(JWS_ALGORITHMS)}")
    return output_format, algorithm


def _prepared(credential: Mapping[str, Any], output_format: str, base_url: str,
              credential_id: str) -> dict[str, Any]:
    """The document to sign: the caller's, with the id and (1.1) what the issuer adds."""
    if "proof" in credential:
        raise _bad("/proof", "the credential to issue must not already have a proof")
    document = dict(credential)
    if isinstance(document.get("id"), str) and IssuerNamespace(base_url).governs(document["id"]):
        raise _bad("/id", f"identifiers at {base_url} are minted by this service (another "
                          "credential's URL would then serve a different document): leave "
                          "id out to have one minted")
    document.setdefault("id", credential_url(base_url, credential_id))
    if base_context(document) != VC_V1:
        return document
    types = document.get("type")
    if OPEN_BADGES_TYPES & set(types if isinstance(types, list) else [types]):
        raise _bad("/@context/0", f"Open Badges 3.0 and CLR 2.0 credentials are issued in "
                                  f"VCDM 2.0: the first context must be {VC_V2}")
    if output_format == "jwt":
        raise _bad_option("/options/format", "a VCDM 1.1 credential is issued with a Data "
                                             "Integrity proof; VC-JWT issuance is VCDM 2.0 only")
    document.setdefault("issuanceDate", format_datetime(datetime.now(UTC)))
    document["@context"] = list(document["@context"]) + [
        url for url in (STATUS_CONTEXT, DATA_INTEGRITY_CONTEXT)
        if url not in document["@context"]]
    return document


def _retrieve_related(document: Mapping[str, Any], fetcher: SafeFetcher | None
                      ) -> dict[str, bytes]:
    """The bytes of each HTTPS related resource, to check its digest before signing."""
    wanted = related_resources_to_retrieve(document)
    if not wanted:
        return {}
    if len(wanted) > MAX_RELATED_RESOURCES or fetcher is None:
        raise _bad("/relatedResource", f"at most {MAX_RELATED_RESOURCES} related resources "
                                       "are retrieved to check their digests")
    retrieved = {}
    for url, media_type in wanted:
        try:
            retrieved[url] = fetcher.get_bytes(url, accept=media_type or "*/*")
        except FetchError as error:
            raise _bad("/relatedResource", f"cannot retrieve {url} to check its digest: "
                                           f"{error}") from None
    return retrieved


def issue_credential(db: Session, caller: Caller, credential: Any, options: Any,
                     base_url: str, kek: KeyEncryptionKey, fetcher: SafeFetcher | None = None
                     ) -> dict[str, Any]:
    """VC API ``POST /credentials/issue``: sign a caller-built credential as its issuer.

    Nothing is signed that breaks a VC Data Model MUST (2.0, or 1.1 as the W3C suites still
    send), or that our own verifier would refuse; each problem is named by JSON pointer.
    """
    if caller.role not in ("assessor", "admin"):
        raise Forbidden("issuing needs an assessor or admin token")
    if not isinstance(credential, Mapping):
        raise _refused([("/", "must be a JSON object")])
    output_format, algorithm = _options(options)
    new = NewCredential.mint(base_url)
    document = _prepared(credential, output_format, base_url, new.id)
    problems = credential_problems(document) or renamed_terms(document)
    if problems:
        raise _refused(problems)
    if not isinstance(document["type"], list):
        raise _bad("/type", "the VC API takes type as an array of strings")
    if "credentialStatus" in document:
        raise _bad("/credentialStatus", "the issuer sets credentialStatus (its own status lists)")
    problems = related_resource_problems(document, _retrieve_related(document, fetcher))
    if problems:
        raise _refused(problems)
    schema = check_schema(document)
    if schema.outcome is Outcome.FAILURE:
        raise _bad(schema.detail.get("pointer", "/"), schema.message)
    jwt_algorithm = algorithm if output_format == "jwt" else None

    def build(_new: NewCredential, entries: list[dict[str, Any]]) -> dict[str, Any]:
        document["credentialStatus"] = status_property(entries)
        if jwt_algorithm:  # the JSON-LD must still be sound, though the JWS signs the bytes
            expand_safely(document)
        return document

    with db.begin():
        issuer = get_issuer(db, caller.issuer_slug)
        try:
            signed = issue(db, issuer, kek, base_url, build, Issuance(
                Audit(caller, "credential.issue",
                      {"via": "vc-api", "format": output_format}),
                issuer_id=issuer_id_of(document) or "", jwt_algorithm=jwt_algorithm),
                new).signed
        except CanonicalizationError as error:
            raise _bad(error.path or "/", str(error)) from None
    return envelope(signed) if isinstance(signed, str) else signed


MAX_PAGE = 500


def _cursor(row: Credential) -> str:
    raw = json.dumps([row.created_at.isoformat(), row.id]).encode()
    return base64url.encode(raw)


def _after(cursor: str) -> tuple[datetime, str]:
    """The (created, id) a cursor holds, checked as the store will read them: a UTC time
    within the years a datetime holds and an id of a credential's shape."""
    try:
        created, credential_id = json.loads(base64url.decode(cursor))
        when = datetime.fromisoformat(created).astimezone(UTC)
        if when.tzinfo is None or not isinstance(credential_id, str) or not (
                0 < len(credential_id) <= 36 and credential_id.isprintable()):
            raise ValueError("not a cursor")
        return when, credential_id
    except (ValueError, TypeError, OverflowError):
        raise Malformed("cursor: not a cursor this list gave out",
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
        "issuedAt": format_datetime(credential.created_at),
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
        raise NotFound(f"no credential {credential_id!r}") from None
    row = db.get(Credential, credential_id)
    if row is None:
        raise NotFound(f"no credential {credential_id!r}")
    return row


def credential_document(db: Session, credential_id: str) -> str:
    """The stored text of a credential (JSON or VC-JWT), exactly as issued."""
    with db.begin():
        return credential_row(db, credential_id).document
