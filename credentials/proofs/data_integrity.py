"""The generic Data Integrity proof: configuration, hashing, attaching and checking a proof.

A :class:`Cryptosuite` is data, in the shape Digital Bazaar's libraries give it: its name,
the proof type that carries it, the key algorithms it takes, and its canonicalization
(RDFC-1.0 or JCS). Everything else -- the proof configuration, the two hashes, the multibase
proof value, the checks a proof must pass -- is done once here, exactly as VC Data Integrity
1.0, vc-di-eddsa and vc-di-ecdsa describe it; a suite whose algorithm differs in one step
(ecdsa-jcs-2019's proof configuration, ecdsa-sd-2023's derived proofs) overrides that step.
The hash is SHA-256, except that vc-di-ecdsa matches it to a P-384 key's security level:
SHA-384, in RDFC-1.0 too.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import CanonicalizationError, canonicalize
from credentials.dates import format_datetime, parse_datetime
from keys.multibase import MultibaseError, decode_base58btc, encode_base58btc
from keys.signer import InvalidSignature, Signer, Verifier

# A canonicalization: (document, loader, hash name) -> canonical text. The hash name matters
# to RDFC-1.0 only, which labels blank nodes with it.
Canonize = Callable[[Mapping[str, Any], StaticDocumentLoader | None, str], str]


class ProofError(ValueError):
    """A proof is malformed or does not verify; the message says why."""


class SignatureMismatch(ProofError):
    """The signature does not match what it signs under the key it names: the one failure
    that says the document was changed after signing (or signed with another key). A report
    tells it from other proof failures by this class, never by the message."""


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


def canonize_rdfc(document: Mapping[str, Any], loader: StaticDocumentLoader | None = None,
                  hash_name: str = "sha256") -> str:
    """RDFC-1.0 N-Quads of ``document``; within :func:`canonicalize_each_document_once` a
    document made of the same member objects is canonicalized once."""
    loader = DEFAULT_LOADER if loader is None else loader
    shared = _SHARED_CANONICAL_FORMS.get()
    if shared is None:
        return canonicalize(document, loader, hash_name)
    # Keyed by member identity; the entry keeps the members alive, so no id is reused.
    key = (id(loader), hash_name, *((name, id(value)) for name, value in document.items()))
    if key not in shared:
        try:
            shared[key] = (document, canonicalize(document, loader, hash_name))
        except CanonicalizationError as error:  # remembered, raised again for every proof
            shared[key] = (document, error)
    result = shared[key][1]
    if isinstance(result, CanonicalizationError):
        raise result
    return result


def canonize_jcs(document: Mapping[str, Any], loader: StaticDocumentLoader | None = None,
                 hash_name: str = "sha256") -> str:
    """The JSON Canonicalization Scheme (RFC 8785) form of ``document``: no contexts read."""
    try:
        return rfc8785.dumps(dict(document)).decode()
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise ProofError(f"the document cannot be JCS-canonicalized: {error}") from None


def hash_data(unsecured: Mapping[str, Any], proof_config: Mapping[str, Any],
              loader: StaticDocumentLoader | None = DEFAULT_LOADER, hash_name: str = "sha256",
              canonize: Canonize = canonize_rdfc) -> HashData:
    """Canonicalize (RDFC-1.0 unless told) and hash the document and the proof configuration,
    both with ``hash_name`` (see :func:`hash_name_for`)."""
    canonical_document = canonize(unsecured, loader, hash_name)
    canonical_proof_config = canonize(proof_config, loader, hash_name)
    return HashData(
        canonical_document,
        canonical_proof_config,
        hashlib.new(hash_name, canonical_document.encode()).digest(),
        hashlib.new(hash_name, canonical_proof_config.encode()).digest(),
    )


@dataclass(frozen=True)
class Cryptosuite:
    """One cryptosuite: what it is called, the proof type carrying it, the JOSE algorithms of
    the keys it takes, and how it canonicalizes. Registered once, in
    ``credentials.proofs.SUITES``.

    ``verify_only``: proofs of this suite are recognised and checked, never made -- legacy
    names (Ed25519Signature2020, eddsa-2022) and suites OB 3.0 and CLR 2.0 do not name for
    issuing (the JCS suites, selective disclosure).
    """

    proof_type: str
    name: str | None  # the ``cryptosuite`` value; None for suites that predate that property
    algorithms: tuple[str, ...]
    canonize: Canonize
    verify_only: bool = False

    @property
    def label(self) -> str:
        """How messages name the suite."""
        return self.name or self.proof_type

    def matches(self, proof: Mapping[str, Any]) -> bool:
        """Whether ``proof`` names this suite (its ``type`` and ``cryptosuite``)."""
        return proof.get("type") == self.proof_type and proof.get("cryptosuite") == self.name

    def check_key(self, key: Signer | Verifier) -> None:
        """Refuse (:class:`ProofError`) a key of an algorithm this suite does not take."""
        if key.algorithm not in self.algorithms:
            raise ProofError(f"{self.label} needs an {' or '.join(self.algorithms)} key; "
                             f"{key.id or 'the key'} is {key.algorithm}")

    def hash_data(self, unsecured: Mapping[str, Any], proof_config: Mapping[str, Any],
                  loader: StaticDocumentLoader | None = DEFAULT_LOADER,
                  hash_name: str = "sha256") -> HashData:
        """The document and proof configuration, canonicalized this suite's way and hashed."""
        return hash_data(unsecured, proof_config, loader, hash_name, self.canonize)

    def proof_options(self, signer: Signer, created: str | None = None,
                      proof_purpose: str = "assertionMethod") -> dict[str, Any]:
        """The proof object a new proof starts from (everything but ``proofValue``)."""
        options: dict[str, Any] = {"type": self.proof_type}
        if self.name:
            options["cryptosuite"] = self.name
        options.update({
            "created": created or format_datetime(datetime.now(UTC)),
            "verificationMethod": signer.id,
            "proofPurpose": proof_purpose,
        })
        return options

    def create_proof(self, document: Mapping[str, Any], signer: Signer,
                     loader: StaticDocumentLoader = DEFAULT_LOADER, created: str | None = None,
                     proof_purpose: str = "assertionMethod", proof_id: str | None = None,
                     previous_proof: str | None = None,
                     options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Sign ``document`` and return it with its new proof (the input is not changed).

        Without ``previous_proof`` any existing proof is replaced. With it, the new proof is
        chained to the existing proof of that id (VC Data Integrity 4.4): that proof is
        signed over too, and the result carries both. ``options`` are further proof
        properties signed with it (``challenge``, ``domain``, ``expires``).
        """
        if self.verify_only:
            raise ProofError(f"{self.label} is accepted for verification only")
        self.check_key(signer)
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        existing = document.get("proof") or []
        existing = existing if isinstance(existing, list) else [existing]
        proof = {**self.proof_options(signer, created, proof_purpose), **(options or {})}
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
        hashes = self.hash_data(hashed, config, loader, hash_name_for(signer.algorithm))
        proof["proofValue"] = encode_base58btc(signer.sign(hashes.data))
        proofs = [*existing, proof] if previous_proof else proof
        return {**json_copy(unsecured), "proof": json_copy(proofs)}

    def verify_proof(self, document: Mapping[str, Any], proof: Mapping[str, Any],
                     key: Verifier, loader: StaticDocumentLoader = DEFAULT_LOADER) -> Any:
        """Check one proof on ``document`` with ``key``; raise :class:`ProofError` if it
        fails. Returns what was checked (the hashes; a derived proof's verify data)."""
        if not self.matches(proof):
            raise ProofError("the proof's type or cryptosuite does not match the suite")
        self.check_key(key)
        if "created" in proof and parse_datetime(proof["created"]) is None:
            raise ProofError(f"the proof's created value {proof['created']!r} is not a "
                             "dateTime")
        return self.check_signature(document, proof, key, loader)

    def verification_hashes(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any],
                            loader: StaticDocumentLoader, hash_name: str) -> HashData:
        """The hashes a verifier re-derives: the proof configuration is the proof less its
        value, in the document's context."""
        return self.hash_data(unsecured, proof_config_for_verification(unsecured, proof),
                              loader, hash_name)

    def check_signature(self, document: Mapping[str, Any], proof: Mapping[str, Any],
                        key: Verifier, loader: StaticDocumentLoader) -> Any:
        """Verify ``proof``'s base58btc proofValue over what it signed (the document less its
        proof, the proofs its ``previousProof`` names) and its proof configuration."""
        try:
            signature = decode_base58btc(proof.get("proofValue", ""))
        except MultibaseError as error:
            raise ProofError(f"proofValue is not base58btc multibase: {error}") from error
        hashes = self.verification_hashes(signed_document(document, proof), proof, loader,
                                          hash_name_for(key.algorithm))
        try:
            key.verify(signature, hashes.data)
        except InvalidSignature:
            raise SignatureMismatch("the signature does not match the document: it was "
                                    "altered after signing, or signed with another key"
                                    ) from None
        return hashes


def create_proof(document: Mapping[str, Any], suite: Cryptosuite, signer: Signer,
                 loader: StaticDocumentLoader = DEFAULT_LOADER, created: str | None = None,
                 proof_purpose: str = "assertionMethod", proof_id: str | None = None,
                 previous_proof: str | None = None,
                 options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``suite.create_proof``, in the functional form most callers use."""
    return suite.create_proof(document, signer, loader, created, proof_purpose, proof_id,
                              previous_proof, options)


def verify_proof(document: Mapping[str, Any], proof: Mapping[str, Any], suite: Cryptosuite,
                 key: Verifier, loader: StaticDocumentLoader = DEFAULT_LOADER) -> Any:
    """``suite.verify_proof``, in the functional form."""
    return suite.verify_proof(document, proof, key, loader)


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times cheaper than
    ``copy.deepcopy``, which a CLR of 25 credentials would otherwise spend most of its
    signing time in: a pickle round trip in memory (what we just pickled ourselves), or a
    walk when something in ``value`` cannot be pickled."""
    try:
        return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return _walk_copy(value)


def _walk_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _walk_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk_copy(item) for item in value]
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
