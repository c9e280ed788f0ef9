"""What the direct walker leaves to pyld (an ``@list``, a value object, ...) is bounded: pyld
costs about 200 microseconds of CPU per JSON value and more than linearly in one array, so a
document over ``PYLD_MAX_VALUES`` values is refused before pyld sees it, and inside a
verification each fallback document spends ``PYLD_STEPS_PER_VALUE`` steps per value from the
shared budget. Honest fallback documents are small and still canonicalize as pyld does. The
CPU bound is the one these limits exist for (``time.process_time``)."""

from __future__ import annotations

import copy
import time

import pytest

from credentials.canonical import (
    PYLD_MAX_VALUES,
    PYLD_STEPS_PER_VALUE,
    CanonicalizationError,
    _bounded_values,
    canonicalize,
    canonicalize_with_pyld,
)
from credentials.jsonld_quads import Unsupported
from credentials.rdfc import shared_budget
from credentials.verify import RDFC_STEPS
from tests.factories import signed_credential

# Loose: what it guards against cost many seconds (3 s at 3,000 alignments, 28 s at 9,000);
# 1.8 s was seen in a loaded full run. The speed itself is the benchmark's to measure.
CPU_BOUND = 4.0
TRIGGERS = {
    "@list": lambda document: document.update(evidence=[{"type": ["Evidence"], "@list": []}]),
    "@value": lambda document: document.update(name={"@value": "x"}),
}


def with_alignments(credential: dict, count: int, trigger: str) -> dict:
    """``credential`` with ``count`` alignments and one construct only pyld handles."""
    document = copy.deepcopy(credential)
    TRIGGERS[trigger](document)
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": f"t{i}", "targetUrl": f"https://x.example/{i}"}
        for i in range(count)]
    return document


def values(document: dict) -> int:
    return _bounded_values(document, Unsupported("counting"))


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_a_large_fallback_document_is_refused_before_pyld(crosswalk, trigger: str) -> None:
    document = with_alignments(signed_credential(crosswalk), 3_000, trigger)
    started = time.process_time()
    with pytest.raises(CanonicalizationError, match=(
            r"needs general JSON-LD processing \(.*\), allowed only for documents of at most "
            f"{PYLD_MAX_VALUES:,} JSON values")):
        canonicalize(document)
    assert time.process_time() - started < CPU_BOUND


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_a_small_fallback_document_canonicalizes_as_pyld_does(crosswalk, trigger: str) -> None:
    document = with_alignments(signed_credential(crosswalk), 3, trigger)
    with shared_budget(RDFC_STEPS, "the test") as budget:
        assert canonicalize(document) == canonicalize_with_pyld(document)
    assert budget.spent == values(document) * PYLD_STEPS_PER_VALUE  # no blank nodes to order


def test_fallback_documents_of_one_verification_share_its_budget(crosswalk) -> None:
    document = with_alignments(signed_credential(crosswalk), 40, "@list")
    count = values(document)
    fits = RDFC_STEPS // (count * PYLD_STEPS_PER_VALUE)
    assert count <= PYLD_MAX_VALUES and fits >= 2
    started = time.process_time()
    with shared_budget(RDFC_STEPS, "one verification"), pytest.raises(
            CanonicalizationError, match=(
                rf"needs general JSON-LD processing \(keyword @list\) for its {count:,} JSON "
                rf"values, more than is left \(RDFC-1.0 work budget of {RDFC_STEPS:,} steps "
                r"for all the documents of one verification spent\)")):
        for _ in range(fits + 1):
            canonicalize(document)
    assert time.process_time() - started < CPU_BOUND
    for _ in range(fits + 1):  # outside a verification each document is bounded on its own
        canonicalize(document)


def test_values_are_objects_members_and_items() -> None:
    assert values({"a": [1, 2, {"b": None}]}) == 7  # two objects, two members, three items
    wide = {"items": list(range(10 * PYLD_MAX_VALUES))}
    with pytest.raises(CanonicalizationError, match="it holds more"):
        values(wide)
