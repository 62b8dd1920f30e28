"""What every part of :mod:`media.aiortc_internals` shares: the check that a private name exists."""

from __future__ import annotations

from typing import Any

from ..errors import AiortcContractError


def _require(obj: object, name: str) -> Any:
    if not hasattr(obj, name):
        raise AiortcContractError(f"{type(obj).__name__} has no attribute {name!r}")
    return getattr(obj, name)
