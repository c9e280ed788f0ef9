"""The ``proof`` and ``issuer`` checks: does every signature verify, and whose key made it?"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contexts import StaticDocumentLoader
from credentials.canonical import CanonicalizationError
from credentials.dates import parse_datetime
from credentials.proofs import ProofError, suite_for
from credentials.proofs.data_integrity import SignatureMismatch, canonicalize_each_document_once
from credentials.proofs.jwt import DecodedJwt, verify_jwt
from credentials.vcdm import issuer_id_of
from credentials.verify.report import Check, Outcome, ProofFailure
from credentials.verify.resolvers import (
    ChainResolver,
    IssuerDirectory,
    KeyProblem,
    ResolutionError,
)
from keys.did import DidError, did_key_public_key
from keys.jose import JwkVerificationKey, thumbprint
from keys.jwk import UnusableKeyError, kind_of
from keys.multibase import MultibaseError
from keys.signer import Verifier

LEGACY_SUITES = ("Ed25519Signature2020", "eddsa-2022")
# C0 and C1 controls and lone surrogates: RFC 3986 URLs and DIDs hold none of them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Signature:
    """A proof that verified: the key that made it, how the proof named that key, and when
    it says it was signed (a proof's ``created``, a JWT's ``iat``; None when it does not
    say -- validity dates are claims, not signing times)."""

    key: Verifier
    method: str | None  # the verificationMethod or JWT kid; None for a JWT ``jwk`` header
    signed_at: datetime | None

    @property
    def controller(self) -> str | None:
        return self.method.partition("#")[0] if self.method else None

    def described(self) -> str:
        """Whose key this is, in words: the method URL, or the JWT header key's thumbprint."""
        if self.method:
            return self.method
        return f"the key in the JWT header (thumbprint {key_thumbprint(self.key)})"


def key_thumbprint(key: Verifier) -> str:
    """The RFC 7638 thumbprint of a public key: one name for it whatever form it came in."""
    return thumbprint(key.jwk())  # type: ignore[attr-defined]  # both key classes have jwk()


def _proofs(credential: Mapping[str, Any]) -> list[Any]:
    proofs = credential.get("proof") or []
    return proofs if isinstance(proofs, list) else [proofs]


def _failure(error: Exception) -> dict[str, str]:
    """What kind of failure ``error`` is, for the report to word its verdict by: a signature
    that does not match, a key that could not be resolved (and why), or a proof that could
    not be checked at all."""
    if isinstance(error, SignatureMismatch):
        return {"failure": ProofFailure.SIGNATURE}
    if isinstance(error, ResolutionError):
        return {"failure": ProofFailure.KEY, "keyProblem": error.problem}
    if isinstance(error, UnusableKeyError):
        return {"failure": ProofFailure.KEY, "keyProblem": KeyProblem.UNUSABLE_KEY}
    return {"failure": ProofFailure.PROOF}


def _verify_one(credential: Mapping[str, Any], proof: Any, resolver: ChainResolver,
                loader: StaticDocumentLoader) -> tuple[Signature | None, str, dict[str, Any]]:
    """One proof of the set, over the document with the proofs its ``previousProof`` names
    (each of which the caller verifies in its own turn)."""
    if not isinstance(proof, Mapping):
        return None, "a proof is not an object", {"failure": ProofFailure.PROOF}
    method = proof.get("verificationMethod")
    detail = {"type": proof.get("type"), "cryptosuite": proof.get("cryptosuite"),
              "verificationMethod": method}
    try:
        suite = suite_for(proof)
        purpose = proof.get("proofPurpose")
        if purpose != "assertionMethod":
            raise ProofError(f"proofPurpose is {purpose!r}; a credential needs assertionMethod")
        key = resolver.resolve(method, purpose)
        suite.verify_proof(credential, proof, key, loader)
    except (ProofError, ResolutionError, CanonicalizationError) as error:
        if isinstance(error, CanonicalizationError) and error.path:
            detail["pointer"] = error.path
        return None, str(error), {**detail, **_failure(error)}
    label = suite.name or suite.proof_type
    signature = Signature(key, method, _moment(proof.get("created")))
    if suite.name == "eddsa-2022":
        return signature, f"{label} signature valid (legacy name of eddsa-rdfc-2022)", detail
    return signature, f"{label} signature by {method} is valid", detail


