"""Prometheus metrics of the HTTP edge."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "steadyline_http_requests", "HTTP requests", ["method", "status"], registry=registry
        )
        self.errors = Counter("steadyline_http_errors", "HTTP error responses", ["code"], registry=registry)
