"""The VC Data Model's own rules (2.0, and 1.1 as found in the wild) as (JSON pointer,
message) pairs: what an issuer must refuse to sign and a verifier must refuse to accept.

Our JSON Schemas say the shapes of OB 3.0 and CLR 2.0; these rules say what a schema says
loosely or not at all: URLs, XSD dateTimeStamps, a ``type`` on every typed object, unique
related resources and digests that match. Pure: a related resource's digest is checked
against bytes the caller retrieved and hands in, never fetched here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

import base58

from credentials.dates import parse_datetime
from keys import base64url

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
ENVELOPE_TYPE = "EnvelopedVerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"

Problem = tuple[str, str]

# VCDM 2.0 section 4.8.1: an XSD 1.1 dateTimeStamp (a time zone is required).
_DATE_TIME = (r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))")
_ZONE = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DATETIME_STAMP = re.compile(_DATE_TIME + _ZONE)
# VCDM 1.1: an XSD dateTime (the time zone may be left out).
_DATETIME = re.compile(_DATE_TIME + _ZONE + "?")
# A URL (RFC 3986 absolute form): a scheme, a colon, and no white space anywhere.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")
# Subresource Integrity hash-expression: hash-algo "-" base64-value ["?" option-expression].
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?[\x21-\x7e]*)?")
_SRI_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
# Multihash codes of the digests Data Integrity names: (hash function, digest length).
_MULTIHASHES = {0x12: (hashlib.sha256, 32), 0x20: (hashlib.sha384, 48),
                0x13: (hashlib.sha512, 64), 0x16: (hashlib.sha3_256, 32),
                0x15: (hashlib.sha3_384, 48), 0x14: (hashlib.sha3_512, 64)}
# Objects VCDM 2.0 section 4.5 says MUST have a type; a credentialSchema also needs an id.
TYPED_OBJECTS = ("credentialStatus", "termsOfUse", "evidence", "refreshService",
                 "credentialSchema")


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.fullmatch(value))


def base_context(credential: Mapping[str, Any]) -> str | None:
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else None
    return first if isinstance(first, str) else None


def issuer_id_of(document: Mapping[str, Any]) -> str | None:
    """The issuer's id, whether ``issuer`` is a URL or an object with an ``id``; None when
    it names no string id."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _each(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Each item of a one-or-more value with its pointer."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{pointer}/{index}", item
    else:
        yield pointer, value


def _context_problems(credential: Mapping[str, Any]) -> list[Problem]:
    context = credential.get("@context")
    if "@context" not in credential:
        return [("/@context", "required")]
    if not isinstance(context, list) or not context:
        return [("/@context", "must be a non-empty array (an ordered set)")]
    if context[0] not in (VC_V2, VC_V1):
        return [("/@context/0", f"the first context must be {VC_V2} (or, for VCDM 1.1, "
                                f"{VC_V1})")]
    return [(f"/@context/{i}", "must be a URL or a context object")
            for i, item in enumerate(context[1:], start=1)
            if not (is_url(item) or isinstance(item, Mapping))]


def _type_problems(value: Any, pointer: str, required: str | None = None) -> list[Problem]:
    """``type``: one or more non-empty strings, holding ``required`` when given."""
    if value is None:
        return [(pointer, "required")]
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        return [(pointer, "must be a string or an array of strings (terms or URLs)")]
    if required and required not in names:
        return [(pointer, f"must include {required!r}")]
    return []


def _id_problems(holder: Mapping[str, Any], pointer: str, required: bool = False
                 ) -> list[Problem]:
    if "id" not in holder:
        return [(f"{pointer}/id", "required")] if required else []
    if not is_url(holder["id"]):
        return [(f"{pointer}/id", "must be a single URL")]
    return []


def _language_value_problems(value: Any, pointer: str) -> list[Problem]:
    """``name``/``description``: a string or language value objects (VCDM 2.0 11.1)."""
    for item_pointer, item in _each(value, pointer):
        if isinstance(item, str):
            continue
        if (not isinstance(item, Mapping) or not isinstance(item.get("@value"), str)
                or set(item) - {"@value", "@language", "@direction"}
                or not all(isinstance(item[k], str) for k in ("@language", "@direction")
                           if k in item)):
            return [(item_pointer, "must be a string or a language value object "
                                   "(@value, and optionally @language and @direction)")]
    return []


