"""The sweep of answers to presentation requests on the task queue: every hour, answers past
their issuer's retention period and exchanges opened but never answered are deleted."""

from __future__ import annotations

import logging

from issuer.operations import tasks
from issuer.services.context import ServiceContext
from issuer.services.presentation_requests_answers import sweep

log = logging.getLogger(__name__)


@tasks.periodic("presentations.sweep", minutes=60)
def sweep_answers(context: ServiceContext) -> None:
    with context.sessions() as db, db.begin():
        gone = sweep(db)
    if gone:
        log.info("presentation answers swept: %d", gone)
