"""The verifier page: paste, upload or link any credential and read each check in words, what
the credential says, and whether it was issued to the person in front of you. A verifiable
presentation (JSON or a VP-JWT) shows its holder, the holder's proof, and each credential in
it the same way, with whether it is about that holder.

``/verify?url=...`` verifies the credential at that URL at once (the share page's "Verify"
button links there). What was typed stays in the form, after a result or a refusal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request

from credentials.baking import BakingError
from credentials.fetch import FetchError
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_jwt, decode_presentation_jwt, unwrap
from credentials.verify import VerificationReport
from credentials.verify.inputs import LimitExceeded, read_credential
from credentials.verify.limits import MAX_BYTES
from credentials.verify.presentation import (
    BINDING_WORDS,
    Binding,
    PresentationReport,
    is_presentation,
    unwrap_presentation,
)
from credentials.verify.report import Outcome, Standing
from issuer.services.credential_view import PASSED, credential_view, outcome
from issuer.services.credentials import credential_document
from issuer.services.errors import DomainError
from issuer.services.field_text import bad_character, refuse_lone_surrogates
from issuer.services.presentation_verification import verify_held
from issuer.services.verification import verify
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.problems import Problem

bp = Blueprint("verify", __name__)

LABELS = {"limits": "Size and shape", "schema": "Format", "proof": "Signature",
          "issuer": "Issuer", "validity_period": "Dates", "status": "Revocation",
          "subject": "Recipient", "embedded_credentials": "Credentials inside",
          "endorsements": "Endorsements", "data_model": "Presentation format",
          "holder_proof": "Holder's signature", "credentials": "Credentials presented",
          "holder_binding": "Holder binding"}
RESULTS = {"success": "Passed", "warning": "Passed with a warning", "failure": "Failed",
           "skipped": "Not applicable", "unchecked": "Not checked"}
TONES = {"success": "ok", "warning": "warn", "failure": "bad", "skipped": "skip",
         "unchecked": "skip"}
# Once the signature fails, nothing the credential says can be relied on: the checks after it
# read what may have been changed.
UNPROVEN = ("not relied on: the signature did not verify, so what the credential says "
            "cannot be trusted")


@dataclass
class Form:
    """What the person gave, shown back in the form (a chosen file cannot be)."""

    text: str = ""
    url: str = ""
    email: str = ""
    challenge: str = ""  # what a presentation's proof must answer, when the verifier gave it
    domain: str = ""


def _from_url(url: str) -> bytes:
    if why := bad_character(url):  # no URL holds one; the store cannot even look it up
        raise ValueError(f"the credential URL {why}")
    context = service_context()
    base = context.base_url + "/credentials/"
    if url.startswith(base):  # ours: from the store, not over HTTP to ourselves
        return credential_document(session(), url[len(base):].split("?")[0]).encode()
    return context.fetcher.get_bytes(
        url, accept="application/vc+ld+json, application/vc+jwt, application/json")


def _submitted(form: Form) -> bytes:
    upload = request.files.get("credential_file")
    if upload and upload.filename:
        return upload.read(MAX_BYTES + 1)  # read_credential refuses more than MAX_BYTES
    if form.text:
        return form.text.encode()
    if form.url:
        return _from_url(form.url)
    raise ValueError("paste a credential, choose a file, or give a credential URL")


def _readable(credential: Any) -> Any:
    """What of the credential a person will read back: the JSON, or a VC-JWT's header and
    payload (a JWT that does not decode is the proof check's to report)."""
    token = unwrap(credential) or unwrap_presentation(credential)
    if token is None:
        return credential
    for decode in (decode_jwt, decode_presentation_jwt):
        try:
            decoded = decode(token)
        except (ProofError, RecursionError):
            continue
        return [decoded.header, decoded.payload]
    return credential


def _checks(report: VerificationReport) -> list[dict[str, Any]]:
    """Each check in words; after a failed signature (or a refused shape), "Not checked"."""
    rows, unproven = [], False
    for check in report.checks:
        shown = "unchecked" if unproven else check.outcome.value
        detail = {"message": check.message, **check.detail} if unproven else check.detail
        rows.append({"label": LABELS.get(check.name, check.name), "result": RESULTS[shown],
                     "tone": TONES[shown], "message": UNPROVEN if unproven else check.message,
                     "detail": json.dumps(detail, indent=2) if detail else ""})
        unproven = unproven or (check.name in ("proof", "limits")
                                and check.outcome is Outcome.FAILURE)
    return rows


def _tone(report: VerificationReport) -> str:
    """Green only when verified with no warning; amber when verified with one, or valid but
    not tied to whom it names; red otherwise."""
    standing = report.standing
    if standing is Standing.VERIFIED and all(c.outcome is not Outcome.WARNING
                                             for c in report.checks):
        return "ok"
    return "warn" if standing in (Standing.VERIFIED, Standing.UNBOUND) else "bad"


def _email_answer(report: VerificationReport, email: str) -> tuple[str, str] | None:
    """Whether the credential was issued to ``email``, from the subject check (only when
    the signature holds: otherwise the hashed address proves nothing)."""
    if not email:
        return None
    if outcome(report, "proof") not in PASSED:
        return (f"Cannot tell whether it was issued to {email}: the signature did not "
                "verify, so nothing in it can be relied on.", "bad")
    if outcome(report, "subject") is Outcome.SUCCESS:
        return (f"Yes: it was issued to {email} (the address matches the hashed one the "
                "credential carries).", "ok")
    return (f"No: this credential was not issued to {email}. Ask the person for the "
            "address it was issued to, or treat it as someone else's.", "bad")


@dataclass
class HeldView:
    """One credential of a presentation, as the page shows it."""

    view: Any  # CredentialView
    verdict: str
    tone: str
    binding: str
    binding_tone: str
    checks: list[dict[str, Any]]


def _presentation_tone(report: PresentationReport) -> str:
    if not report.verified:
        return "bad"
    return "warn" if report.warnings or not report.holder_proven else "ok"


def _held_views(report: PresentationReport) -> list[HeldView]:
    db, base_url = session(), service_context().base_url
    views = []
    for held in report.credentials:
        subjects = ", ".join(held.subjects)
        words = BINDING_WORDS[held.binding] + (f" ({subjects})" if subjects and held.binding
                                               is not Binding.HOLDER else "")
        views.append(HeldView(credential_view(db, base_url, held.credential or {},
                                              held.report),
                              held.report.verdict, _tone(held.report),
                              words[:1].upper() + words[1:],
                              "ok" if held.binding is Binding.HOLDER else "warn",
                              _checks(held.report)))
    return views


def _verify_presentation(form: Form, presentation: Any) -> tuple[str, int]:
    report = verify_held(session(), presentation, service_context(),
                         challenge=form.challenge or None, domain=form.domain or None)
    proof = report.check("holder_proof") if any(
        c.name == "holder_proof" for c in report.checks) else None
    return _page(form, presentation_report=report, checks=_checks_of(report),
                 tone=_presentation_tone(report), held=_held_views(report),
                 holder_proof=proof)


def _checks_of(report: PresentationReport) -> list[dict[str, Any]]:
    return [{"label": LABELS.get(c.name, c.name), "result": RESULTS[c.outcome.value],
             "tone": TONES[c.outcome.value], "message": c.message,
             "detail": json.dumps(c.detail, indent=2) if c.detail else ""}
            for c in report.checks]


def _page(form: Form, status: int = 200, **result: Any) -> tuple[str, int]:
    return render_template("verify.html", form=form, report=result.pop("report", None),
                           error=result.pop("error", None), **result), status


@bp.route("/verify", methods=["GET", "POST"])
def verify_page() -> Any:
    posted = request.method == "POST"
    form = Form(text=request.form.get("credential_text", "").strip(),
                url=(request.form.get("credential_url", "") if posted
                     else request.args.get("url", "")).strip(),
                email=request.form.get("email", "").strip(),
                challenge=request.form.get("challenge", "").strip(),
                domain=request.form.get("domain", "").strip())
    if not posted and not form.url:
        return _page(form)
    try:
        for name, value in (("email address", form.email), ("challenge", form.challenge),
                            ("domain", form.domain)):
            if why := bad_character(value):
                raise ValueError(f"the {name} {why}")
        credential = read_credential(_submitted(form))
        refuse_lone_surrogates(_readable(credential))
    except LimitExceeded as error:  # the same caps as the API's, same status
        return _page(form, error.status, error=str(error))
    except BakingError as error:
        return _page(form, 400, error=error.plain, technical=str(error))
    except json.JSONDecodeError as error:
        what = error.msg.removesuffix(" at")  # "Unterminated string starting at"
        return _page(form, 400, error=f"this is not valid JSON ({what[:1].lower()}{what[1:]} "
                     f"at line {error.lineno}, column {error.colno}): check that all of it "
                     "was pasted")
    except (ValueError, FetchError, Problem, DomainError) as error:
        message = error.detail if isinstance(error, Problem | DomainError) else str(error)
        return _page(form, 400, error=message)
    if is_presentation(credential):
        return _verify_presentation(form, credential)
    db = session()
    context = service_context()
    report = verify(db, credential, context, expected_email=form.email or None)
    return _page(form, report=report, checks=_checks(report), tone=_tone(report),
                 view=credential_view(db, context.base_url, credential, report),
                 email_answer=_email_answer(report, form.email))
