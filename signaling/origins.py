"""Which pages may open the signalling socket (defence against cross-site WebSocket hijacking).

A browser always sends the page's ``Origin`` with a WebSocket handshake; engine.io answers 400 to
an origin this policy refuses, before any token is looked at. Non-browser clients send no origin
and are judged by their token alone."""

from __future__ import annotations

import structlog
from prometheus_client import CollectorRegistry, Counter

log = structlog.get_logger(__name__)
_COUNTED = "steadyline.origin_refusal_counted"


class OriginPolicy:
    """Accepts exactly the configured origins (``scheme://host[:port]``, as browsers send them)."""

    def __init__(self, accepted: tuple[str, ...], registry: CollectorRegistry) -> None:
        if not accepted:
            raise ValueError("at least one origin must be accepted (the public URL's)")
        self.accepted = frozenset(accepted)
        self._refused = Counter(
            "steadyline_socket_origin_refusals", "Socket handshakes refused for their page's origin",
            registry=registry,
        )

    def __call__(self, origin: str | None, environ: dict | None = None) -> bool:
        """engine.io asks once to decide and again to build the response's CORS headers: count once."""
        if origin in self.accepted:
            return True
        if origin and not (environ or {}).get(_COUNTED):
            if environ is not None:
                environ[_COUNTED] = True
            self._refused.inc()
            log.warning("socket_origin_refused", origin=origin[:200], accepted=sorted(self.accepted))
        return False
