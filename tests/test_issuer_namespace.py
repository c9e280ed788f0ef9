"""Which identifiers name this service's issuers, however they are spelled."""

from __future__ import annotations

import pytest

from issuer.services.namespace import IssuerNamespace, did_key_multikey

HTTPS = IssuerNamespace("https://credentials.example.org")
PORTED = IssuerNamespace("http://127.0.0.1:5000/cc")


@pytest.mark.parametrize("identifier", [
    "https://credentials.example.org/issuers/demo",
    "HTTPS://Credentials.Example.ORG/issuers/demo",
    "https://credentials.example.org:443/issuers/demo",
    "http://credentials.example.org:80/issuers/demo",
    "https://credentials.example.org./issuers/demo",
    "https://credentials.example.org/issuers/%64emo",
    "did:web:credentials.example.org:issuers:demo",
    "did:web:CREDENTIALS.example.org:issuers:demo",
    "did:web:credentials.example.org%3A443:issuers:demo",
    "did:web:credentials.example.org%3a443:issuers:demo",
    # WHATWG URL parsing (browsers): percent-encoded and UTS #46-mapped hosts, backslashes,
    # any number of slashes after the scheme, C0 controls and spaces at the ends, tabs inside.
    "https://%63redentials.example.org/issuers/demo",
    "https://%43REDENTIALS.EXAMPLE.ORG/issuers/demo",
    "https://\uff43redentials.example.org/issuers/demo",
    "https://credentials\u3002example.org/issuers/demo",
    "https://cred\u00adentials.example.org/issuers/demo",
    "https://credentials.example.org\\issuers\\demo",
    "https:/credentials.example.org/issuers/demo",
    "https:credentials.example.org/issuers/demo",
    "https:\\\\credentials.example.org/issuers/demo",
    "https:///credentials.example.org/issuers/demo",
    " https://credentials.example.org/issuers/demo\x00",
    "https://credentials.exam\tple.org/issuers/demo",
    "https://credentials.example.org%3A443/issuers/demo",
    "did:web:%63redentials.example.org:issuers:demo",
    "did:web:\uff43redentials.example.org:issuers:demo",
])
def test_spellings_of_one_issuer_name_its_slug(identifier: str) -> None:
    assert HTTPS.governs(identifier) and HTTPS.slug(identifier) == "demo"


@pytest.mark.parametrize("identifier", [
    "https://credentials.example.org/issuers/demo/",
    "did:web:credentials.example.org:issuers:demo:",
    "https://credentials.example.org/issuers/demo?x=1",
    "https://credentials.example.org/issuers/demo#me",
    "did:web:credentials.example.org:issuers:demo#me",
    "https://credentials.example.org/issuers/demo/more",
    "https://credentials.example.org/",
    "did:web:credentials.example.org",
])
def test_the_rest_of_our_namespace_is_governed_but_names_no_issuer(identifier: str) -> None:
    assert HTTPS.governs(identifier) and HTTPS.slug(identifier) is None


@pytest.mark.parametrize("identifier", [
    "https://credentials.example.org:8443/issuers/demo",
    "http://credentials.example.org:443/issuers/demo",
    "https://other.example.org/issuers/demo",
    "did:web:other.example.org:issuers:demo",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
    "https://credentials.example.org:99999/issuers/demo",
])
def test_other_identifiers_are_not_ours(identifier: str) -> None:
    assert not HTTPS.governs(identifier) and HTTPS.slug(identifier) is None


@pytest.mark.parametrize(("identifier", "multikey"), [
    ("did:key:z6MkKey", "z6MkKey"),
    ("DID:KEY:z6MkKey", "z6MkKey"),
    ("Did:Key:z6MkKey", "z6MkKey"),
    ("did:key:z6MkKey#z6MkKey", "z6MkKey"),
    ("did:key:z6MkKey?service=x", "z6MkKey"),
    ("did:key:z6mkkey", "z6mkkey"),  # the method-specific identifier keeps its case
    ("did:key:", None),
    ("did:key:#z6MkKey", None),
    ("did:web:z6MkKey", None),
    ("https://example.org/did:key:z6MkKey", None),
])
def test_a_did_key_names_its_multikey_in_any_spelling(identifier: str,
                                                      multikey: str | None) -> None:
    assert did_key_multikey(identifier) == multikey


def test_a_base_path_and_port_are_part_of_the_namespace() -> None:
    assert PORTED.slug("did:web:127.0.0.1%3a5000:cc:issuers:demo") == "demo"
    assert PORTED.slug("HTTP://127.0.0.1:5000/cc/issuers/demo") == "demo"
    assert PORTED.slug("http://127.0.0.1:5000/CC/issuers/demo") is None  # paths keep case
    assert not PORTED.governs("http://127.0.0.1:5000/other/issuers/demo")
    assert not PORTED.governs("http://127.0.0.1/cc/issuers/demo")
