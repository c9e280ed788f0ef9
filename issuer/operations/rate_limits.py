"""Rate limits on issuing (per API token and per client address) and verifying (per client
address): fixed windows counted in Redis when ``RATE_LIMIT_REDIS_URL`` is set, so every worker
on every host shares them, otherwise in this process's memory."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Protocol

from flask import Flask, current_app, request

from issuer.services.tokens import hash_token
from issuer.web.problems import Problem

log = logging.getLogger(__name__)

ISSUING = {"api.post_completion", "api.post_batch", "api.post_learner_record", "vcapi.issue",
           "desk.record", "desk.build_clr"}
VERIFYING = {"vcapi.verify_endpoint", "pages.verify_page"}


class Counter(Protocol):
    def hit(self, key: str, period: int) -> int:
        """Count one request in ``key``'s current window; the window's count so far."""


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, period: int) -> int:
        window = int(time.time() // period)
        with self._lock:
            if len(self._counts) > 100_000:  # forget finished windows
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts[(key, window)] = self._counts.get((key, window), 0) + 1
        return count


class CounterUnavailable(Exception):
    """The shared count store did not answer."""


class RedisCounter:
    def __init__(self, url: str) -> None:
        try:  # the [redis] extra: only a service sharing its limits needs it
            import redis
        except ImportError as error:
            raise RuntimeError("RATE_LIMIT_REDIS_URL is set but the redis package is not "
                               "installed: pip install 'competency-credentials[redis]'"
                               ) from error
        self._errors = redis.RedisError
        self._client = redis.Redis.from_url(url, socket_timeout=0.5,
                                            socket_connect_timeout=0.5)

    def hit(self, key: str, period: int) -> int:
        name = f"cc:rl:{key}:{int(time.time() // period)}"
        pipeline = self._client.pipeline()
        pipeline.incr(name)
        pipeline.expire(name, period + 1)
        try:
            return int(pipeline.execute()[0])
        except self._errors as error:
            raise CounterUnavailable(str(error)) from error


def parse(rule: str) -> tuple[int, int]:
    """"600/60" -> (600 requests, per 60 seconds); "0" switches a limit off."""
    count, _, period = rule.partition("/")
    return int(count), int(period or 60)


def _check(counter: Counter, name: str, who: str, rule: str) -> None:
    limit, period = parse(rule)
    if limit <= 0:
        return
    try:
        count = counter.hit(f"{name}:{who}", period)
    except CounterUnavailable as error:  # limits fail open: availability first
        log.warning("rate limit store unavailable: %s", error)
        return
    if count > limit:
        retry = max(1, math.ceil(period - time.time() % period))
        raise Problem(429, "Too Many Requests",
                      f"more than {limit} requests in {period} s ({name}); retry in {retry} s",
                      headers={"Retry-After": str(retry)})


def _limit() -> None:
    endpoint = request.endpoint or ""
    if request.method != "POST" or endpoint not in ISSUING | VERIFYING:
        return
    config = current_app.config
    counter = current_app.extensions["rate_counter"]
    address = request.remote_addr or "unknown"
    if endpoint in VERIFYING:
        _check(counter, "verify per address", address, config["RATE_LIMIT_VERIFY_PER_IP"])
        return
    _check(counter, "issue per address", address, config["RATE_LIMIT_ISSUE_PER_IP"])
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    if token:  # counted under a digest: tokens are never kept in clear
        _check(counter, "issue per token", hash_token(token),
               config["RATE_LIMIT_ISSUE_PER_TOKEN"])


def init_app(app: Flask) -> None:
    url = app.config.get("RATE_LIMIT_REDIS_URL")
    app.extensions["rate_counter"] = RedisCounter(url) if url else MemoryCounter()
    app.before_request(_limit)
