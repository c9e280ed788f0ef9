"""gunicorn settings read by `make run` (and any `gunicorn wsgi:app` started here)."""

import os

from prometheus_client import multiprocess


def child_exit(server: object, worker: object) -> None:
    """A worker's metrics files are marked dead so /metrics stops adding its gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
