"""One RDFC-1.0 work budget per verification, shared by all its canonicalizations (the
credential's proofs, endorsements, embedded credentials, status lists): many poison documents
in one request cost what one does. Outside a verification (issuance) each canonicalization
keeps its own budget. The CPU bound is the one the budget exists for (``time.process_time``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from credentials import verify as verify_package
from credentials.canonical import CanonicalizationError, canonicalize
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.rdfc import (
    MAX_STEPS,
    CanonicalizationTooComplex,
    WorkBudget,
    _Canonicalizer,
    shared_budget,
)
from credentials.verify import verify_credential
from tests.factories import did_key_signer, whole_record
from tests.test_canonical_budget import poisoned_credential

CPU_BOUND = 1.0


def ring(size: int, name: str) -> set[tuple[str, str, str, str]]:
    """A cycle of ``size`` blank nodes: symmetric, so ordering it takes N-degree work."""
    return {(f"_:{name}{i}", "<urn:ex:p>", f"_:{name}{(i + 1) % size}", "")
            for i in range(size)}


def steps_of(quads: set) -> int:
    canonicalizer = _Canonicalizer(quads)
    canonicalizer.run()
    return canonicalizer.steps


def test_canonicalizations_in_one_block_spend_one_budget() -> None:
    first, second = ring(4, "a"), ring(5, "b")
    needed = steps_of(first) + steps_of(second)
    with shared_budget(needed, "the test") as budget:
        _Canonicalizer(first).run()
        _Canonicalizer(second).run()
    assert budget.spent == needed
    with shared_budget(needed - 1, "the test"), pytest.raises(
            CanonicalizationTooComplex, match=r"work budget of .* steps for all the "
                                              r"documents of the test spent"):
        _Canonicalizer(first).run()
        _Canonicalizer(second).run()


def test_a_block_inside_another_spends_the_outer_budget() -> None:
    quads = ring(4, "a")
    with shared_budget(steps_of(quads), "the request") as outer:
        with shared_budget(MAX_STEPS, "one verification") as inner:
            assert inner is outer
            _Canonicalizer(quads).run()
        with pytest.raises(CanonicalizationTooComplex, match="the request"):
            _Canonicalizer(quads).run()


def test_outside_a_block_each_canonicalization_has_its_own_budget() -> None:
    quads = ring(4, "a")
    for _ in range(3):
        assert _Canonicalizer(quads, max_steps=steps_of(quads)).run()
    with shared_budget(MAX_STEPS, "one verification"), pytest.raises(
            CanonicalizationTooComplex, match=r"\(RDFC-1.0 work budget of 3 steps spent"):
        _Canonicalizer(quads, max_steps=3).run()  # its own budget still holds inside


@pytest.fixture
def spent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The steps each verification's shared budget spent."""
    seen: list[int] = []
    real = verify_package.shared_budget

    @contextmanager
    def recording(steps: int, holder: str) -> Iterator[WorkBudget]:
        with real(steps, holder) as budget:
            yield budget
        seen.append(budget.spent)

    monkeypatch.setattr(verify_package, "shared_budget", recording)
    return seen


def test_honest_learner_records_stay_well_within_the_verification_budget(crosswalk,
                                                                         spent) -> None:
    signer = did_key_signer()
    record, _embedded = whole_record(crosswalk)
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, signer))
    assert report.verified, report.errors
    assert spent[-1] <= verify_package.RDFC_STEPS // 100
    # Five credentials embedded twice: symmetric on purpose, the most an honest record spends.
    twice = copy.deepcopy(record)
    embedded = twice["credentialSubject"]["verifiableCredential"]
    twice["credentialSubject"]["verifiableCredential"] = embedded[:5] + copy.deepcopy(embedded[:5])
    report = verify_credential(create_proof(twice, EDDSA_RDFC_2022, signer))
    assert report.verified, report.errors
    assert 0 < spent[-1] <= verify_package.RDFC_STEPS * 2 // 3


def test_issuing_is_not_limited_by_a_verification_budget(crosswalk) -> None:
    record, _embedded = whole_record(crosswalk)
    with shared_budget(0, "one verification"), pytest.raises(CanonicalizationError,
                                                             match="one verification"):
        canonicalize(_with_twice_embedded(record))
    assert canonicalize(_with_twice_embedded(record))


def _with_twice_embedded(record: dict) -> dict:
    twice = copy.deepcopy(record)
    embedded = twice["credentialSubject"]["verifiableCredential"]
    twice["credentialSubject"]["verifiableCredential"] = embedded[:2] + copy.deepcopy(embedded[:2])
    return twice


def test_many_poisoned_endorsements_cost_one_budget(crosswalk) -> None:
    """Each of 30 endorsements holds a 14-node blank-node clique (and, like the credential,
    a proof that cannot match): one budget for all, not 31."""
    _record, embedded = whole_record(crosswalk)
    credential = copy.deepcopy(embedded[0])
    credential["endorsement"] = [{**poisoned_credential(14), "id": f"urn:uuid:{i:032x}",
                                  "proof": embedded[0]["proof"]} for i in range(30)]
    started = time.process_time()
    report = verify_credential(credential)
    assert time.process_time() - started < CPU_BOUND
    assert not report.verified
    assert report.check("proof").message == (
        "the document's blank nodes are too symmetric to canonicalize within limits (RDFC-1.0 "
        f"work budget of {verify_package.RDFC_STEPS:,} steps for all the documents of one "
        "verification spent)")
