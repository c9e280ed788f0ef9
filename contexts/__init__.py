"""JSON-LD context documents from registry packages, and the offline loader that serves them."""

from contexts.loader import (
    DEFAULT_LOADER,
    DocumentIntegrityError,
    DocumentNotAllowed,
    StaticDocumentLoader,
    bundled_document,
    manifest,
)

__all__ = [
    "DEFAULT_LOADER",
    "DocumentIntegrityError",
    "DocumentNotAllowed",
    "StaticDocumentLoader",
    "bundled_document",
    "manifest",
]
