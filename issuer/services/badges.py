"""What a stored credential's badge shows."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from issuer.services.badge_image import BadgeText
from issuer.services.catalog import catalog
from issuer.services.credential_view import claims
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
        name = issuer_name_in(row.document) or issuer.name
        if completion is None:
            label = {"clr": "Learner record", "programme": "Programme completed"}.get(
                row.kind, "Credential")
            return BadgeText(label, name, name, logo=logo), row.document
        model = catalog(db).models[completion.model_id]
        competency = model.competency(completion.competency_id)
        return (BadgeText(competency.name, model.title, name, completion.level, logo),
                row.document)


def issuer_name_in(document: str) -> str | None:
    """The issuer's name as the signed credential carries it (a JSON document or a VC-JWT):
    the artwork says what the credential says, even after the profile is renamed."""
    credential: Any = document
    if document.lstrip().startswith("{"):
        try:
            credential = json.loads(document)
        except ValueError:
            return None
    issuer = claims(credential).get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None
