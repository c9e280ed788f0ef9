"""Who is calling: the plain facts an authenticated bearer token or a signed-in staff member
establishes, or the operator at the command line.

Every use case that checks authorisation takes a Caller and has no default for it: the
operator is a Caller made on purpose (``Caller.operator()``), never a missing argument, so a
forgotten caller fails loudly instead of skipping the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from issuer.services.errors import Forbidden

OPERATOR = "operator"


@dataclass(frozen=True)
class Caller:
    token_id: int | None  # None for the operator and for a person, who present no token
    issuer_id: int | None  # None for the operator, who acts for every issuer
    issuer_slug: str | None
    role: str
    staff_id: int | None = None  # the person signed in at the desk, if a person acts
    person: str | None = None  # that person's email address, to show who is signed in

    @classmethod
    def staff(cls, staff_id: int, issuer_id: int, slug: str, role: str, email: str
              ) -> Caller:
        """A staff member signed in at the desk (by emailed link or single sign-on)."""
        return cls(None, issuer_id, slug, role, staff_id, email)

    @classmethod
    def operator(cls, issuer_id: int | None = None, slug: str | None = None) -> Caller:
        """The operator at the command line: the host's own administrator, for any issuer
        (or acting for the one given, where a use case needs to know which)."""
        return cls(None, issuer_id, slug, OPERATOR)

    @property
    def is_operator(self) -> bool:
        return self.role == OPERATOR and self.token_id is None and self.staff_id is None

    def require(self, slug: str, roles: tuple[str, ...]) -> None:
        """Refuse (Forbidden) a token or person for another issuer or without the role; the
        operator may do anything."""
        if self.is_operator:
            return
        if self.staff_id is not None:
            if slug != self.issuer_slug:
                raise Forbidden(f"you are staff of issuer {self.issuer_slug!r}, not {slug!r}")
            if self.role not in roles:
                raise Forbidden(f"this needs the role {' or '.join(roles)}; "
                                f"your role is {self.role}")
            return
        if slug != self.issuer_slug:
            raise Forbidden(f"this token is for issuer {self.issuer_slug!r}, not {slug!r}")
        if self.role not in roles:
            raise Forbidden(f"this needs a token with role {' or '.join(roles)}; "
                            f"this token's role is {self.role}")
