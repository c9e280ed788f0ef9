"""The desk's table of issued credentials: one page at a time, searched and filtered, in the
words a coordinator uses (learner names, competency names, dates, status and its reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.identifiers import credential_url
from issuer.store.models import Completion, Credential, StatusEntry, StatusList

PAGE_SIZE = 25
STATUSES = ("active", "suspended", "revoked")
KINDS = {"achievement": "Competency", "programme": "Programme certificate",
         "clr": "Learner record"}


@dataclass(frozen=True)
class TableQuery:
    """What the coordinator asked to see; every part optional."""

    search: str = ""
    status: str = ""
    competency: str = ""  # "<model>/<competency>"
    kind: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> TableQuery:
        """From a query string, ignoring values no filter has (a stale bookmark still works)."""
        try:
            page = max(1, min(int(args.get("page", 1)), 1_000_000))
        except ValueError:
            page = 1
        status = args.get("status", "")
        kind = args.get("kind", "")
        return cls(search=args.get("q", "").strip()[:200],
                   status=status if status in STATUSES else "",
                   competency=args.get("competency", "")[:400],
                   kind=kind if kind in KINDS else "", page=page)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for this query with ``changes`` (links to other pages)."""
        values = {"q": self.search, "status": self.status, "competency": self.competency,
                  "kind": self.kind, "page": self.page, **changes}
        return {key: value for key, value in values.items() if value not in ("", None, 1)}

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.status or self.competency or self.kind)


@dataclass(frozen=True)
class TablePage:
    rows: list[dict[str, Any]]
    total: int  # rows matching the query, over every page
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _filtered(query: Select[Any], caller: Caller, wanted: TableQuery,
              names: dict[str, str]) -> Select[Any]:
    query = query.where(Credential.issuer_id == caller.issuer_id)
    if wanted.status:
        query = query.where(Credential.status == wanted.status)
    if wanted.kind:
        query = query.where(Credential.kind == wanted.kind)
    if wanted.competency:
        model_id, _, competency_id = wanted.competency.partition("/")
        query = query.where(Completion.model_id == model_id,
                            Completion.competency_id == competency_id)
    if wanted.search:
        term = wanted.search
        matching = [key for key, name in names.items() if term.lower() in name.lower()]
        clauses = [Completion.learner_name.icontains(term, autoescape=True),
                   Credential.learner_email.icontains(term, autoescape=True),
                   Credential.id.istartswith(term, autoescape=True)]
        if matching:
            clauses.append(or_(*(and_(Completion.model_id == key.partition("/")[0],
                                      Completion.competency_id == key.partition("/")[2])
                                 for key in matching[:100])))
        query = query.where(or_(*clauses))
    return query


def _day(value: date | datetime | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def list_for_desk(db: Session, caller: Caller, slug: str, wanted: TableQuery,
                  base_url: str) -> TablePage:
    """One page of the issuer's credentials matching ``wanted``, newest first."""
    caller.require(slug, ("assessor", "admin"))
    with db.begin():
        data = catalog(db)
        names = {f"{model.id}/{c.id}": c.name for model in data.models.values()
                 for c in model.competencies}
        levels = {level.id: level.label for framework in data.frameworks.values()
                  for level in framework.levels}
        titles = {model.id: model.title for model in data.models.values()}
        base = select(Credential).outerjoin(Completion,
                                            Completion.id == Credential.completion_id)
        total = db.scalar(_filtered(base, caller, wanted, names)
                          .with_only_columns(func.count(Credential.id)).order_by(None)) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(wanted.page, pages)
        learner_name = (select(func.max(Completion.learner_name))
                        .where(Completion.issuer_id == Credential.issuer_id,
                               Completion.learner_email == Credential.learner_email)
                        .correlate(Credential).scalar_subquery())
        can_suspend = exists().where(StatusEntry.credential_id == Credential.id,
                                     StatusEntry.status_list_id == StatusList.id,
                                     StatusList.purpose == "suspension")
        rows = db.execute(_filtered(
            select(Credential, Completion, learner_name, can_suspend)
            .outerjoin(Completion, Completion.id == Credential.completion_id),
            caller, wanted, names)
            .order_by(Credential.created_at.desc(), Credential.id)
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    shown = []
    for credential, completion, name, suspendable in rows:
        key = f"{completion.model_id}/{completion.competency_id}" if completion else None
        shown.append({
            "credentialId": credential.id, "url": credential_url(base_url, credential.id),
            "kind": credential.kind, "kindName": KINDS.get(credential.kind, credential.kind),
            "learnerName": (completion.learner_name if completion else name) or "",
            "learnerEmail": credential.learner_email or "",
            "competency": names.get(key, key) if key else _record_name(credential, titles),
            "level": levels.get(completion.level, completion.level) if completion else "",
            "completedOn": _day(completion.completed_on) if completion else "",
            "validUntil": _day(completion.valid_until) if completion else "",
            "issuedOn": _day(credential.created_at),
            "status": credential.status, "reason": credential.status_reason or "",
            "statusChangedOn": _day(credential.status_changed_at),
            "canSuspend": bool(suspendable),
        })
    return TablePage(shown, total, page, pages)


def _record_name(credential: Credential, titles: dict[str, str]) -> str:
    """A programme certificate or learner record has no one competency: say which kind."""
    if len(titles) == 1 and credential.kind == "programme":
        return f"Programme: {next(iter(titles.values()))}"
    return KINDS.get(credential.kind, credential.kind)
