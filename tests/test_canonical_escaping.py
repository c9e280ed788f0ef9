"""Every string in its exact canonical N-Quads form, on both canonicalization paths.

RDFC-1.0 writes canonical N-Quads: in a literal, \\b \\t \\n \\f \\r \\" and \\\\ as ECHAR, the
other characters below U+0020 and U+007F as UCHAR with upper-case hex, everything else as
itself.
Digital Bazaar's jsonld.js and rdf-canonize (npm) are the independent cross-check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contexts import DEFAULT_LOADER
from credentials.canonical import CanonicalizationError, canonicalize, canonicalize_with_pyld
from credentials.jsonld_quads import ContextMemo, to_quads
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.rdfc import canonical_nquads, escape_string, iri_term, literal_term
from credentials.verify import verify_credential
from keys import Ed25519Signer
from keys.did import did_key
from tests.factories import did_key_signer, unsigned_credential

BRIDGE = Path(__file__).resolve().parent / "interop"
CONTROLS = "".join(map(chr, range(0x20))) + "\x7f"
EVERY_CONTROL = f"before {CONTROLS} \"quoted\" back\\slash ' \x80\x85\xa0\u2028 é ✓ 𝄞 after"
EXPECTED = {
    "\x00": "\\u0000", "\x01": "\\u0001", "\x07": "\\u0007", "\b": "\\b", "\t": "\\t",
    "\n": "\\n", "\x0b": "\\u000B", "\f": "\\f", "\r": "\\r", "\x0e": "\\u000E",
    "\x1b": "\\u001B", "\x1f": "\\u001F", "\x7f": "\\u007F", '"': '\\"', "\\": "\\\\",
    "'": "'", " ": " ", "~": "~", "\x80": "\x80", "\x85": "\x85", "\xa0": "\xa0",
    "\u2028": "\u2028", "𝄞": "𝄞"}


def test_each_character_is_written_as_the_canonical_form_says() -> None:
    for character, written in EXPECTED.items():
        assert escape_string(f"a{character}b") == f"a{written}b", repr(character)
    assert escape_string(CONTROLS) == (
        "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E"
        "\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A"
        "\\u001B\\u001C\\u001D\\u001E\\u001F\\u007F")


def test_terms() -> None:
    assert literal_term("x\x01") == '"x\\u0001"'
    assert literal_term("x", language="en-GB") == '"x"@en-GB'
    assert literal_term("1", "http://www.w3.org/2001/XMLSchema#integer") == \
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert iri_term("urn:ex:a b<c>\x01") == "<urn:ex:a\\u0020b\\u003Cc\\u003E\\u0001>"


def narrated(narrative: str) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
            "evidence": [{"id": "https://example.org/evidence/1", "type": ["Evidence"],
                          "narrative": narrative}]}


def test_the_walker_and_the_pyld_path_write_every_control_character_alike() -> None:
    document = narrated(EVERY_CONTROL)
    to_quads(document, ContextMemo(DEFAULT_LOADER))  # the walker handles it, no fallback
    walked = canonicalize(document)
    assert canonicalize_with_pyld(document) == walked
    narrative = next(line for line in walked.split("\n") if "narrative" in line)
    assert narrative.endswith(f'"{escape_string(EVERY_CONTROL)}" .')
    assert "\\u0000\\u0001" in narrative and "\\b\\t\\n\\u000B\\f\\r" in narrative
    assert not any(character in narrative for character in CONTROLS)


def test_a_nul_character_is_written_as_uchar() -> None:
    assert '"a\\u0000b" .' in canonicalize(narrated("a\x00b"))
    assert canonical_nquads({("<urn:ex:s>", "<urn:ex:p>", literal_term("\x00"), "")}) == \
        '<urn:ex:s> <urn:ex:p> "\\u0000" .\n'


@pytest.mark.parametrize("path", [canonicalize, canonicalize_with_pyld], ids=["walker", "pyld"])
@pytest.mark.parametrize("blank", [False, True], ids=["iri-node", "blank-node"])
def test_a_lone_surrogate_is_refused_not_crashed_on(path, blank: bool) -> None:
    document = narrated("a\ud800b")
    if blank:
        del document["evidence"][0]["id"]
    with pytest.raises(CanonicalizationError, match="lone surrogate"):
        path(document)


@pytest.fixture(scope="module")
def bridge():
    available = shutil.which("node") and (BRIDGE / "node_modules" / "rdf-canonize").is_dir()
    if not available:
        pytest.skip("Node.js or tests/interop/node_modules missing (run `make test`)")

    def call(script: str, request: Any) -> Any:
        result = subprocess.run(["node", str(BRIDGE / script)], input=json.dumps(request),
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return call


def one_string_per_character() -> list[str]:
    return [*CONTROLS, *(f"x{character}y" for character in CONTROLS), EVERY_CONTROL]


@pytest.mark.interop
def test_rdf_canonize_agrees_on_every_control_character(bridge) -> None:
    strings = one_string_per_character()
    documents = [narrated(text) for text in strings]
    datasets = [canonical_nquads({("_:s", "<urn:ex:p>", literal_term(text), ""),
                                  ("_:s", "<urn:ex:q>", literal_term(text, language="en"), "")})
                for text in strings]
    answers = bridge("canonize.mjs", [{"document": document} for document in documents]
                     + [{"nquads": nquads} for nquads in datasets])
    for document, answer in zip(documents, answers[:len(documents)], strict=True):
        assert answer == {"nquads": canonicalize(document)}
        assert answer == {"nquads": canonicalize_with_pyld(document)}
    for nquads, answer in zip(datasets, answers[len(documents):], strict=True):
        assert answer == {"nquads": nquads}


def node_data_integrity(bridge, request: dict) -> dict:
    return bridge("dataintegrity.mjs", request)


@pytest.mark.interop
def test_credentials_with_control_characters_verify_both_ways(bridge, crosswalk) -> None:
    unsigned = unsigned_credential(crosswalk)
    unsigned["evidence"][0]["narrative"] = EVERY_CONTROL
    ours = create_proof(unsigned, EDDSA_RDFC_2022, did_key_signer(),
                        created="2026-11-03T15:00:00Z")
    assert node_data_integrity(bridge, {"action": "verify", "credential": ours}) == \
        {"verified": True, "error": ""}

    seed = bytes.fromhex("5a" * 32)
    did = did_key(Ed25519Signer.from_seed(seed).verification_key)
    unsigned = unsigned_credential(crosswalk, issuer_id=did)
    unsigned["evidence"][0]["narrative"] = EVERY_CONTROL
    theirs = node_data_integrity(bridge, {"action": "issue", "credential": unsigned,
                                          "seed": seed.hex(),
                                          "created": "2026-11-03T15:00:00Z"})["credential"]
    assert verify_credential(theirs).verified
    theirs["evidence"][0]["narrative"] = EVERY_CONTROL.replace("\x01", "\x02")
    assert not verify_credential(theirs).verified

