"""Batch issuance: a cohort's completions checked together, then issued row by row.

Every row is checked before anything is issued, and the caller gets a report naming each bad
row's number, field and problem. The valid rows become an import job. Each row is issued in a
transaction of its own that claims the row and marks it issued, so a job interrupted at any
point (a killed process, a lost database connection) resumes with exactly the rows that are
left: none twice, none skipped. Any number of workers can share one job: each claims rows no
other holds (issuer/operations/imports.py puts the work on the task queue).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from credentials.dates import format_datetime
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.completions import (
    CompletionRequest,
    issue_completion,
    meaning_errors,
)
from issuer.services.errors import (
    VALIDATION,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    TooLarge,
    Unavailable,
    invalid_fields,
)
from issuer.services.field_text import printable, text_errors, text_problem
from issuer.services.idempotency import check_key, request_hash
from issuer.services.issuers import get_issuer
from issuer.services.keyring import require_matching_kek
from issuer.services.request_schemas import COMPLETION_VALIDATOR, schema_errors
from issuer.store.models import ApiToken, ImportJob, ImportRow, Issuer, StaffMember
from keys.encryption import KeyEncryptionKey

log = logging.getLogger(__name__)

CSV_COLUMNS = ("learner_name", "learner_email", "competency", "level", "completed_on",
               "evidence")
FIELDS = {"/learner/name": "learner_name", "/learner/email": "learner_email",
          "/learner": "learner", "/competency": "competency", "/level": "level",
          "/completedOn": "completed_on", "/evidence": "evidence"}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Batch:
    """The rows of one upload, numbered from 1 (the first data row of a CSV file)."""
    rows: list[tuple[int, Any]]
    csv: bool

    @property
    def digest_payload(self) -> list[Any]:
        return [body for _row, body in self.rows]


def from_json(items: Any) -> Batch:
    if not isinstance(items, list):
        raise Malformed("the body must be a JSON array of completions "
                        "(or text/csv)")
    return _limited(Batch(list(enumerate(items, start=1)), csv=False))


def from_csv(text: str) -> Batch:
    """Rows of a CSV file whose header names the columns in ``CSV_COLUMNS``."""
    try:
        return _limited(_csv_rows(text))
    except csv.Error as error:
        raise Malformed(f"the CSV cannot be read: {error}") from None


def _csv_rows(text: str) -> Batch:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS if column != "evidence"
               and column not in header]
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if missing or unknown:
        raise invalid_fields([{"pointer": "/header", "detail":
                               f"the header must name {', '.join(CSV_COLUMNS)}"
                               + (f"; missing {', '.join(missing)}" if missing else "")
                               + (f"; unknown {', '.join(unknown)}" if unknown else "")}])
    reader.fieldnames = header
    rows = []
    for number, record in enumerate(reader, start=1):
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        body: dict[str, Any] = {
            "learner": {"name": values.get("learner_name", ""),
                        "email": values.get("learner_email", "")},
            "competency": values.get("competency", ""), "level": values.get("level", ""),
            "completedOn": values.get("completed_on", "")}
        evidence = values.get("evidence", "")
        if evidence:
            item = {"name": "Evidence", "narrative": evidence}
            if evidence.startswith(("https://", "http://")) and " " not in evidence:
                item["url"] = evidence
            body["evidence"] = [item]
        if None in record:
            body["unexpected"] = "more values than the header has columns"
        rows.append((number, body))
    return Batch(rows, csv=True)


def _limited(batch: Batch) -> Batch:
    if not batch.rows:
        raise Invalid("the batch has no rows",
                      code=VALIDATION)
    if len(batch.rows) > MAX_ROWS:
        raise TooLarge(f"a batch holds at most {MAX_ROWS} rows; this one has {len(batch.rows)}")
    return batch


def check_rows(db: Session, batch: Batch) -> tuple[list[tuple[int, dict]], list[dict]]:
    """(valid rows, report of invalid ones as {"row", "field", "message"})."""
    data = catalog(db)
    today = datetime.now(UTC).date()
    valid, invalid = [], []
    for number, body in batch.rows:
        errors = [(e["pointer"], e["detail"]) for e in schema_errors(COMPLETION_VALIDATOR, body)]
        if isinstance(body, dict):  # every field's problem at once, not one round at a time
            flagged = frozenset("/" + pointer.split("/")[1] for pointer, _detail in errors
                                if pointer.startswith("/"))
            errors += [(e["pointer"], e["detail"])
                       for e in meaning_errors(data, body, today, flagged)]
        if errors:
            invalid.extend({"row": number, "field": _field(pointer, batch.csv), "message": text}
                           for pointer, text in errors)
        else:
            valid.append((number, body))
    return valid, invalid


def _field(pointer: str, is_csv: bool) -> str:
    if not is_csv:
        return pointer or "/"
    for prefix, column in FIELDS.items():
        if pointer.startswith(prefix):
            return column
    return pointer.strip("/") or "row"


def check_batch_text(batch: Batch) -> None:
    """400 naming every row and field whose text holds a character no field may (NUL, a
    control character): the whole upload is refused, as a single completion would be."""
    bad = [(number, _field(error["pointer"], batch.csv).strip("/"), error["detail"])
           for number, body in batch.rows for error in text_errors(body)]
    if not bad:
        return
    rows = sorted({number for number, _field_name, _detail in bad})
    listed = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
    number, field, detail = bad[0]
    raise text_problem([{"pointer": f"/rows/{n}/{f}", "detail": d} for n, f, d in bad[:200]],
                       detail=f"row {number}, {field}: {detail} (rows refused: {listed})")


def create_job(db: Session, caller: Caller, slug: str, batch: Batch,
               idempotency_key: str | None, kek: KeyEncryptionKey) -> tuple[ImportJob, bool]:
    """Check every row and record the job; (job, replayed). Nothing is issued here.

    A host whose key-encryption key is not the store's records nothing (503): a job it
    recorded would be issued by a good host while its caller, told 503, sent it again.

    A repeated Idempotency-Key with the same rows returns the first job (a retried upload
    issues nothing twice); with other rows it is a 409. A batch without a valid row is a 422
    carrying the whole report, and records nothing.
    """
    caller.require(slug, ("assessor", "admin"))
    check_key(idempotency_key)
    check_batch_text(batch)
    digest = request_hash("batch", batch.digest_payload)
    try:
        with db.begin():
            require_matching_kek(db, kek)
            issuer = get_issuer(db, slug)
            existing = _earlier_job(db, issuer.id, idempotency_key, digest)
            if existing is not None:
                return existing, True
            valid, invalid = check_rows(db, batch)
            if not valid:
                raise invalid_fields(
                    [{"pointer": f"/rows/{e['row']}/{e['field'].strip('/')}",
                      "detail": e["message"]} for e in invalid[:200]],
                    detail=f"none of the {len(batch.rows)} rows is valid")
            job = ImportJob(id=str(uuid.uuid4()), issuer_id=issuer.id,
                            token_id=caller.token_id, staff_id=caller.staff_id,
                            role=caller.role, idempotency_key=idempotency_key,
                            request_hash=digest, total=len(batch.rows), invalid=invalid)
            db.add(job)
            db.flush()
            db.add_all(ImportRow(job_id=job.id, row=number, request=body, state="pending")
                       for number, body in valid)
        return job, False
    except IntegrityError:
        if not idempotency_key:
            raise
        with db.begin():  # a request with the same key recorded its job first: that one
            existing = _earlier_job(db, get_issuer(db, slug).id, idempotency_key, digest)
        if existing is None:
            raise
        return existing, True


def _earlier_job(db: Session, issuer_id: int, idempotency_key: str | None, digest: str
                 ) -> ImportJob | None:
    """The job an earlier upload with this Idempotency-Key recorded (Conflict when it held
    other rows), or None."""
    if not idempotency_key:
        return None
    existing = db.scalars(select(ImportJob).where(
        ImportJob.issuer_id == issuer_id,
        ImportJob.idempotency_key == idempotency_key)).first()
    if existing is not None and existing.request_hash != digest:
        raise Conflict("this Idempotency-Key was already used with a different batch",
                       code="/problems/idempotency-key-reused")
    return existing


def _next_free_row(job_id: str) -> Any:
    """The job's first pending row no other worker holds: on PostgreSQL a row another
    transaction has claimed is skipped (``SKIP LOCKED``), so parallel workers take different
    rows; SQLite has one writer at a time, which serialises the claims."""
    return (select(ImportRow.row).where(ImportRow.job_id == job_id,
                                        ImportRow.state == "pending")
            .order_by(ImportRow.row).limit(1)
            .with_for_update(skip_locked=True).scalar_subquery())


def _issue_next(db: Session, job_id: str, caller: Caller, base_url: str,
                kek: KeyEncryptionKey) -> bool:
    """Claim the job's next free row and issue it in one transaction that also marks it
    issued; False when no row is free. A worker killed here rolls back: the row stays pending.

    A row that fails is marked failed with its reason and the job goes on; only a store that
    is unreachable (nothing can be marked then) or a host that cannot sign stops the work, to
    be resumed later. Reads plain values, not ORM objects: a failed row's rollback expires
    every object."""
    number = None
    try:
        with db.begin():
            claimed = db.execute(
                update(ImportRow).where(ImportRow.job_id == job_id,
                                        ImportRow.row == _next_free_row(job_id),
                                        ImportRow.state == "pending")
                .values(state="issued").returning(ImportRow.row, ImportRow.request)
                .execution_options(synchronize_session=False)).first()
            if claimed is None:
                return False
            number, request = claimed
            _require_submitter(db, caller)
            body = issue_completion(db, caller, caller.issuer_slug,
                                    CompletionRequest.from_json(request), base_url, kek)
            db.execute(update(ImportRow).where(
                ImportRow.job_id == job_id, ImportRow.row == number,
            ).values(credential_id=body["credentialId"])
                .execution_options(synchronize_session=False))
    except DomainError as problem:
        if number is None or isinstance(problem, Unavailable):  # the host's fault, not the row's
            raise
        _mark_failed(db, job_id, number, problem.detail)
    except DBAPIError as error:
        if number is None or store_unavailable(error):
            raise
        log.warning("import job %s: the store refused row %s: %s: %s", job_id, number,
                    type(error.orig).__name__, error.orig)
        _mark_failed(db, job_id, number, "the store refused this row (its log says why, "
                                         f"under job {job_id}, row {number})")
    except Exception:
        if number is None:
            raise
        log.exception("import job %s: row %s failed", job_id, number)
        _mark_failed(db, job_id, number, "could not be issued: the service failed on this "
                                         f"row (its log says why, under job {job_id}, row "
                                         f"{number})")
    return True


def _require_submitter(db: Session, caller: Caller) -> None:
    """Refuse (Forbidden) a row whose job was submitted by a token since revoked or expired,
    or by a person since removed: a job never outlives the authority that submitted it."""
    if caller.token_id is not None:
        token = db.get(ApiToken, caller.token_id)
        if token is None or token.revoked_at is not None or (
                token.expires_at is not None and token.expires_at <= datetime.now(UTC)):
            raise Forbidden("not issued: the API token that submitted this job was revoked "
                            "or has expired")
    if caller.staff_id is not None:
        person = db.get(StaffMember, caller.staff_id)
        if person is None or person.state != "active":
            raise Forbidden("not issued: the person who submitted this job is no longer on "
                            "the issuer's staff")


def store_unavailable(error: DBAPIError) -> bool:
    """The database went away (restart, failover, lost connection), as opposed to refusing
    what was sent: worth trying again later, not a fault of the row."""
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)


def _mark_failed(db: Session, job_id: str, row: int, reason: str) -> None:
    """Mark a row failed after its transaction rolled back (the row is pending again, unless
    another worker took it meanwhile: then that worker's outcome stands)."""
    reason = printable(reason.strip().splitlines()[0] if reason.strip() else "failed")[:500]
    with db.begin():
        db.execute(update(ImportRow).where(
            ImportRow.job_id == job_id, ImportRow.row == row,
            ImportRow.state == "pending").values(state="failed", error=reason)
            .execution_options(synchronize_session=False))


def _finish_if_done(db: Session, job_id: str) -> bool:
    """Mark the job finished once no row is pending; whether it is finished. Every worker
    asks after its last row commits, so the last one to commit sees every row done."""
    with db.begin():
        pending = select(ImportRow.row).where(ImportRow.job_id == job_id,
                                              ImportRow.state == "pending").exists()
        db.execute(update(ImportJob).where(ImportJob.id == job_id,
                                           ImportJob.finished_at.is_(None), ~pending)
                   .values(finished_at=datetime.now(UTC))
                   .execution_options(synchronize_session=False))
        return db.scalar(select(ImportJob.finished_at).where(ImportJob.id == job_id)) \
            is not None


def run_job(sessions: sessionmaker[Session], job_id: str, base_url: str,
            kek: KeyEncryptionKey, progress: Callable[[int], None] | None = None) -> bool:
    """Issue the job's rows that no other worker holds, one transaction each; whether the
    job is finished. Any number of workers, on any hosts, can run one job at once: each row
    is issued exactly once. A host whose key-encryption key is not the store's claims no row
    (Unavailable): it could only fail each one."""
    with sessions() as db:
        with db.begin():
            require_matching_kek(db, kek)
            job = db.get(ImportJob, job_id)
            if job is None:
                raise NotFound(f"no job {job_id!r}")
            if job.finished_at is not None:
                return True
            caller = Caller(job.token_id, job.issuer_id, db.get(Issuer, job.issuer_id).slug,
                            job.role, job.staff_id)
        while _issue_next(db, job_id, caller, base_url, kek):
            if progress:
                progress(1)
        return _finish_if_done(db, job_id)


def unfinished_jobs(db: Session) -> list[tuple[str, int]]:
    """(job id, rows pending) of every job not finished yet, oldest first."""
    with db.begin():
        pending = (select(func.count()).where(ImportRow.job_id == ImportJob.id,
                                              ImportRow.state == "pending")
                   .scalar_subquery())
        return [(job_id, count) for job_id, count in db.execute(
            select(ImportJob.id, pending).where(ImportJob.finished_at.is_(None))
            .order_by(ImportJob.created_at))]


def resume_jobs(sessions: sessionmaker[Session], base_url: str,
                kek: KeyEncryptionKey) -> int:
    """Run every unfinished job here, once; how many are finished. A job that stops is
    logged and left for later: the jobs after it still run. A host whose key-encryption key
    is not the store's claims no row (Unavailable)."""
    with sessions() as db:
        with db.begin():
            require_matching_kek(db, kek)
        job_ids = [job_id for job_id, _pending in unfinished_jobs(db)]
    finished = 0
    for job_id in job_ids:
        try:
            finished += run_job(sessions, job_id, base_url, kek)
        except Exception:
            log.exception("import job %s stopped; going on with the next job", job_id)
    return finished


def invalid_rows(job: ImportJob) -> int:
    """How many rows the report refused (a row can have several errors)."""
    return len({error["row"] for error in job.invalid})


def job_view(db: Session, job: ImportJob, base_url: str, slug: str) -> dict[str, Any]:
    """What a caller sees of a job: counts, the per-row report, issued credentials."""
    counts = dict(db.execute(select(ImportRow.state, func.count()).where(
        ImportRow.job_id == job.id).group_by(ImportRow.state)).all())
    rows = db.execute(select(ImportRow.row, ImportRow.state, ImportRow.credential_id,
                             ImportRow.error).where(ImportRow.job_id == job.id,
                                                    ImportRow.state != "pending")
                      .order_by(ImportRow.row)).all()
    return {
        "id": job.id, "url": f"{base_url}/api/v1/issuers/{slug}/jobs/{job.id}",
        "status": "done" if job.finished_at else "running",
        "total": job.total, "valid": sum(counts.values()),
        "issued": counts.get("issued", 0), "pending": counts.get("pending", 0),
        "failed": counts.get("failed", 0), "invalid": invalid_rows(job),
        "errors": job.invalid,
        "rows": [{"row": r.row, "credentialId": r.credential_id} if r.state == "issued"
                 else {"row": r.row, "error": r.error} for r in rows],
        "createdAt": format_datetime(job.created_at),
        "finishedAt": format_datetime(job.finished_at) if job.finished_at else None,
    }


def get_job(db: Session, caller: Caller, slug: str, job_id: str, base_url: str
            ) -> dict[str, Any]:
    caller.require(slug, ("assessor", "admin"))
    with db.begin():
        job = db.get(ImportJob, job_id, populate_existing=True)  # runners change it
        if job is None or job.issuer_id != caller.issuer_id:
            raise NotFound(f"no job {job_id!r} for issuer {slug!r}")
        return job_view(db, job, base_url, slug)
