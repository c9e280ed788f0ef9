"""Every example in ../shared/standards/examples gets the outcome expected-results.json gives it.

Examples whose outcome depends on features of later issues are listed with the reason; where
part of their outcome is already ours to check (the signature), that part is asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from credentials.baking import extract
from credentials.status import Bitstring
from credentials.verify import Outcome, StatusUnavailable, verify_credential
from credentials.verify.resolvers import ChainResolver, DidKeyResolver, MultikeyFragmentResolver
from tests.conftest import STANDARDS, read_json

EXPECTED = STANDARDS / "examples" / "expected-results.json"

# name -> (expected verified, checks that must have these outcomes)
OUTCOMES: dict[str, tuple[bool, dict[str, Outcome]]] = {
    "ob30-impl-guide-eddsa-rdfc-2022-test-vector/credential-signed.json":
        (True, {"proof": Outcome.SUCCESS, "schema": Outcome.SUCCESS}),
    "clr20-impl-guide-eddsa-rdfc-2022-test-vector/credential-signed.json":
        (True, {"proof": Outcome.SUCCESS}),
    "w3c-vc-di-eddsa-test-vectors/eddsa-rdfc-2022/signedDataInt.json":
        (True, {"proof": Outcome.SUCCESS}),
    "w3c-vc-di-eddsa-test-vectors/eddsa-jcs-2022/signedJCS.json":
        (True, {"proof": Outcome.SUCCESS}),
    "w3c-vc-di-eddsa-test-vectors/Ed25519Signature2020/signedEdSig.json":
        (True, {"proof": Outcome.WARNING}),
    "ob30-1edtech-validator/simple.json": (True, {"proof": Outcome.SUCCESS}),
    # Baked badges: the credential is extracted from the image, then verified.
    "ob30-1edtech-validator/simple-json.png": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-json.svg": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-jwt.png": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-jwt.svg": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-jwt_v1.png":
        (True, {"proof": Outcome.WARNING, "schema": Outcome.WARNING}),
    "ob30-1edtech-validator/sd_derivedcredential.json": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-did-key-method.json": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-did-web-method.json": (True, {"proof": Outcome.SUCCESS}),
    "ob30-1edtech-validator/simple-eddsa-2022.json":
        (True, {"proof": Outcome.WARNING, "schema": Outcome.WARNING}),
    "ob30-1edtech-validator/simple_v1.json":
        (True, {"proof": Outcome.WARNING, "schema": Outcome.WARNING}),
    "ob30-1edtech-validator/bit-string-list_testlist.json": (True, {"proof": Outcome.SUCCESS}),
    # Its list is served, as the validator's test serves it, from bit-string-list_testlist.json.
    "ob30-1edtech-validator/bit-string-list_credential-status-revoked.json":
        (False, {"proof": Outcome.SUCCESS, "status": Outcome.FAILURE}),
    "ob30-1edtech-validator/complete_v1.json": (False, {"proof": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-err-proof-value.json": (False, {"proof": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-err-type.json": (False, {"proof": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-err-context.json":
        (False, {"schema": Outcome.FAILURE, "proof": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-err-expired.json":
        (False, {"proof": Outcome.SUCCESS, "validity_period": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-err-issued.json":
        (False, {"proof": Outcome.SUCCESS, "validity_period": Outcome.FAILURE,
                 "schema": Outcome.FAILURE}),
    "ob30-1edtech-validator/simple-noproof.json": (False, {"proof": Outcome.FAILURE}),
    # Its own proof verifies; its five embedded endorsements name the cryptosuite
    # "eddsa-rdf-2022", which does not exist, so the validator (and we) call it invalid.
    "ob30-1edtech-validator/complete.json":
        (False, {"proof": Outcome.SUCCESS, "schema": Outcome.SUCCESS,
                 "endorsements": Outcome.FAILURE, "status": Outcome.FAILURE}),
    "clr20-1edtech-validator/simple.json": (True, {"proof": Outcome.SUCCESS}),
    # RS256 with the key in the JWT header: the signature verifies (as expected); its
    # @context names draft URLs no registry ships, so the CLR schema check fails.
    "clr20-1edtech-validator/simple.jwt":
        (False, {"proof": Outcome.WARNING, "schema": Outcome.FAILURE}),
    "clr20-1edtech-validator/simple_v1.json":
        (True, {"proof": Outcome.WARNING, "schema": Outcome.WARNING}),
}

# name -> (reason, checks already ours to assert)
LATER: dict[str, tuple[str, dict[str, Outcome]]] = {
    "ob30-1edtech-validator/credential-status-revoked.json": (
        "revoked through a 1EdTechRevocationList published only on the network, and signed by "
        "a did:web key that must be fetched: not verifiable offline",
        {"status": Outcome.FAILURE}),
}


def _expected_names() -> list[str]:
    if not EXPECTED.is_file():
        return []
    return sorted(name for name in read_json(EXPECTED) if not name.startswith("_"))


def test_every_example_is_accounted_for(standards: Path) -> None:
    assert set(_expected_names()) == set(OUTCOMES) | set(LATER)


def _assert_checks(report, checks: dict[str, Outcome]) -> None:
    for name, outcome in checks.items():
        check = report.check(name)
        assert check.outcome is outcome, f"{name}: {check.outcome} ({check.message})"


TESTLIST_URL = ("https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/"
                "refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist")


class ExampleStatusLists:
    """Serves the bundled status list at the URL the examples name; nothing else (offline)."""

    def __init__(self, examples: Path) -> None:
        self.lists = {TESTLIST_URL: read_json(
            examples / "ob30-1edtech-validator" / "bit-string-list_testlist.json")}

    def handles(self, url: str) -> bool:
        return True

    def get(self, url: str) -> dict:
        if url not in self.lists:
            raise StatusUnavailable(f"{url} is not available offline")
        return self.lists[url]


OFFLINE = ChainResolver([DidKeyResolver(), MultikeyFragmentResolver()])


def read_example(path: Path):
    if path.suffix in (".png", ".svg"):
        return extract(path.read_bytes())
    return path.read_text().strip() if path.suffix == ".jwt" else read_json(path)


def verify_example(examples: Path, loader, name: str):
    """Verify offline: no did:web fetch, status lists only from the bundle."""
    return verify_credential(read_example(examples / name), loader=loader, resolver=OFFLINE,
                             status_source=ExampleStatusLists(examples))


def test_status_list_example_decodes_with_its_bits(examples: Path) -> None:
    document = read_json(examples / "ob30-1edtech-validator" / "bit-string-list_testlist.json")
    bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
    assert len(bits) == 131_072
    assert bits.set_indexes() == [23]


def test_revoked_example_is_reported_revoked(examples: Path, example_loader) -> None:
    report = verify_example(examples, example_loader,
                            "ob30-1edtech-validator/bit-string-list_credential-status-revoked.json")
    assert report.check("status").message.startswith("revoked: revocation bit 23")


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_example_outcome(examples: Path, example_loader, name: str) -> None:
    verified, checks = OUTCOMES[name]
    report = verify_example(examples, example_loader, name)
    assert report.verified is verified, report.as_json()
    _assert_checks(report, checks)


@pytest.mark.parametrize("name", sorted(LATER))
def test_example_needing_a_later_issue(examples: Path, example_loader, name: str) -> None:
    reason, checks = LATER[name]
    if checks:
        _assert_checks(verify_example(examples, example_loader, name), checks)
    pytest.skip(reason)


def test_print_the_outcome_table(examples: Path, example_loader, capsys) -> None:
    """file -> outcome for every example, printed (run with -s, or see the CI log)."""
    rows = []
    for name in _expected_names():
        if name in LATER:
            rows.append((name, "skipped", LATER[name][0]))
            continue
        report = verify_example(examples, example_loader, name)
        failed = [c.name for c in report.checks if c.outcome is Outcome.FAILURE]
        warned = [c.name for c in report.checks if c.outcome is Outcome.WARNING]
        outcome = "verified" if report.verified else "NOT verified"
        rows.append((name, outcome, ("failed: " + ", ".join(failed) if failed else "")
                     + ("; " if failed and warned else "")
                     + ("warnings: " + ", ".join(warned) if warned else "")))
        assert report.verified is OUTCOMES[name][0], name
    width = max(len(name) for name, _, _ in rows)
    with capsys.disabled():
        print("\n" + "\n".join(f"{name:{width}}  {outcome:12}  {why}"
                                 for name, outcome, why in rows))


@pytest.mark.parametrize("change", [
    lambda d: d["credentialSubject"]["achievement"].update(name="Leadership"),
    lambda d: d["issuer"].update(name="Someone Else"),
    lambda d: d.update(validFrom="2011-01-01T00:00:00Z"),
    lambda d: d["proof"][0].update(created="2010-01-02T19:23:24Z"),
])
def test_selective_disclosure_proof_catches_changes(examples: Path, example_loader,
                                                    change) -> None:
    document = read_json(examples / "ob30-1edtech-validator" / "sd_derivedcredential.json")
    change(document)
    report = verify_credential(document, loader=example_loader, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE
