"""The verifier page: paste, upload or link any credential and read each check in words."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request

from credentials.baking import BakingError
from credentials.fetch import FetchError
from credentials.proofs import ProofError
from credentials.proofs.jwt import decode_jwt, unwrap
from credentials.verify import VerificationReport
from credentials.verify.inputs import LimitExceeded, read_credential
from credentials.verify.limits import MAX_BYTES
from issuer.services.credentials import credential_document
from issuer.services.errors import DomainError
from issuer.services.field_text import bad_character, refuse_lone_surrogates
from issuer.services.share import tone
from issuer.services.verification import verify
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.problems import Problem

bp = Blueprint("pages", __name__)

LABELS = {"schema": "Format", "proof": "Signature", "issuer": "Issuer",
          "validity_period": "Dates", "status": "Revocation", "subject": "Recipient",
          "embedded_credentials": "Credentials inside", "endorsements": "Endorsements"}
RESULTS = {"success": "Passed", "warning": "Passed with a warning", "failure": "Failed",
           "skipped": "Not applicable"}


def _from_url(url: str) -> bytes:
    if why := bad_character(url):  # no URL holds one; the store cannot even look it up
        raise ValueError(f"the credential URL {why}")
    context = service_context()
    base = context.base_url + "/credentials/"
    if url.startswith(base):  # ours: from the store, not over HTTP to ourselves
        return credential_document(session(), url[len(base):].split("?")[0]).encode()
    return context.fetcher.get_bytes(
        url, accept="application/vc+ld+json, application/vc+jwt, application/json")


def _submitted() -> bytes:
    upload = request.files.get("credential_file")
    if upload and upload.filename:
        return upload.read(MAX_BYTES + 1)  # read_credential refuses more than MAX_BYTES
    text = request.form.get("credential_text", "").strip()
    if text:
        return text.encode()
    url = request.form.get("credential_url", "").strip()
    if url:
        return _from_url(url)
    raise ValueError("paste a credential, choose a file, or give a credential URL")


def _readable(credential: Any) -> Any:
    """What of the credential a person will read back: the JSON, or a VC-JWT's header and
    payload (a JWT that does not decode is the proof check's to report)."""
    token = unwrap(credential)
    if token is None:
        return credential
    try:
        decoded = decode_jwt(token)
    except (ProofError, RecursionError):
        return credential
    return [decoded.header, decoded.payload]


def _checks(report: VerificationReport) -> list[dict[str, Any]]:
    return [{"label": LABELS.get(c.name, c.name), "result": RESULTS[c.outcome.value],
             "outcome": c.outcome.value, "message": c.message,
             "detail": json.dumps(c.detail, indent=2) if c.detail else ""}
            for c in report.checks]


@bp.route("/verify", methods=["GET", "POST"])
def verify_page() -> Any:
    if request.method in ("GET", "HEAD"):
        return render_template("verify.html", report=None, error=None)
    try:
        credential = read_credential(_submitted())
        refuse_lone_surrogates(_readable(credential))
    except LimitExceeded as error:  # the same caps as the API's, same status
        return render_template("verify.html", report=None, error=str(error)), error.status
    except (ValueError, BakingError, FetchError, Problem, DomainError) as error:
        message = error.detail if isinstance(error, Problem | DomainError) else str(error)
        return render_template("verify.html", report=None, error=message), 400
    report = verify(session(), credential, service_context())
    name = credential.get("name") if isinstance(credential, dict) else "VC-JWT credential"
    return render_template("verify.html", report=report, checks=_checks(report), name=name,
                           verdict=_verdict(report), error=None)


def _verdict(report: VerificationReport) -> tuple[str, str]:
    """The report's own verdict, coloured by its standing."""
    return report.verdict, tone(report)