def _issuer_problems(issuer: Any) -> list[Problem]:
    if issuer is None:
        return [("/issuer", "required")]
    if isinstance(issuer, str):
        return [] if is_url(issuer) else [("/issuer", "must be a URL or an object with an id")]
    if not isinstance(issuer, Mapping):
        return [("/issuer", "must be a URL or an object with an id")]
    problems = _id_problems(issuer, "/issuer", required=True)
    for key in ("name", "description"):
        if key in issuer:
            problems += _language_value_problems(issuer[key], f"/issuer/{key}")
    return problems


def _subject_problems(subjects: Any) -> list[Problem]:
    if subjects is None:
        return [("/credentialSubject", "required")]
    if isinstance(subjects, list) and not subjects:
        return [("/credentialSubject", "must hold at least one subject")]
    problems: list[Problem] = []
    for pointer, subject in _each(subjects, "/credentialSubject"):
        if not isinstance(subject, Mapping):
            problems.append((pointer, "must be an object"))
        elif not subject:
            problems.append((pointer, "must make at least one claim about its subject"))
        else:
            problems += _id_problems(subject, pointer)
    return problems


def _in_python_range(value: str) -> bool:
    """Years 1 to 9999, which Python's datetime can check; XSD allows others."""
    year = value.split("-")[0]
    return len(year) == 4 and year != "0000"


def _unreadable(value: str, kind: str) -> str:
    """Why a date of the right form cannot be read: no such date (30 February), or a year
    (0000, before 1, after 9999) that XSD allows but the verifier cannot compare with a
    clock -- refused here too, so that nothing is signed that our own verifier rejects."""
    if _in_python_range(value):
        return f"must be an XML Schema {kind}: no such date"
    return (f"must be an XML Schema {kind} with a year from 0001 to 9999: the validity "
            "period of another year cannot be checked")


def _date_problems(credential: Mapping[str, Any], version_1: bool) -> list[Problem]:
    names = ("issuanceDate", "expirationDate") if version_1 else ("validFrom", "validUntil")
    pattern, kind = (_DATETIME, "dateTime") if version_1 else (_DATETIME_STAMP,
                                                               "dateTimeStamp (with a time zone)")
    problems: list[Problem] = []
    if version_1 and names[0] not in credential:
        problems.append((f"/{names[0]}", "required in a VCDM 1.1 credential"))
    moments = {}
    for name in names:
        if name not in credential:
            continue
        value = credential[name]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.append((f"/{name}", f"must be an XML Schema {kind}"))
            continue
        moments[name] = parse_datetime(value)
        if moments[name] is None:
            problems.append((f"/{name}", _unreadable(value, kind)))
    start, end = moments.get(names[0]), moments.get(names[1])
    if start and end and end < start:
        problems.append((f"/{names[1]}", f"must not be earlier than {names[0]}"))
    return problems


def _typed_object_problems(credential: Mapping[str, Any], version_1: bool) -> list[Problem]:
    problems: list[Problem] = []
    for key in TYPED_OBJECTS:
        if key not in credential:
            continue
        if isinstance(credential[key], list) and not credential[key]:
            problems.append((f"/{key}", "must hold at least one object"))
        id_required = key == "credentialSchema" or (
            version_1 and key in ("credentialStatus", "refreshService"))
        for pointer, item in _each(credential[key], f"/{key}"):
            if not isinstance(item, Mapping):
                problems.append((pointer, "must be an object"))
                continue
            problems += _type_problems(item.get("type"), f"{pointer}/type")
            problems += _id_problems(item, pointer, required=id_required)
    return problems


def _multihash(value: Any) -> tuple[Any, bytes] | None:
    """(hash function, digest) of a Multibase (base58btc or base64url) Multihash."""
    if not isinstance(value, str) or len(value) < 2:
        return None
    try:
        if value[0] == "z":
            raw = base58.b58decode(value[1:])
        elif value[0] == "u" and "=" not in value:
            raw = base64url.decode(value[1:])
        else:
            return None
    except (ValueError, binascii.Error):
        return None
    if len(raw) < 2 or raw[0] not in _MULTIHASHES:
        return None
    function, length = _MULTIHASHES[raw[0]]
    if raw[1] != length or len(raw) != length + 2:
        return None
    return function, raw[2:]


