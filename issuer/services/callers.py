"""Who is calling: the plain facts an authenticated bearer token establishes."""

from __future__ import annotations

from dataclasses import dataclass

from issuer.problems import Problem


@dataclass(frozen=True)
class Caller:
    token_id: int | None  # None for an operator at the command line
    issuer_id: int
    issuer_slug: str
    role: str

    def require(self, slug: str, roles: tuple[str, ...]) -> None:
        """Refuse (403) a caller whose token is for another issuer or lacks the role."""
        if slug != self.issuer_slug:
            raise Problem(403, "Forbidden",
                          f"this token is for issuer {self.issuer_slug!r}, not {slug!r}")
        if self.role not in roles:
            raise Problem(403, "Forbidden",
                          f"this needs a token with role {' or '.join(roles)}; "
                          f"this token's role is {self.role}")
