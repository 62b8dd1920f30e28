"""Graceful shutdown state: once draining, readiness fails so load balancers stop sending users."""

from __future__ import annotations


class Drain:
    def __init__(self) -> None:
        self._draining = False

    @property
    def draining(self) -> bool:
        return self._draining

    def start(self) -> None:
        self._draining = True
