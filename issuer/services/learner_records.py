"""Build, sign and store a learner's Comprehensive Learner Record (CLR 2.0)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.build import Learner, normalise_email
from credentials.clr import build_clr_credential, unholdable
from issuer.services import idempotency
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.errors import invalid_fields
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuance import Audit, Issuance, NewCredential, issue
from issuer.services.issuers import get_issuer
from issuer.services.profile import profile_of
from issuer.store.models import Completion, Credential
from keys.encryption import KeyEncryptionKey

JWT_ONLY = ("is a VC-JWT: a CLR holds credentials with an embedded (Data Integrity) proof, "
            "as the CLR 2.0 schema requires")


def _why_not_held(credential: Credential) -> str | None:
    """Why a CLR cannot hold this stored credential (see credentials.clr.unholdable)."""
    if not credential.document.startswith("{"):
        return JWT_ONLY
    reason = unholdable(json.loads(credential.document))
    return f"{reason}, as the CLR 2.0 schema requires" if reason else None


def _selected(db: Session, issuer_id: int, email: str, credential_ids: list[str] | None
              ) -> tuple[list[tuple[Credential, Completion]], dict[str, str]]:
    """The rows to embed, and the live credentials a CLR cannot hold with the reason for
    each; naming a revoked or unholdable credential is a 422."""
    query = (select(Credential, Completion)
             .join(Completion, Completion.id == Credential.completion_id)
             .where(Credential.issuer_id == issuer_id, Credential.learner_email == email)
             .order_by(Credential.created_at, Credential.id))
    if credential_ids is None:
        rows = list(db.execute(query.where(Credential.status != "revoked")).all())
        reasons = {credential.id: _why_not_held(credential) for credential, _ in rows}
        return ([row for row in rows if reasons[row[0].id] is None],
                {cid: reason for cid, reason in reasons.items() if reason})
    rows = {credential.id: (credential, completion)
            for credential, completion in db.execute(query.where(
                Credential.id.in_(credential_ids))).all()}
    problems = []
    for i, cid in enumerate(credential_ids):
        if cid not in rows:
            detail = f"no competency credential {cid!r} for this learner and issuer"
        elif rows[cid][0].status == "revoked":
            detail = f"credential {cid} is revoked"
        elif reason := _why_not_held(rows[cid][0]):
            detail = f"credential {cid} {reason}"
        else:
            continue
        problems.append({"pointer": f"/credentialIds/{i}", "detail": detail})
    if problems:
        raise invalid_fields(problems)
    return [rows[cid] for cid in dict.fromkeys(credential_ids)], {}


def _build(db: Session, caller: Caller, slug: str, email: str,
           credential_ids: list[str] | None, base_url: str, kek: KeyEncryptionKey,
           output_format: str, algorithm: str) -> dict[str, Any]:
    issuer = get_issuer(db, slug)
    rows, left_out = _selected(db, issuer.id, email, credential_ids)
    if not rows:
        raise invalid_fields([{"pointer": "/email", "detail":
                               "this issuer holds no live credentials for this learner"
                               + (f" that a CLR can hold ({len(left_out)} left out: "
                                  f"{next(iter(left_out.values()))})" if left_out
                                  else "")}])
    models = {completion.model_id for _credential, completion in rows}
    if len(models) > 1:
        raise invalid_fields([{"pointer": "/credentialIds", "detail":
                               f"credentials from several models ({', '.join(models)}): "
                               "choose those of one model"}])
    crosswalk = catalog(db).crosswalk_for(models.pop())
    latest = rows[-1][1]
    ids = IssuerIdentifiers.for_slug(base_url, slug)
    credentials = [json.loads(credential.document) for credential, _ in rows]

    def build(new: NewCredential, status: list[dict[str, Any]]) -> dict[str, Any]:
        return build_clr_credential(
            credential_id=new.url,
            issuer=profile_of(db, issuer, ids.did_web, base_url),
            learner=Learner(latest.learner_name, email),
            credentials=credentials,
            crosswalk=crosswalk, base_url=base_url, salt=secrets.token_hex(16),
            issued_at=datetime.now(UTC), credential_status=status)

    issued = issue(db, issuer, kek, base_url, build, Issuance(
        Audit(caller, "clr.issue", {"credentials": [c.id for c, _ in rows]}),
        jwt_algorithm=algorithm if output_format == "jwt" else None,
        # One entry (revocation): CLR 2.0, like OB 3.0, allows one credentialStatus.
        purposes=("revocation",), kind="clr", learner_email=email))
    return {"credentialId": issued.credential.id, "url": issued.credential.url,
            "partial": issued.unsigned.get("partial", False), "credentials": len(rows),
            "leftOut": [{"credentialId": cid, "reason": f"credential {cid} {reason}"}
                        for cid, reason in left_out.items()],
            "credential": issued.signed}


def build_learner_record(db: Session, caller: Caller, slug: str, email: str,
                         credential_ids: list[str] | None, idempotency_key: str | None,
                         base_url: str, kek: KeyEncryptionKey,
                         output_format: str = "data-integrity", algorithm: str = "RS256"
                         ) -> idempotency.StoredResponse:
    """A signed ClrCredential (Data Integrity or VC-JWT) of the learner's credentials from
    this issuer (all live ones by default), stored and served at its id URL."""
    caller.require(slug, ("assessor", "admin"))
    email = normalise_email(email)
    payload = {"email": email, "credentialIds": credential_ids, "format": output_format,
               "algorithm": algorithm}
    return idempotency.run_once(db, caller.issuer_id, idempotency_key, "clr", payload,
                                lambda: _build(db, caller, slug, email, credential_ids,
                                               base_url, kek, output_format, algorithm))
