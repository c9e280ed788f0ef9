"""What the share page shows about a credential, in words for people."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.dates import parse_datetime
from credentials.proofs.jwt import decode_jwt
from credentials.verify import VerificationReport
from credentials.verify.report import Outcome, Standing
from issuer.services.context import ServiceContext
from issuer.services.credentials import credential_document
from issuer.services.identifiers import credential_url
from issuer.services.learner_sign_in import wallet_page
from issuer.services.verification import verify
from issuer.store.models import Credential, Issuer


@dataclass
class ShareView:
    url: str
    credential_id: str
    json_url: str
    is_jwt: bool
    title: str
    summary: str
    issuer: str
    issued: str
    status_line: str
    status_class: str
    badge_svg: str
    badge_png: str
    badge_alt: str
    baked_png: str
    baked_svg: str
    linkedin: str
    qr_svg: str
    learner: str | None = None
    issuer_logo: str | None = None
    competency: str | None = None
    definition: str | None = None
    level: str | None = None
    model: str | None = None
    completed: str | None = None
    statements: list[str] = field(default_factory=list)
    attribution: str | None = None
    cites_alone: str | None = None  # said when no level statement is cited
    evidence: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)  # a learner record's credentials
    valid_until: str | None = None
    # Its learner's "Add to wallet" page (they sign in first), for a live credential issued
    # to an email address; None for a revoked one or one issued to no one here.
    wallet_path: str | None = None
    # Signed by the service's platform identity (a learner's own record): it gathered what
    # the record holds and assessed none of it, so the page must not say "Issued by".
    gathered: bool = False


COMPETENCY_TYPES = ("CFItem", "ceasn:Competency")  # the latter in credentials before CASE
TONES = {Standing.VERIFIED: "ok", Standing.UNBOUND: "warn"}


def tone(report: VerificationReport) -> str:
    """How to colour the report's result: ok, warn (valid but unbound) or bad."""
    return TONES.get(report.standing, "bad")


def status_line(report: VerificationReport, issuer: str) -> tuple[str, str]:
    """The report's standing in one sentence for the share page, and how to colour it;
    the reason is the report's own."""
    standing = report.standing
    if standing in (Standing.REVOKED, Standing.SUSPENDED):
        line = f"This credential has been {standing.value} by {issuer}. Do not rely on it."
    elif standing is Standing.FAILED:
        line = f"This credential does not verify: {report.reason}."
    elif standing is Standing.UNBOUND:
        unconfirmed = "that part" if report.issuer_bound else "its claims"
        line = f"{report.verdict} Treat {unconfirmed} as unconfirmed."
    else:
        checked = report.check("status").outcome is Outcome.SUCCESS
        line = (f"Verified just now: signature valid, "
                f"{'not revoked' if checked else 'status not checked'}, issued by {issuer}.")
    return line, tone(report)


def _date(value: Any) -> str:
    moment = parse_datetime(value)
    return moment.strftime("%d %B %Y") if moment else _text(value, "")


def _learner(subject: dict[str, Any]) -> str | None:
    for identity in _objs(subject.get("identifier")):
        if identity.get("identityType") == "name" and not identity.get("hashed"):
            return _text(identity.get("identityHash"), None)
    return None


def _safe_url(value: Any) -> str | None:
    """An http(s) URL to link or show; never ``javascript:``, ``data:`` or anything else."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


def _obj(value: Any) -> dict[str, Any]:
    """Credentials from the VC API can hold anything anywhere: read objects defensively."""
    return value if isinstance(value, dict) else {}


def _objs(value: Any) -> list[dict[str, Any]]:
    return [item for item in (value if isinstance(value, list) else [value])
            if isinstance(item, dict)]


def _text(value: Any, default: Any) -> Any:
    return value if isinstance(value, str) else default


def _image_url(image: Any) -> str | None:
    """OB 3.0 ``image``: an Image object with an ``id``, or (VC API credentials) a string."""
    return _safe_url(image.get("id") if isinstance(image, dict) else image)


def _narrative(name: str, narrative: str, url: str | None) -> str:
    """What a narrative says beyond the item's name and link: a programme certificate's
    items read "<name>: <level> (credential <url>)", which the page shows as a link named
    <name> followed by the level, not as the name twice and the raw URL."""
    text = narrative.strip()
    if text.startswith(f"{name}:"):
        text = text[len(name) + 1:].strip()
    if url:
        text = text.replace(f"(credential {url})", "").replace(url, "").strip()
    return "" if text == name else text


def _evidence(evidence: Any) -> list[dict[str, Any]]:
    """Evidence items as objects or plain URL strings, one or a list, each said once."""
    items = evidence if isinstance(evidence, list) else [evidence] if evidence else []
    shown = []
    for item in items:
        entry = item if isinstance(item, dict) else {"id": item}
        name = _text(entry.get("name"), "Evidence")
        url = _safe_url(entry.get("id"))
        shown.append({"name": name, "url": url,
                      "narrative": _narrative(name, _text(entry.get("narrative"), ""), url)})
    return shown


def _achieved_level(subject: dict[str, Any], achievement: dict[str, Any]) -> dict[str, Any]:
    """The rubric level the subject's result names, or {}."""
    result = next(iter(_objs(subject.get("result"))), {})
    levels = {level.get("id"): level
              for description in _objs(achievement.get("resultDescription"))
              for level in _objs(description.get("rubricCriterionLevel"))
              if isinstance(level.get("id"), str)}
    achieved = result.get("achievedLevel")
    return levels.get(achieved, {}) if isinstance(achieved, str) else {}


