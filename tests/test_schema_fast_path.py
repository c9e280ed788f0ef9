"""The compiled schemas (jsonschema-rs) answer "valid?" for the schema check; the interpreted
validator explains failures. They must agree on every document, or the fast path would
change verdicts: checked on our own credentials, the official examples, and each of those
with every value in turn replaced by values of other JSON types."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify.checks import _compiled, _known_valid, _validator, check_schema, schema_for
from tests.factories import did_key_signer, signed_credential, whole_record

REPLACEMENTS: list[Any] = [None, True, 7, -1.5, "", "x", [], {}, ["x"], {"id": "x"}]


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replaced(document: dict, path: tuple, new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return changed


def assert_agree(document: Any, schema_id: str) -> None:
    interpreted = not any(True for _ in _validator(schema_id).iter_errors(document))
    assert _known_valid(schema_id, document) == interpreted, (schema_id, document)


def mutations(document: dict, depth: int = 99, replacements: list[Any] = REPLACEMENTS
              ) -> Iterator[Any]:
    for path in paths(document):
        if len(path) > depth:
            continue
        for new in replacements:
            yield replaced(document, path, new)
        if path and isinstance(path[-1], str):  # and without the member
            changed = copy.deepcopy(document)
            parent = changed
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
            yield changed


def test_our_credential_and_every_one_value_change_of_it(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    schema_id, _ = schema_for(credential)
    assert _compiled(schema_id).is_valid(credential)
    for document in mutations(credential):
        assert_agree(document, schema_id)


def test_a_clr_and_every_one_value_change_of_its_top(crosswalk) -> None:
    record, _embedded = whole_record(crosswalk)
    inner = record["credentialSubject"]["verifiableCredential"][:2]  # two keep it quick
    record["credentialSubject"]["verifiableCredential"] = inner
    clr = create_proof(record, EDDSA_RDFC_2022, did_key_signer())
    schema_id, _ = schema_for(clr)
    assert _compiled(schema_id).is_valid(clr)
    for path in paths({k: v for k, v in clr.items() if k != "credentialSubject"}):
        for new in REPLACEMENTS:
            assert_agree(replaced(clr, path, new), schema_id)
    for document in mutations(inner[0], 2, [None, 7, "x", [], {}]):  # one, inside the CLR
        changed = copy.deepcopy(clr)
        changed["credentialSubject"]["verifiableCredential"][0] = document
        assert_agree(changed, schema_id)


def test_the_official_examples_and_their_changes(examples: Path) -> None:
    found = sorted(examples.glob("*/*.json"))
    assert found
    for file in found:
        document = json.loads(file.read_text())
        if not isinstance(document, dict):
            continue
        schema_id, _ = schema_for(document)
        assert_agree(document, schema_id)
        for changed in mutations({k: v for k, v in document.items() if k != "proof"}, 2):
            if isinstance(changed, dict):
                assert_agree(changed, schema_id)


@pytest.mark.parametrize("odd", [{1: "not a string key"}, {"a": 10**40}, {"a": "\udc00"}])
def test_what_the_compiled_schema_cannot_take_goes_to_the_interpreted_one(odd) -> None:
    check = check_schema({"@context": ["https://www.w3.org/ns/credentials/v2"], **odd})
    assert check.outcome.name == "FAILURE"
