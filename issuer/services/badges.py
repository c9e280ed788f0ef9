"""What a stored credential's badge shows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from issuer.services.badge_image import BadgeText
from issuer.services.catalog import catalog
from issuer.services.credentials import credential_row
from issuer.services.profile import logo_png
from issuer.store.models import Completion, Issuer


def badge_text_for_credential(db: Session, credential_id: str) -> tuple[BadgeText, str]:
    """(the badge's words, the stored credential document) for a credential id."""
    with db.begin():
        row = credential_row(db, credential_id)
        issuer = db.get(Issuer, row.issuer_id)
        logo = logo_png(db, issuer.id)
        completion = db.get(Completion, row.completion_id) if row.completion_id else None
        if completion is None:
            label = {"clr": "Learner record", "programme": "Programme completed"}.get(
                row.kind, "Credential")
            return BadgeText(label, issuer.name, issuer.name, logo=logo), row.document
        model = catalog(db).models[completion.model_id]
        competency = model.competency(completion.competency_id)
        return (BadgeText(competency.name, model.title, issuer.name, completion.level, logo),
                row.document)
