"""Runs import jobs in the background of each server process.

Each process (each gunicorn worker, on any host) has one daemon thread that, when woken or
every ``JOB_POLL_SECONDS``, resumes unfinished jobs whose lease is free. Exactly-once issuance
does not depend on this thread: a row is marked issued in the transaction that issues it, and
a job's lease keeps two runners from working on it at once.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask, current_app

from issuer.services.batches import resume_jobs, runner_id
from issuer.services.errors import DomainError
from issuer.services.keyring import KEK_MISMATCH_TYPE
from issuer.web.context import service_context

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.owner = ""
        self._pid = 0
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._refusing = False  # the last pass found a KEK that is not the store's

    def ensure_started(self) -> None:
        """Start this process's thread (again after a fork: threads do not survive one)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self.owner = runner_id()
            threading.Thread(target=self._loop, name="job-runner", daemon=True).start()

    def wake(self) -> None:
        self.ensure_started()
        self._wake.set()

    def run_pass(self) -> int:
        """Resume every unfinished job whose lease is free, once; how many it finished. A job
        that stops is logged and left for the next pass, and the jobs after it still run."""
        context = service_context(self.app)
        with self.app.app_context():
            try:
                finished = resume_jobs(context.sessions, self.owner, context.base_url,
                                       context.kek)
            except DomainError as problem:
                if problem.code != KEK_MISMATCH_TYPE:
                    raise
                if not self._refusing:  # said once, not every pass
                    log.error("import job runner: claims no job: %s", problem.detail)
                self._refusing = True
                return 0
        if self._refusing:
            log.info("import job runner: the key-encryption key matches the store again")
            self._refusing = False
        return finished

    def _loop(self) -> None:
        while True:
            try:
                self.run_pass()
            except Exception:
                log.exception("import job runner: a pass failed; retrying")
            self._wake.wait(self.app.config["JOB_POLL_SECONDS"])
            self._wake.clear()


def init_app(app: Flask) -> None:
    """Start the runner with the first request a process serves (never in CLI commands)."""
    if not app.config["JOB_RUNNER"]:
        return
    runner = app.extensions["job_runner"] = JobRunner(app)
    app.before_request(runner.ensure_started)


def wake() -> None:
    """Wake the current app's runner, if it has one (JOB_RUNNER on)."""
    runner = current_app.extensions.get("job_runner")
    if runner is not None:
        runner.wake()
