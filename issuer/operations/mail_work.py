"""Learner mail on the task queue: some worker delivers what is due every minute (and when a
worker starts); delivery claims each message, so workers on many hosts never send one twice."""

from __future__ import annotations

from issuer.operations import tasks
from issuer.services.mail_delivery import deliver_due

tasks.periodic("mail.deliver")(deliver_due)
