"""The task queue: JSON messages only, a Redis queue shared by hosts, clear refusals of a queue
that cannot be used."""

from __future__ import annotations

import pickle
import uuid
from pathlib import Path

import pytest
from huey.registry import Message

from issuer.operations import tasks
from issuer.operations.tasks import JsonMessages
from tests.service.conftest import BASE, completion_body, make_app
from tests.service.test_operability import REDIS_URL, redis_or_skip

BATCH = "/api/v1/issuers/riverbend/completions:batch"


def test_messages_are_json_and_nothing_else_is_read() -> None:
    messages = JsonMessages()
    message = Message("id-1", "issuer.operations.tasks.imports.work", None, 0, 0, None,
                      ("job-1",), {})
    data = messages.serialize(message)
    assert data.startswith(b"{")
    assert messages.deserialize(data) == message
    with pytest.raises(ValueError):  # a pickle someone wrote to the queue is not run
        messages.deserialize(pickle.dumps(message))
    with pytest.raises(ValueError):
        messages.deserialize(b'{"id": "x", "name": "t", "__reduce__": "os.system"}')
    with pytest.raises(TypeError):  # only task messages go on the queue
        messages.serialize({"any": "value"})


def test_a_message_cannot_ask_to_be_retried_or_carry_odd_arguments() -> None:
    """A message written to the queue by someone else runs at most once, with plain values."""
    messages = JsonMessages()
    poison = (b'{"id": "p", "name": "issuer.operations.tasks.mail.deliver", "retries": 1000000,'
              b' "retry_delay": 0, "args": [1, 2]}')
    read = messages.deserialize(poison)
    assert (read.retries, read.retry_delay, read.args) == (0, 0, (1, 2))
    for odd in (b'{"id": "p", "name": "t", "args": [{"a": 1}]}',
                b'{"id": "p", "name": "t", "args": [], "kwargs": {"x": 1}}',
                b'{"id": "p", "name": "t", "args": "abc"}'):
        with pytest.raises(ValueError):
            messages.deserialize(odd)


def host(service, instance: Path, **config: object):
    """Another host on the service's store."""
    return make_app(instance, DATABASE_URL=service.app.config["DATABASE_URL"], **config)


def test_a_batch_on_a_redis_queue_is_done_by_whoever_takes_its_tasks(service,
                                                                     tmp_path) -> None:
    redis_or_skip()
    name = f"cc-test-{uuid.uuid4().hex[:8]}"  # this test's own queue on the shared Redis
    web = host(service, tmp_path / "web", TASK_QUEUE_URL=REDIS_URL, TASK_QUEUE_NAME=name,
               BATCH_INLINE_ROWS=0)
    elsewhere = host(service, tmp_path / "worker", TASK_QUEUE_URL=REDIS_URL,
                     TASK_QUEUE_NAME=name)
    try:
        rows = [completion_body(learner={"name": f"L {n}", "email": f"l{n}@example.com"})
                for n in range(3)]
        job = web.test_client().post(BATCH, json=rows,
                                     headers=service.auth(service.assessor)).get_json()
        assert job["status"] == "running"
        assert tasks.run_queued(elsewhere) == 1  # another host's worker, through Redis
        done = service.client.get(job["url"].removeprefix(BASE),
                                  headers=service.auth(service.assessor)).get_json()
        assert (done["status"], done["issued"]) == ("done", 3)
    finally:
        tasks.queue_of(web).huey.storage.flush_all()


def test_a_queue_url_that_is_not_redis_is_refused(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="TASK_QUEUE_URL must be a redis:// URL"):
        make_app(tmp_path, TASK_QUEUE_URL="postgresql://127.0.0.1/queue")


def test_a_queue_that_is_down_loses_nothing(service, tmp_path) -> None:
    """The job is recorded and answered 202; the queue refusing its task is logged, and the
    sweep of any worker finds the job later."""
    down = host(service, tmp_path / "web", TASK_QUEUE_URL="redis://127.0.0.1:1/0",
                BATCH_INLINE_ROWS=0)
    response = down.test_client().post(BATCH, json=[completion_body()],
                                       headers=service.auth(service.assessor))
    assert response.status_code == 202, response.get_json()
    assert tasks.enqueue("imports.sweep", app=service.app)
    assert tasks.run_queued(service.app) == 2  # the sweep, and the job it found
    done = service.client.get(response.headers["Location"].removeprefix(BASE),
                              headers=service.auth(service.assessor)).get_json()
    assert done["status"] == "done"
