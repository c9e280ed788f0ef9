"""Import jobs on the task queue: a large job is sent as several tasks so several workers (on
any hosts) share it, each row issued once (issuer/services/batches.py claims rows in the
transaction that issues them); a sweep sends unfinished jobs again, since a task whose
worker was killed is lost."""

from __future__ import annotations

import logging
import math

from flask import Flask

from issuer.operations import tasks
from issuer.services import batches
from issuer.services.context import ServiceContext
from issuer.services.errors import DomainError
from issuer.services.keyring import KEK_MISMATCH_TYPE

log = logging.getLogger(__name__)

ROWS_PER_TASK = 200  # a job gets one task per this many pending rows...
MAX_TASKS_PER_JOB = 16  # ...and at most this many workers at once

# The service contexts (one per app: one in a worker process) whose last task found a KEK
# that is not the store's.
_refusing: set[int] = set()


def send(job_id: str, pending: int, app: Flask | None = None) -> bool:
    """Put a job's work on the queue; False if the queue took none of it (the sweep will)."""
    count = min(MAX_TASKS_PER_JOB, max(1, math.ceil(pending / ROWS_PER_TASK)))
    return any([tasks.enqueue("imports.work", job_id, app=app) for _ in range(count)])


@tasks.task("imports.work")
def work(context: ServiceContext, job_id: str) -> None:
    """Issue the job's free rows until none is left. A host whose key-encryption key is not
    the store's claims none (said once, not for every task); other stops are logged, and the
    rows left pending are the sweep's."""
    try:
        batches.run_job(context.sessions, job_id, context.base_url, context.kek)
    except DomainError as problem:
        if problem.code != KEK_MISMATCH_TYPE:
            log.error("import job %s stopped: %s", job_id, problem.detail)
            return
        if id(context) not in _refusing:
            log.error("import worker: claims no row: %s", problem.detail)
        _refusing.add(id(context))
        return
    except Exception:
        log.exception("import job %s stopped; its rows left wait for the sweep", job_id)
        return
    if id(context) in _refusing:
        log.info("import worker: the key-encryption key matches the store again")
        _refusing.discard(id(context))


@tasks.periodic("imports.sweep")
def sweep(context: ServiceContext) -> int:
    """Send every unfinished job to the workers again; how many. Sending a job that workers
    are already on costs one query per extra task: a row is never issued twice."""
    with context.sessions() as db:
        jobs = batches.unfinished_jobs(db)
    for job_id, pending in jobs:
        send(job_id, pending)
    return len(jobs)
