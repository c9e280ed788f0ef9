"""Is a credential inside a CLR about the CLR's own subject?

A ClrCredential vouches that the credentials it holds are its subject's; a valid signature on
each says nothing about that, so anyone could wrap someone else's genuine credential in a
record of their own. The two subjects are compared by the identifiers they share a way to
compare: ``id`` values of one kind (one DID method, one URN namespace, one URI scheme; a
learner may hold a DID and a UUID URN alike), or IdentityObjects of one identityType that
are both plain, both hashed with the same salt, or one plain and one hashed (the plain value
hashed with the other's salt, OB 3.0 IdentityHash). Identifiers other than names decide
first, and one of them that differs is a conflict even when another matches (a hashed
identifier is public, so copying it proves nothing); a name decides only when no other
identifier can be compared, since people write their names in more than one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from credentials.build import identity_hash, normalise_email


class Tie(StrEnum):
    TIED = "tied"  # a comparable identifier is the same
    CONFLICT = "conflict"  # an identifier other than a name differs, or every name differs
    UNTIED = "untied"  # no identifier of the one can be compared with the other's


@dataclass(frozen=True)
class SubjectTie:
    tie: Tie
    words: str


@dataclass(frozen=True)
class _Identity:
    kind: str  # "id", or the IdentityObject's identityType
    raw: str  # as written
    hashed: bool
    salt: str

    @property
    def plain(self) -> str:
        """The plain value in the form compared: emails and names in one case and spacing."""
        if self.kind == "emailAddress":
            return normalise_email(self.raw)
        if self.kind == "name":
            return " ".join(self.raw.split()).casefold()
        return self.raw


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _identities(subject: Any) -> list[_Identity]:
    found = []
    for holder in _listed(subject):
        if not isinstance(holder, Mapping):
            continue
        if isinstance(holder.get("id"), str):
            found.append(_Identity("id", holder["id"], False, ""))
        for identity in _listed(holder.get("identifier")):
            if not isinstance(identity, Mapping):
                continue
            kind, value = identity.get("identityType"), identity.get("identityHash")
            if isinstance(kind, str) and isinstance(value, str):
                salt = identity.get("salt")
                found.append(_Identity(kind, value, identity.get("hashed") is True,
                                       salt if isinstance(salt, str) else ""))
    return found


def _scheme(identifier: str) -> str:
    """An id's kind: its DID method or URN namespace, else its URI scheme."""
    parts = identifier.split(":", 2)
    return ":".join(parts[:2]).lower() if parts[0].lower() in ("did", "urn") \
        else parts[0].lower()


def _same(one: _Identity, other: _Identity) -> bool | None:
    """Whether two identifiers name the same subject; None when they cannot be compared."""
    if one.kind != other.kind:
        return None
    if one.kind == "id" and _scheme(one.raw) != _scheme(other.raw):
        return None  # a DID and a UUID URN can both be one learner's, like two identityTypes
    if not one.hashed and not other.hashed:
        return one.plain == other.plain
    if one.hashed and other.hashed:
        return one.raw.lower() == other.raw.lower() if one.salt == other.salt else None
    plain, hashed = (other, one) if one.hashed else (one, other)
    return hashed.raw.lower() in {identity_hash(value, hashed.salt)
                                  for value in (plain.raw, plain.plain)}


def _conflict(differing: list[str]) -> SubjectTie:
    return SubjectTie(Tie.CONFLICT, f"{'their ' + ' and '.join(differing)} differ"
                      if len(differing) > 1 else f"their {differing[0]} differs")


def _decide(pairs: list[tuple[str, bool]], *, strict: bool) -> SubjectTie | None:
    """Tied when a pair matches; when ``strict``, one differing pair is a conflict even so.

    Identifiers other than names are strict: a hashed identifier is public (it sits in every
    credential its holder shows), so a record that copies it beside an email or id of its own
    must not tie; a learner's identifiers of one kind never differ across their credentials."""
    if not pairs:
        return None
    differing = sorted({kind for kind, same in pairs if not same})
    if strict and differing:
        return _conflict(differing)
    matched = sorted({kind for kind, same in pairs if same})
    if matched:
        return SubjectTie(Tie.TIED, f"the same {' and '.join(matched)}")
    return _conflict(differing)


def subject_tie(record_subject: Any, held_subject: Any) -> SubjectTie:
    """How the subject of a credential a CLR holds relates to the CLR's subject."""
    pairs = [(one.kind, same) for one in _identities(record_subject)
             for other in _identities(held_subject)
             if (same := _same(one, other)) is not None]
    strong = _decide([(kind, same) for kind, same in pairs if kind != "name"], strict=True)
    named = _decide([(kind, same) for kind, same in pairs if kind == "name"], strict=False)
    return strong or named or SubjectTie(
        Tie.UNTIED, "no identifier of its subject can be compared with the record's subject's")
