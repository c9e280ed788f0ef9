"""``pip install competency-credentials`` with no extras: the library and ``credentials
verify``, without the service's web framework, database drivers, imaging or server.

A fresh virtual environment gets ``pip install <a copy of the project>`` from the package index
(pip's cache makes repeats quick). When pip cannot reach the index the test skips, saying so,
except in CI, where it must. The service, in turn, runs without its ``redis`` and ``postgresql``
extras."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from credentials.baking import bake_png
from tests.factories import signed_credential
from tests.test_baking import tiny_png

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "credentials", "keys", "contexts", "issuer"]
LIBRARY = ["credentials", "keys", "contexts"]
# Import names and distributions only the service (and its extras) bring.
SERVICE_MODULES = ["flask", "sqlalchemy", "alembic", "PIL", "psycopg", "redis", "gunicorn",
                   "segno", "prometheus_client", "werkzeug", "huey"]
SERVICE_DISTRIBUTIONS = {"flask", "sqlalchemy", "alembic", "pillow", "psycopg", "psycopg-binary",
                         "redis", "gunicorn", "segno", "prometheus-client", "werkzeug", "huey"}
# pip's words for an index it cannot reach ("versions: none": it found no release at all).
OFFLINE = re.compile(r".*(NewConnectionError|Failed to establish a new connection|Temporary "
                     r"failure in name resolution|Network is unreachable|Connection refused|"
                     r"ConnectTimeout|ReadTimeout|ProxyError|\(from versions: none\)).*")


def run(*command: str | Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """The bin folder of a virtual environment holding only ``pip install .``."""
    base = tmp_path_factory.mktemp("library-only")
    source = base / "source"  # a copy, so the build leaves nothing in the checkout
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    made = run(sys.executable, "-m", "venv", base / "venv")
    assert made.returncode == 0, made.stderr
    bin_ = base / "venv" / "bin"
    installed = run(bin_ / "python", "-m", "pip", "install", "--disable-pip-version-check",
                    "--no-input", "--quiet", source, timeout=900)
    if installed.returncode != 0:
        output = installed.stdout + installed.stderr
        offline = OFFLINE.search(output)
        if offline and not os.environ.get("CI"):
            pytest.skip("pip cannot reach the package index, so no library-only install "
                        f"here: {offline.group(0).strip()}")
        pytest.fail(f"pip install . failed:\n{output[-3000:]}")
    return bin_


@pytest.mark.packaging
def test_the_library_installs_without_the_service(venv) -> None:
    listed = run(venv / "python", "-m", "pip", "list", "--format=json",
                 "--disable-pip-version-check")
    names = {entry["name"].lower().replace("_", "-") for entry in json.loads(listed.stdout)}
    assert "competency-credentials" in names
    assert {"pyld", "cryptography", "click"} <= names
    assert not names & SERVICE_DISTRIBUTIONS, names & SERVICE_DISTRIBUTIONS
    script = (
        "import importlib, importlib.util, pkgutil\n"
        "import credentials.verify\n"
        f"missing = {SERVICE_MODULES!r}\n"
        "print(json.dumps({\n"
        "  'present': [m for m in missing if importlib.util.find_spec(m) is not None],\n"
        "  'modules': sorted(info.name for package in map(importlib.import_module, "
        f"{LIBRARY!r})\n"
        "      for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.')\n"
        "      if not info.name.endswith('__main__') and importlib.import_module(info.name)),\n"
        "}))\n")
    result = run(venv / "python", "-c", "import json\n" + script)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["present"] == []
    # every library module imports (walk_packages above imported each one)
    assert {"credentials.verify.cli", "credentials.canonical", "credentials.baking",
            "keys.signer", "contexts.loader"} <= set(found["modules"])


@pytest.mark.packaging
def test_credentials_verify_runs_from_the_library_alone(venv, crosswalk, tmp_path) -> None:
    credential = signed_credential(crosswalk)
    as_json = tmp_path / "credential.json"
    as_json.write_text(json.dumps(credential))
    baked = tmp_path / "badge.png"
    baked.write_bytes(bake_png(tiny_png(), credential))
    for path in (as_json, baked):
        result = run(venv / "credentials", "verify", path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "[ok  ] proof: eddsa-rdfc-2022 signature" in result.stdout
        assert result.stdout.strip().endswith("Verified: every check passed.")
        assert "plain pyld" not in result.stderr  # the pinned pyld keeps the direct walker


SERVICE_WITHOUT_EXTRAS = """
import sys
sys.modules["redis"] = sys.modules["psycopg"] = None  # as if neither extra were installed
from issuer import create_app
store = {"DATABASE_URL": f"sqlite:///{sys.argv[1]}/store.sqlite"}
app = create_app(store, instance_path=sys.argv[1])
print(type(app.extensions["rate_limiter"].storage).__name__)
try:
    create_app({**store, "RATE_LIMIT_REDIS_URL": "redis://127.0.0.1:6379/0"},
               instance_path=sys.argv[1])
except RuntimeError as error:
    print(error)
try:
    create_app({**store, "TASK_QUEUE_URL": "redis://127.0.0.1:6379/0"},
               instance_path=sys.argv[1])
except RuntimeError as error:
    print(error)
"""


def test_the_service_runs_on_sqlite_without_the_redis_and_postgresql_extras(tmp_path) -> None:
    """``[service]`` alone: per-process limits; asking for Redis without it says what to
    install instead of failing at import."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("RATE_LIMIT_REDIS_URL", "TASK_QUEUE_URL")}
    result = subprocess.run([sys.executable, "-c", SERVICE_WITHOUT_EXTRAS, str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False,
                            cwd=ROOT, env={**environment, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "MemoryStorage",
        "RATE_LIMIT_REDIS_URL is set but the redis package is not installed: "
        "pip install 'competency-credentials[redis]'",
        "TASK_QUEUE_URL is set but the redis package is not installed: "
        "pip install 'competency-credentials[redis]'"]
