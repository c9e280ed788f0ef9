"""Services refuse in their own terms; the web layer maps each refusal once; the operator is
a caller made on purpose, never a missing argument."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from issuer.services import credential_status, issuers, keys
from issuer.services.callers import Caller
from issuer.services.errors import (
    VALIDATION,
    Conflict,
    DomainError,
    Forbidden,
    Unavailable,
    invalid_fields,
)
from issuer.web.problems import STATUS, from_domain

SERVICES = Path(__file__).parent.parent / "issuer" / "services"


def _kinds(cls: type[DomainError]) -> list[type[DomainError]]:
    return [k for sub in cls.__subclasses__() for k in (sub, *_kinds(sub))]


def test_every_kind_maps_to_one_status() -> None:
    kinds = DomainError.__subclasses__()
    assert {k.kind for k in kinds} == set(STATUS)
    assert len({k.kind for k in kinds}) == len(kinds)
    assert all(k.kind in STATUS for k in _kinds(DomainError))  # refinements keep a kind


def test_the_mapping_keeps_code_detail_errors_and_extra_members() -> None:
    problem = from_domain(Conflict("credential c is revoked", code="/problems/status-conflict",
                                   status_now="revoked"))
    assert (problem.status, problem.title, problem.type, problem.detail) == (
        409, "Conflict", "/problems/status-conflict", "credential c is revoked")
    assert problem.extra == {"status_now": "revoked"}
    fields = from_domain(invalid_fields([{"pointer": "/email", "detail": "empty"}]))
    assert (fields.status, fields.type, fields.detail) == (422, VALIDATION, "/email: empty")
    assert fields.errors == [{"pointer": "/email", "detail": "empty"}]


def test_the_web_layer_adds_its_own_headers() -> None:
    problem = from_domain(Unavailable("not now"), {"WWW-Authenticate": "x"})
    assert (problem.status, problem.title) == (503, "Service Unavailable")
    assert problem.headers == {"WWW-Authenticate": "x"}


def test_no_service_speaks_http() -> None:
    """issuer/services imports neither Flask nor the web layer's problem type."""
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in ("issuer.web.problems", "flask", "werkzeug"), path.name
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"flask", "werkzeug"}


def test_the_operator_may_act_for_any_issuer() -> None:
    Caller.operator().require("riverbend", ("admin",))
    Caller.operator(7, "riverbend").require("riverbend", ("assessor", "admin"))


def test_a_token_is_held_to_its_issuer_and_role() -> None:
    assessor = Caller(3, 1, "riverbend", "assessor")
    with pytest.raises(Forbidden, match="not 'lakeside'"):
        assessor.require("lakeside", ("assessor",))
    with pytest.raises(Forbidden, match="role admin"):
        assessor.require("riverbend", ("admin",))


def test_a_token_caller_is_not_the_operator() -> None:
    """A token's caller never passes as the operator, whatever its role is called."""
    with pytest.raises(Forbidden):
        Caller(3, 1, "riverbend", "operator").require("lakeside", ("admin",))


@pytest.mark.parametrize("call", [
    lambda: credential_status.change_status(None, "riverbend", "c", "revoke", None, None),
    lambda: keys.rotate_keys(None, None, "riverbend", None),
    lambda: keys.revoke(None, None, "riverbend", "k", None),
    lambda: issuers.create_token(None, "riverbend", "admin", None, None),
    lambda: issuers.list_tokens(None, "riverbend", None),
    lambda: issuers.revoke_token(None, "riverbend", 1, None),
])
def test_no_caller_is_refused_before_anything_happens(call) -> None:
    """None once meant "the operator, skip the check"; now it fails before the store is
    touched (the store here is None too, so any work would fail differently)."""
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'require'"):
        call()


def test_a_forgotten_caller_is_a_missing_argument() -> None:
    with pytest.raises(TypeError, match="caller"):
        issuers.list_tokens(None, "riverbend")  # type: ignore[call-arg]
