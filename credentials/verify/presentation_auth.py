"""DID Authentication: a holder proves it controls a DID with a signed presentation.

A verifier (or an issuer, before it binds a credential to the holder's DID) sends a
Verifiable Presentation Request with a ``DIDAuthentication`` query, a ``challenge`` and a
``domain``; the holder answers with a presentation whose Data Integrity proof has
``proofPurpose`` ``authentication``, that challenge and that domain, signed by a verification
method its DID document lists under ``authentication`` (vp-request-spec, "DID
Authentication"; VC Data Integrity 1.0, proof purposes). :func:`verify_authentication`
checks all of that and says which DID authenticated; it needs no Flask and no database.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import CanonicalizationError
from credentials.dates import parse_datetime
from credentials.fetch import deadline
from credentials.proofs import ProofError, suite_for
from credentials.proofs.data_integrity import SignatureMismatch
from credentials.proofs.jwt import DecodedJwt, presentation_of, verify_signature
from credentials.rdfc import shared_budget
from credentials.verify.limits import LimitExceeded, check_credential
from credentials.verify.resolvers import ChainResolver, ResolutionError, default_resolver
from keys.jwk import UnusableKeyError

AUTHENTICATION = "authentication"
PRESENTATION_CONTEXTS = ("https://www.w3.org/ns/credentials/v2",
                         "https://www.w3.org/2018/credentials/v1")
# A holder's clock may run a little ahead of ours: a proof "created" up to this far in the
# future still counts as made now.
CLOCK_SKEW = timedelta(minutes=5)
FETCH_SECONDS = 8.0  # resolving a did:web holder's document
RDFC_STEPS = 50_000  # canonicalizing an empty presentation and its proof costs a few


class AuthProblem(StrEnum):
    """Why a presentation does not authenticate: callers word answers by this, never by the
    message."""

    MALFORMED = "malformed"  # not a presentation with one proof we can read
    PURPOSE = "purpose"  # the proof is not for authentication
    CHALLENGE = "challenge"  # not our challenge
    DOMAIN = "domain"  # not our domain
    EXPIRED = "expired"  # the proof's expires has passed, or it was created in the future
    KEY = "key"  # the verification method is not the holder DID's authentication key
    SIGNATURE = "signature"  # the signature does not match: altered, or another key
    HOLDER = "holder"  # the presentation's holder is not the DID that signed


class AuthenticationError(ValueError):
    """The presentation does not authenticate its holder; ``problem`` says why."""

    def __init__(self, message: str, problem: AuthProblem) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Authentication:
    """Who authenticated: the holder DID, the method that signed, and when it says it did."""

    holder: str
    verification_method: str
    cryptosuite: str
    created: datetime | None


def verify_authentication(presentation: Any, *, challenge: str | None, domain: str | None,
                          resolver: ChainResolver | None = None,
                          loader: StaticDocumentLoader = DEFAULT_LOADER,
                          now: datetime | None = None,
                          did_methods: Collection[str] = ("key", "web"),
                          holder_required: bool = True) -> Authentication:
    """The DID ``presentation`` authenticates, or :class:`AuthenticationError`.

    The presentation carries one proof (a DID authentication is one signature), with
    ``proofPurpose`` authentication, exactly ``challenge``, exactly ``domain`` as its
    domains (VC Data Integrity 1.0, 4.4: a single string is a set of one), no ``expires``
    passed and no ``created`` later than ``now`` (give or take :data:`CLOCK_SKEW`), by a
    verification method of a DID of one of ``did_methods`` that its DID document authorises
    for authentication, and its ``holder`` is that DID. A ``challenge`` or ``domain`` of
    None was not asked for, so whatever the proof says of it is not checked; with
    ``holder_required`` false a presentation naming no holder passes (``holder`` is then the
    DID that signed). Any credentials the presentation holds are not looked at.
    """
    moment = now or datetime.now(UTC)
    proof = _the_proof(presentation)
    _check_request(proof, challenge, domain)
    created = _check_times(proof, moment)
    method = proof.get("verificationMethod")
    did = _signer(method, did_methods)
    with deadline(FETCH_SECONDS), shared_budget(RDFC_STEPS, "one DID authentication"):
        try:
            suite = suite_for(proof)
            key = (resolver or default_resolver()).resolve(method, AUTHENTICATION)
            suite.verify_proof(presentation, proof, key, loader)
        except ResolutionError as error:
            raise AuthenticationError(str(error), AuthProblem.KEY) from None
        except SignatureMismatch as error:
            raise AuthenticationError(str(error), AuthProblem.SIGNATURE) from None
        except (ProofError, CanonicalizationError) as error:
            raise AuthenticationError(str(error), AuthProblem.MALFORMED) from None
    _check_holder(holder_of(presentation), did, holder_required)
    return Authentication(did, method, suite.label, created)


def verify_jwt_authentication(decoded: DecodedJwt, *, challenge: str | None,
                              domain: str | None, resolver: ChainResolver | None = None,
                              now: datetime | None = None,
                              did_methods: Collection[str] = ("key", "web"),
                              holder_required: bool = True) -> Authentication:
    """The DID a presentation secured as a JWT (VC-JOSE-COSE ``vp+jwt``, or VC-JWT's ``vp``
    claim) authenticates, or :class:`AuthenticationError`: what
    :func:`verify_authentication` asks of a Data Integrity proof, asked of the JWT.

    The ``nonce`` claim is the challenge and ``aud`` must name the domain (RFC 7519 4.1.3);
    ``exp`` must not have passed, nor ``nbf`` or ``iat`` lie ahead; ``kid`` is a verification
    method the holder DID's document authorises for authentication; ``iss``, when present,
    is that DID too (VC-JWT puts the holder there)."""
    moment = now or datetime.now(UTC)
    payload = decoded.payload
    check_challenge(payload.get("nonce"), challenge, "the JWT", "nonce")
    audience = payload.get("aud")
    if domain is not None and domain not in (audience if isinstance(audience, list)
                                             else [audience]):
        raise AuthenticationError(f"the JWT's aud is {audience!r}, not {domain!r}"
                                  if audience else "the JWT has no aud", AuthProblem.DOMAIN)
    created = _check_jwt_times(payload, moment)
    method = decoded.header.get("kid")
    did = _signer(method, did_methods)
    presentation = presentation_of(decoded)
    holder = holder_of(presentation)
    if holder is None and isinstance(payload.get("iss"), str):
        holder = payload["iss"]
    elif "iss" in payload and payload["iss"] != holder:
        raise AuthenticationError(f"the JWT's iss {payload['iss']!r} is not the "
                                  f"presentation's holder {holder!r}", AuthProblem.HOLDER)
    with deadline(FETCH_SECONDS):
        try:
            key = (resolver or default_resolver()).resolve(method, AUTHENTICATION)
            verify_signature(decoded, key.jwk())  # type: ignore[attr-defined]
        except (ResolutionError, UnusableKeyError) as error:
            raise AuthenticationError(str(error), AuthProblem.KEY) from None
        except SignatureMismatch as error:
            raise AuthenticationError(str(error), AuthProblem.SIGNATURE) from None
        except ProofError as error:
            raise AuthenticationError(str(error), AuthProblem.MALFORMED) from None
    _check_holder(holder, did, holder_required)
    return Authentication(did, method, f"JWT {decoded.header['alg']}", created)


def _check_jwt_times(payload: Mapping[str, Any], now: datetime) -> datetime | None:
    """``exp`` not passed, ``nbf`` and ``iat`` not ahead (NumericDate seconds); returns
    ``iat``."""
    moments: dict[str, datetime] = {}
    for name in ("iat", "nbf", "exp"):
        if name in payload:
            value = payload[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AuthenticationError(f"the JWT's {name} {value!r} is not a NumericDate",
                                          AuthProblem.MALFORMED)
            try:
                moments[name] = datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                raise AuthenticationError(f"the JWT's {name} {value!r} is out of range",
                                          AuthProblem.MALFORMED) from None
    if "exp" in moments and moments["exp"] <= now:
        raise AuthenticationError(f"the JWT expired at {moments['exp'].isoformat()}",
                                  AuthProblem.EXPIRED)
    for name in ("nbf", "iat"):
        if name in moments and moments[name] > now + CLOCK_SKEW:
            raise AuthenticationError(f"the JWT's {name} ({moments[name].isoformat()}) is "
                                      "later than now", AuthProblem.EXPIRED)
    return moments.get("iat")


def holder_of(presentation: Mapping[str, Any]) -> Any:
    """The presentation's ``holder``: its id when it is an object (VCDM 2.0 4.13)."""
    holder = presentation.get("holder")
    return holder.get("id") if isinstance(holder, Mapping) else holder


