"""Programme completion: the Certificate a learner earns by holding every competency of a
model, issued exactly once, inside the transaction of the completion that earned it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.build import Learner
from credentials.clr import build_programme_credential, programme_achievement
from credentials.frameworks import Crosswalk
from issuer.services.identifiers import IssuerIdentifiers, credential_url
from issuer.services.issuance import Audit, Issuance, NewCredential, issue
from issuer.services.profile import profile_of
from issuer.store import insert_statement, transaction_lock
from issuer.store.models import Completion, Credential, Issuer, ProgrammeAward
from keys.encryption import KeyEncryptionKey


def held_competencies(db: Session, issuer: Issuer, email: str, crosswalk: Crosswalk,
                      required_level: str) -> dict[str, tuple[str, str]]:
    """competency id -> (credential id, level) for the learner's live credentials that count
    (the highest level wins when a competency was assessed more than once)."""
    rows = db.execute(
        select(Completion.competency_id, Completion.level, Credential.id)
        .join(Credential, Credential.completion_id == Completion.id)
        .where(Completion.issuer_id == issuer.id, Completion.learner_email == email,
               Completion.model_id == crosswalk.model.id, Credential.status != "revoked")
        .order_by(Completion.created_at)).all()
    held: dict[str, tuple[str, str]] = {}
    for competency_id, level, credential_id in rows:
        if crosswalk.framework.meets(level, required_level) and (competency_id not in held
                or crosswalk.framework.meets(level, held[competency_id][1])):
            held[competency_id] = (credential_id, level)
    return held


def award_if_complete(db: Session, issuer: Issuer, learner: Learner, crosswalk: Crosswalk,
                      base_url: str, kek: KeyEncryptionKey, now: datetime
                      ) -> dict[str, str] | None:
    """Issue the programme credential if the learner now holds every competency and has not
    had it yet; returns its id and url when issued by this call."""
    model = crosswalk.model
    # The model's rule, unless the issuer set its own level and this framework has it.
    levels = {level.id for level in crosswalk.framework.levels}
    required = (issuer.programme_level if issuer.programme_level in levels
                else crosswalk.required_level)
    # Two completions committed at once would each read the learner's completions without
    # the other's (READ COMMITTED) and neither would award: the second waits for the first.
    transaction_lock(db, "programme", issuer.id, learner.email, model.id)
    held = held_competencies(db, issuer, learner.email, crosswalk, required)
    if len(held) < len(model.competencies):
        return None
    new = NewCredential.mint(base_url)
    claimed = db.execute(insert_statement(db, ProgrammeAward).values(
        issuer_id=issuer.id, learner_email=learner.email, model_id=model.id,
        credential_id=new.id, created_at=now)
        .on_conflict_do_nothing().returning(ProgrammeAward.id)).first()
    if claimed is None:
        return None
    ids = IssuerIdentifiers.for_slug(base_url, issuer.slug)
    labels = {level.id: level.label for level in crosswalk.framework.levels}
    evidence = [(credential_url(base_url, held[c.id][0]), c.name, labels[held[c.id][1]])
                for c in model.competencies]

    def build(new: NewCredential, status: list[dict[str, Any]]) -> dict[str, Any]:
        return build_programme_credential(
            credential_id=new.url,
            issuer=profile_of(db, issuer, ids.did_web, base_url),
            learner=learner, achievement=programme_achievement(crosswalk, base_url, required),
            evidence=evidence, salt=secrets.token_hex(16), issued_at=now,
            credential_status=status)

    issue(db, issuer, kek, base_url, build, Issuance(
        Audit(None, "programme.award",
              {"model": model.id, "learner": learner.email, "level": required}),
        kind="programme", learner_email=learner.email), new)
    return {"credentialId": new.id, "url": new.url}
