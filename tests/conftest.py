"""Shared fixtures: the standards bundle in ../shared (optional), the bundled competency data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contexts import StaticDocumentLoader
from credentials.frameworks import bundled_catalog

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT.parent / "shared" / "standards"
MODEL_ID = "mn-dli-psychiatric-mental-health-technician-inpatient"
BASE_URL = "https://credentials.example.org"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture(scope="session")
def standards() -> Path:
    """../shared/standards, the reference bundle; tests that need it skip when it is absent."""
    if not (STANDARDS / "MANIFEST.md").is_file():
        pytest.skip(f"reference bundle not present at {STANDARDS} (../shared/standards)")
    return STANDARDS


@pytest.fixture(scope="session")
def examples(standards: Path) -> Path:
    return standards / "examples"


@pytest.fixture(scope="session")
def example_loader(standards: Path) -> StaticDocumentLoader:
    """Our loader plus the W3C examples context, which only the W3C test vectors use."""
    document = json.loads((standards / "contexts" / "w3c-credentials-examples-v2.jsonld")
                          .read_text())
    return StaticDocumentLoader({EXAMPLES_V2: document})


@pytest.fixture(scope="session")
def vector_loader(standards: Path) -> StaticDocumentLoader:
    """Our loader plus the contexts only the W3C test vectors use (examples v2, citizenship
    v4rc1), as the bundle's vectors/contexts/index.json lists them."""
    folder = standards / "vectors" / "contexts"
    return StaticDocumentLoader({url: read_json(folder / name)
                                 for url, name in read_json(folder / "index.json").items()})


@pytest.fixture(scope="session")
def crosswalk():
    return bundled_catalog().crosswalk_for(MODEL_ID)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
