"""Rate limits on issuing (per API token and per client address) and verifying (per client
address), on Flask-Limiter: fixed windows counted in Redis when ``RATE_LIMIT_REDIS_URL`` is
set, so every worker on every host shares them, otherwise in this process's memory. While
Redis does not answer, each process counts in its own memory and goes back to Redis once it
answers again: limits never stop the service, and never vanish either."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond

from issuer.services.tokens import hash_token
from issuer.web.problems import Problem, problem_response

log = logging.getLogger(__name__)

ISSUING = {"api.post_completion", "api.post_batch", "api.post_learner_record", "vc_api.issue",
           "desk.record", "desk.build_clr", "learner.build_record",
           # OpenID4VCI: a wallet's token and credential requests, and the nonces they need
           "oid4vci.token", "oid4vci.nonce", "oid4vci.credential"}
# Verifying, including reads that verify: a credential's share page checks it on every view,
# the verifier page verifies a ?url= deep link, and a wallet's exchange verifies its DID
# Authentication (and may fetch a did:web document).
VERIFYING = {"vc_api.verify_endpoint", "vc_api.verify_presentation_endpoint",
             "verify.verify_page", "published.credential", "exchanges.participate",
             # presentation requests: each answer is verified in full, and each exchange
             # opened (a page view, a request object fetched) is a row and a nonce
             "presentation_exchanges.exchange", "presentation_exchanges.interaction",
             "openid4vp.request_object", "openid4vp.response",
             # an Open Badges API upsert verifies the credential before it is stored
             "ob_api.upsert_credential"}

ISSUE_PER_ADDRESS = ("issue per address", "RATE_LIMIT_ISSUE_PER_IP")
ISSUE_PER_TOKEN = ("issue per token", "RATE_LIMIT_ISSUE_PER_TOKEN")
VERIFY_PER_ADDRESS = ("verify per address", "RATE_LIMIT_VERIFY_PER_IP")


def parse(rule: str) -> tuple[int, int]:
    """"600/60" -> (600 requests, per 60 seconds); "0" switches a limit off."""
    count, _, period = rule.partition("/")
    return int(count), int(period or 60)


def _bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def _token_key() -> str:
    """Tokens are counted under their digest: never kept in clear, not even in Redis."""
    return hash_token(_bearer_token())


def _refusal(name: str) -> Callable[[RequestLimit], Response]:
    """The 429 of limit ``name``: a problem naming it, with the seconds to wait."""
    def refuse(breached: RequestLimit) -> Response:
        amount, period = breached.limit.amount, breached.limit.get_expiry()
        retry = min(period, max(1, math.ceil(breached.reset_at - time.time())))
        return problem_response(Problem(
            429, "Too Many Requests",
            f"more than {amount} requests in {period} s ({name}); retry in {retry} s",
            headers={"Retry-After": str(retry)}))
    return refuse


def _limit(limiter: Limiter, limit: tuple[str, str], key: Callable[[], str] | None = None,
           only_with_token: bool = False) -> Callable:
    """A limit shared by every endpoint it decorates, read from the config per request so
    that it can change without a restart; a rule of "0" switches it off."""
    name, setting = limit

    def rule() -> str:
        count, period = parse(current_app.config[setting])
        return f"{max(count, 1)} per {period} second"

    def exempt() -> bool:
        return parse(current_app.config[setting])[0] <= 0 or (
            only_with_token and not _bearer_token())

    return limiter.shared_limit(rule, scope=name, key_func=key, exempt_when=exempt,
                                on_breach=_refusal(name))


def spend(name: str, key: str, limit: int, period: int) -> bool:
    """Count one use of ``name`` by ``key`` (at most ``limit`` in ``period`` seconds) for what
    is limited inside a handler, such as a form that sends mail; False once over the limit.
    Counted where the route limits are; a store that does not answer lets it through."""
    limiter: Limiter = current_app.extensions["rate_limiter"]
    try:
        return limiter.limiter.hit(RateLimitItemPerSecond(limit, period), name, key)
    except Exception as error:  # any storage failure: availability first
        log.warning("rate limit store unavailable: %s: %s", type(error).__name__, error)
        return True


def _storage(app: Flask) -> tuple[str, dict[str, float]]:
    url = app.config.get("RATE_LIMIT_REDIS_URL")
    if not url:
        return "memory://", {}
    try:  # the [redis] extra: only a service sharing its limits needs it
        import redis  # noqa: F401
    except ImportError as error:
        raise RuntimeError("RATE_LIMIT_REDIS_URL is set but the redis package is not "
                           "installed: pip install 'competency-credentials[redis]'") from error
    return url, {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


def init_app(app: Flask) -> None:
    """Limit the endpoints named above; call once every blueprint is registered."""
    uri, options = _storage(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri=uri, storage_options=options,
                      strategy="fixed-window", key_prefix="cc", headers_enabled=False,
                      in_memory_fallback_enabled=True)
    app.extensions["rate_limiter"] = limiter
    limits = {endpoint: [_limit(limiter, ISSUE_PER_ADDRESS),
                         _limit(limiter, ISSUE_PER_TOKEN, _token_key, only_with_token=True)]
              for endpoint in ISSUING}
    limits.update({endpoint: [_limit(limiter, VERIFY_PER_ADDRESS)] for endpoint in VERIFYING})
    for endpoint, decorators in limits.items():
        view = app.view_functions[endpoint]
        for decorate in decorators:
            view = decorate(view)
        app.view_functions[endpoint] = view
    app.register_error_handler(RateLimitExceeded,
                               lambda error: error.get_response())
