"""Our ClrCredential schema beside the published CLR 2.0 JSON Schema: every CLR we build
passes both, and ours is never looser (whatever the official schema refuses, ours refuses)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from credentials.build import IssuerProfile, Learner
from credentials.clr import build_clr_credential
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import envelope
from credentials.verify.checks import check_schema
from credentials.verify.report import Outcome
from tests.factories import did_key_signer, unsigned_credential, whole_record

STATUS = {"id": "https://credentials.example.org/status/1#5", "type": "BitstringStatusListEntry",
          "statusPurpose": "revocation", "statusListIndex": "5",
          "statusListCredential": "https://credentials.example.org/status/1"}


@pytest.fixture(scope="module")
def official(standards: Path) -> Draft201909Validator:
    path = standards / "schemas" / "clr_v2p0" / "clr_v2p0_clrcredential_schema.json"
    return Draft201909Validator(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def small_clr(crosswalk) -> dict:
    """A signed CLR holding one signed competency credential (with a status entry)."""
    signer = did_key_signer()
    held = create_proof(unsigned_credential(crosswalk, "de-escalation", "proficient"),
                        EDDSA_RDFC_2022, signer, created="2026-11-03T15:00:00Z")
    clr = build_clr_credential(
        credential_id="urn:uuid:6e0c9a43-55b4-4a57-9f0d-3c1d7e3f8a11",
        issuer=IssuerProfile("https://credentials.example.org/issuers/riverbend", "Riverbend"),
        learner=Learner("Jordan Rivera", "jordan@example.com"), credentials=[held],
        crosswalk=crosswalk, base_url="https://credentials.example.org", salt="00",
        credential_status=[STATUS])
    return create_proof(clr, EDDSA_RDFC_2022, signer, created="2026-11-04T15:00:00Z")


def ours_refuses(document: dict) -> bool:
    return check_schema(document).outcome is Outcome.FAILURE


def test_every_clr_we_build_passes_both(official, small_clr, crosswalk) -> None:
    record, _ = whole_record(crosswalk)
    for clr in (small_clr, record):
        assert [e.message for e in official.iter_errors(clr)] == []
        assert check_schema(clr).outcome is Outcome.SUCCESS, check_schema(clr).message


def _nodes(document: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, document
    items = document.items() if isinstance(document, dict) else \
        enumerate(document) if isinstance(document, list) else ()
    for key, value in items:
        yield from _nodes(value, (*path, key))


def _mutated(document: dict, path: tuple, value: Any, delete: bool = False) -> dict:
    changed = copy.deepcopy(document)
    holder = changed
    for key in path[:-1]:
        holder = holder[key]
    if delete:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return changed


def _mutations(document: dict) -> Iterator[tuple[str, dict]]:
    """Each property removed, and each value made a number or an empty object, or (for
    objects) given an unknown property."""
    for path, value in _nodes(document):
        if not path:
            continue
        where = "/".join(map(str, path))
        if isinstance(path[-1], str):
            yield f"{where} removed", _mutated(document, path, None, delete=True)
        for label, replacement in (("a number", 5), ("{}", {})):
            yield f"{where} = {label}", _mutated(document, path, replacement)
        if isinstance(value, dict):
            yield f"{where} + unknown", _mutated(document, path, {**value, "zzUnknown": 1})


def _claims_clr(document: dict) -> bool:
    kinds = document.get("type")
    return isinstance(kinds, list) and "ClrCredential" in kinds


def test_ours_is_never_looser_than_the_official_schema(official, small_clr) -> None:
    looser = [label for label, document in _mutations(small_clr)
              if _claims_clr(document) and not official.is_valid(document)
              and not ours_refuses(document)]
    assert looser == []


@pytest.mark.parametrize("item", ["jwt-string", "envelope", "no-validFrom", "v1-context"])
def test_embedded_credentials_must_be_vcdm_2_objects(official, small_clr, item: str) -> None:
    held = small_clr["credentialSubject"]["verifiableCredential"][0]
    token = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"
    replacement = {
        "jwt-string": token,
        "envelope": envelope(token),
        "no-validFrom": {k: v for k, v in held.items() if k != "validFrom"},
        "v1-context": {**held, "@context": ["https://www.w3.org/2018/credentials/v1"]},
    }[item]
    clr = _mutated(small_clr, ("credentialSubject", "verifiableCredential", 0), replacement)
    assert not official.is_valid(clr)
    assert ours_refuses(clr)


def test_build_refuses_credentials_a_clr_cannot_hold(small_clr, crosswalk) -> None:
    held = small_clr["credentialSubject"]["verifiableCredential"][0]
    unsigned = {k: v for k, v in held.items() if k != "proof"}
    for credential in (envelope("a.b.c"), "a.b.c", unsigned):
        with pytest.raises(ValueError, match="cannot hold"):
            build_clr_credential(
                credential_id="urn:uuid:1", issuer=IssuerProfile("did:example:i", "I"),
                learner=Learner("J", "j@example.com"), credentials=[credential],
                crosswalk=crosswalk, base_url="https://credentials.example.org", salt="00")
