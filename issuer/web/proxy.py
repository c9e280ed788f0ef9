"""Serving behind a reverse proxy at ``PUBLIC_BASE_URL``, which may have a path.

Every URL and DID the service mints comes from ``PUBLIC_BASE_URL``; what a request needs
from the proxy is only where the service is mounted (so links on pages carry the path) and,
when the operator says how many proxies stand in front, who the client is (so rate limits
count people, not the proxy). Forwarded headers are believed from that many hops only: a
client cannot name itself another address through a service that trusts no proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class MountedAt:
    """Sets ``SCRIPT_NAME`` to the base URL's path, whether the proxy passes that path on
    (``/cc/issuers/...``) or strips it (``/issuers/...``): both reach the same route, and
    ``url_for`` writes every link under the path."""

    def __init__(self, app: WsgiApp, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix):] or "/"
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def init_app(app: Flask, base_url: str, trusted_hops: int) -> None:
    """Mount the app at the base URL's path; believe X-Forwarded-For and -Proto from
    ``trusted_hops`` proxies (0: none, the default)."""
    if trusted_hops < 0:
        raise ValueError("TRUSTED_PROXY_HOPS is a count of proxies: 0 or more")
    if trusted_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_hops,  # type: ignore[method-assign]
                                x_proto=trusted_hops, x_host=0, x_port=0, x_prefix=0)
    prefix = urlsplit(base_url).path.rstrip("/")
    if prefix:
        app.wsgi_app = MountedAt(app.wsgi_app, prefix)  # type: ignore[method-assign]
