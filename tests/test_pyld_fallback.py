"""The direct walker calls pyld's private methods; a pyld without them (or with other
signatures) must turn the walker off, with a warning, and canonicalize with plain pyld: the
same N-Quads, never an exception."""

from __future__ import annotations

import logging
from importlib.metadata import version
from types import SimpleNamespace

import pytest
from pyld import jsonld

from credentials import canonical, jsonld_quads
from credentials.canonical import canonicalize, canonicalize_with_pyld, walker_usable
from credentials.jsonld_quads import PYLD_PRIVATE_CALLS, check_pyld
from tests.factories import signed_credential


@pytest.fixture(autouse=True)
def fresh_check():
    walker_usable.cache_clear()
    yield
    walker_usable.cache_clear()


def pyld_seen_by_walker(monkeypatch, **methods) -> None:
    """The walker's pyld replaced by one whose processor has ``methods`` instead (``None``:
    the method is gone); plain pyld, in canonical.py, keeps the real one."""
    changed = type("ChangedProcessor", (jsonld.JsonLdProcessor,), methods)
    monkeypatch.setattr(jsonld_quads, "jsonld", SimpleNamespace(
        JsonLdProcessor=changed, JsonLdError=jsonld.JsonLdError))
    walker_usable.cache_clear()  # as in a new process on that pyld


def test_the_installed_pyld_is_the_one_the_walker_was_written_for() -> None:
    major, minor, *_ = version("pyld").split(".")
    assert (major, minor) == ("3", "3"), "pyproject pins pyld~=3.3.0"
    check_pyld()
    assert walker_usable()


@pytest.mark.parametrize("name", sorted(PYLD_PRIVATE_CALLS))
def test_a_missing_private_method_falls_back_to_plain_pyld(monkeypatch, caplog, crosswalk,
                                                           name) -> None:
    credential = signed_credential(crosswalk)
    expected = canonicalize_with_pyld(credential)
    pyld_seen_by_walker(monkeypatch, **{name: None})
    with caplog.at_level(logging.WARNING, logger=canonical.__name__):
        assert canonicalize(credential) == expected
        assert canonicalize(credential) == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "warned once, not per document"
    assert name in warnings[0] and "plain pyld" in warnings[0]


def test_a_changed_signature_falls_back_to_plain_pyld(monkeypatch, caplog, crosswalk) -> None:
    """A release renaming ``_expand_iri``'s ``base`` keyword: the walker's calls would raise
    TypeError, so the walker is off before any document reaches it."""
    def _expand_iri(self, active_ctx, value, base_iri=None, vocab=False):
        raise AssertionError("the walker must not call a method it cannot call")

    credential = signed_credential(crosswalk)
    pyld_seen_by_walker(monkeypatch, _expand_iri=_expand_iri)
    with caplog.at_level(logging.WARNING, logger=canonical.__name__):
        assert canonicalize(credential) == canonicalize_with_pyld(credential)
    assert "_expand_iri() no longer takes the walker's arguments" in caplog.text


def test_a_failing_initial_context_falls_back_to_plain_pyld(monkeypatch, caplog,
                                                            crosswalk) -> None:
    """Same signature, other internals: building the walker's first context fails."""
    def _get_initial_context(self, options):
        raise AttributeError("'dict' object has no attribute 'processingMode'")

    credential = signed_credential(crosswalk)
    pyld_seen_by_walker(monkeypatch, _get_initial_context=_get_initial_context)
    with caplog.at_level(logging.WARNING, logger=canonical.__name__):
        assert canonicalize(credential) == canonicalize_with_pyld(credential)
    assert "_get_initial_context() failed" in caplog.text