def _sri(value: Any) -> list[tuple[Any, bytes]] | None:
    """(hash function, digest) of each hash-expression in an SRI metadata string."""
    if not isinstance(value, str) or not value.split():
        return None
    found = []
    for expression in value.split():
        match = _SRI.fullmatch(expression)
        if not match:
            return None
        try:
            digest = base64.b64decode(match.group(2), validate=True)
        except binascii.Error:
            digest = b""  # well-formed by the grammar yet not whole base64: matches nothing
        found.append((_SRI_HASHES[match.group(1)], digest))
    return found


def _digests(resource: Mapping[str, Any], pointer: str
             ) -> tuple[list[tuple[str, Any, bytes]], list[Problem]]:
    """Every digest of a related resource as (pointer, hash function, digest)."""
    digests: list[tuple[str, Any, bytes]] = []
    problems: list[Problem] = []
    for key, read, form in (("digestSRI", _sri, "an SRI hash-expression (sha256, sha384 or "
                                                "sha512, base64)"),
                            ("digestMultibase", _multihash, "a Multibase-encoded Multihash "
                                                            "(base58btc or base64url)")):
        if key not in resource:
            continue
        values = resource[key]
        if isinstance(values, list) and not values:
            problems.append((f"{pointer}/{key}", "must hold at least one digest"))
        for item_pointer, item in _each(values, f"{pointer}/{key}"):
            parsed = read(item)
            if parsed is None:
                problems.append((item_pointer, f"must be {form}"))
            elif key == "digestSRI":
                digests += [(item_pointer, function, digest) for function, digest in parsed]
            else:
                digests.append((item_pointer, *parsed))
    return digests, problems


