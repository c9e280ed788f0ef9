"""The individual verification checks; each returns one :class:`Check` and never raises."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from credentials.build import identity_hash, normalise_email
from credentials.dates import parse_datetime
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_jwt, unwrap
from credentials.terms import renamed_terms
from credentials.vcdm import credential_problems, issuer_id_of
from credentials.verify.report import Check, Outcome, VerificationReport
from credentials.verify.subjects import Tie, subject_tie

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
CLOCK_SKEW = timedelta(seconds=60)


def _types(value: Any) -> list[str]:
    """The type names a ``type`` value holds; anything else in it (numbers, objects) is the
    schema check's to report, never a crash here."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _listed(value: Any) -> list[Any]:
    """A JSON-LD value as a list: a single object stands for a list of one."""
    return value if isinstance(value, list) else [] if value is None else [value]


def is_vcdm_1_1(credential: Mapping[str, Any]) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == VC_V1


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    schemas = [json.loads(file.read_text()) for file in SCHEMAS.glob("*.schema.json")]
    return {schema["$id"]: schema for schema in schemas}


@cache
def _schema_registry() -> Registry:
    return Registry().with_resources(
        (schema_id, Resource.from_contents(schema)) for schema_id, schema in _schemas().items())


@cache
def _compiled(schema_id: str) -> jsonschema_rs.Draft202012Validator:
    """The schema compiled (jsonschema-rs): it answers "valid?" many times faster than the
    interpreted validator, which is asked only to explain a failure. Formats are annotations
    in 2020-12 for both; no network (every reference is in the registry)."""
    registry = jsonschema_rs.Registry(list(_schemas().items()))
    return jsonschema_rs.Draft202012Validator(_schemas()[schema_id], registry=registry,
                                              validate_formats=False, offline=True)


@cache
def _validator(schema_id: str) -> Draft202012Validator:
    schema = _schema_registry().contents(schema_id)
    return Draft202012Validator(schema, registry=_schema_registry())


def schema_for(credential: Mapping[str, Any]) -> tuple[str, str]:
    """Which of our schemas applies, by the credential's types."""
    types = _types(credential.get("type"))
    if "ClrCredential" in types:
        return "clr-credential.schema.json", "CLR 2.0 ClrCredential"
    if {"AchievementCredential", "OpenBadgeCredential"} & set(types):
        return "ob-achievement-credential.schema.json", "Open Badges 3.0 AchievementCredential"
    if "BitstringStatusListCredential" in types:
        return ("bitstring-status-list-credential.schema.json",
                "BitstringStatusListCredential")
    return "verifiable-credential.schema.json", "Verifiable Credential"


def _known_valid(schema_id: str, credential: Mapping[str, Any]) -> bool:
    """True when the compiled schema accepts ``credential``; False for anything it cannot
    take (a non-string key), left to the interpreted validator to judge."""
    try:
        return _compiled(schema_id).is_valid(credential)
    except ValueError:
        return False


