"""Presentation requests: a hiring employer asks candidates' wallets for credentials.

A request names competencies (model and competency from the imported frameworks), the lowest
level of each that satisfies (the model's framework's levels, in their order), the issuers
accepted (any, or a list of identifiers), whether the holder must prove control of its DID,
and when it stops taking answers. Staff of the issuer (assessor or admin) create and read
them; the answers (issuer.services.presentation_requests_answers) are theirs alone, kept for
the issuer's retention period. Each function runs in the caller's transaction.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from credentials.dates import format_datetime, parse_datetime
from credentials.frameworks import Catalog
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.errors import VALIDATION, Malformed, NotFound, invalid_fields
from issuer.services.field_text import bad_character
from issuer.services.issuers import find_issuer
from issuer.store.models import Issuer, PresentationAnswer, PresentationRequest
from keys import base64url

ROLES = ("assessor", "admin")
SETTINGS_ROLES = ("admin",)
DEFAULT_LIFETIME = timedelta(days=14)
MAX_LIFETIME = timedelta(days=365)
MAX_COMPETENCIES = 20
MAX_ANSWERS = 200  # answers kept per request: a request open to anyone stays readable
ANSWERS_PAGE = 25  # answers per page of the results, by default (the desk's page)
MAX_ANSWERS_PAGE = 100
MAX_ISSUERS = 20
MAX_RETENTION_DAYS = 3650
OB_TYPE = "OpenBadgeCredential"
OB_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
OB_CONTEXT = ["https://www.w3.org/ns/credentials/v2",
              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
# Our credentials align their Achievement to the competency's CASE item with this target
# type and the code "<model>/<competency>" (credentials.achievements.build_achievement).
COMPETENCY_TARGET_TYPE = "CFItem"


@dataclass(frozen=True)
class Asked:
    """One competency asked for, at this level or above."""

    model: str
    competency: str
    level: str

    @property
    def code(self) -> str:
        return f"{self.model}/{self.competency}"


def asked(request: PresentationRequest) -> list[Asked]:
    return [Asked(item["model"], item["competency"], item["level"])
            for item in request.competencies]


def _problem(pointer: str, detail: str) -> dict[str, str]:
    return {"pointer": pointer, "detail": detail}


def _read_competencies(data: Catalog, items: Any) -> tuple[list[Asked], list[dict[str, str]]]:
    """The asked competencies, each checked against the catalog, and what is wrong."""
    if not isinstance(items, list) or not items:
        return [], [_problem("/competencies", "ask for at least one competency")]
    if len(items) > MAX_COMPETENCIES:
        return [], [_problem("/competencies", f"ask for at most {MAX_COMPETENCIES} "
                                              "competencies in one request")]
    found: list[Asked] = []
    errors: list[dict[str, str]] = []
    for n, item in enumerate(items):
        where = f"/competencies/{n}"
        code = item.get("competency") if isinstance(item, dict) else None
        level = item.get("level") if isinstance(item, dict) else None
        if not isinstance(code, str) or code.count("/") != 1:
            errors.append(_problem(f"{where}/competency", "give the competency as "
                                                          "'<model>/<competency>'"))
            continue
        model_id, competency_id = code.split("/")
        try:
            crosswalk = data.crosswalk_for(model_id)
            crosswalk.model.competency(competency_id)
        except KeyError:
            errors.append(_problem(f"{where}/competency",
                                   f"no competency {code!r} in the imported models"))
            continue
        levels = [known.id for known in crosswalk.framework.levels]
        if level not in levels:
            errors.append(_problem(f"{where}/level", f"choose one of {', '.join(levels)}"))
            continue
        if any(a.code == code for a in found):
            errors.append(_problem(f"{where}/competency", f"{code} is asked for twice"))
            continue
        found.append(Asked(model_id, competency_id, level))
    return found, errors


def _read_issuers(value: Any) -> tuple[list[str] | None, list[dict[str, str]]]:
    """None (any issuer) or the accepted issuer identifiers (DIDs or URLs)."""
    if value is None or value == "any":
        return None, []
    if not isinstance(value, list) or not value or len(value) > MAX_ISSUERS:
        return None, [_problem("/acceptedIssuers", f"'any', or a list of 1 to {MAX_ISSUERS} "
                                                   "issuer identifiers")]
    errors = []
    for n, issuer in enumerate(value):
        if not isinstance(issuer, str) or len(issuer) > 500 or bad_character(issuer) or \
                not (issuer.startswith("did:") or urlsplit(issuer).scheme in ("https", "http")):
            errors.append(_problem(f"/acceptedIssuers/{n}", "an issuer identifier: a DID or "
                                                            "an http(s) URL"))
    return list(dict.fromkeys(value)), errors


def _read_expiry(value: Any, now: datetime) -> tuple[datetime, list[dict[str, str]]]:
    if value is None:
        return now + DEFAULT_LIFETIME, []
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment <= now or moment > now + MAX_LIFETIME:
        return now, [_problem("/expires", "a date-time in the next 365 days")]
    return moment, []


def _issuer(db: Session, slug: str) -> Issuer:
    issuer = find_issuer(db, slug)
    if issuer is None:
        raise NotFound(f"no issuer {slug!r}")
    return issuer


def create_request(db: Session, caller: Caller, slug: str, body: dict[str, Any],
                   *, now: datetime | None = None) -> PresentationRequest:
    """A new request from a checked JSON body (``title``, ``competencies``: [{competency,
    level}], ``acceptedIssuers``, ``didAuthentication``, ``expires``); Invalid names each
    field at fault."""
    caller.require(slug, ROLES)
    with db.begin():
        return _create(db, _issuer(db, slug), caller, body, now or datetime.now(UTC))


def _create(db: Session, issuer: Issuer, caller: Caller, body: dict[str, Any], now: datetime
            ) -> PresentationRequest:
    title = body.get("title")
    errors = []
    if not isinstance(title, str) or not title.strip() or len(title) > 200 or \
            bad_character(title):
        errors.append(_problem("/title", "a title of 1 to 200 characters, for the candidate "
                                         "and the results"))
    found, problems = _read_competencies(catalog(db), body.get("competencies"))
    issuers, issuer_problems = _read_issuers(body.get("acceptedIssuers"))
    expires, expiry_problems = _read_expiry(body.get("expires"), now)
    did_auth = body.get("didAuthentication", True)
    if not isinstance(did_auth, bool):
        errors.append(_problem("/didAuthentication", "true or false"))
    errors += problems + issuer_problems + expiry_problems
    if errors:
        raise invalid_fields(errors)
    request = PresentationRequest(
        id=secrets.token_urlsafe(24), issuer_id=issuer.id, title=title.strip(),
        competencies=[{"model": a.model, "competency": a.competency, "level": a.level}
                      for a in found],
        accepted_issuers=issuers, did_auth=did_auth,
        created_by=caller.person or f"API token {caller.token_id}", created_at=now,
        expires_at=expires)
    db.add(request)
    db.flush()
    return request


def kept_since(issuer: Issuer, now: datetime) -> datetime:
    """Answers before this are past the issuer's retention period: no read shows them,
    whether or not the sweep has deleted them yet."""
    return now - timedelta(days=issuer.answer_retention_days)


@dataclass(frozen=True)
class AnswerPage:
    """The issuer's request, one page of its answers (newest first), how many it has in
    all, and the cursor of the next page (None on the last)."""

    request: PresentationRequest
    answers: list[PresentationAnswer]
    total: int
    next_cursor: str | None


def request_with_answers(db: Session, caller: Caller, slug: str, request_id: str, *,
                         cursor: str | None = None, limit: int = ANSWERS_PAGE,
                         now: datetime | None = None) -> AnswerPage:
    """The issuer's request and a page of its answers kept (pending exchanges and answers
    past the retention period aside), newest first, for its staff only (NotFound for anyone
    else's)."""
    caller.require(slug, ROLES)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_ANSWERS_PAGE:
        raise Malformed(f"limit: 1 to {MAX_ANSWERS_PAGE}", code=VALIDATION)
    with db.begin():
        issuer = _issuer(db, slug)
        request = _owned(db, issuer, request_id)
        kept = (PresentationAnswer.request_id == request.id,
                PresentationAnswer.answered_at >= kept_since(issuer, now or datetime.now(UTC)))
        total = db.scalar(select(func.count()).select_from(PresentationAnswer).where(*kept))
        query = select(PresentationAnswer).where(*kept)
        if cursor is not None:
            when, answer_id = _after(cursor)
            query = query.where(or_(PresentationAnswer.answered_at < when, and_(
                PresentationAnswer.answered_at == when, PresentationAnswer.id < answer_id)))
        rows = list(db.scalars(query.order_by(PresentationAnswer.answered_at.desc(),
                                              PresentationAnswer.id.desc()).limit(limit + 1)))
        more = rows[limit:]
        rows = rows[:limit]
        return AnswerPage(request, rows, total or 0, _cursor(rows[-1]) if more else None)


def _cursor(answer: PresentationAnswer) -> str:
    return base64url.encode(json.dumps([answer.answered_at.isoformat(), answer.id]).encode())


def _after(cursor: str) -> tuple[datetime, str]:
    """The (answered, id) a cursor holds, checked before the store reads them."""
    try:
        answered, answer_id = json.loads(base64url.decode(cursor))
        when = datetime.fromisoformat(answered)
        if when.tzinfo is None or not isinstance(answer_id, str) or \
                not 0 < len(answer_id) <= 43:
            raise ValueError("not a cursor")
        return when.astimezone(UTC), answer_id
    except (ValueError, TypeError, OverflowError):
        raise Malformed("cursor: not a cursor this list gave out", code=VALIDATION) from None


def _owned(db: Session, issuer: Issuer, request_id: str) -> PresentationRequest:
    request = db.get(PresentationRequest, request_id) \
        if isinstance(request_id, str) and len(request_id) <= 43 else None
    if request is None or request.issuer_id != issuer.id:
        raise NotFound(f"no presentation request {request_id!r} of issuer {issuer.slug!r}")
    return request


def list_requests(db: Session, caller: Caller, slug: str) -> list[tuple[PresentationRequest,
                                                                        int]]:
    """The issuer's requests, newest first, each with how many answers it has."""
    caller.require(slug, ROLES)
    with db.begin():
        return _listed(db, _issuer(db, slug))


def _listed(db: Session, issuer: Issuer) -> list[tuple[PresentationRequest, int]]:
    answers = (select(PresentationAnswer.request_id, func.count().label("n"))
               .where(PresentationAnswer.answered_at >= kept_since(issuer, datetime.now(UTC)))
               .group_by(PresentationAnswer.request_id).subquery())
    rows = db.execute(select(PresentationRequest, func.coalesce(answers.c.n, 0))
                      .outerjoin(answers, answers.c.request_id == PresentationRequest.id)
                      .where(PresentationRequest.issuer_id == issuer.id)
                      .order_by(PresentationRequest.created_at.desc()).limit(500)).all()
    return [(row[0], row[1]) for row in rows]


def request_view(request: PresentationRequest, base_url: str, slug: str,
                 answers: int | None = None) -> dict[str, Any]:
    """The request as the API shows it."""
    view = {
        "id": request.id, "title": request.title,
        "url": f"{base_url}/api/v1/issuers/{slug}/presentation-requests/{request.id}",
        "link": interaction_url(base_url, request.id),
        "competencies": [{"competency": a.code, "level": a.level} for a in asked(request)],
        "acceptedIssuers": request.accepted_issuers or "any",
        "didAuthentication": request.did_auth,
        "createdBy": request.created_by,
        "created": format_datetime(request.created_at),
        "expires": format_datetime(request.expires_at),
    }
    if answers is not None:
        view["answers"] = answers
    return view


def answer_view(answer: PresentationAnswer) -> dict[str, Any]:
    return {"id": answer.id, "protocol": answer.protocol, "holder": answer.holder,
            "answered": format_datetime(answer.answered_at) if answer.answered_at else None,
            "satisfied": answer.satisfied, **(answer.result or {})}


def interaction_url(base_url: str, request_id: str) -> str:
    """The request's link: a page for people, the ``protocols`` object with ``?iuv=1``."""
    return f"{base_url}/interactions/present/{request_id}"


def retention_days(db: Session, caller: Caller, slug: str, days: int | None = None) -> int:
    """How many days the issuer keeps answers; with ``days`` (admins), change it first."""
    caller.require(slug, ROLES if days is None else SETTINGS_ROLES)
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or
                             not 1 <= days <= MAX_RETENTION_DAYS):
        raise invalid_fields([_problem("/answerRetentionDays",
                                       f"a whole number of days, 1 to {MAX_RETENTION_DAYS}")])
    with db.begin():
        issuer = _issuer(db, slug)
        if days is not None:
            issuer.answer_retention_days = days
        return issuer.answer_retention_days


def credential_query(request: PresentationRequest, item: Asked, data: Catalog
                     ) -> dict[str, Any]:
    """A QueryByExample ``credentialQuery`` for one asked competency: an OpenBadgeCredential
    whose achievement is aligned to the competency (the level is said in ``reason``: an
    example cannot say "this level or above")."""
    level = data.crosswalk_for(item.model).framework.level(item.level).label
    name = data.crosswalk_for(item.model).model.competency(item.competency).name
    query: dict[str, Any] = {
        "reason": f"{request.title}: {name} at {level} or above",
        "required": True,
        "example": {"@context": OB_CONTEXT, "type": OB_TYPE, "credentialSubject": {
            "achievement": {"alignment": [{"targetCode": item.code,
                                           "targetType": COMPETENCY_TARGET_TYPE}]}}},
    }
    if request.accepted_issuers:
        query["trustedIssuer"] = [{"required": True, "issuer": issuer}
                                  for issuer in request.accepted_issuers]
    return query


def dcql_query(request: PresentationRequest) -> dict[str, Any]:
    """The OpenID4VP DCQL query: per asked competency, an OpenBadgeCredential (its type as
    the expanded IRI, as OpenID4VP's W3C VC profile says) as ldp_vc or jwt_vc_json whose
    achievement's alignment carries the competency's code; ``credential_sets`` make one of
    the two formats required for each competency. The level and accepted issuers are
    checked on the answer: DCQL cannot say "this level or above"."""
    credentials: list[dict[str, Any]] = []
    sets: list[dict[str, Any]] = []
    path = ["credentialSubject", "achievement", "alignment", None, "targetCode"]
    for n, item in enumerate(asked(request)):
        options = []
        for fmt in ("ldp_vc", "jwt_vc_json"):
            query_id = f"c{n}_{fmt}"
            options.append([query_id])
            credentials.append({"id": query_id, "format": fmt,
                                "meta": {"type_values": [[OB_TYPE_IRI]]},
                                "claims": [{"path": path, "values": [item.code]}]})
        sets.append({"options": options, "required": True})
    return {"credentials": credentials, "credential_sets": sets}


