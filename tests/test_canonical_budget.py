"""RDFC-1.0's work budget: poison graphs are refused fast, honest credentials never touch it.

The only timed assertions in the suite, as the budget's purpose asks: CPU time
(``time.process_time``), with a bound (1 s) about four times what refusal costs here.
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from credentials.canonical import CanonicalizationError, canonicalize, canonicalize_with_pyld
from credentials.rdfc import MAX_STEPS, CanonicalizationTooComplex, _Canonicalizer
from tests.factories import whole_record

VC2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CPU_BOUND = 1.0
RELATED = "https://example.org/related"


def clique(size: int) -> list[dict[str, Any]]:
    """Evidence whose ``size`` blank nodes all point at one another."""
    nodes = [f"_:evidence{i}" for i in range(size)]
    return [{"id": node, "type": ["Evidence"], "narrative": "Observed on the ward.",
             RELATED: [{"id": other} for other in nodes if other != node]} for node in nodes]


def poisoned_credential(size: int) -> dict[str, Any]:
    return {"@context": [VC2, OB], "id": "urn:uuid:2f0b7a8e-3c1d-4e5f-8a9b-0c1d2e3f4a5b",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:example:issuer", "type": ["Profile"]},
            "validFrom": "2026-11-03T15:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
            "evidence": clique(size)}


def cpu(call: Callable[[], object]) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


@pytest.mark.parametrize("size", [14, 20])
@pytest.mark.parametrize("path", [canonicalize, canonicalize_with_pyld],
                         ids=["walker", "pyld"])
def test_a_clique_in_evidence_is_refused_within_a_second(size: int, path) -> None:
    document = poisoned_credential(size)

    def refused() -> None:
        with pytest.raises(CanonicalizationError, match=r"too symmetric.*work budget"):
            path(document)

    assert cpu(refused) < CPU_BOUND


def test_the_budget_counts_steps_not_permutations() -> None:
    # Two blank nodes sharing 2,000 symmetric neighbours: a handful of permutations, each
    # placing thousands of nodes on ever longer paths. A permutation count never trips here.
    quads = {(f"_:hub{hub}", "<urn:ex:p>", f"_:leaf{leaf}", "")
             for hub in range(2) for leaf in range(2000)}
    canonicalizer = _Canonicalizer(quads)
    started = time.process_time()
    with pytest.raises(CanonicalizationTooComplex):
        canonicalizer.run()
    assert time.process_time() - started < CPU_BOUND
    assert canonicalizer.steps > MAX_STEPS


def test_the_budget_is_exact() -> None:
    quads = {(f"_:n{i}", "<urn:ex:p>", f"_:n{(i + 1) % 4}", "") for i in range(4)}
    needed = _Canonicalizer(quads)
    expected = needed.run()
    assert needed.steps > 0
    assert _Canonicalizer(quads, max_steps=needed.steps).run() == expected
    with pytest.raises(CanonicalizationTooComplex):
        _Canonicalizer(quads, max_steps=needed.steps - 1).run()


def test_a_learner_record_of_25_credentials_spends_a_small_part_of_the_budget(
        crosswalk) -> None:
    record, _embedded = whole_record(crosswalk)
    spent: list[int] = []
    original = _Canonicalizer.run

    def run(self: _Canonicalizer) -> Any:
        result = original(self)
        spent.append(self.steps)
        return result

    _Canonicalizer.run = run  # type: ignore[method-assign]
    try:
        canonicalize(record)
        canonicalize_with_pyld(record)
    finally:
        _Canonicalizer.run = original  # type: ignore[method-assign]
    assert len(spent) == 2 and spent[0] == spent[1]
    assert spent[0] < MAX_STEPS // 20


def test_deep_recursion_is_refused_before_python_runs_out_of_stack() -> None:
    # A chain of 3,000 blank nodes sharing first-degree hashes (a list of identical values):
    # each N-degree hash recurses along the chain. Room for 400 more frames is plenty for a
    # bounded recursion and far too little for one that follows the chain.
    quads = {("<urn:ex:s>", "<urn:ex:p>", "_:l0", "")}
    for i in range(3000):
        quads.add((f"_:l{i}", "<urn:ex:first>", '"x"', ""))
        quads.add((f"_:l{i}", "<urn:ex:rest>", f"_:l{i + 1}" if i < 2999 else "<urn:ex:nil>", ""))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 400)
    try:
        with pytest.raises(CanonicalizationTooComplex, match="nested deeper"):
            _Canonicalizer(quads).run()
    finally:
        sys.setrecursionlimit(limit)
