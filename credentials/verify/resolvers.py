"""Verification method resolution: a proof's ``verificationMethod`` URL -> a public key.

Resolvers are pluggable: the service puts its own store first (no HTTP to itself); a
stand-alone verifier uses :func:`default_resolver`. Each resolver says which URLs it handles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from credentials.fetch import FetchError, FetchProblem, SafeFetcher
from keys.did import DidError, did_key_public_key, did_web_document_url
from keys.ecdsa import multikey_verification_key
from keys.ed25519 import Ed25519VerificationKey
from keys.jose import JwkVerificationKey
from keys.jwk import UnusableKeyError, kind_of, require_object
from keys.multibase import MultibaseError
from keys.signer import Verifier


class KeyProblem(StrEnum):
    """Why a verification method did not resolve to a usable key: a report words its
    verdict by this, never by the message."""

    NOT_FOUND = "not-found"  # the controller's document is not there (HTTP 404 or 410)
    UNREACHABLE = "unreachable"  # the document could not be fetched
    REFUSED = "refused-address"  # its address is one we do not fetch from
    MALFORMED = "malformed-document"  # the document is not a DID/controller document
    UNUSABLE_KEY = "unusable-key"  # the key it publishes cannot verify anything
    NOT_LISTED = "not-listed"  # the document does not list the method
    NOT_AUTHORISED = "not-authorised"  # listed, but not for the proof's purpose
    UNSUPPORTED = "unsupported"  # no resolver for such a URL, or a malformed identifier
    UNAVAILABLE = "unavailable"  # a resolver gave no more precise reason


FETCH_PROBLEMS = {FetchProblem.REFUSED: KeyProblem.REFUSED,
                  FetchProblem.NOT_FOUND: KeyProblem.NOT_FOUND,
                  FetchProblem.UNREACHABLE: KeyProblem.UNREACHABLE,
                  FetchProblem.MALFORMED: KeyProblem.MALFORMED}


class ResolutionError(LookupError):
    """A verification method could not be resolved to a usable key; ``problem`` says why."""

    def __init__(self, message: str, problem: KeyProblem = KeyProblem.UNAVAILABLE) -> None:
        super().__init__(message)
        self.problem = problem


def _fetch_failed(message: str, error: FetchError) -> ResolutionError:
    return ResolutionError(f"{message}: {error}", FETCH_PROBLEMS[error.problem])


class VerificationMethodResolver(Protocol):
    """``binds`` says whether a key it resolves was found in its controller's own published
    document (so the controller vouches for it), rather than read from the URL itself."""

    binds: bool

    def handles(self, url: str) -> bool: ...

    def resolve(self, url: str, purpose: str) -> Verifier: ...

    def aliases(self, url: str) -> frozenset[str]: ...


class IssuerDirectory(Protocol):
    """Issuers a verifier keeps its own records of (a service's own issuers).

    For an issuer it governs, only its records say which keys may sign: a key published
    anywhere else, or self-asserted, does not make a credential that issuer's.
    """

    def governs(self, issuer: str) -> bool:
        """Whether ``issuer`` is one of its issuers, or an identifier in its namespace (which
        must then fail when no such issuer exists)."""
        ...

    def refuse_key(self, issuer: str, key: Verifier, signed_at: datetime | None
                   ) -> str | None:
        """None when ``key`` is one of ``issuer``'s keys, usable at ``signed_at``; otherwise
        why not, as a phrase that follows "signed by <key>, which"."""
        ...


def key_from_method(method: Mapping[str, Any]) -> Verifier:
    """A key from a verification method object (Multikey or Ed25519VerificationKey2020 with
    an Ed25519, P-256 or P-384 key; JsonWebKey with an Ed25519, EC or RSA public JWK).

    A method whose id or controller is not text is a malformed document; a key that cannot
    verify anything (a number for ``publicKeyMultibase``, a JWK missing ``x``, RSA under
    2048 bits) is an unusable key: both are :class:`ResolutionError` naming the member."""
    method_id, controller = method.get("id", ""), method.get("controller", "")
    if not isinstance(method_id, str):
        raise ResolutionError(f"a verification method's id is {kind_of(method_id)}, not text",
                              KeyProblem.MALFORMED)
    if not isinstance(controller, str):
        raise ResolutionError(f"verification method {method_id!r} has a controller that is "
                              f"{kind_of(controller)}, not text", KeyProblem.MALFORMED)
    try:
        if "publicKeyMultibase" in method:
            return multikey_verification_key(method["publicKeyMultibase"], method_id,
                                             controller)
        if "publicKeyJwk" in method:
            key = JwkVerificationKey(dict(require_object(method["publicKeyJwk"])), method_id,
                                     controller)  # checks every member
            if key.algorithm == "EdDSA":  # one Ed25519 key class, whatever form it came in
                return Ed25519VerificationKey.from_jwk(key.jwk(), method_id, controller)
            return key
    except (UnusableKeyError, MultibaseError, ValueError) as error:
        raise ResolutionError(f"verification method {method_id!r} is not a usable key: "
                              f"{_member_words(method, error)}", KeyProblem.UNUSABLE_KEY
                              ) from None
    raise ResolutionError(f"verification method {method_id!r} has neither publicKeyMultibase "
                          "nor publicKeyJwk", KeyProblem.UNUSABLE_KEY)


def _member_words(method: Mapping[str, Any], error: Exception) -> str:
    """``error`` said of the member it is about."""
    if "publicKeyMultibase" in method:
        value = method["publicKeyMultibase"]
        if not isinstance(value, str):
            return f"its publicKeyMultibase is {kind_of(value)}, not text"
        return f"its publicKeyMultibase: {error}"
    return f"its publicKeyJwk: {error}"


def _entries(document: Mapping[str, Any], member: str, owner: str) -> list[Any]:
    """A document's list-valued ``member`` (absent: empty); anything else is malformed."""
    value = document.get(member, [])
    if not isinstance(value, list):
        raise ResolutionError(f"in the controller document of {owner}, {member} is "
                              f"{kind_of(value)}, not a list", KeyProblem.MALFORMED)
    return value


def _entry_id(entry: Any, member: str, index: int, owner: str) -> str:
    """The id of entry ``index`` of ``member``: the string itself, or an object's ``id``."""
    value = entry.get("id") if isinstance(entry, Mapping) else entry
    if not isinstance(value, str):
        what = f"the id of {member} entry {index + 1}" if isinstance(entry, Mapping) \
            else f"{member} entry {index + 1}"
        raise ResolutionError(f"in the controller document of {owner}, {what} is "
                              f"{kind_of(value)}, not text", KeyProblem.MALFORMED)
    return value


def method_in_document(document: Mapping[str, Any], url: str, purpose: str) -> Verifier:
    """Find ``url`` in a controller/DID document and check it may be used for ``purpose``.

    The document is the controller's word and may be hostile: an ``id`` that is not text,
    a ``verificationMethod`` or ``purpose`` that is not a list, an entry that is neither a
    method object nor a URL, or a ``controller`` that is not text (or a list of text) makes
    it malformed, a :class:`ResolutionError` naming what is wrong."""
    did = document.get("id", "")
    if not isinstance(did, str):
        raise ResolutionError(f"the controller document of {url!r} has an id that is "
                              f"{kind_of(did)}, not text", KeyProblem.MALFORMED)
    controllers = document.get("controller", [])
    if not all(isinstance(c, str) for c in
               (controllers if isinstance(controllers, list) else [controllers])):
        raise ResolutionError(f"the controller document of {did!r} names a controller that "
                              "is not text", KeyProblem.MALFORMED)

    def absolute(value: str) -> str:
        return did + value if value.startswith("#") else value

    methods: dict[str, Mapping[str, Any]] = {}
    for index, entry in enumerate(_entries(document, "verificationMethod", repr(did))):
        if not isinstance(entry, Mapping):
            raise ResolutionError(f"in the controller document of {did!r}, verificationMethod "
                                  f"entry {index + 1} is {kind_of(entry)}, not an object",
                                  KeyProblem.MALFORMED)
        methods[absolute(_entry_id(entry, "verificationMethod", index, repr(did)))] = entry
    authorised = []
    for index, entry in enumerate(_entries(document, purpose, repr(did))):
        entry_id = absolute(_entry_id(entry, purpose, index, repr(did)))
        if isinstance(entry, Mapping):
            methods.setdefault(entry_id, entry)
        authorised.append(entry_id)
    if url not in methods:
        raise ResolutionError(f"{url!r} is not listed in the controller document of {did!r}",
                              KeyProblem.NOT_LISTED)
    if url not in authorised:
        raise ResolutionError(f"{url!r} is not authorised for {purpose} by {did!r}",
                              KeyProblem.NOT_AUTHORISED)
    method = dict(methods[url])
    method.setdefault("controller", did)
    method["id"] = url
    return key_from_method(method)


class DidKeyResolver:
    """did:key: the key is the identifier, nothing is fetched."""

    binds = False

    def aliases(self, url: str) -> frozenset[str]:
        return frozenset()

    def handles(self, url: str) -> bool:
        return url.startswith("did:key:")

    def resolve(self, url: str, purpose: str) -> Verifier:
        try:
            return did_key_public_key(url)
        except DidError as error:
            raise ResolutionError(str(error), KeyProblem.UNSUPPORTED) from None
        except (MultibaseError, ValueError) as error:
            raise ResolutionError(f"{url!r} is not a usable key: {error}",
                                  KeyProblem.UNUSABLE_KEY) from None


# alsoKnownAs entries of one DID document we try to confirm (each may cost a fetch).
MAX_ALIASES = 4


def _strings(value: Any) -> list[str]:
    """A JSON value that may be one string or a list of them, as a list of strings."""
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]


