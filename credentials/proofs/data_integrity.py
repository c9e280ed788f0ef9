"""The generic Data Integrity proof: configuration, hashing, attaching and checking a proof.

A :class:`Cryptosuite` says only what differs between suites (its name, its proof type, the
key algorithms it takes). Everything else -- the proof configuration, the two hashes, the
multibase proof value -- is done once here, exactly as VC Data Integrity 1.0, vc-di-eddsa
and vc-di-ecdsa describe it for RDFC-based suites. The hash is SHA-256, except that
vc-di-ecdsa matches it to a P-384 key's security level: SHA-384, in RDFC-1.0 too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import CanonicalizationError, canonicalize
from credentials.dates import format_datetime, parse_datetime
from keys.multibase import MultibaseError, decode_base58btc, encode_base58btc
from keys.signer import InvalidSignature, Signer, Verifier


class ProofError(ValueError):
    """A proof is malformed or does not verify; the message says why."""


@dataclass(frozen=True)
class Cryptosuite:
    """What distinguishes one RDFC suite from another."""

    proof_type: str
    name: str | None  # the ``cryptosuite`` value; None for suites that predate that property
    algorithm: str  # the JOSE algorithm name the key must have
    legacy: bool = False  # accepted when verifying, never used to sign
    more_algorithms: tuple[str, ...] = ()  # other key algorithms it takes (ECDSA: P-384)

    def accepts(self, algorithm: str) -> bool:
        """Whether a key of this JOSE algorithm may make or check this suite's proofs."""
        return algorithm == self.algorithm or algorithm in self.more_algorithms

    def refuse(self, key: Signer | Verifier) -> ProofError:
        """The error for a key of an algorithm this suite does not take."""
        wanted = " or ".join((self.algorithm, *self.more_algorithms))
        return ProofError(f"{self.name or self.proof_type} needs an {wanted} key; "
                          f"{key.id or 'the key'} is {key.algorithm}")


def hash_name_for(algorithm: str) -> str:
    """The hash a key's proofs use: SHA-384 for P-384 (ES384) keys, SHA-256 otherwise."""
    return "sha384" if algorithm == "ES384" else "sha256"


@dataclass(frozen=True)
class HashData:
    """The intermediate values of proof creation or verification (the test vectors publish them)."""

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_config_hash: bytes

    @property
    def data(self) -> bytes:
        """What is signed: proof-configuration hash followed by document hash."""
        return self.proof_config_hash + self.document_hash


_SHARED_CANONICAL_FORMS: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "shared_canonical_forms", default=None)


@contextmanager
def canonicalize_each_document_once() -> Iterator[None]:
    """Within the block, an unsecured document made of the same member objects is
    canonicalized once (its failure too): every proof of a proof set signs the same document,
    and re-canonicalizing a large one per proof is most of a verification's time."""
    token = _SHARED_CANONICAL_FORMS.set({})
    try:
        yield
    finally:
        _SHARED_CANONICAL_FORMS.reset(token)


def _canonical_document(unsecured: Mapping[str, Any], loader: StaticDocumentLoader,
                        hash_name: str) -> str:
    shared = _SHARED_CANONICAL_FORMS.get()
    if shared is None:
        return canonicalize(unsecured, loader, hash_name)
    # Keyed by member identity; the entry keeps the members alive, so no id is reused.
    key = (id(loader), hash_name, *((name, id(value)) for name, value in unsecured.items()))
    if key not in shared:
        try:
            shared[key] = (unsecured, canonicalize(unsecured, loader, hash_name))
        except CanonicalizationError as error:  # remembered, raised again for every proof
            shared[key] = (unsecured, error)
    result = shared[key][1]
    if isinstance(result, CanonicalizationError):
        raise result
    return result


def hash_data(unsecured: Mapping[str, Any], proof_config: Mapping[str, Any],
              loader: StaticDocumentLoader = DEFAULT_LOADER, hash_name: str = "sha256"
              ) -> HashData:
    """Canonicalize (RDFC-1.0) and hash the document and the proof configuration, both with
    ``hash_name`` (see :func:`hash_name_for`)."""
    canonical_document = _canonical_document(unsecured, loader, hash_name)
    canonical_proof_config = canonicalize(proof_config, loader, hash_name)
    return HashData(
        canonical_document,
        canonical_proof_config,
        hashlib.new(hash_name, canonical_document.encode()).digest(),
        hashlib.new(hash_name, canonical_proof_config.encode()).digest(),
    )


def proof_options(suite: Cryptosuite, signer: Signer, created: str | None = None,
                  proof_purpose: str = "assertionMethod") -> dict[str, Any]:
    """The proof object a new proof starts from (everything but ``proofValue``)."""
    options: dict[str, Any] = {"type": suite.proof_type}
    if suite.name:
        options["cryptosuite"] = suite.name
    options.update({
        "created": created or format_datetime(datetime.now(UTC)),
        "verificationMethod": signer.id,
        "proofPurpose": proof_purpose,
    })
    return options