def headline(credential: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """A credential's name, and the competency and level it attests (when it does), for
    lists that show one line per credential."""
    subject = _obj(credential.get("credentialSubject"))
    achievement = _obj(subject.get("achievement"))
    if achievement.get("achievementType") != "Competency":
        return _text(credential.get("name"), "Credential"), None, None
    return (_text(credential.get("name"), "Credential"), _text(achievement.get("name"), None),
            _text(_achieved_level(subject, achievement).get("name"), None))


def _issuer_name(issuer: Any) -> str | None:
    return _text(issuer.get("name", issuer.get("id")) if isinstance(issuer, dict) else issuer,
                 None)


def _held(subject: dict[str, Any]) -> list[dict[str, Any]]:
    """The credentials a learner record (CLR) holds, one line each: competency, level, link
    and the issuer that assessed and signed it.
    A CLR's subject has a list of achievements and of credentials; a VC-JWT held as a
    string is named by its position only."""
    held = []
    for credential in subject.get("verifiableCredential") or []:
        if not isinstance(credential, dict):
            held.append({"name": "A credential in compact (JWT) form", "level": None,
                         "url": None, "issuer": None})
            continue
        inner = _obj(credential.get("credentialSubject"))
        achievement = _obj(inner.get("achievement"))
        held.append({"name": _text(achievement.get("name"), None)
                     or _text(credential.get("name"), "Credential"),
                     "level": _text(_achieved_level(inner, achievement).get("name"), None),
                     "url": _safe_url(credential.get("id")),
                     "issuer": _issuer_name(credential.get("issuer"))})
    return held


def share_view(db: Session, credential_id: str, context: ServiceContext) -> ShareView:
    base_url = context.base_url
    document = credential_document(db, credential_id)
    is_jwt = not document.startswith("{")
    credential = decode_jwt(document).credential if is_jwt else json.loads(document)
    report = verify(db, document if is_jwt else credential, context)
    issuer = credential.get("issuer", {})
    issuer_name = _issuer_name(issuer) or ""
    line, css = status_line(report, issuer_name)
    url = credential_url(base_url, credential_id)
    subject = _obj(credential.get("credentialSubject"))
    achievement = _obj(subject.get("achievement"))
    name = _text(credential.get("name"), "Credential")
    issued = _date(credential.get("validFrom") or credential.get("issuanceDate"))
    image = _image_url(credential.get("image"))
    if image is None or image.startswith(f"{base_url}/badges/"):
        image = f"{url}/badge.svg"  # this credential's own artwork: its issuer and logo
    moment = parse_datetime(credential.get("validFrom"))
    linkedin = "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": name, "organizationName": issuer_name,
        "issueYear": moment.year if moment else "", "issueMonth": moment.month if moment else "",
        "certUrl": url, "certId": credential_id})
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="svg", xmldecl=False, svgns=True, scale=4,
                                    title="QR code for this credential's link")
    view = ShareView(
        url=url, credential_id=credential_id, json_url=f"{url}?format=json&download=1",
        is_jwt=is_jwt, title=name,
        summary=_text(credential.get("description"), name), issuer=issuer_name, issued=issued,
        status_line=line, status_class=css, badge_svg=image,
        badge_png=image.removesuffix(".svg") + ".png",
        badge_alt=f"Badge: {name}", baked_png=f"{url}/badge.png", baked_svg=f"{url}/badge.svg",
        linkedin=linkedin, qr_svg=qr.getvalue().decode(), learner=_learner(subject),
        issuer_logo=_image_url(issuer.get("image")) if isinstance(issuer, dict) else None)
    if achievement.get("achievementType") == "Competency":
        view.competency = _text(achievement.get("name"), None)
        view.definition = _text(achievement.get("description"), None)
        achieved = _achieved_level(subject, achievement)
        view.level = _text(achieved.get("name"), None)
        view.statements = [_text(a.get("targetDescription"), "")
                           for a in _objs(achieved.get("alignment"))]
        if view.statements:
            view.attribution = _text(achieved.get("description"), "").partition(
                "\n\nSource: ")[2] or None
        elif view.level:
            view.cites_alone = (f"No {view.level} level statement is crosswalked to this "
                                f"competency: this credential cites the competency alone.")
        view.model = next((_text(a.get("targetFramework"), None)
                           for a in _objs(achievement.get("alignment"))
                           if a.get("targetType") in COMPETENCY_TYPES), None)
        view.completed = _date(subject.get("activityEndDate"))
    view.evidence = _evidence(credential.get("evidence"))
    view.held = _held(subject)
    if credential.get("validUntil"):
        view.valid_until = _date(credential.get("validUntil"))
    row = db.get(Credential, credential_id)
    if row is not None and row.learner_email and row.status != "revoked":
        view.wallet_path = wallet_page(row.source_id or row.id)
    if row is not None:
        view.gathered = bool(db.scalar(select(Issuer.is_platform).where(
            Issuer.id == row.issuer_id)))
    return view