def check_schema(credential: Mapping[str, Any]) -> Check:
    schema_id, label = schema_for(credential)
    errors = [] if _known_valid(schema_id, credential) else sorted(
        _validator(schema_id).iter_errors(credential),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        pointer = "".join(f"/{p}" for p in errors[0].absolute_path) or "/"
        return Check("schema", Outcome.FAILURE,
                     f"not a valid {label}: {pointer}: {errors[0].message}",
                     {"schema": schema_id, "pointer": pointer,
                      "errors": [{"pointer": "".join(f"/{p}" for p in e.absolute_path) or "/",
                                  "message": e.message} for e in errors[:10]]})
    if problems := credential_problems(credential) or renamed_terms(credential):
        pointer, message = problems[0]
        return Check("schema", Outcome.FAILURE, f"not a valid {label}: {pointer}: {message}",
                     {"schema": schema_id, "pointer": pointer, "errors": [
                         {"pointer": p, "message": m} for p, m in problems[:10]]})
    if is_vcdm_1_1(credential):
        return Check("schema", Outcome.WARNING,
                     f"valid {label}, but in the VC Data Model 1.1 form (issuanceDate, "
                     "credentials/v1 context) that OB 3.0 and CLR 2.0 have replaced with 2.0",
                     {"schema": schema_id})
    return Check("schema", Outcome.SUCCESS, f"valid {label}", {"schema": schema_id})


def check_validity_period(credential: Mapping[str, Any], now: datetime) -> Check:
    """validFrom/validUntil (VCDM 2.0) or issuanceDate/expirationDate (1.1) against ``now``.

    A start up to ``CLOCK_SKEW`` ahead of ``now`` is accepted: issuer and verifier clocks
    differ, and a list signed a moment ago must not read as "not yet valid".
    """
    v1 = is_vcdm_1_1(credential)
    start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom",
                                                                          "validUntil")
    bounds = {}
    for name in (start_name, end_name):
        if name in credential:
            bounds[name] = parse_datetime(credential[name])
            if bounds[name] is None:
                return Check("validity_period", Outcome.FAILURE,
                             f"{name} {credential[name]!r} is not an XML Schema dateTime",
                             {"pointer": f"/{name}"})
    start, end = bounds.get(start_name), bounds.get(end_name)
    detail = {"now": now.isoformat(), start_name: credential.get(start_name),
              end_name: credential.get(end_name)}
    if start and now + CLOCK_SKEW < start:
        return Check("validity_period", Outcome.FAILURE,
                     f"not yet valid: {start_name} is {credential[start_name]}", detail)
    if end and now >= end:
        return Check("validity_period", Outcome.FAILURE,
                     f"expired: {end_name} was {credential[end_name]}", detail)
    if end and start and end < start:
        return Check("validity_period", Outcome.FAILURE,
                     f"{end_name} is before {start_name}", detail)
    return Check("validity_period", Outcome.SUCCESS, "within its validity period", detail)


def check_jwt_validity(payload: Mapping[str, Any], dates: Check, now: datetime) -> Check:
    """A VC-JWT's ``exp`` and ``nbf`` beside the credential's own dates (``dates``): RFC
    7519 4.1.4-5 forbid accepting a JWT past its ``exp`` or before its ``nbf``, and OB 3.0
    8.2.4 makes them ``validUntil`` and ``validFrom``, so they must also agree."""
    if dates.outcome is Outcome.FAILURE:
        return dates
    times: dict[str, datetime] = {}
    for claim in ("exp", "nbf"):
        if claim not in payload:
            continue
        value = payload[claim]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Check("validity_period", Outcome.FAILURE,
                         f"the VC-JWT's {claim} is not a NumericDate", {"claim": claim})
        try:
            times[claim] = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return Check("validity_period", Outcome.FAILURE,
                         f"the VC-JWT's {claim} is out of range", {"claim": claim})
    detail = {**dates.detail, **{claim: moment.isoformat() for claim, moment in times.items()}}
    if "exp" in times and now >= times["exp"]:
        return Check("validity_period", Outcome.FAILURE,
                     f"expired: the VC-JWT's exp was {times['exp'].isoformat()}", detail)
    if "nbf" in times and now + CLOCK_SKEW < times["nbf"]:
        return Check("validity_period", Outcome.FAILURE,
                     f"not yet valid: the VC-JWT's nbf is {times['nbf'].isoformat()}", detail)
    for claim, name in (("exp", "validUntil"), ("nbf", "validFrom")):
        stated = parse_datetime(dates.detail.get(name))
        if claim in times and stated and abs((stated - times[claim]).total_seconds()) >= 1:
            return Check("validity_period", Outcome.FAILURE,
                         f"the VC-JWT's {claim} ({times[claim].isoformat()}) disagrees with "
                         f"its {name} ({dates.detail[name]})", detail)
    return dates


def _email_match(subject: Any, email: str) -> str | None:
    """How a credential subject carries ``email`` (already normalised), or None."""
    identities = [i for s in _listed(subject) if isinstance(s, Mapping)
                  for i in _listed(s.get("identifier")) if isinstance(i, Mapping)]
    for identity in identities:
        if identity.get("identityType") != "emailAddress":
            continue
        if identity.get("hashed"):
            if identity.get("identityHash") == identity_hash(email,
                                                             str(identity.get("salt", ""))):
                return "hashed email"
        elif normalise_email(str(identity.get("identityHash", ""))) == email:
            return "email"
    return None