@dataclass
class DidWebResolver:
    """did:web over HTTPS through the SSRF-safe fetcher."""

    fetcher: SafeFetcher = field(default_factory=SafeFetcher)
    binds = True
    _documents: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    _aliases: dict[str, frozenset[str]] = field(default_factory=dict)

    def handles(self, url: str) -> bool:
        return url.startswith("did:web:")

    def _document(self, did: str) -> Mapping[str, Any]:
        if did not in self._documents:
            try:
                document = self.fetcher.get_json(did_web_document_url(did))
            except DidError as error:
                raise ResolutionError(f"cannot resolve {did}: {error}",
                                      KeyProblem.UNSUPPORTED) from None
            except FetchError as error:
                raise _fetch_failed(f"cannot resolve {did}", error) from None
            if not isinstance(document, Mapping):
                raise ResolutionError(f"the DID document fetched for {did} is "
                                      f"{kind_of(document)}, not an object", KeyProblem.MALFORMED)
            if document.get("id") != did:
                raise ResolutionError(f"the DID document fetched for {did} is not for that DID",
                                      KeyProblem.MALFORMED)
            self._documents[did] = document
        return self._documents[did]

    def resolve(self, url: str, purpose: str) -> Verifier:
        return method_in_document(self._document(url.split("#")[0]), url, purpose)

    def aliases(self, url: str) -> frozenset[str]:
        """The DID document's ``alsoKnownAs`` entries that name the DID back.

        A DID document's ``alsoKnownAs`` is only its controller's claim (DID Core): anyone can
        list anyone's identifier there. An alias counts only when its own side confirms it,
        in a document only its controller publishes: a did:web whose DID document lists this
        DID in ``alsoKnownAs``, or an https URL (an issuer profile) whose JSON has that URL
        as its ``id`` and lists this DID in ``alsoKnownAs`` or as an ``otherIdentifier``.
        """
        did = url.split("#")[0]
        if did not in self._aliases:
            try:
                claimed = _strings(self._document(did).get("alsoKnownAs"))
            except ResolutionError:
                claimed = []
            self._aliases[did] = frozenset(alias for alias in claimed[:MAX_ALIASES]
                                           if alias != did and self._names_back(alias, did))
        return self._aliases[did]

    def _names_back(self, alias: str, did: str) -> bool:
        """Whether ``alias``'s own document says it is ``did`` too."""
        if alias.startswith("did:web:"):
            try:
                return did in _strings(self._document(alias).get("alsoKnownAs"))
            except ResolutionError:
                return False
        if not alias.startswith("https://"):
            return False  # nothing we can read confirms it
        try:
            document = self.fetcher.get_json(alias)
        except FetchError:
            return False
        if not isinstance(document, Mapping) or document.get("id") != alias:
            return False
        others = document.get("otherIdentifier")
        named = [entry.get("identifier") for entry in others if isinstance(entry, Mapping)
                 ] if isinstance(others, list) else []
        return did in _strings(document.get("alsoKnownAs")) or did in named


