"""``credentials verify FILE``: verify a credential, or a verifiable presentation and every
credential in it, without running the service.

Exit status (the report's standing):

- 0: verified, every check passed and the key is tied to the issuer;
- 1: not verified (a check failed: forged, tampered, revoked, expired...);
- 2: the input is not a credential;
- 3: every check passed, but something is not tied to whom it names (standing unbound): a
  self-asserted key (the signature is valid, the issuer's identity is not confirmed), an
  endorsement's key, a CLR's held credential's subject. Non-zero so that a script's
  ``if credentials verify FILE`` never trusts such a credential. For a presentation: no
  check failed, but no holder's proof verified, or a check warned (a credential not about
  the holder, or unbound itself).
"""

from __future__ import annotations

import json
import sys
from typing import IO

import click

from credentials.baking import BakingError
from credentials.verify import verify_credential
from credentials.verify.inputs import read_credential
from credentials.verify.presentation import (
    PresentationReport,
    is_presentation,
    verify_presentation,
)
from credentials.verify.report import Outcome, Standing, VerificationReport

MARKS = {Outcome.SUCCESS: "ok  ", Outcome.WARNING: "warn", Outcome.FAILURE: "FAIL",
         Outcome.SKIPPED: "skip"}


def render(report: VerificationReport) -> str:
    """The report as lines a person reads in a terminal."""
    lines = [f"[{MARKS[c.outcome]}] {c.name}: {c.message}" for c in report.checks]
    lines.append(report.verdict)
    return "\n".join(lines)


def render_presentation(report: PresentationReport) -> str:
    """A presentation's checks, then each credential's, indented under its holder binding."""
    lines = [f"[{MARKS[c.outcome]}] {c.name}: {c.message}" for c in report.checks]
    for held in report.credentials:
        lines.append(f"credential {held.label} ({held.binding.value}: "
                     f"{' '.join(held.subjects) or 'no subject id'})")
        lines += [f"    {line}" for line in render(held.report).splitlines()]
    lines.append(report.verdict)
    return "\n".join(lines)


def exit_status(report: VerificationReport) -> int:
    """0 verified and bound, 3 valid but unbound, 1 anything else (see the module doc)."""
    return {Standing.VERIFIED: 0, Standing.UNBOUND: 3}.get(report.standing, 1)


def presentation_status(report: PresentationReport) -> int:
    """0 verified, its holder proven, nothing warned; 3 verified short of that; 1 not."""
    if not report.verified:
        return 1
    warned = any(c.outcome is Outcome.WARNING for c in report.checks)
    return 3 if warned or not report.holder_proven else 0


@click.group()
def main() -> None:
    """Open Badges 3.0 / CLR 2.0 credential tools."""


@main.command()
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--email", help="Also check the credential was issued to this email address.")
@click.option("--challenge", help="A presentation's proof must be made for this challenge.")
@click.option("--domain", help="A presentation's proof must be made for this domain.")
def verify(file: IO[bytes], as_json: bool, email: str | None, challenge: str | None,
           domain: str | None) -> None:
    """Verify the credential in FILE (``-`` for standard input): JSON, a VC-JWT, or a baked
    PNG/SVG badge; or a verifiable presentation (JSON, a VP-JWT) and every credential in
    it."""
    try:
        credential = read_credential(file.read())
    except (ValueError, BakingError) as error:
        click.echo(f"{file.name}: not a credential: {error}", err=True)
        sys.exit(2)
    if is_presentation(credential):
        held = verify_presentation(credential, challenge=challenge, domain=domain)
        click.echo(json.dumps(held.as_json(), indent=2) if as_json
                   else render_presentation(held))
        sys.exit(presentation_status(held))
    report = verify_credential(credential, expected_email=email)
    click.echo(json.dumps(report.as_json(), indent=2) if as_json else render(report))
    sys.exit(exit_status(report))