def _held_without_email(credential: Mapping[str, Any], email: str) -> list[str]:
    """The credentials a ClrCredential holds whose own subject does not carry ``email``:
    the record's subject is whatever its maker wrote, so only each held credential's
    subject (signed by its own issuer) says whose it is."""
    subject = credential.get("credentialSubject")
    if "ClrCredential" not in _types(credential.get("type")) or not isinstance(subject,
                                                                                Mapping):
        return []
    embedded = subject.get("verifiableCredential") or []
    missing = []
    for index, item in enumerate(embedded if isinstance(embedded, list) else [embedded]):
        held = held_credential(item)
        if held is None or _email_match(held.get("credentialSubject"), email) is None:
            label = held.get("id") if held is not None else None
            missing.append(label if isinstance(label, str) and not label.startswith("data:")
                           else f"/credentialSubject/verifiableCredential/{index}")
    return missing


def check_subject(credential: Mapping[str, Any], expected_email: str | None = None) -> Check:
    """The subject is identified, and -- if the caller knows the holder's email -- is them
    (for a ClrCredential, so is the subject of every credential it holds)."""
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    identities = [i for s in subjects if isinstance(s, Mapping)
                  for i in _listed(s.get("identifier")) if isinstance(i, Mapping)]
    ids = [s.get("id") for s in subjects if isinstance(s, Mapping) and s.get("id")]
    if not ids and not identities:
        if expected_email is not None:
            return Check("subject", Outcome.FAILURE, "the credential subject has neither an "
                         "id nor an identifier, so it cannot be the expected email address")
        # OB 3.0's data model asks for one of the two, but its JSON Schema does not enforce
        # it, and wallets accept subjects without (DCC's sample credentials have neither).
        return Check("subject", Outcome.WARNING, "the credential subject has neither an id "
                     "nor an identifier: it does not say who it was issued to")
    if expected_email is None:
        described = ids[0] if ids else f"{identities[0].get('identityType')} identifier"
        return Check("subject", Outcome.SUCCESS, f"subject identified by {described}")
    email = normalise_email(expected_email)
    matched = _email_match(subjects, email)
    if matched is None:
        return Check("subject", Outcome.FAILURE,
                     "the credential was not issued to the expected email address")
    missing = _held_without_email(credential, email)
    if missing:
        return Check("subject", Outcome.FAILURE,
                     f"{len(missing)} of the credentials this record holds were not issued "
                     f"to the expected email address: {', '.join(missing[:5])}",
                     {"credentials": missing})
    return Check("subject", Outcome.SUCCESS, f"the subject's {matched} matches")


def held_credential(item: Any) -> Mapping[str, Any] | None:
    """The credential an embedded item holds: itself, or a VC-JWT's (enveloped or not);
    None when it cannot be read (its own verification says why)."""
    token = unwrap(item)
    if token is None:
        return item if isinstance(item, Mapping) else None
    try:
        return decode_jwt(token).credential
    except (ProofError, RecursionError):
        return None


def _named(results: list[dict[str, Any]], words: Callable[[dict[str, Any]], str]) -> str:
    return ", ".join(f"{r['id']} ({words(r)})" for r in results[:5])


