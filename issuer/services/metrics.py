"""Prometheus metrics. With PROMETHEUS_MULTIPROC_DIR set (gunicorn: see gunicorn.conf.py) every
worker writes there and ``/metrics`` adds them up; otherwise a process reports its own."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

ISSUED = Counter("credentials_issued_total", "Credentials issued", ["kind"])
STATUS_CHANGES = Counter("credential_status_changes_total", "Revocations, suspensions and "
                         "reinstatements", ["action"])
VERIFICATIONS = Counter("verifications_total", "Credentials verified", ["verified"])
REQUESTS = Counter("http_requests_total", "HTTP requests answered",
                   ["method", "endpoint", "status"])
ERRORS = Counter("http_errors_total", "Answers with a 5xx status", ["endpoint"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def exposition() -> bytes:
    """The text exposition format, across workers when running multi-process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)
