"""``credentials verify`` reads presentations too: JSON or a VP-JWT, with the challenge and
domain the verifier gave."""

from __future__ import annotations

import json

from tests.test_cli import run
from tests.test_presentation_verify import (
    CHALLENGE,
    DOMAIN,
    HOLDER,
    credential,
    jwt_claims,
    presentation,
    signed,
    vp_jwt,
)


def test_a_presentation_and_its_credentials_are_verified(tmp_path) -> None:
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(signed(presentation(credential()))))
    result = run("verify", "--challenge", CHALLENGE, "--domain", DOMAIN, str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"[ok  ] holder_proof: signed by the holder {HOLDER}" in result.stdout
    assert f"credential urn:uuid:6a1c1f2e-8a43-4d49-a0a3-0d8f3e0f9b11 (holder: {HOLDER})" \
        in result.stdout
    assert "    [ok  ] proof: eddsa-rdfc-2022 signature" in result.stdout
    assert result.stdout.strip().endswith("\nVerified: every check passed.")


def test_the_wrong_challenge_exits_one_and_no_proof_exits_three(tmp_path) -> None:
    vp = json.dumps(signed(presentation(credential())))
    result = run("verify", "--json", "--challenge", "another", "-", stdin=vp)
    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"][0].startswith("holder_proof: ")
    unsigned = run("verify", "-", stdin=json.dumps(presentation(credential())))
    assert unsigned.returncode == 3, unsigned.stdout
    assert "[warn] holder_proof: the presentation carries no proof" in unsigned.stdout


def test_a_vp_jwt_is_read_as_a_presentation() -> None:
    token = vp_jwt({**presentation(credential()), **jwt_claims()})
    result = run("verify", "--json", "--challenge", CHALLENGE, "--domain", DOMAIN, "-",
                 stdin=token)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["holderProven"] is True
