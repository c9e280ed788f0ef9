"""Caps on what one verification may be asked to do, checked before any work.

Every way a credential comes in (the JSON API, the verifier page's paste and upload, JSON
baked into a PNG or SVG, a VC-JWT payload) goes through :func:`parse_json` and
:func:`check_credential`, so a hostile document costs a bounded walk, never minutes of
canonicalization or a recursion error. :class:`LimitExceeded` names the cap that was hit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_BYTES = 1024 * 1024  # the serialised credential (and the HTTP body: MAX_CONTENT_LENGTH)
MAX_DEPTH = 64
MAX_ARRAY = 10_000
MAX_INLINE_CONTEXTS = 50
MAX_PROOFS = 8  # proofs in one document (a proof set or chain)
MAX_STATUS_ENTRIES = 10  # credentialStatus entries in one credential
MAX_EMBEDDED = 500  # credentials inside a ClrCredential (as many as a learner record holds)
MAX_ENDORSEMENTS = 50  # endorsements embedded in one credential, in all places
MAX_PRESENTED = 50  # credentials in one presentation, each verified in full


class LimitExceeded(ValueError):
    """Input over a cap. ``cap`` names it, ``pointer`` says where, ``status`` is the HTTP
    status that fits (413 for size, 400 for shape)."""

    def __init__(self, cap: str, limit: int, pointer: str, message: str,
                 status: int = 400) -> None:
        super().__init__(message)
        self.cap, self.limit, self.pointer, self.status = cap, limit, pointer, status

    def as_json(self) -> dict[str, Any]:
        return {"cap": self.cap, "limit": self.limit, "pointer": self.pointer}


def parse_json(text: str | bytes, what: str = "the credential") -> Any:
    """``text`` as JSON within the size and shape caps; ValueError when it is not JSON."""
    if len(text) > MAX_BYTES:
        raise LimitExceeded("max_bytes", MAX_BYTES, "",
                            f"{what} is {len(text)} bytes, more than the {MAX_BYTES} allowed",
                            status=413)
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep("") from None
    check_shape(value)
    return value


def _too_deep(pointer: str) -> LimitExceeded:
    return LimitExceeded("max_depth", MAX_DEPTH, pointer,
                         f"{pointer or '/'}: the JSON is nested more than {MAX_DEPTH} levels "
                         "deep")


def check_shape(value: Any) -> None:
    """Walk ``value`` without recursion; raise for the first place over the depth, array or
    inline-context cap."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    contexts = 0
    while stack:
        item, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(pointer)
        if isinstance(item, dict):
            context = item.get("@context")
            if context is not None and not isinstance(context, str):
                contexts += sum(isinstance(c, dict)
                                for c in (context if isinstance(context, list) else [context]))
                if contexts > MAX_INLINE_CONTEXTS:
                    raise LimitExceeded("max_inline_contexts", MAX_INLINE_CONTEXTS,
                                        f"{pointer}/@context", f"{pointer}/@context: more "
                                        f"than {MAX_INLINE_CONTEXTS} inline JSON-LD contexts")
            stack.extend((v, f"{pointer}/{k}", depth + 1) for k, v in item.items())
        elif isinstance(item, list):
            if len(item) > MAX_ARRAY:
                raise LimitExceeded("max_array", MAX_ARRAY, pointer,
                                    f"{pointer or '/'}: an array of {len(item)} items (at "
                                    f"most {MAX_ARRAY})")
            stack.extend((v, f"{pointer}/{i}", depth + 1) for i, v in enumerate(item))


def _count(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _endorsement_count(credential: Mapping[str, Any]) -> int:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    holders = [credential, credential.get("issuer"), achievement,
               achievement.get("creator") if isinstance(achievement, Mapping) else None]
    return sum(_count(holder.get(key)) for holder in holders if isinstance(holder, Mapping)
               for key in ("endorsement", "endorsementJwt"))


def check_counts(credential: Mapping[str, Any]) -> None:
    """Proofs, status entries, embedded credentials and endorsements of one document, each
    within its cap (every one of them costs a canonicalization, a fetch or a verification)."""
    subject = credential.get("credentialSubject")
    embedded = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    for cap, limit, pointer, count, what in (
            ("max_proofs", MAX_PROOFS, "/proof", _count(credential.get("proof")), "proofs"),
            ("max_status_entries", MAX_STATUS_ENTRIES, "/credentialStatus",
             _count(credential.get("credentialStatus")), "status entries"),
            ("max_embedded_credentials", MAX_EMBEDDED,
             "/credentialSubject/verifiableCredential", _count(embedded),
             "embedded credentials"),
            ("max_endorsements", MAX_ENDORSEMENTS, "/endorsement",
             _endorsement_count(credential), "endorsements")):
        if count > limit:
            raise LimitExceeded(cap, limit, pointer, f"{pointer}: {count} {what}, more than "
                                f"the {limit} one credential may carry ({cap})")


def check_credential(credential: Any) -> None:
    """Every cap on a credential already parsed (a dict from a caller, a JWT payload)."""
    check_shape(credential)
    if isinstance(credential, Mapping):
        check_counts(credential)



def check_presentation(presentation: Any) -> None:
    """Every cap on a presentation already parsed: its shape, its proofs, how many credentials
    it holds, and how many all of them embed together (each is verified in full: a
    presentation costs no more than one record of ``MAX_EMBEDDED`` credentials)."""
    check_shape(presentation)
    if not isinstance(presentation, Mapping):
        return
    items = presentation.get("verifiableCredential")
    held = [item for item in (items if isinstance(items, list) else [items])
            if isinstance(item, Mapping)]
    subjects = [item.get("credentialSubject") for item in held]
    embedded = sum(_count(s.get("verifiableCredential")) for s in subjects
                   if isinstance(s, Mapping))
    for cap, limit, pointer, count, what in (
            ("max_proofs", MAX_PROOFS, "/proof", _count(presentation.get("proof")), "proofs"),
            ("max_presented_credentials", MAX_PRESENTED, "/verifiableCredential",
             _count(items), "credentials"),
            ("max_embedded_credentials", MAX_EMBEDDED, "/verifiableCredential",
             embedded, "credentials embedded in its credentials")):
        if count > limit:
            raise LimitExceeded(cap, limit, pointer, f"{pointer}: {count} {what}, more than "
                                f"the {limit} one presentation may carry ({cap})")
