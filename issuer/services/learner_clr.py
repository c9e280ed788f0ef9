"""A learner's own learner record (CLR 2.0): credentials they choose from their list, from
any issuers and models, embedded exactly as issued, each verified first, and the record
signed by the service's own platform identity (issuer.services.platform), which assessed
none of them and says so in the record's description.

Placement: each held competency credential is placed in the model its competency belongs to
(competency -> tier -> model associations, as an issuer's own CLR does), for every model the
chosen credentials come from; a programme certificate is held but placed nowhere. There is
no ``partial`` flag: a gathered record makes no claim about completing any one model."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.build import Learner
from credentials.clr import build_gathered_clr_credential, unholdable
from credentials.verify.report import Standing
from issuer.services.catalog import catalog
from issuer.services.context import ServiceContext
from issuer.services.errors import invalid_fields
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.issuance import Audit, Issuance, Issued, NewCredential, issue
from issuer.services.learner_credentials import CREDENTIAL_ID, headline_of
from issuer.services.platform import platform_issuer
from issuer.services.profile import profile_of
from issuer.services.verification import verify
from issuer.store.models import Completion, Credential, Issuer

MAX_HELD = 100  # more than any technician holds; bounds the verification work of one request


def _refusal(db: Session, credential: Credential, issuer: Issuer, context: ServiceContext
             ) -> str | None:
    """Why this credential cannot go into the record, in words, or None."""
    title = headline_of(credential)[0]
    if credential.status == "revoked":
        return (f"{title} ({issuer.name}) is revoked"
                + (f": {credential.status_reason}" if credential.status_reason else ""))
    if credential.status == "suspended":
        return f"{title} ({issuer.name}) is suspended; it can go in once reinstated"
    if not credential.document.startswith("{"):
        return (f"{title} ({issuer.name}) is a VC-JWT: a learner record holds credentials "
                "with an embedded proof, as CLR 2.0 requires")
    document = json.loads(credential.document)
    if reason := unholdable(document):
        return f"{title} ({issuer.name}) {reason}, as CLR 2.0 requires"
    report = verify(db, document, context)
    if report.standing is not Standing.VERIFIED:
        return f"{title} ({issuer.name}) does not verify: {report.reason or report.verdict}"
    return None


def build_own_record(db: Session, context: ServiceContext, email: str,
                     credential_ids: list[str]) -> Issued:
    """Issue the learner's own record of ``credential_ids`` (theirs, in the order chosen),
    signed by the platform identity; Invalid naming every credential that cannot go in."""
    chosen = list(dict.fromkeys(credential_ids))
    if not chosen:
        raise invalid_fields([{"pointer": "/credentialIds", "detail":
                               "choose at least one credential"}])
    if len(chosen) > MAX_HELD:
        raise invalid_fields([{"pointer": "/credentialIds", "detail":
                               f"at most {MAX_HELD} credentials in one record"}])
    base_url = context.base_url
    with db.begin():
        platform = platform_issuer(db)
        rows = {credential.id: (credential, issuer, completion)
                for credential, issuer, completion in db.execute(
                    select(Credential, Issuer, Completion)
                    .join(Issuer, Issuer.id == Credential.issuer_id)
                    .outerjoin(Completion, Completion.id == Credential.completion_id)
                    .where(Credential.id.in_([c for c in chosen if CREDENTIAL_ID.match(c)]),
                           Credential.learner_email == email,
                           Credential.source_id.is_(None))).all()}
        problems = []
        for i, cid in enumerate(chosen):
            if cid not in rows:
                reason = (f"you hold no credential {cid!r}" if CREDENTIAL_ID.match(cid)
                          else "that is not a credential id")
            else:
                reason = _refusal(db, rows[cid][0], rows[cid][1], context)
            if reason:
                problems.append({"pointer": f"/credentialIds/{i}", "detail": reason})
        if problems:
            raise invalid_fields(problems)
        held = [rows[cid] for cid in chosen]
        models = dict.fromkeys(completion.model_id for _c, _i, completion in held
                               if completion is not None)
        crosswalks = []
        for model in models:
            try:
                crosswalks.append(catalog(db).crosswalk_for(model))
            except KeyError:  # a model no longer in the catalogue: held, placed nowhere
                continue
        names = [completion.learner_name for _c, _i, completion in held if completion]
        learner = Learner(names[-1] if names else email.partition("@")[0], email)
        ids = IssuerIdentifiers.for_slug(base_url, platform.slug)
        documents = [json.loads(credential.document) for credential, _i, _c in held]

        def build(new: NewCredential, status: list[dict[str, Any]]) -> dict[str, Any]:
            return build_gathered_clr_credential(
                credential_id=new.url, issuer=profile_of(db, platform, ids.did_web, base_url),
                learner=learner, credentials=documents,
                issuer_names=[issuer.name for _c, issuer, _co in held],
                crosswalks=crosswalks, base_url=base_url, salt=secrets.token_hex(16),
                issued_at=datetime.now(UTC), credential_status=status)

        return issue(db, platform, context.kek, base_url, build, Issuance(
            Audit(None, "clr.gather", {"learner": "self", "credentials": chosen}),
            purposes=("revocation",), kind="clr", learner_email=email, notify=False))
