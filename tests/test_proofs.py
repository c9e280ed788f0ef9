"""Data Integrity proofs: round trips, safe mode, and tamper evidence on every value."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.canonical import CanonicalizationError, canonicalize
from credentials.proofs import ED25519_SIGNATURE_2020, EDDSA_RDFC_2022, ProofError, create_proof
from credentials.verify import verify_credential
from keys import generate_ed25519
from tests.factories import did_key_signer, signed_credential, unsigned_credential

Path_ = tuple[Any, ...]


def leaves(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Paths of every scalar in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def get(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def replaced(document: dict, path: Path_, value: Any) -> dict:
    changed = copy.deepcopy(document)
    parent = get(changed, path[:-1])
    parent[path[-1]] = value
    return changed


def different(value: Any) -> Any:
    """A deterministic value of the same kind that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str) and value.startswith(("http", "urn:", "did:")):
        return value + "x"
    return f"{value}!"


@pytest.fixture(scope="module")
def signed(crosswalk) -> dict:
    return signed_credential(crosswalk)


def test_round_trip(signed) -> None:
    assert verify_credential(signed).verified


def test_changing_any_single_value_breaks_verification(signed) -> None:
    paths = list(leaves(signed))
    assert len(paths) > 60
    for path in paths:
        tampered = replaced(signed, path, different(get(signed, path)))
        assert not verify_credential(tampered).verified, path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_replacement_value_breaks_verification(signed, data) -> None:
    paths = list(leaves(signed))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(st.one_of(st.text(max_size=20), st.integers(), st.booleans(),
                                st.none(), st.floats(allow_nan=False)))
    if value == get(signed, path) and type(value) is type(get(signed, path)):
        return
    assert not verify_credential(replaced(signed, path, value)).verified, (path, value)


def test_undefined_terms_are_refused_not_dropped(crosswalk) -> None:
    credential = unsigned_credential(crosswalk)
    credential["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(CanonicalizationError, match=r"favouriteColour|does not define"):
        canonicalize(credential)
    with pytest.raises(CanonicalizationError):
        create_proof(credential, EDDSA_RDFC_2022, did_key_signer())


def test_undefined_term_added_after_signing_fails_verification(signed) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["note"] = "added later"
    report = verify_credential(tampered)
    assert not report.verified
    assert "does not define" in report.check("proof").message


@pytest.mark.parametrize("path, value", [
    (("credentialSubject", "achievement", "type"), ["Badge"]),
    (("issuer", "id"), "issuers/relative"),
])
def test_relative_iris_are_refused(crosswalk, path: Path_, value: Any) -> None:
    credential = replaced(unsigned_credential(crosswalk), path, value)
    with pytest.raises(CanonicalizationError, match=r"absolute IRI|not defined|does not define"):
        canonicalize(credential)


def test_legacy_suites_are_verify_only(crosswalk) -> None:
    with pytest.raises(ProofError, match="verification only"):
        create_proof(unsigned_credential(crosswalk), ED25519_SIGNATURE_2020, did_key_signer())


def test_signature_by_another_key_fails(crosswalk) -> None:
    other = generate_ed25519(did_key_signer().id)
    forged = create_proof(unsigned_credential(crosswalk), EDDSA_RDFC_2022, other)
    report = verify_credential(forged)
    assert not report.verified
    assert "signature does not match" in report.check("proof").message


def test_proof_set_is_valid_only_when_every_proof_is(signed) -> None:
    """VC Data Integrity 4.5: a proof set verifies when all its proofs do."""
    bad = {**signed["proof"], "proofValue": "z" + "1" * 80}
    assert verify_credential({**signed, "proof": [signed["proof"], signed["proof"]]}).verified
    report = verify_credential({**signed, "proof": [bad, signed["proof"]]})
    assert not report.verified
    assert report.check("proof").message.startswith("proof 1 of 2: the signature does not")
    assert not verify_credential({**signed, "proof": [bad]}).verified


def test_wrong_proof_purpose_fails(signed) -> None:
    report = verify_credential({**signed, "proof": {**signed["proof"],
                                                    "proofPurpose": "authentication"}})
    assert not report.verified
    assert "assertionMethod" in report.check("proof").message
