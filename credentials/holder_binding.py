"""A credential re-issued to a holder's wallet: the same claims about the same subject, now
naming the holder's DID as ``credentialSubject.id``, so a verifier can ask the presenter to
prove control of that DID (a credential without a subject id is a bearer credential)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from credentials.proofs.jwt import decode_jwt

# A DID as DID Core's ABNF has it (method name, then a method-specific id of idchars,
# percent-encodings and colons), with no path, query or fragment: it names a holder.
HOLDER_DID = re.compile(r"did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*"
                        r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})")
HOLDER_DID_MAX = 500


class BindingError(ValueError):
    """The holder identifier or the stored credential cannot be bound."""


def unsigned_form(stored: str) -> dict[str, Any]:
    """The credential a stored document carries, without its proof: the JSON of a Data
    Integrity credential less ``proof``, or the payload of a VC-JWT less the JWT claims."""
    if stored.startswith("{"):
        document = json.loads(stored)
        document.pop("proof", None)
        return document
    return decode_jwt(stored).credential


def check_holder_did(holder_id: str) -> str:
    """``holder_id`` if it is a plain DID (no fragment, path or query) of sane length."""
    if (not isinstance(holder_id, str) or len(holder_id) > HOLDER_DID_MAX
            or not HOLDER_DID.fullmatch(holder_id)):
        raise BindingError("the holder must be a DID (did:method:identifier), without a "
                           f"path, query or fragment, at most {HOLDER_DID_MAX} characters")
    return holder_id


def bound_copy(credential: Mapping[str, Any], credential_id: str, holder_id: str
               ) -> dict[str, Any]:
    """A new credential (id ``credential_id``) with the claims of ``credential``, its
    validity period included, and its subject bound to ``holder_id``; its status entries
    are kept, so the two stand or fall together."""
    document = copy.deepcopy(dict(credential))
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise BindingError("only a credential with one subject object can be bound")
    document["id"] = credential_id
    subject["id"] = check_holder_did(holder_id)
    return document
