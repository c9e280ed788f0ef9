"""``credentials verify``: the stand-alone verifier for people without the service."""

from __future__ import annotations

import json
import subprocess
import sys

from credentials.baking import bake_png
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from tests.factories import did_key_signer, signed_credential, unsigned_credential
from tests.test_baking import tiny_png


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "credentials", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_verified_credential_exits_zero(crosswalk, tmp_path) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(signed_credential(crosswalk)))
    result = run("verify", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok  ] proof: eddsa-rdfc-2022 signature" in result.stdout
    assert result.stdout.strip().endswith("\nVerified: every check passed.")


def test_tampered_credential_from_stdin_exits_one(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    credential["name"] = "Something else"
    result = run("verify", "--json", "-", stdin=json.dumps(credential))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["standing"] == "failed" and report["verdict"].startswith("Not verified: ")
    assert report["verified"] is False
    assert any(e.startswith("proof: the signature does not match") for e in report["errors"])


def test_not_json_exits_two() -> None:
    result = run("verify", "-", stdin="{oops")
    assert result.returncode == 2
    assert "not a credential" in result.stderr


def test_baked_png_is_verified(crosswalk, tmp_path) -> None:
    path = tmp_path / "badge.png"
    path.write_bytes(bake_png(tiny_png(), signed_credential(crosswalk)))
    result = run("verify", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_self_asserted_key_exits_three_with_its_verdict(crosswalk, tmp_path) -> None:
    """Valid signature, but nothing ties the key to the issuer: not 0, so scripts that test
    the exit status never take it as the issuer's; the verdict says why."""
    other = "https://other.example/issuers/1"
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=other),
                              EDDSA_RDFC_2022, did_key_signer())
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    result = run("verify", str(path))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.strip().endswith(
        f"\nThe signature is valid, but nothing ties the key to {other}.")
    assert "[warn] issuer: the signature is valid, but nothing ties the key" in result.stdout
