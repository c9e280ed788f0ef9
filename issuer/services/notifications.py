"""Tell learners what they were issued: one email per credential, queued in the issuance's
own transaction (so it exists exactly when the credential does) and sent later.

The message says what the signed document says (its name, description, achieved level and
that level's statement with its attribution, the issuer's name and image) rather than
restating it from the request, so the email never claims more than the credential.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.issuers import get_issuer
from issuer.services.learner_sign_in import HOME, claim_url
from issuer.services.outbox import Mail, queue_mail
from issuer.store.models import Issuer, OutboxMail

log = logging.getLogger(__name__)

KIND = "credential-issued"
MAX_PER_RECIPIENT_PER_DAY = 50  # more credentials than any technician earns in a day
# What each kind of stored credential is called in the message.
NOUNS = {"achievement": "credential", "programme": "programme certificate",
         "clr": "learner record"}
# PATCH /api/v1/issuers/<slug>/settings: the settings one may change (more may follow).
SETTINGS = {"type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {"learnerMail": {"type": "boolean", "description": "email each "
                                           "learner when a credential is issued to them"}}}
_templates = Environment(loader=PackageLoader("issuer", "templates/mail"),
                         autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class Notice:
    """What one learner is told about one credential."""

    learner_name: str | None
    noun: str  # credential, programme certificate, learner record
    title: str
    summary: str | None
    level: str | None  # the achieved level's name (competency credentials)
    level_statement: str | None  # what that level means, with its source
    issuer_name: str
    issuer_logo: str | None  # the issuer profile's image, when it has one
    share_url: str  # the credential's id URL: its share page in a browser
    wallet_url: str | None = None  # the claim link: signs the learner in (not to forward)
    home_url: str | None = None  # the learner's own page (/me), where they sign in later


def _text(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _image(profile: Mapping[str, Any]) -> str | None:
    image = profile.get("image")
    url = image.get("id") if isinstance(image, Mapping) else image
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def _learner_name(subject: Mapping[str, Any]) -> str | None:
    for identity in subject.get("identifier") or []:
        if isinstance(identity, Mapping) and identity.get("identityType") == "name":
            return _text(identity.get("identityHash"))
    return None


def _achieved_level(subject: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The RubricCriterionLevel the subject's result points at (competency credentials)."""
    achievement = subject.get("achievement")
    results = subject.get("result") or []
    if not isinstance(achievement, Mapping) or not results:
        return None
    achieved = results[0].get("achievedLevel")
    for description in achievement.get("resultDescription") or []:
        for level in description.get("rubricCriterionLevel") or []:
            if level.get("id") == achieved:
                return level
    return None


def notice_for(kind: str, document: Mapping[str, Any]) -> Notice:
    """The notice of an issued (unsigned) document of ``kind``."""
    profile = document.get("issuer")
    profile = profile if isinstance(profile, Mapping) else {}
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    level = _achieved_level(subject)
    statement = level.get("description") if level else None
    return Notice(
        learner_name=_learner_name(subject), noun=NOUNS.get(kind, "credential"),
        title=_text(document.get("name")) or "a credential",
        summary=_text(document.get("description")),
        level=_text(level.get("name")) if level else None,
        level_statement=statement.strip() if isinstance(statement, str) else None,
        issuer_name=_text(profile.get("name")) or "your employer",
        issuer_logo=_image(profile), share_url=str(document["id"]))


def compose(notice: Notice, recipient: str) -> Mail:
    """The message: plain text and HTML (every value escaped in the HTML)."""
    subject = f"{notice.issuer_name} issued you a {notice.noun}: {notice.title}"
    return Mail(KIND, recipient, " ".join(subject.split())[:300],
                _templates.get_template("credential_issued.txt").render(notice=notice),
                _templates.get_template("credential_issued.html").render(notice=notice))


def queue_credential_notice(db: Session, issuer: Issuer, kind: str,
                            document: Mapping[str, Any], learner_email: str,
                            base_url: str, credential_id: str) -> None:
    """Queue the learner's email in the issuance's transaction, unless the issuer opted out.
    It carries a single-use claim link (one row more: issuer.services.learner_sign_in) that
    signs the learner in onto the credential's "Add to wallet" page. Composing it never
    fails the issuance: a document it cannot describe is logged, and the credential is
    issued without its email."""
    if not issuer.learner_mail:
        return
    since = datetime.now(UTC) - timedelta(days=1)
    sent = db.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.issuer_id == issuer.id, OutboxMail.recipient == learner_email,
        OutboxMail.created_at >= since))
    if sent >= MAX_PER_RECIPIENT_PER_DAY:  # a leaked token must not make us a mail cannon
        log.warning("issuer %s: no email to a learner already sent %d today", issuer.slug,
                    sent)
        return
    try:
        notice = notice_for(kind, document)
    except Exception:  # the credential matters more than its email
        log.exception("no email composed for credential %s", document.get("id"))
        return
    wallet_url = claim_url(db, base_url, learner_email, credential_id)
    queue_mail(db, compose(replace(notice, wallet_url=wallet_url,
                                   home_url=base_url.rstrip("/") + HOME), learner_email),
               issuer.id)


def mail_settings(db: Session, caller: Caller, slug: str, learner_mail: bool | None = None
                  ) -> dict[str, Any]:
    """The issuer's mail settings (admins), changed first when ``learner_mail`` is given."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        if learner_mail is not None and learner_mail != issuer.learner_mail:
            issuer.learner_mail = learner_mail
            record(db, issuer, caller.token_id, "issuer.mail", f"issuer:{slug}",
                   {"learnerMail": learner_mail})
        return {"slug": slug, "learnerMail": issuer.learner_mail}
