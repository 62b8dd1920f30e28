"""Imports point one way: server → signaling → media, server → handoff, signaling → handoff.
media/ knows nothing of HTTP or Socket.IO; handoff/ is pure domain logic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "signaling": {"server"},
    "media": {"server", "signaling", "handoff", "aiohttp", "socketio", "engineio", "sqlalchemy"},
    "handoff": {"server", "signaling", "media", "aiohttp", "socketio", "aiortc", "sqlalchemy", "redis"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