def check_embedded(credential: Mapping[str, Any],
                   verify: Callable[[Any], VerificationReport]) -> Check:
    """A ClrCredential holds only credentials that verify in full and are about its own
    subject (see :mod:`credentials.verify.subjects`); each is reported by id.

    Like an endorsement, an embedded credential whose key nothing ties to its issuer passes
    with a warning, and ``bound`` (whose keys signed, whatever else failed) is false; one
    whose subject nothing ties to the record's passes with a warning, ``subjectsTied``
    false; one whose subject is someone else's fails."""
    types = _types(credential.get("type"))
    subject = credential.get("credentialSubject")
    if "ClrCredential" not in types or not isinstance(subject, Mapping):
        return Check("embedded_credentials", Outcome.SKIPPED, "no embedded credentials")
    embedded = subject.get("verifiableCredential") or []
    results = []
    for index, item in enumerate(embedded if isinstance(embedded, list) else [embedded]):
        label = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(label, str) and label.startswith("data:"):
            label = None  # an enveloped VC-JWT: its id is the whole token
        label = label or f"/credentialSubject/verifiableCredential/{index}"
        report = verify(item)
        held = held_credential(item)
        tie = subject_tie(subject, held.get("credentialSubject") if held else None)
        results.append({"id": label, "verified": report.verified,
                        "issuerBound": report.issuer_bound, "subject": str(tie.tie),
                        "subjectTie": tie.words, "errors": report.errors,
                        "warnings": report.warnings})
    failed = [r for r in results if not r["verified"]]
    conflicting = [r for r in results if r["subject"] == Tie.CONFLICT]
    untied = [r for r in results if r["subject"] == Tie.UNTIED]
    unbound = [r for r in results if not r["issuerBound"]]
    detail = {"credentials": results, "bound": not unbound,
              "subjectsTied": not conflicting and not untied}
    if failed or conflicting:
        problems = []
        if failed:
            problems.append(f"{len(failed)} of {len(results)} embedded credentials do not "
                            "verify: " + _named(failed, lambda r: r["errors"][0]
                                                if r["errors"] else "failed"))
        if conflicting:
            problems.append(f"{len(conflicting)} of {len(results)} embedded credentials are "
                            "about someone other than this record's subject: "
                            + _named(conflicting, lambda r: r["subjectTie"]))
        return Check("embedded_credentials", Outcome.FAILURE, "; ".join(problems), detail)
    warned = bool(unbound or untied) or any(r["warnings"] for r in results)
    note = f"; nothing ties the key of {len(unbound)} of them to its issuer" if unbound else ""
    if untied:
        note += (f"; nothing ties the subject of {len(untied)} of them to this record's "
                 "subject: " + _named(untied, lambda r: r["subjectTie"]))
    return Check("embedded_credentials", Outcome.WARNING if warned else Outcome.SUCCESS,
                 f"all {len(results)} embedded credentials verify"
                 + (" (with warnings)" if warned else "") + note, detail)


def _endorsements(credential: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every embedded endorsement, with where it sits (credential, issuer, achievement)."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    places = [("", credential), ("/issuer", credential.get("issuer")),
              ("/credentialSubject/achievement", achievement)]
    if isinstance(achievement, Mapping):
        places.append(("/credentialSubject/achievement/creator", achievement.get("creator")))
    found = []
    for pointer, holder in places:
        if not isinstance(holder, Mapping):
            continue
        for key in ("endorsement", "endorsementJwt"):
            items = holder.get(key) or []
            for index, item in enumerate(items if isinstance(items, list) else [items]):
                found.append((f"{pointer}/{key}/{index}", item))
    return found


def check_endorsements(credential: Mapping[str, Any],
                       verify: Callable[[Any], VerificationReport]) -> Check:
    """Endorsements embedded in the credential, its issuer or its achievement each verify;
    one whose key nothing ties to its endorser passes with a warning, ``bound`` false."""
    found = _endorsements(credential)
    if not found:
        return Check("endorsements", Outcome.SKIPPED, "no embedded endorsements")
    results = []
    for pointer, item in found:
        report = verify(item)
        label = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(label, str) and label.startswith("data:"):
            label = None
        held = held_credential(item)
        results.append({"id": label or pointer, "pointer": pointer,
                        "endorser": issuer_id_of(held) if held is not None else None,
                        "verified": report.verified, "issuerBound": report.issuer_bound,
                        "errors": report.errors})
    failed = [r for r in results if not r["verified"]]
    if failed:
        names = ", ".join(f"{r['id']} ({r['errors'][0] if r['errors'] else 'failed'})"
                          for r in failed[:5])
        return Check("endorsements", Outcome.FAILURE,
                     f"{len(failed)} of {len(results)} endorsements do not verify: {names}",
                     {"endorsements": results})
    unbound = [r for r in results if not r["issuerBound"]]
    detail = {"endorsements": results, "bound": not unbound}
    if unbound:
        return Check("endorsements", Outcome.WARNING, f"all {len(results)} endorsements "
                     f"verify, but nothing ties the key of {len(unbound)} of them to the "
                     "endorser it names: " + _named(unbound, lambda r: f"endorser "
                                                    f"{r['endorser']}"), detail)
    return Check("endorsements", Outcome.SUCCESS, f"all {len(results)} endorsements verify",
                 detail)
