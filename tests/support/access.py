"""Shared expectations of the access-matrix tests."""

from __future__ import annotations

PARTICIPANT_ROLES = frozenset({"client", "support"})


def unnamed(role: str) -> int:
    """The answer to a role a matrix does not name: a participant token (client, support person) on a
    staff endpoint is the wrong kind of token, 403 ``staff_only``; no token at all is 401."""
    return 403 if role in PARTICIPANT_ROLES else 401