def create_proof(document: Mapping[str, Any], suite: Cryptosuite, signer: Signer,
                 loader: StaticDocumentLoader = DEFAULT_LOADER, created: str | None = None,
                 proof_purpose: str = "assertionMethod", proof_id: str | None = None,
                 previous_proof: str | None = None) -> dict[str, Any]:
    """Sign ``document`` and return it with its new proof (the input is not changed).

    Without ``previous_proof`` any existing proof is replaced. With it, the new proof is
    chained to the existing proof of that id (VC Data Integrity 4.4): that proof is signed
    over too, and the result carries both.
    """
    if suite.legacy:
        raise ProofError(f"{suite.name or suite.proof_type} is accepted for verification only")
    if not suite.accepts(signer.algorithm):
        raise suite.refuse(signer)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    existing = document.get("proof") or []
    existing = existing if isinstance(existing, list) else [existing]
    proof = proof_options(suite, signer, created, proof_purpose)
    if proof_id:
        proof = {"id": proof_id, **proof}
    hashed = unsecured
    if previous_proof:
        chained = [p for p in existing if p.get("id") == previous_proof]
        if not chained:
            raise ProofError(f"no existing proof with id {previous_proof!r} to chain to")
        proof["previousProof"] = previous_proof
        hashed = {**unsecured, "proof": chained[0]}
    config = {**proof, "@context": unsecured["@context"]}
    hashes = hash_data(hashed, config, loader, hash_name_for(signer.algorithm))
    proof["proofValue"] = encode_base58btc(signer.sign(hashes.data))
    proofs = [*existing, proof] if previous_proof else proof
    return {**json_copy(unsecured), "proof": json_copy(proofs)}


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times cheaper than
    ``copy.deepcopy``, which a CLR of 25 credentials would otherwise spend most of its
    signing time in."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


def proof_config_for_verification(document: Mapping[str, Any], proof: Mapping[str, Any]
                                  ) -> dict[str, Any]:
    """The proof configuration a verifier re-derives: the proof less its value, in the
    document's context. A proof that carries its own ``@context`` must match the start of
    the document's."""
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    context = document.get("@context")
    if "@context" in proof:
        own = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        doc = context if isinstance(context, list) else [context]
        if doc[: len(own)] != own:
            raise ProofError("the proof's @context does not match the document's @context")
    config["@context"] = context
    return config


def verify_proof(document: Mapping[str, Any], proof: Mapping[str, Any], suite: Cryptosuite,
                 key: Verifier, loader: StaticDocumentLoader = DEFAULT_LOADER) -> HashData:
    """Check one proof on ``document`` with ``key``; raise :class:`ProofError` if it fails."""
    if proof.get("type") != suite.proof_type or proof.get("cryptosuite") != suite.name:
        raise ProofError("the proof's type or cryptosuite does not match the suite")
    if not suite.accepts(key.algorithm):
        raise suite.refuse(key)
    if "created" in proof and parse_datetime(proof["created"]) is None:
        raise ProofError(f"the proof's created value {proof['created']!r} is not a dateTime")
    return check_signature(document, proof, key, lambda unsecured, config: hash_data(
        unsecured, config, loader, hash_name_for(key.algorithm)))


def signed_document(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """What ``proof`` signed: the document less its proofs, and for a proof chained by
    ``previousProof`` the proofs it names, each of which must be in the document's proof set
    (VC Data Integrity 4.5)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "previousProof" not in proof:
        return unsecured
    previous = proof["previousProof"]
    wanted = previous if isinstance(previous, list) else [previous]
    if not wanted or not all(isinstance(w, str) for w in wanted):
        raise ProofError("previousProof must be a proof id or a list of proof ids")
    proofs = document.get("proof")
    by_id = {p.get("id"): p for p in (proofs if isinstance(proofs, list) else [proofs])
             if isinstance(p, Mapping) and "id" in p}
    missing = [w for w in wanted if w not in by_id]
    if missing:
        raise ProofError(f"previousProof names {', '.join(missing)}, which is not a proof of "
                         "this document")
    return {**unsecured, "proof": [by_id[w] for w in wanted]}


def check_signature(document: Mapping[str, Any], proof: Mapping[str, Any], key: Verifier,
                    hashes_for: Callable[[Mapping[str, Any], Mapping[str, Any]], HashData]
                    ) -> HashData:
    """Verify ``proof``'s base58btc proofValue over the document less its proof and the
    proof configuration, as ``hashes_for`` hashes them (RDFC or JCS)."""
    try:
        signature = decode_base58btc(proof.get("proofValue", ""))
    except MultibaseError as error:
        raise ProofError(f"proofValue is not base58btc multibase: {error}") from error
    unsecured = signed_document(document, proof)
    hashes = hashes_for(unsecured, proof_config_for_verification(unsecured, proof))
    try:
        key.verify(signature, hashes.data)
    except InvalidSignature:
        raise ProofError("the signature does not match the document: it was altered after "
                         "signing, or signed with another key") from None
    return hashes
