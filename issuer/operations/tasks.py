"""Background work on a task queue (huey): web processes enqueue, worker processes run.

The queue is SQLite in the instance folder unless ``TASK_QUEUE_URL`` names a Redis server
(``redis://host:6379/0``), which every worker on every host shares. Start workers with
``flask --app wsgi worker --workers N``; ``make run`` starts one beside the web server.

The database, not the queue, holds what is to be done: a task can be lost (a worker killed
with SIGKILL, a queue that was down when it was sent), so each kind of work has a periodic
sweep that enqueues it again from the database, and running a task twice must be harmless.

Work is a function taking the service context first; register it in a module listed in
``WORK``::

    @tasks.task("imports.work")
    def work(context: ServiceContext, job_id: str) -> None: ...

    tasks.periodic("mail.deliver")(deliver_due)  # every minute, and when a worker starts

and send it with ``tasks.enqueue("imports.work", job_id)``.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.registry import Message
from huey.serializer import Serializer

from issuer.web.context import service_context

log = logging.getLogger(__name__)

# The modules that register work; importing one registers its tasks.
MAX_ARGS = 8  # more than any registered work takes
WORK = ("issuer.operations.imports", "issuer.operations.mail_work",
        "issuer.operations.learner_work",
        "issuer.operations.presentation_sweep")
Work = Callable[..., Any]


@dataclass(frozen=True)
class _Registered:
    function: Work
    every_minutes: int | None  # None: run when enqueued; else periodic


_REGISTERED: dict[str, _Registered] = {}


def task(name: str) -> Callable[[Work], Work]:
    """Register ``function(context, *args)`` as background work called ``name``."""
    def register(function: Work) -> Work:
        _REGISTERED[name] = _Registered(function, None)
        return function
    return register


def periodic(name: str, minutes: int = 1) -> Callable[[Work], Work]:
    """Register ``function(context)`` to run every ``minutes`` minutes on some worker (on
    every host's scheduler: it must be safe to run twice), and when a worker starts."""
    if minutes < 1:
        raise ValueError("periodic work runs at most once a minute")

    def register(function: Work) -> Work:
        _REGISTERED[name] = _Registered(function, minutes)
        return function
    return register


class JsonMessages(Serializer):
    """Task messages as JSON, never pickle: whoever can write to the queue (a shared Redis)
    can only name registered work with plain arguments, not run code of their choosing."""

    DATES = ("eta", "expires_resolved")

    def _serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message) or data.on_complete or data.on_error \
                or data.chord_config or data.expires is not None:
            raise TypeError("only plain task messages go on this queue")
        fields = data._asdict()
        for key in self.DATES:
            if fields[key] is not None:
                fields[key] = fields[key].isoformat()
        return json.dumps(fields, separators=(",", ":")).encode()

    def _deserialize(self, data: bytes) -> Message:
        fields = json.loads(data)
        if not isinstance(fields, dict) or set(fields) - set(Message._fields):
            raise ValueError("not a task message")
        for key in self.DATES:
            if fields.get(key) is not None:
                fields[key] = datetime.fromisoformat(fields[key])
        args = fields.get("args") or []
        if not isinstance(args, list) or len(args) > MAX_ARGS or fields.get("kwargs") or any(
                not isinstance(arg, str | int | float | bool | type(None)) for arg in args):
            raise ValueError("not a task message: arguments are a few plain values")
        fields["args"], fields["kwargs"] = tuple(args), {}
        # Our work is retried by its sweep, never by the queue: a message cannot ask a worker
        # to run it again and again (a bad one fails once and is dropped).
        fields["retries"], fields["retry_delay"] = 0, 0
        return Message(**fields)


@dataclass(frozen=True)
class Queue:
    """An app's queue: the huey instance and its registered tasks by name."""

    huey: Huey
    tasks: dict[str, TaskWrapper]
    pid: int  # the process that built it: a worker forked from it needs its own connections


