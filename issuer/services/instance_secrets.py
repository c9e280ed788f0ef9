"""Secrets a deployment generates for itself, once, into its instance folder: the
key-encryption key when KEY_ENCRYPTION_KEY is not set, and the desk's session-signing secret
when SECRET_KEY is not."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from keys.encryption import KeyEncryptionKey


def instance_secret(instance_path: str, name: str) -> str:
    """A random secret generated once into the instance folder (mode 0600), so every worker
    of one deployment reads the same value. The file appears complete or not at all (written
    aside, then hard-linked into place), so processes starting together never read it half
    written; the first link wins and the others read the winner's secret."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp creates it 0600
                file.write(KeyEncryptionKey.generate_text())
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
        finally:
            os.unlink(aside)
    return path.read_text()


def load_secret(instance_path: str) -> str:
    """The desk's session-signing secret when SECRET_KEY is not set."""
    return instance_secret(instance_path, "session-secret")