class MultikeyFragmentResolver:
    """``<controller>#z6Mk...`` (Ed25519), ``#zDn...`` (P-256) or ``#z82...`` (P-384): a
    Multikey given as the URL's fragment.

    Open Badges 3.0 examples and the 1EdTech validator identify keys this way. The key is
    read from the URL itself; the controller document is not consulted.
    """

    binds = False

    def aliases(self, url: str) -> frozenset[str]:
        return frozenset()

    def handles(self, url: str) -> bool:
        return (any(f"#{prefix}" in url for prefix in ("z6Mk", "zDn", "z82"))
                and not url.startswith("did:key:"))

    def resolve(self, url: str, purpose: str) -> Verifier:
        controller, _, fragment = url.partition("#")
        try:
            return multikey_verification_key(fragment, url, controller)
        except (MultibaseError, ValueError) as error:
            raise ResolutionError(f"{url!r} is not a usable key: {error}",
                                  KeyProblem.UNUSABLE_KEY) from None


@dataclass
class ControllerDocumentResolver:
    """An https URL whose document (fetched through the safe fetcher) is the controller
    document listing the method, or the verification method itself."""

    fetcher: SafeFetcher = field(default_factory=SafeFetcher)
    binds = True

    def aliases(self, url: str) -> frozenset[str]:
        return frozenset()

    def handles(self, url: str) -> bool:
        return url.startswith("https://")

    def resolve(self, url: str, purpose: str) -> Verifier:
        location = url.partition("#")[0]
        try:
            document = self.fetcher.get_json(location)
        except FetchError as error:
            raise _fetch_failed(f"cannot fetch the controller document of {url!r}",
                                error) from None
        if not isinstance(document, Mapping):
            raise ResolutionError(f"the document at {location!r} is {kind_of(document)}, not "
                                  "an object", KeyProblem.MALFORMED)
        if document.get("id") == url and ("publicKeyMultibase" in document
                                          or "publicKeyJwk" in document):
            return key_from_method(document)
        return method_in_document({"id": location, **document}, url, purpose)