def _huey(url: str | None, name: str, instance_path: str) -> Huey:
    options: dict[str, Any] = {"results": False, "serializer": JsonMessages()}
    if not url:
        path = Path(instance_path) / "tasks.sqlite3"
        with contextlib.suppress(FileExistsError):  # 0600, like the store
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return SqliteHuey(name, filename=str(path), **options)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError("TASK_QUEUE_URL must be a redis:// URL (or unset: SQLite in the "
                           "instance folder)")
    try:  # the [redis] extra: only a queue shared by several hosts needs it
        import redis  # noqa: F401
    except ImportError:
        raise RuntimeError("TASK_QUEUE_URL is set but the redis package is not installed: "
                           "pip install 'competency-credentials[redis]'") from None
    return RedisHuey(name, url=url, **options)


def init_app(app: Flask) -> None:
    """Build the app's queue and register every task on it, each run with the app's service
    context (the same in the web process that sends and the worker that runs it)."""
    for module in WORK:
        importlib.import_module(module)
    huey = _huey(app.config["TASK_QUEUE_URL"], app.config["TASK_QUEUE_NAME"],
                 app.instance_path)
    wrappers = {}
    for name, registered in _REGISTERED.items():
        run = _in_context(app, name, registered.function)
        if registered.every_minutes is None:
            wrappers[name] = huey.task(name=name)(run)
        else:
            every = registered.every_minutes
            wrappers[name] = huey.periodic_task(
                lambda moment, every=every: moment.minute % every == 0, name=name)(run)
    huey.on_startup("worker-start")(lambda: _worker_started(app))
    huey.storage.close()  # opened again on first use, in the process that uses it
    app.extensions["tasks"] = Queue(huey, wrappers, os.getpid())


def _in_context(app: Flask, name: str, function: Work) -> Work:
    def run(*args: Any) -> Any:
        with app.app_context():
            return function(service_context(app), *args)
    run.__name__ = run.__qualname__ = name
    return run


def _worker_started(app: Flask) -> None:
    """In each worker (a process forked from the consumer, or one restarted after it was
    killed): its own database connections, and every periodic sweep enqueued at once, so
    what a killed worker was doing resumes without waiting for the next minute."""
    from issuer.store import store

    queue = queue_of(app)
    if os.getpid() != queue.pid:
        store(app).engine.dispose(close=False)  # the parent's connections stay the parent's
    for name, registered in _REGISTERED.items():
        if registered.every_minutes is not None:
            enqueue(name, app=app)
    log.info("task worker %s started on queue %r", os.getpid(), queue.huey.name)


def queue_of(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions["tasks"]


def enqueue(name: str, *args: Any, app: Flask | None = None, delay: float | None = None
            ) -> bool:
    """Send work ``name`` with ``args`` (plain JSON values) to the workers, after ``delay``
    seconds if given; False (logged) when the queue did not take it: the work's sweep will
    find it in the database later."""
    wrapper = queue_of(app).tasks[name]
    try:
        if delay:
            wrapper.schedule(args=args, delay=delay)
        else:
            wrapper(*args)
    except Exception as error:
        log.warning("task %s not queued (its sweep will find it): %s: %s", name,
                    type(error).__name__, error)
        return False
    return True


def run_queued(app: Flask) -> int:
    """Run, in this process, every task waiting in the queue (delayed ones excepted); how
    many ran. For tests and one-off maintenance; workers do this for ever."""
    huey, ran = queue_of(app).huey, 0
    while (message := huey.dequeue()) is not None:
        huey.execute(message)
        ran += 1
    return ran


def run_worker(app: Flask, workers: int, worker_type: str) -> None:
    """Run a consumer until SIGINT (finish the current tasks) or SIGTERM (stop now): its
    scheduler sends periodic work and delayed tasks when due; dead workers are restarted."""
    consumer = queue_of(app).huey.create_consumer(
        workers=workers, worker_type=worker_type, periodic=True, check_worker_health=True,
        health_check_interval=float(app.config["TASK_HEALTH_CHECK_SECONDS"]))
    consumer.run()
