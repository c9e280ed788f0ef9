"""A real OpenID Provider for the single sign-on tests: tests/interop/oidc_provider.mjs
(oidc-provider from npm) on a free loopback port, with one client and the given accounts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "interop" / "oidc_provider.mjs"
PACKAGE = SCRIPT.parent / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID, CLIENT_SECRET = "competency-desk", "test-only-client-secret"


@contextmanager
def openid_provider(redirect_uri: str, accounts: dict[str, dict]) -> Iterator[str]:
    """Start the provider; yield its issuer URL; stop it."""
    if not shutil.which("node") or not PACKAGE.is_file():
        message = "oidc-provider (npm, tests/interop) or Node.js not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
           "REDIRECT_URI": redirect_uri, "ACCOUNTS": json.dumps(accounts)}
    process = subprocess.Popen(["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line, "the OpenID Provider did not start"
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        process.wait(timeout=30)
