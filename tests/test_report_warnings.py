"""A verified report with a warning says so in its verdict: "every check passed" is kept for
reports where every check passed without one."""

from __future__ import annotations

from credentials.verify.report import Check, Outcome, Standing, VerificationReport

BOUND = Check("issuer", Outcome.SUCCESS, "signed by a key of the issuer", {"bound": True})


def test_a_warning_is_named_in_the_verdict() -> None:
    report = VerificationReport((
        Check("schema", Outcome.SUCCESS, "valid"),
        Check("proof", Outcome.SUCCESS, "valid signature"), BOUND,
        Check("subject", Outcome.WARNING, "the credential subject has neither an id nor an "
                                          "identifier: it does not say who it was issued to")))
    assert report.verified and report.standing is Standing.VERIFIED
    assert report.verdict == ("Verified, with a warning: the credential subject has neither "
                              "an id nor an identifier: it does not say who it was issued to.")
    assert "every check passed" not in report.verdict + report.reason


def test_without_a_warning_every_check_passed() -> None:
    report = VerificationReport((Check("proof", Outcome.SUCCESS, "valid signature"), BOUND,
                                 Check("status", Outcome.SKIPPED, "no credentialStatus")))
    assert report.verdict == "Verified: every check passed."
