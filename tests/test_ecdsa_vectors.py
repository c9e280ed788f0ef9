"""The W3C vc-di-ecdsa test vectors (../shared/standards/vectors/w3c-vc-di-ecdsa), reproduced.

Every intermediate value the ecdsa-rdfc-2019 and ecdsa-jcs-2019 vectors publish (canonical
forms, hashes, signatures, signed credentials) for P-256 and P-384. The vectors were signed
with deterministic ECDSA (RFC 6979), so our signatures must equal theirs byte for byte.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import re
from datetime import UTC, datetime
from pathlib import Path

import cbor2
import pytest
from pyld import jsonld
from pyld.canon import URDNA2015

from contexts import StaticDocumentLoader
from credentials.proofs import ECDSA_JCS_2019, ECDSA_RDFC_2019, create_proof, hash_data
from credentials.proofs.ecdsa_sd_2023 import (
    create_verify_data,
    parse_derived_proof_value,
    relabelled,
)
from credentials.verify import Outcome, verify_credential
from credentials.verify.resolvers import ChainResolver, DidKeyResolver
from keys.ecdsa import ec_multikey, ec_signer_from_secret_multikey
from keys.multibase import decode_base58btc, encode_base58btc
from tests.conftest import read_json

OFFLINE = ChainResolver([DidKeyResolver()])
CURVES = {"P256": ("p256", "sha256", 64), "P384": ("p384", "sha384", 96)}
# (folder under w3c-vc-di-ecdsa, file-name suffix, unsigned document)
RDFC = [("ecdsa-rdfc-2019-p256", "ECDSAP256", "unsigned.json"),
        ("ecdsa-rdfc-2019-p256/employ", "ECDSAP256", "employmentAuth.json"),
        ("ecdsa-rdfc-2019-p384", "ECDSAP384", "unsigned.json"),
        ("ecdsa-rdfc-2019-p384/employ", "ECDSAP384", "employmentAuth.json")]
JCS = [("ecdsa-jcs-2019-p256", "JCSECDSAP256"), ("ecdsa-jcs-2019-p384", "JCSECDSAP384")]


@pytest.fixture(scope="module")
def vectors(standards: Path) -> Path:
    return standards / "vectors" / "w3c-vc-di-ecdsa"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _signer(vectors: Path, curve: str, method: str):
    key_pair = read_json(vectors / f"{CURVES[curve][0]}KeyPair.json")
    signer = ec_signer_from_secret_multikey(key_pair["secretKeyMultibase"], method,
                                            method.partition("#")[0])
    assert ec_multikey(signer.verification_key) == key_pair["publicKeyMultibase"]
    return signer


@pytest.mark.parametrize("folder, suffix, unsigned_name", RDFC)
def test_rdfc_vector_reproduces(vectors: Path, vector_loader, folder: str, suffix: str,
                                unsigned_name: str) -> None:
    here = vectors / folder
    curve = suffix[-4:]
    _, hash_name, signature_length = CURVES[curve]
    unsigned = read_json(vectors / unsigned_name)
    config = read_json(here / f"proofConfig{suffix}.json")
    assert config["@context"] == unsigned["@context"]

    hashes = hash_data(unsigned, config, vector_loader, hash_name)
    assert hashes.canonical_document == _text(here / f"canonDoc{suffix}.txt")
    assert hashes.canonical_proof_config == _text(here / f"proofCanon{suffix}.txt")
    assert hashes.document_hash.hex() == _text(here / f"docHash{suffix}.txt").strip()
    assert hashes.proof_config_hash.hex() == _text(here / f"proofHash{suffix}.txt").strip()
    assert hashes.data.hex() == _text(here / f"combinedHash{suffix}.txt").strip()

    signer = _signer(vectors, curve, config["verificationMethod"])
    signature = signer.sign(hashes.data)
    assert len(signature) == signature_length
    assert signature.hex() == _text(here / f"sigHex{suffix}.txt").strip()
    assert encode_base58btc(signature) == _text(here / f"sigBTC58{suffix}.txt").strip()

    published = read_json(here / f"signed{suffix}.json")
    signed = create_proof(unsigned, ECDSA_RDFC_2019, signer, vector_loader,
                          created=config["created"])
    assert signed == published


@pytest.mark.parametrize("folder, suffix", JCS)
def test_jcs_vector_reproduces(vectors: Path, folder: str, suffix: str) -> None:
    here = vectors / folder
    curve = suffix[-4:]
    _, hash_name, signature_length = CURVES[curve]
    unsigned = read_json(vectors / "unsigned.json")
    config = read_json(here / f"proofConfig{suffix}.json")

    hashes = ECDSA_JCS_2019.hash_data(unsigned, config, hash_name=hash_name)
    assert hashes.canonical_document == _text(here / f"canonDoc{suffix}.txt")
    assert hashes.canonical_proof_config == _text(here / f"proofCanon{suffix}.txt")
    assert hashes.document_hash.hex() == _text(here / f"docHash{suffix}.txt").strip()
    assert hashes.proof_config_hash.hex() == _text(here / f"proofHash{suffix}.txt").strip()
    assert hashes.data.hex() == _text(here / f"combinedHash{suffix}.txt").strip()

    signature = _signer(vectors, curve, config["verificationMethod"]).sign(hashes.data)
    assert len(signature) == signature_length
    assert signature.hex() == _text(here / f"sigHex{suffix}.txt").strip()
    assert encode_base58btc(signature) == _text(here / f"sigBTC58{suffix}.txt").strip()
    published = read_json(here / f"signed{suffix}.json")
    assert published["proof"] == {**config, "proofValue": encode_base58btc(signature)}
    assert {k: v for k, v in published.items() if k != "proof"} == unsigned


SIGNED = [f"{folder}/signed{suffix}.json" for folder, suffix, _ in RDFC] + \
    [f"{folder}/signed{suffix}.json" for folder, suffix in JCS]


@pytest.mark.parametrize("name", SIGNED)
def test_published_credential_verifies(vectors: Path, vector_loader, name: str) -> None:
    """Through the whole verifier, the key read from its P-256/P-384 did:key."""
    credential = read_json(vectors / name)
    report = verify_credential(credential, loader=vector_loader, resolver=OFFLINE,
                               now=datetime(2024, 6, 1, tzinfo=UTC))
    proof = report.check("proof")
    assert proof.outcome is Outcome.SUCCESS, proof.message
    assert credential["proof"]["cryptosuite"] in proof.message


@pytest.mark.parametrize("name", SIGNED)
def test_published_credential_altered_fails(vectors: Path, vector_loader, name: str) -> None:
    credential = read_json(vectors / name)
    credential["name"] = credential["name"] + "!"
    report = verify_credential(credential, loader=vector_loader, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE
    assert "does not match" in report.check("proof").message


@pytest.mark.parametrize("name", SIGNED)
def test_signature_from_the_other_curve_size_fails(vectors: Path, vector_loader,
                                                  name: str) -> None:
    """A P-384 proof value under a P-256 key (and back) is refused, not truncated."""
    credential = read_json(vectors / name)
    other = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
    if other in credential["proof"]["verificationMethod"]:
        other = "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"
    credential["proof"]["verificationMethod"] = f"did:key:{other}#{other}"
    report = verify_credential(credential, loader=vector_loader, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE


def test_p384_canonical_form_depends_on_sha384(vectors: Path, vector_loader) -> None:
    """RDFC-1.0 labels blank nodes with the suite's hash: SHA-256 labels give another
    canonical form for the P-384 employment vector, so a P-256-only canonicalizer fails it."""
    unsigned = read_json(vectors / "employmentAuth.json")
    published = _text(vectors / "ecdsa-rdfc-2019-p384" / "employ" / "canonDocECDSAP384.txt")
    assert hash_data(unsigned, {"@context": unsigned["@context"]}, vector_loader,
                     "sha256").canonical_document != published
    assert hash_data(unsigned, {"@context": unsigned["@context"]}, vector_loader,
                     "sha384").canonical_document == published



@pytest.mark.parametrize("name", ["prc", "employ"])
def test_sd_derived_credential_verifies_under_p256_did_key(vectors: Path, vector_loader,
                                                          name: str) -> None:
    """An ecdsa-sd-2023 derived credential whose issuer key is a P-256 did:key (zDn...)."""
    credential = read_json(vectors / "ecdsa-sd-2023" / name / "derivedRevealDocument.json")
    assert credential["proof"]["verificationMethod"].startswith("did:key:zDn")
    report = verify_credential(credential, loader=vector_loader, resolver=OFFLINE,
                               now=datetime(2025, 1, 1, tzinfo=UTC))
    proof = report.check("proof")
    assert proof.outcome is Outcome.SUCCESS, proof.message
    assert "ecdsa-sd-2023" in proof.message


# ecdsa-sd-2023: the verifier's intermediate values, and the issuer's where they do not
# depend on selecting statements by JSON pointer (we verify derived proofs; we make none).
SD = ["prc", "employ"]
BASE_HEADER, DERIVED_HEADER = bytes([0xD9, 0x5D, 0x00]), bytes([0xD9, 0x5D, 0x01])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sd(vectors: Path, name: str, file: str):
    return read_json(vectors / "ecdsa-sd-2023" / name / file)


@pytest.mark.parametrize("name", SD)
def test_sd_verifier_values_reproduce(vectors: Path, vector_loader, name: str) -> None:
    derived = _sd(vectors, name, "derivedRevealDocument.json")
    parsed = parse_derived_proof_value(derived["proof"]["proofValue"])
    published = _sd(vectors, name, "verifyDerivedProofValue.json")
    assert parsed.base_signature.hex() == published["baseSignature"]
    assert encode_base58btc(parsed.public_key) == published["publicKey"]
    assert [s.hex() for s in parsed.signatures] == published["signatures"]
    assert parsed.label_map == dict(published["labelMap"])
    assert parsed.mandatory_indexes == published["mandatoryIndexes"]
    disclosure = _sd(vectors, name, "derivedDisclosureData.json")
    assert parsed.label_map == dict(disclosure["labelMap"]["value"])

    data = create_verify_data(derived, derived["proof"], vector_loader)
    assert data.statements == _sd(vectors, name, "verifyNQuads.json")
    expected = _sd(vectors, name, "verifyCreateVerifyData.json")
    assert data.base_signature.hex() == expected["baseSignature"]
    assert data.proof_hash.hex() == expected["proofHash"]
    assert encode_base58btc(data.public_key) == expected["publicKey"]
    assert [s.hex() for s in data.signatures] == expected["signatures"]
    assert data.non_mandatory == expected["nonMandatory"]
    assert data.mandatory_hash.hex() == expected["mandatoryHash"]
    assert {k: v for k, v in derived.items() if k != "proof"} == \
        _sd(vectors, name, "derivedUnsignedReveal.json")


@pytest.mark.parametrize("name", SD)
def test_sd_derived_proof_value_reencodes(vectors: Path, name: str) -> None:
    """The derived proofValue is 'u' + base64url(0xd95d01 + CBOR of the five components,
    the label map compressed to integer keys and raw HMAC digests)."""
    derived = _sd(vectors, name, "derivedRevealDocument.json")
    disclosure = _sd(vectors, name, "derivedDisclosureData.json")
    labels = {int(k.removeprefix("c14n")): _unb64url(v[1:])
              for k, v in disclosure["labelMap"]["value"]}
    components = [bytes.fromhex(disclosure["baseSignature"]),
                  decode_base58btc(disclosure["publicKey"]),
                  [bytes.fromhex(s) for s in disclosure["signatures"]],
                  labels, disclosure["mandatoryIndexes"]]
    assert "u" + _b64url(DERIVED_HEADER + cbor2.dumps(components)) == \
        derived["proof"]["proofValue"]


@pytest.mark.parametrize("name", SD)
def test_sd_issuer_values_reproduce(vectors: Path, vector_loader, name: str) -> None:
    """Proof configuration, canonical and HMAC-labelled base document, the hashes and the
    (RFC 6979) base and statement signatures, and the base proofValue."""
    signed_base = _sd(vectors, name, "addSignedSDBase.json")
    unsecured = {k: v for k, v in signed_base.items() if k != "proof"}
    config = _sd(vectors, name, "addProofConfig.json")
    assert config == {**{k: v for k, v in signed_base["proof"].items() if k != "proofValue"},
                      "@context": unsecured["@context"]}
    hashes = hash_data(unsecured, config, vector_loader)
    assert hashes.canonical_proof_config == _text(
        vectors / "ecdsa-sd-2023" / name / "addProofConfigCanon.txt")
    published_hashes = _sd(vectors, name, "addHashData.json")
    assert hashes.proof_config_hash.hex() == published_hashes["proofHash"]
    assert hashes.canonical_document.splitlines(keepends=True) == \
        _sd(vectors, name, "addBaseDocCanon.json")

    material = read_json(vectors / "ecdsa-sd-2023" / "SDKeyMaterial.json")
    hmac_key = bytes.fromhex(material["hmacKeyString"])
    labels = {label: "u" + _b64url(hmac.digest(hmac_key, label.encode(), "sha256"))
              for label in re.findall(r"_:(c14n\d+)", hashes.canonical_document)}
    hmac_canonical = relabelled(hashes.canonical_document, labels)
    assert hmac_canonical == _sd(vectors, name, "addBaseDocHMACCanon.json")

    transform = _sd(vectors, name, "addBaseTransform.json")
    mandatory = dict(transform["mandatory"]["value"])
    non_mandatory = dict(transform["nonMandatory"]["value"])
    assert sorted([*mandatory, *non_mandatory]) == list(range(len(hmac_canonical)))
    assert all(hmac_canonical[i] == s for i, s in (mandatory | non_mandatory).items())
    mandatory_hash = hashlib.sha256("".join(mandatory.values()).encode()).digest()
    assert mandatory_hash.hex() == published_hashes["mandatoryHash"]

    base_signer = ec_signer_from_secret_multikey(material["baseKeyPair"]["secretKeyMultibase"])
    statement_signer = ec_signer_from_secret_multikey(
        material["proofKeyPair"]["secretKeyMultibase"])
    public_key = decode_base58btc(material["proofKeyPair"]["publicKeyMultibase"])
    raw = _sd(vectors, name, "addRawBaseSignatureInfo.json")
    base_signature = base_signer.sign(hashes.proof_config_hash + public_key + mandatory_hash)
    assert base_signature.hex() == raw["baseSignature"]
    signatures = [statement_signer.sign(s.encode()) for s in non_mandatory.values()]
    assert [s.hex() for s in signatures] == raw["signatures"]
    assert raw["publicKey"] == material["proofKeyPair"]["publicKeyMultibase"]

    value = "u" + _b64url(BASE_HEADER + cbor2.dumps(
        [base_signature, public_key, hmac_key, signatures, raw["mandatoryPointers"]]))
    assert value == signed_base["proof"]["proofValue"]
    recovered = _sd(vectors, name, "derivedRecoveredBaseData.json")
    assert recovered["hmacKey"] == hmac_key.hex()
    assert recovered["mandatoryPointers"] == raw["mandatoryPointers"]


@pytest.mark.parametrize("name", SD)
def test_sd_base_proof_is_refused_by_verifiers(vectors: Path, vector_loader,
                                              name: str) -> None:
    """A base proof carries the HMAC key: it is for the holder, never accepted as proof."""
    report = verify_credential(_sd(vectors, name, "addSignedSDBase.json"),
                               loader=vector_loader,
                               resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE
    assert "only derived" in report.check("proof").message


@pytest.mark.parametrize("name", SD)
def test_sd_disclosure_indexes_link_issuer_and_verifier(vectors: Path, vector_loader,
                                                        name: str) -> None:
    """The holder's index bookkeeping (createDisclosureData) ties the issuer's statements to
    what our verifier rebuilds: the revealed statements are the issuer's HMAC-labelled ones
    at the combined indexes, the mandatory indexes are re-based onto them, and the kept
    signatures are those of the revealed non-mandatory statements."""
    groups = _sd(vectors, name, "derivedGroupIndexes.json")
    combined, mandatory = groups["combinedIndexes"], groups["mandatoryIndexes"]
    derived = _sd(vectors, name, "derivedRevealDocument.json")
    data = create_verify_data(derived, derived["proof"], vector_loader)
    issuer_statements = _sd(vectors, name, "addBaseDocHMACCanon.json")
    assert data.statements == [issuer_statements[i] for i in combined]

    adjusted = [combined.index(i) for i in mandatory]
    assert adjusted == _sd(vectors, name, "derivedAdjMandatoryIndexes.json")[
        "adjMandatoryIndexes"]
    assert parse_derived_proof_value(derived["proof"]["proofValue"]).mandatory_indexes == \
        adjusted

    kept = [groups["nonMandatoryIndexes"].index(i) for i in groups["selectiveIndexes"]
            if i not in mandatory]
    published = _sd(vectors, name, "derivedAdjSignatures.json")
    assert kept == published["adjSignatureIndexes"]
    all_signatures = _sd(vectors, name, "addRawBaseSignatureInfo.json")["signatures"]
    assert [all_signatures[i] for i in kept] == published["filteredSignatures"] == \
        [s.hex() for s in data.signatures]
    all_groups = _sd(vectors, name, "derivedAllGroupData.json")["groups"]
    for group, indexes in (("combined", combined), ("mandatory", mandatory),
                           ("selective", groups["selectiveIndexes"])):
        matching = dict(all_groups[group]["matching"]["value"])
        assert sorted(matching) == indexes
        assert all(issuer_statements[i] == s for i, s in matching.items())


# The issuer's and holder's statement selection (vc-di-ecdsa 3.4: selectJsonLd,
# skolemization, canonicalizeAndGroup), written here from the specification's steps only to
# reproduce the vectors' remaining values: the library verifies derived proofs, it makes none.
class _Sparse(dict):
    """A selected array under construction: index -> value, made dense at the end."""


def _pointer_paths(pointer: str) -> list[str | int]:
    paths: list[str | int] = []
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        paths.append(int(part) if part.isdigit() else part)
    return paths


def _initial_selection(source) -> dict:
    selection: dict = {}
    if not isinstance(source, dict):  # a literal: replaced once the path ends
        return selection
    if isinstance(source.get("id"), str) and not source["id"].startswith("_:"):
        selection["id"] = source["id"]
    if "type" in source:
        selection["type"] = source["type"]
    return selection


def _select_paths(document: dict, paths: list, selection: dict) -> None:
    value, selected_value = document, selection
    selected_parent = selection
    for path in paths:
        selected_parent = selected_value
        value = value[path]  # a pointer that does not match the document raises
        selected_value = selected_parent.get(path)
        if selected_value is None:
            selected_value = _Sparse() if isinstance(value, list) else _initial_selection(value)
            selected_parent[path] = selected_value
    if isinstance(value, list):
        selected_value = copy.deepcopy(value)
    elif isinstance(value, dict):
        selected_value = {**selected_value, **copy.deepcopy(value)}
    else:
        selected_value = value
    selected_parent[paths[-1]] = selected_value


def _dense(value):
    if isinstance(value, _Sparse):
        return [_dense(value[index]) for index in sorted(value)]
    if isinstance(value, dict):
        return {key: _dense(item) for key, item in value.items()}
    return value


def select_json_ld(pointers: list[str], document: dict) -> dict | None:
    if not pointers:
        return None
    selection = {**_initial_selection(document), "@context": copy.deepcopy(document["@context"])}
    for pointer in pointers:
        _select_paths(document, _pointer_paths(pointer), selection)
    return _dense(selection)


def _skolemize(expanded: list, random: str, count: list[int]) -> list:
    """skolemizeExpandedJsonLd: every node gets a URN id (a new one, or its blank id's)."""
    result = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            result.append(copy.deepcopy(element))
            continue
        node = {key: _skolemize(value, random, count) if isinstance(value, list)
                else _skolemize([value], random, count)[0] for key, value in element.items()}
        if "@id" not in node:
            node["@id"] = f"urn:custom-scheme:_{random}_{count[0]}"
            count[0] += 1
        elif node["@id"].startswith("_:"):
            node["@id"] = "urn:custom-scheme:" + node["@id"][2:]
        result.append(node)
    return result


def _deskolemized_nquads(document, options: dict) -> list[str]:
    nquads = jsonld.to_rdf(document, {**options, "format": "application/n-quads"})
    return [re.sub(r"<urn:custom-scheme:([^>]+)>", r"_:\1", line)
            for line in nquads.splitlines(keepends=True)]


def canonicalize_and_group(document: dict, hmac_key: bytes, groups: dict[str, list[str]],
                           loader: StaticDocumentLoader, random: str) -> dict:
    """The document's canonical N-Quads under HMAC labels, and for each group of pointers
    which of them its selection matches (skolemized so selections keep their blank ids)."""
    options = loader.jsonld_options()
    expanded = jsonld.expand(copy.deepcopy(document), options)
    skolemized = _skolemize(expanded, random, [0])
    compact = jsonld.compact(skolemized, {"@context": document["@context"]}, options)
    deskolemized = _deskolemized_nquads(skolemized, options)
    canon = URDNA2015()
    canonical = canon.main(jsonld.JsonLdProcessor.parse_nquads("".join(deskolemized)),
                           {"format": "application/n-quads"})
    issued = canon.canonical_issuer.existing  # input blank node -> its canonical label
    hmac_labels = {new[2:]: "u" + _b64url(hmac.digest(hmac_key, new[2:].encode(), "sha256"))
                   for new in issued.values()}
    labels = {old[2:]: hmac_labels[new[2:]] for old, new in issued.items()}
    nquads = relabelled(canonical, hmac_labels)
    grouped = {}
    for name, pointers in groups.items():
        selected = _deskolemized_nquads(select_json_ld(pointers, compact), options)
        labelled = {re.sub(r"_:(\S+)", lambda m: "_:" + labels[m.group(1)], line)
                    for line in selected}
        grouped[name] = {"matching": {i: q for i, q in enumerate(nquads) if q in labelled},
                         "nonMatching": {i: q for i, q in enumerate(nquads)
                                         if q not in labelled},
                         "deskolemizedNQuads": selected}
    return {"nquads": nquads, "groups": grouped}


def _pointers(vectors: Path, name: str) -> tuple[list[str], list[str]]:
    prefix = {"prc": "prCred", "employ": "employ"}[name]
    return (read_json(vectors / f"{prefix}Mandatory.json"),
            read_json(vectors / f"{prefix}Selective.json"))


def _as_map(published: dict) -> dict[int, str]:
    assert published["dataType"] == "Map"
    return dict(published["value"])


@pytest.mark.parametrize("name", SD)
def test_sd_issuer_selection_reproduces(vectors: Path, vector_loader, name: str) -> None:
    """addPointerValues and addBaseTransform: the mandatory pointers pick the statements
    the base signature covers; the rest are signed one by one."""
    signed_base = _sd(vectors, name, "addSignedSDBase.json")
    unsecured = {k: v for k, v in signed_base.items() if k != "proof"}
    mandatory_pointers, _ = _pointers(vectors, name)
    assert [{"pointer": p, "value": _resolve(unsecured, p)} for p in mandatory_pointers] == \
        _sd(vectors, name, "addPointerValues.json")
    hmac_key = bytes.fromhex(read_json(vectors / "ecdsa-sd-2023" / "SDKeyMaterial.json")
                             ["hmacKeyString"])
    result = canonicalize_and_group(unsecured, hmac_key, {"mandatory": mandatory_pointers},
                                    vector_loader, "00000000-0000-4000-8000-000000000000")
    assert result["nquads"] == _sd(vectors, name, "addBaseDocHMACCanon.json")
    transform = _sd(vectors, name, "addBaseTransform.json")
    assert transform["mandatoryPointers"] == mandatory_pointers
    assert result["groups"]["mandatory"]["matching"] == _as_map(transform["mandatory"])
    assert result["groups"]["mandatory"]["nonMatching"] == _as_map(transform["nonMandatory"])


@pytest.mark.parametrize("name", SD)
def test_sd_holder_selection_reproduces(vectors: Path, vector_loader, name: str) -> None:
    """createDisclosureData: the mandatory, selective and combined groups, their indexes,
    and the revealed document."""
    signed_base = _sd(vectors, name, "addSignedSDBase.json")
    unsecured = {k: v for k, v in signed_base.items() if k != "proof"}
    mandatory, selective = _pointers(vectors, name)
    hmac_key = bytes.fromhex(_sd(vectors, name, "derivedRecoveredBaseData.json")["hmacKey"])
    published = _sd(vectors, name, "derivedAllGroupData.json")["groups"]
    # The vectors' skolem ids (_:_<random>_<n>): with the same random string ours match.
    random = re.match(r"_:_(.+)_\d+ ", next(
        q for q in published["combined"]["deskolemizedNQuads"] if q.startswith("_:"))).group(1)
    result = canonicalize_and_group(unsecured, hmac_key, {
        "mandatory": mandatory, "selective": selective, "combined": mandatory + selective},
        vector_loader, random)
    for group in ("mandatory", "selective", "combined"):
        for kind in ("matching", "nonMatching", "deskolemizedNQuads"):
            expected = published[group][kind]
            if kind != "deskolemizedNQuads":
                expected = _as_map(expected)
            assert result["groups"][group][kind] == expected, (group, kind)
    indexes = _sd(vectors, name, "derivedGroupIndexes.json")
    assert sorted(result["groups"]["combined"]["matching"]) == indexes["combinedIndexes"]
    assert sorted(result["groups"]["mandatory"]["matching"]) == indexes["mandatoryIndexes"]
    assert sorted(result["groups"]["mandatory"]["nonMatching"]) == \
        indexes["nonMandatoryIndexes"]
    assert sorted(result["groups"]["selective"]["matching"]) == indexes["selectiveIndexes"]
    assert select_json_ld(mandatory + selective, unsecured) == \
        _sd(vectors, name, "derivedUnsignedReveal.json")


def _resolve(document, pointer: str):
    for path in _pointer_paths(pointer):
        document = document[path]
    return document