# When proofs of one set fail differently, the report names the gravest: a signature that
# does not match (something was changed) before a key that could not be found.
_GRAVITY = (ProofFailure.SIGNATURE, ProofFailure.KEY, ProofFailure.PROOF)


def verify_proofs(credential: Mapping[str, Any], resolver: ChainResolver,
                  loader: StaticDocumentLoader) -> tuple[Check, list[Signature]]:
    """Every proof of a proof set or chain must verify (VC Data Integrity 4.5): one that does
    not, names an absent ``previousProof``, or is of a type we do not know fails the check.
    The unsecured document is canonicalized once for all the proofs that sign it.

    A failed check's detail says what kind of failure decides it (``failure``, and
    ``keyProblem`` when a key could not be resolved), from the gravest failed proof."""
    proofs = _proofs(credential)
    if not proofs:
        return Check("proof", Outcome.FAILURE, "the credential has no proof",
                     {"failure": ProofFailure.MISSING}), []
    with canonicalize_each_document_once():
        results = [_verify_one(credential, p, resolver, loader) for p in proofs]
    details = [{"valid": signature is not None, "message": message, **detail}
               for signature, message, detail in results]
    failed = [(index, d) for index, d in enumerate(details) if not d["valid"]]
    if failed:
        where = (lambda i: f"proof {i + 1} of {len(proofs)}: ") if len(proofs) > 1 \
            else (lambda i: "")
        gravest = min((d for _, d in failed), key=lambda d: _GRAVITY.index(d["failure"]))
        decided = {name: gravest[name] for name in ("failure", "keyProblem") if name in gravest}
        return Check("proof", Outcome.FAILURE,
                     _listed([where(i) + d["message"] for i, d in failed]),
                     {**decided, "proofs": details}), []
    legacy = any(d.get("type") in LEGACY_SUITES or d.get("cryptosuite") in LEGACY_SUITES
                 for d in details)
    message = details[0]["message"] if len(details) == 1 else \
        f"all {len(details)} proofs verify: " + _listed([d["message"] for d in details])
    return (Check("proof", Outcome.WARNING if legacy else Outcome.SUCCESS, message,
                  {"proofs": details}),
            [signature for signature, _, _ in results if signature is not None])


def _listed(messages: list[str], shown: int = 3) -> str:
    rest = len(messages) - shown
    return "; ".join(messages[:shown]) + (f"; and {rest} more" if rest > 0 else "")


def verify_jwt_proof(decoded: DecodedJwt, resolver: ChainResolver
                     ) -> tuple[Check, list[Signature]]:
    """The JWS signature, by the key ``kid`` resolves to or the ``jwk`` in the header."""
    header = decoded.header
    detail = {"format": "vc+jwt", "alg": header.get("alg"), "kid": header.get("kid")}
    try:
        if "kid" in header:
            key = resolver.resolve(header["kid"], "assertionMethod")
            jwk, source = key.jwk(), f"key {header['kid']}"
        else:
            if not isinstance(header["jwk"], Mapping):
                raise UnusableKeyError(f"the JWT header's jwk is {kind_of(header['jwk'])}, "
                                       "not an object")
            jwk, source = dict(header["jwk"]), "the key in the JWT header"
            key = JwkVerificationKey(jwk)  # refuses private members and unusable keys
        verify_jwt(decoded, jwk)
    except (ProofError, ResolutionError, UnusableKeyError) as error:
        return Check("proof", Outcome.FAILURE, str(error), {**detail, **_failure(error)}), []
    message = f"VC-JWT {header['alg']} signature by {source} is valid"
    detail["proofs"] = [{"valid": True, "verificationMethod": header.get("kid")}]
    # ``iat`` is when the JWT was signed. Without it, ``nbf`` (validFrom) stands in: VC-JWTs
    # this service issued before it set ``iat`` carry only that, and must keep verifying once
    # their key is retired. Either is the signer's word, like a proof's ``created``.
    payload = decoded.payload
    signed_at = _moment(payload.get("iat", payload.get("nbf")))
    signature = Signature(key, header.get("kid"), signed_at)
    if decoded.vcdm_1_1:
        return Check("proof", Outcome.WARNING, message + " (VCDM 1.1 'vc' claim)",
                     detail), [signature]
    return Check("proof", Outcome.SUCCESS, message, detail), [signature]