def _check_holder(holder_id: Any, did: str, required: bool) -> None:
    """The holder the presentation names is the DID that signed it."""
    if holder_id == did or (holder_id is None and not required):
        return
    named = f"names {holder_id!r} as its holder" if holder_id else "names no holder"
    raise AuthenticationError(f"the presentation {named}, but {did} signed it",
                              AuthProblem.HOLDER)


def _the_proof(presentation: Any) -> Mapping[str, Any]:
    """The one proof of a presentation within the caps."""
    if not isinstance(presentation, Mapping):
        raise AuthenticationError("a DID authentication is a verifiable presentation (a JSON "
                                  "object)", AuthProblem.MALFORMED)
    try:
        check_credential(presentation)
    except LimitExceeded as error:
        raise AuthenticationError(str(error), AuthProblem.MALFORMED) from None
    types = presentation.get("type")
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        raise AuthenticationError("the presentation's type does not include "
                                  "VerifiablePresentation", AuthProblem.MALFORMED)
    context = presentation.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first not in PRESENTATION_CONTEXTS:
        raise AuthenticationError("the presentation's first @context is not the VC data "
                                  "model's (v1 or v2)", AuthProblem.MALFORMED)
    proofs = presentation.get("proof")
    if isinstance(proofs, list):
        if len(proofs) != 1:
            raise AuthenticationError(f"a DID authentication carries one proof, not "
                                      f"{len(proofs)}", AuthProblem.MALFORMED)
        proofs = proofs[0]
    if not isinstance(proofs, Mapping):
        raise AuthenticationError("the presentation has no proof", AuthProblem.MALFORMED)
    return proofs


