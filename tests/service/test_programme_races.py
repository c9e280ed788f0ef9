"""The last two competencies of a programme recorded at the same moment: the certificate is
awarded once, never lost (on PostgreSQL each transaction would otherwise read the learner's
completions without the other's)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from credentials.frameworks import bundled_catalog
from issuer.store import store
from issuer.store.models import ProgrammeAward
from tests.service.conftest import MODEL, completion_body

COMPETENCIES = [c.id for c in bundled_catalog().models[MODEL].competencies]


def record(client, service, learner: dict, competency: str) -> int:
    return client.post("/api/v1/issuers/riverbend/completions",
                       json=completion_body(learner=learner, level="proficient",
                                            competency=f"{MODEL}/{competency}"),
                       headers=service.auth(service.assessor)).status_code


def at_once(service, learner: dict, competency: str, barrier: threading.Barrier,
            answers: list[int]) -> None:
    client = service.app.test_client()
    barrier.wait()
    answers.append(record(client, service, learner, competency))


def test_two_last_completions_at_once_award_the_certificate_once(service) -> None:
    for trial in range(6):
        learner = {"name": f"Racer {trial}", "email": f"racer{trial}@example.com"}
        assert {record(service.client, service, learner, c) for c in COMPETENCIES[:-2]} == {201}
        barrier, answers = threading.Barrier(2), []
        threads = [threading.Thread(target=at_once,
                                    args=(service, learner, c, barrier, answers))
                   for c in COMPETENCIES[-2:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [201, 201]
        with store(service.app).sessions() as db:
            awards = db.scalar(select(func.count()).select_from(ProgrammeAward)
                               .where(ProgrammeAward.learner_email == learner["email"]))
        assert awards == 1, f"trial {trial}: {awards} certificates"
