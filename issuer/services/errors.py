"""What a use case refuses, in its own terms: no HTTP status, no Flask.

Services raise these; the web layer turns each into RFC 9457 problem details in one place
(``issuer.web.problems``), the CLI into its one-line JSON message and exit code. ``kind`` says
what went wrong; ``code`` names the precise cause (the problem ``type`` a client may switch
on, such as ``/problems/last-admin-token``); ``errors`` points at the fields at fault as
``{"pointer": "/json/pointer", "detail": "..."}``; ``extra`` carries further facts a client
needs (the status a credential has now, say).
"""

from __future__ import annotations

from typing import Any, ClassVar

# Problem types (``code``) that clients switch on.
VALIDATION = "/problems/validation"
UNACCEPTABLE_TEXT = "/problems/unacceptable-text"  # NUL, a control character, a lone surrogate


class DomainError(Exception):
    """A refusal a caller can act on."""

    kind: ClassVar[str]
    title: ClassVar[str]  # a short human label for the kind

    def __init__(self, detail: str, *, code: str = "about:blank",
                 errors: list[dict[str, str]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail, self.code, self.errors, self.extra = detail, code, errors or [], extra


class Malformed(DomainError):
    """The request cannot be read as what it claims to be (not a list, not a cursor)."""
    kind, title = "malformed", "Bad Request"


class Invalid(DomainError):
    """The request is well formed but asks for something that does not hold."""
    kind, title = "invalid", "Invalid request"


class TooLarge(DomainError):
    kind, title = "too-large", "Content Too Large"


class Unauthenticated(DomainError):
    """The presented credential (an API token) establishes no caller."""
    kind, title = "unauthenticated", "Unauthorized"


class Forbidden(DomainError):
    kind, title = "forbidden", "Forbidden"


class NotFound(DomainError):
    kind, title = "not-found", "Not Found"


class Conflict(DomainError):
    """The request clashes with the current state (already revoked, a reused key)."""
    kind, title = "conflict", "Conflict"


class Gone(DomainError):
    """What was asked for existed but is over for good (an expired or used offer)."""
    kind, title = "gone", "Gone"


class Unavailable(DomainError):
    """This host cannot do it now (a wrong key-encryption key); nothing was changed."""
    kind, title = "unavailable", "Service Unavailable"


def invalid_fields(errors: list[dict[str, str]], detail: str | None = None) -> Invalid:
    """Invalid naming every field at fault; the detail names the first unless given."""
    first = errors[0]
    return Invalid(detail or f"{first['pointer'] or '/'}: {first['detail']}", code=VALIDATION,
                   errors=errors)
