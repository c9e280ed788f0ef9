"""The ``proof`` and ``issuer`` checks: does a signature verify, and whose key made it?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contexts import StaticDocumentLoader
from credentials.canonical import CanonicalizationError
from credentials.proofs import ProofError, suite_for, verify_with_suite
from credentials.proofs.jwt import DecodedJwt, verify_jwt
from credentials.verify.report import Check, Outcome
from credentials.verify.resolvers import ChainResolver, ResolutionError
from keys.jose import JwkVerificationKey

LEGACY_SUITES = ("Ed25519Signature2020", "eddsa-2022")


def _proofs(credential: Mapping[str, Any]) -> list[Any]:
    proofs = credential.get("proof") or []
    return proofs if isinstance(proofs, list) else [proofs]


def _verify_one(credential: Mapping[str, Any], proof: Any, resolver: ChainResolver,
                loader: StaticDocumentLoader, seen: frozenset[int] = frozenset()
                ) -> tuple[bool, str, dict[str, Any]]:
    """One proof; a proof chained by ``previousProof`` is checked over the document with
    the proofs it names, each of which must verify first (VC Data Integrity, 4.4)."""
    if not isinstance(proof, Mapping):
        return False, "a proof is not an object", {}
    method = proof.get("verificationMethod")
    detail = {"type": proof.get("type"), "cryptosuite": proof.get("cryptosuite"),
              "verificationMethod": method}
    try:
        suite = suite_for(proof)
        purpose = proof.get("proofPurpose")
        if purpose != "assertionMethod":
            raise ProofError(f"proofPurpose is {purpose!r}; a credential needs assertionMethod")
        document = dict(credential)
        previous = proof.get("previousProof")
        if previous:
            document["proof"] = _previous_proofs(credential, proof, previous, resolver, loader,
                                                 seen | {id(proof)})
        key = resolver.resolve(method, purpose)
        verify_with_suite(document, proof, suite, key, loader)
    except (ProofError, ResolutionError, CanonicalizationError) as error:
        if isinstance(error, CanonicalizationError) and error.path:
            detail["pointer"] = error.path
        return False, str(error), detail
    label = suite.name or suite.proof_type
    if suite.name == "eddsa-2022":
        return True, f"{label} signature valid (legacy name of eddsa-rdfc-2022)", detail
    return True, f"{label} signature by {method} is valid", detail


def _previous_proofs(credential: Mapping[str, Any], proof: Mapping[str, Any], previous: Any,
                     resolver: ChainResolver, loader: StaticDocumentLoader,
                     seen: frozenset[int]) -> Any:
    wanted = previous if isinstance(previous, list) else [previous]
    found = [p for p in _proofs(credential) if isinstance(p, Mapping) and p.get("id") in wanted]
    if len(found) != len(wanted):
        raise ProofError(f"previousProof names {wanted} but the credential has no such proof")
    for earlier in found:
        if id(earlier) in seen:
            raise ProofError("previousProof forms a cycle")
        ok, message, _ = _verify_one(credential, earlier, resolver, loader, seen)
        if not ok:
            raise ProofError(f"the previous proof {earlier.get('id')} does not verify: "
                             f"{message}")
    return found[0] if len(found) == 1 else found


def check_proof(credential: Mapping[str, Any], resolver: ChainResolver,
                loader: StaticDocumentLoader) -> Check:
    """At least one proof must verify (a proof set is valid if one of its proofs is)."""
    proofs = _proofs(credential)
    if not proofs:
        return Check("proof", Outcome.FAILURE, "the credential has no proof")
    results = [_verify_one(credential, p, resolver, loader) for p in proofs]
    details = [{"valid": ok, "message": message, **detail} for ok, message, detail in results]
    valid = [d for d in details if d["valid"]]
    if not valid:
        return Check("proof", Outcome.FAILURE, "; ".join(d["message"] for d in details),
                     {"proofs": details})
    legacy = any(d.get("type") in LEGACY_SUITES or d.get("cryptosuite") in LEGACY_SUITES
                 for d in valid)
    return Check("proof", Outcome.WARNING if legacy else Outcome.SUCCESS, valid[0]["message"],
                 {"proofs": details})


def check_jwt_proof(decoded: DecodedJwt, resolver: ChainResolver) -> Check:
    """The JWS signature, by the key ``kid`` resolves to or the ``jwk`` in the header."""
    header = decoded.header
    detail = {"format": "vc+jwt", "alg": header.get("alg"), "kid": header.get("kid")}
    try:
        if "kid" in header:
            key = resolver.resolve(header["kid"], "assertionMethod")
            jwk, source = key.jwk(), f"key {header['kid']}"
        else:
            jwk, source = dict(header["jwk"]), "the key in the JWT header"
            JwkVerificationKey(jwk)  # refuses private members
        verify_jwt(decoded, jwk)
    except (ProofError, ResolutionError, ValueError, KeyError, TypeError) as error:
        return Check("proof", Outcome.FAILURE, str(error), detail)
    message = f"VC-JWT {header['alg']} signature by {source} is valid"
    detail["proofs"] = [{"valid": True, "verificationMethod": header.get("kid")}]
    if decoded.vcdm_1_1:
        return Check("proof", Outcome.WARNING, message + " (VCDM 1.1 'vc' claim)", detail)
    return Check("proof", Outcome.SUCCESS, message, detail)


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def check_issuer(credential: Mapping[str, Any], proof: Check, resolver: ChainResolver) -> Check:
    """The key that signed must be the issuer's: its controller is the issuer (or an alias
    the controller's own document declares). A key read from the method URL or a did:key is
    self-asserted: it is accepted with a warning when it cannot be bound to the issuer."""
    if proof.outcome is Outcome.FAILURE:
        return Check("issuer", Outcome.SKIPPED, "no valid proof to attribute")
    issuer = _issuer_id(credential)
    methods = [p.get("verificationMethod") for p in proof.detail.get("proofs", [])
               if p.get("valid")]
    method = next((m for m in methods if isinstance(m, str)), None)
    if method is None:
        return Check("issuer", Outcome.WARNING, "the signing key (given in the JWT header) is "
                     "not bound to the issuer by any published document")
    controller = method.partition("#")[0]
    handler = resolver.handler(method)
    binds = bool(handler and handler.binds)
    aliases = handler.aliases(method) if handler else frozenset()
    detail = {"issuer": issuer, "controller": controller, "bound": binds}
    if controller == issuer or issuer in aliases:
        if binds or controller.startswith("did:key:"):
            return Check("issuer", Outcome.SUCCESS, f"signed by a key of the issuer {issuer}",
                         detail)
        return Check("issuer", Outcome.WARNING, f"the key is read from its method URL under "
                     f"{controller}; the issuer's published documents were not consulted",
                     detail)
    if binds:
        return Check("issuer", Outcome.FAILURE, f"signed by a key of {controller}, not of the "
                     f"credential's issuer {issuer}", detail)
    return Check("issuer", Outcome.WARNING, f"the signing key ({controller}) is not bound to "
                 f"the issuer {issuer}; the issuer's identity is not proven by the signature",
                 detail)
