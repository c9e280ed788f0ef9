"""Learner and staff mail on the task queue: a worker delivers right after a request queued
mail (sign-in links must not wait), and what is due every minute (retries, anything missed);
delivery claims each message, so workers on many hosts never send one twice."""

from __future__ import annotations

from flask import Flask, Response

from issuer.operations import tasks
from issuer.services.mail_delivery import deliver_due
from issuer.services.outbox import take_queued

tasks.periodic("mail.deliver")(deliver_due)


def init_app(app: Flask) -> None:
    """After each request that queued mail, ask a worker to deliver now (the minute's sweep
    delivers anyway if the queue does not take it, or the request rolled back)."""
    def fresh_start() -> None:  # nothing left from an earlier request on this thread
        take_queued()

    app.before_request(fresh_start)

    def deliver_soon(response: Response) -> Response:
        if take_queued():
            tasks.enqueue("mail.deliver", app=app)
        return response

    app.after_request(deliver_soon)
