"""The origin policy engine.io consults on every handshake."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from signaling.origins import OriginPolicy


def refusals(registry: CollectorRegistry) -> float:
    return registry.get_sample_value("steadyline_socket_origin_refusals_total") or 0.0


def test_accepts_exactly_the_configured_origins():
    registry = CollectorRegistry()
    policy = OriginPolicy(("https://care.example.org", "https://portal.example.org"), registry)
    assert policy("https://care.example.org", {})
    assert policy("https://portal.example.org", {})
    for foreign in ("http://care.example.org", "https://care.example.org:8443", "https://evil.example",
                    "https://care.example.org.evil.example", "null"):
        assert not policy(foreign, {})
    assert refusals(registry) == 5


def test_a_refusal_is_counted_once_per_handshake():
    """engine.io asks again when it builds the refusal's CORS headers."""
    registry = CollectorRegistry()
    policy = OriginPolicy(("https://care.example.org",), registry)
    environ: dict = {}
    assert not policy("https://evil.example", environ)
    assert not policy("https://evil.example", environ)
    assert refusals(registry) == 1


def test_needs_at_least_one_origin():
    with pytest.raises(ValueError):
        OriginPolicy((), CollectorRegistry())