def presentation_request(request: PresentationRequest, data: Catalog, challenge: str,
                         domain: str) -> dict[str, Any]:
    """The VC API ``verifiablePresentationRequest``: DIDAuthentication (when the holder must
    prove control) and a QueryByExample per asked competency, with this exchange's
    challenge and our domain."""
    query: list[dict[str, Any]] = []
    if request.did_auth:
        query.append({"type": "DIDAuthentication",
                      "acceptedMethods": [{"method": "key"}, {"method": "web"}],
                      "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"},
                                               {"cryptosuite": "Ed25519Signature2020"}]})
    query.append({"type": "QueryByExample", "credentialQuery": [
        credential_query(request, item, data) for item in asked(request)]})
    return {"query": query, "challenge": challenge, "domain": domain}


def competency_choices(db: Session) -> list[dict[str, Any]]:
    """What the desk's form offers: each model's competencies, with the model's levels."""
    with db.begin():
        data = catalog(db)
        choices = []
        for model_id in data.models:
            try:
                crosswalk = data.crosswalk_for(model_id)
            except KeyError:  # no levels yet: nothing to ask at a level
                continue
            levels = [{"id": level.id, "label": level.label}
                      for level in crosswalk.framework.levels]
            choices += [{"code": f"{model_id}/{c.id}", "name": c.name,
                         "model": crosswalk.model.title, "levels": levels}
                        for c in crosswalk.model.competencies]
        return choices