def _moment(value: Any) -> datetime | None:
    """A proof's ``created`` (dateTime) or a JWT's ``iat`` (seconds)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class _Attribution:
    bound: bool  # the key is tied to the credential's issuer
    elsewhere: bool  # the key is tied, by a published document, to someone else
    words: str


def _attribute(issuer: str, signature: Signature, resolver: ChainResolver) -> _Attribution:
    """Whose key made ``signature``, as far as published documents (or the key itself) say."""
    if signature.method is None:  # a JWT ``jwk`` header: bound only if it is the did:key
        own = issuer.startswith("did:key:") and _did_key_thumbprint(issuer) == \
            key_thumbprint(signature.key)
        return _Attribution(own, False, signature.described())
    controller = signature.controller or ""
    if controller.startswith("did:key:"):  # the identifier is the key itself
        return _Attribution(controller == issuer, False, controller)
    handler = resolver.handler(signature.method)
    binds = bool(handler and handler.binds)
    # Confirming aliases may cost fetches: only when the controller is not the issuer itself.
    named = controller == issuer or bool(handler and issuer in handler.aliases(signature.method))
    return _Attribution(binds and named, binds and not named, controller)


def _did_key_thumbprint(did: str) -> str | None:
    try:
        return key_thumbprint(did_key_public_key(did))
    except (DidError, MultibaseError, ValueError):
        return None


def check_issuer(credential: Mapping[str, Any], proof: Check, signatures: Sequence[Signature],
                 resolver: ChainResolver, issuers: IssuerDirectory | None = None) -> Check:
    """The key that signed must be the issuer's.

    An issuer the ``issuers`` directory answers for (this service's own, or an identifier
    that looks like one) is decided by its records alone: every signature must be by one of
    that issuer's keys, usable when the proof was made. Any other issuer is bound when a key
    its own published document lists (or its did:key) signed; a key bound to someone else
    fails; a key only self-asserted (a did:key, a Multikey in the method URL, a JWT ``jwk``
    header) passes with a warning, ``bound`` false: the signature is valid, but nothing ties
    the key to the issuer.
    """
    if proof.outcome is Outcome.FAILURE or not signatures:
        return Check("issuer", Outcome.SKIPPED, "no valid proof to attribute",
                     {"bound": False})
    issuer = issuer_id_of(credential)
    if not isinstance(issuer, str) or not issuer:
        return Check("issuer", Outcome.FAILURE, "the credential names no issuer id",
                     {"bound": False})
    if found := _UNPRINTABLE.search(issuer):
        return Check("issuer", Outcome.FAILURE, f"the issuer id {json.dumps(issuer)} holds "
                     f"U+{ord(found.group()):04X}: no URL or DID holds a control character "
                     "or a lone surrogate, so it names no issuer", {"bound": False})
    if issuers is not None and issuers.governs(issuer):
        return _check_own_issuer(issuer, signatures, issuers)
    found = [_attribute(issuer, s, resolver) for s in signatures]
    detail = {"issuer": issuer, "signedBy": [a.words for a in found]}
    if any(a.bound for a in found):
        signer = next(a.words for a in found if a.bound)
        return Check("issuer", Outcome.SUCCESS, f"signed by a key of the issuer {issuer} "
                     f"({signer})", {**detail, "bound": True})
    elsewhere = next((a for a in found if a.elsewhere), None)
    if elsewhere is not None:
        return Check("issuer", Outcome.FAILURE, f"signed by a key of {elsewhere.words}, not "
                     f"of the credential's issuer {issuer}", {**detail, "bound": False})
    return Check("issuer", Outcome.WARNING, f"the signature is valid, but nothing ties the key "
                 f"({found[0].words}) to the issuer {issuer}: the key is self-asserted, not "
                 "published by the issuer", {**detail, "bound": False})


def _check_own_issuer(issuer: str, signatures: Sequence[Signature],
                      issuers: IssuerDirectory) -> Check:
    detail: dict[str, Any] = {"issuer": issuer,
                              "signedBy": [s.described() for s in signatures]}
    for signature in signatures:
        refusal = issuers.refuse_key(issuer, signature.key, signature.signed_at)
        if refusal is not None:
            return Check("issuer", Outcome.FAILURE, f"signed by {signature.described()}, "
                         f"which {refusal}", {**detail, "bound": False})
    return Check("issuer", Outcome.SUCCESS, f"signed by a key of the issuer {issuer}",
                 {**detail, "bound": True, "boundBy": "the verifier's own records"})