def _check_request(proof: Mapping[str, Any], challenge: str | None,
                   domain: str | None) -> None:
    """The proof answers this request: its purpose, our challenge, our domain."""
    purpose = proof.get("proofPurpose")
    if purpose != AUTHENTICATION:
        raise AuthenticationError(f"the proof's proofPurpose is {purpose!r}; a DID "
                                  "authentication needs 'authentication'", AuthProblem.PURPOSE)
    check_challenge(proof.get("challenge"), challenge)
    if domain is None:
        return
    domains = proof.get("domain")
    listed = domains if isinstance(domains, list) else [domains]
    if not all(isinstance(d, str) for d in listed) or set(listed) != {domain}:
        raise AuthenticationError(f"the proof's domain is {domains!r}, not {domain!r}"
                                  if domains else "the proof has no domain", AuthProblem.DOMAIN)


def check_challenge(given: Any, challenge: str | None, where: str = "the proof",
                    name: str = "challenge") -> None:
    """``given`` (the ``name`` member of ``where``) is exactly the ``challenge`` asked for,
    compared in constant time; nothing to check when none was asked for."""
    if challenge is None:
        return
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(),
                                                             challenge.encode()):
        raise AuthenticationError(f"{where}'s {name} is not the one this request gave"
                                  if given else f"{where} has no {name}",
                                  AuthProblem.CHALLENGE)


def _check_times(proof: Mapping[str, Any], now: datetime) -> datetime | None:
    """``created`` not in the future, ``expires`` not passed; returns ``created``."""
    moments: dict[str, datetime | None] = {}
    for name in ("created", "expires"):
        if name in proof:
            moments[name] = parse_datetime(proof[name])
            if moments[name] is None:
                raise AuthenticationError(f"the proof's {name} value {proof[name]!r} is not "
                                          "a dateTime", AuthProblem.MALFORMED)
    created, expires = moments.get("created"), moments.get("expires")
    if created is not None and created > now + CLOCK_SKEW:
        raise AuthenticationError(f"the proof says it was created at {proof['created']}, "
                                  "later than now", AuthProblem.EXPIRED)
    if expires is not None and expires <= now:
        raise AuthenticationError(f"the proof expired at {proof['expires']}",
                                  AuthProblem.EXPIRED)
    return created


def _signer(method: Any, did_methods: Collection[str]) -> str:
    """The DID whose verification method ``method`` is: one of the accepted DID methods."""
    if not isinstance(method, str) or not method.startswith("did:"):
        raise AuthenticationError(f"the proof's verificationMethod {method!r} is not a DID "
                                  "URL", AuthProblem.KEY)
    did = method.partition("#")[0]
    if did.split(":")[1] not in did_methods:
        accepted = ", ".join(f"did:{m}" for m in did_methods)
        raise AuthenticationError(f"{did} is of a DID method not accepted here ({accepted})",
                                  AuthProblem.KEY)
    return did