def related_resource_problems(credential: Mapping[str, Any],
                              retrieved: Mapping[str, bytes] | None = None) -> list[Problem]:
    """VCDM 2.0 section 5.3: one or more objects, each with a unique URL ``id`` and at least
    one well-formed digest; a digest of a resource in ``retrieved`` must match its bytes."""
    if "relatedResource" not in credential:
        return []
    resources = credential["relatedResource"]
    if isinstance(resources, list) and not resources:
        return [("/relatedResource", "must hold at least one object")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for pointer, resource in _each(resources, "/relatedResource"):
        if not isinstance(resource, Mapping):
            problems.append((pointer, "must be an object"))
            continue
        id_problems = _id_problems(resource, pointer, required=True)
        problems += id_problems
        if not id_problems:
            if resource["id"] in seen:
                problems.append((f"{pointer}/id", "must be unique among the related resources"))
            seen.add(resource["id"])
        if "mediaType" in resource and not isinstance(resource["mediaType"], str):
            problems.append((f"{pointer}/mediaType", "must be a media type string"))
        if "digestSRI" not in resource and "digestMultibase" not in resource:
            problems.append((pointer, "needs a digestSRI or a digestMultibase"))
            continue
        digests, digest_problems = _digests(resource, pointer)
        problems += digest_problems
        data = (retrieved or {}).get(resource["id"]) if not id_problems else None
        if data is None or digest_problems:
            continue
        problems += [(item_pointer, f"does not match the resource {resource['id']} "
                                    "as retrieved")
                     for item_pointer, function, digest in digests
                     if function(data).digest() != digest]
    return problems


def related_resources_to_retrieve(credential: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(id, mediaType) of each related resource that is fetched over HTTPS to check it."""
    resources = credential.get("relatedResource")
    return [(item["id"], item.get("mediaType") if isinstance(item.get("mediaType"), str)
             else None)
            for _pointer, item in _each(resources, "")
            if isinstance(item, Mapping) and isinstance(item.get("id"), str)
            and item["id"].startswith("https://")] if resources is not None else []


def envelope_problems(envelope: Any, pointer: str = "") -> list[Problem]:
    """VCDM 2.0 section 4.13.1: an EnvelopedVerifiableCredential has its own ``@context``
    (an array with the base context, which defines its terms), the type, and a data: URL."""
    if not isinstance(envelope, Mapping):
        return [(pointer or "/", "must be an object")]
    problems: list[Problem] = []
    context = envelope.get("@context")
    if not isinstance(context, list) or VC_V2 not in context:
        problems.append((f"{pointer}/@context",
                         f"an {ENVELOPE_TYPE} needs its own @context: an array with {VC_V2}"))
    problems += _type_problems(envelope.get("type"), f"{pointer}/type", ENVELOPE_TYPE)
    if not (isinstance(envelope.get("id"), str) and envelope["id"].startswith("data:")):
        problems.append((f"{pointer}/id", "must be a data: URL holding the secured credential"))
    return problems


def is_envelope(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    kind = value.get("type")
    return kind == ENVELOPE_TYPE or (isinstance(kind, list) and ENVELOPE_TYPE in kind)


def _embedded_envelope_problems(credential: Mapping[str, Any]) -> list[Problem]:
    """Enveloped credentials a ClrCredential's subject holds."""
    problems: list[Problem] = []
    for subject_pointer, subject in _each(credential.get("credentialSubject"),
                                          "/credentialSubject"):
        if not isinstance(subject, Mapping) or "verifiableCredential" not in subject:
            continue
        for pointer, item in _each(subject["verifiableCredential"],
                                   f"{subject_pointer}/verifiableCredential"):
            if is_envelope(item):
                problems += envelope_problems(item, pointer)
    return problems


def credential_problems(credential: Any, retrieved: Mapping[str, bytes] | None = None
                        ) -> list[Problem]:
    """Every data-model rule ``credential`` breaks, each as (JSON pointer, message)."""
    if not isinstance(credential, Mapping):
        return [("/", "a credential must be a JSON object")]
    problems = _context_problems(credential)
    version_1 = base_context(credential) == VC_V1
    problems += _id_problems(credential, "")
    problems += _type_problems(credential.get("type"), "/type", "VerifiableCredential")
    for key in ("name", "description"):
        if key in credential:
            problems += _language_value_problems(credential[key], f"/{key}")
    problems += _issuer_problems(credential.get("issuer"))
    problems += _subject_problems(credential.get("credentialSubject"))
    problems += _date_problems(credential, version_1)
    problems += _typed_object_problems(credential, version_1)
    problems += related_resource_problems(credential, retrieved)
    problems += _embedded_envelope_problems(credential)
    return problems


def presentation_problems(presentation: Any) -> list[Problem]:
    """Every rule of VCDM 2.0 section 4.13 ``presentation`` breaks: the base context first,
    an ``id`` that is a URL, a ``type`` with VerifiablePresentation, a ``holder`` that is a
    URL or an object with one as ``id``, and ``verifiableCredential`` items that are objects
    (credentials, or EnvelopedVerifiableCredentials with their own context), never strings
    or numbers -- except a VC-JWT string in a VCDM 1.1 presentation, as VC-JWT had it. Each
    credential's own rules are its verification's to check."""
    if not isinstance(presentation, Mapping):
        return [("/", "a presentation must be a JSON object")]
    problems = _context_problems(presentation)
    version_1 = base_context(presentation) == VC_V1
    problems += _id_problems(presentation, "")
    problems += _type_problems(presentation.get("type"), "/type", PRESENTATION_TYPE)
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        problems += _id_problems(holder, "/holder", required=True)
    elif "holder" in presentation and not is_url(holder):
        problems.append(("/holder", "must be a URL or an object with an id"))
    if "verifiableCredential" in presentation:
        for pointer, item in _each(presentation["verifiableCredential"],
                                   "/verifiableCredential"):
            if is_envelope(item):
                problems += envelope_problems(item, pointer)
            elif not (isinstance(item, Mapping) or (version_1 and isinstance(item, str)
                                                    and item.count(".") == 2)):
                problems.append((pointer, "must be a verifiable credential or an "
                                          f"{ENVELOPE_TYPE} object, not {_kind(item)}"))
    return problems


def _kind(value: Any) -> str:
    """What a JSON value that is not an object is, in words."""
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float) else "an array"