@dataclass
class ChainResolver:
    """Asks each resolver in turn for the first that handles a URL."""

    resolvers: Sequence[VerificationMethodResolver]

    def handles(self, url: str) -> bool:
        return any(r.handles(url) for r in self.resolvers)

    def handler(self, url: str) -> VerificationMethodResolver | None:
        return next((r for r in self.resolvers if r.handles(url)), None)

    def resolve(self, url: str, purpose: str = "assertionMethod") -> Verifier:
        if not isinstance(url, str) or not url:
            raise ResolutionError("the proof has no verificationMethod", KeyProblem.UNSUPPORTED)
        for resolver in self.resolvers:
            if resolver.handles(url):
                return resolver.resolve(url, purpose)
        raise ResolutionError(f"no resolver for verification method {url!r} "
                              "(supported: did:key, did:web, <controller>#<Multikey>, "
                              "https controller documents)", KeyProblem.UNSUPPORTED)


def default_resolver(fetcher: SafeFetcher | None = None) -> ChainResolver:
    """did:key, did:web (safe HTTPS), Multikey-fragment URLs, then controller documents at
    https URLs."""
    fetcher = fetcher or SafeFetcher()
    return ChainResolver([DidKeyResolver(), DidWebResolver(fetcher), MultikeyFragmentResolver(),
                          ControllerDocumentResolver(fetcher)])
