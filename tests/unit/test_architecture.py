"""The import rules of docs/architecture.md, checked over every module:

* packages point one way: server → signaling → media, server → handoff, signaling → handoff; media/ knows
  nothing of HTTP or Socket.IO; handoff/ is pure domain logic; loadtest/ (``steadyline loadtest``) is a
  client of the public protocol and imports none of the server's packages;
* inside server/, features import each other only in the declared order, the infrastructure (``http``,
  ``db``) imports no feature, and nothing below the composition root imports it;
* no handler module (``api.py``, ``*_api.py``) imports another handler module;
* no import cycle between modules anywhere (imports made for the type checker only do not count)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "signaling", "media", "handoff", "loadtest")
FORBIDDEN = {
    "signaling": {"server"},
    "media": {"server", "signaling", "handoff", "aiohttp", "socketio", "engineio", "sqlalchemy"},
    "handoff": {"server", "signaling", "media", "aiohttp", "socketio", "aiortc", "sqlalchemy", "redis"},
    "loadtest": {"server", "signaling", "media", "handoff", "sqlalchemy", "redis"},
}
# server's features, lowest first: a feature imports only features before it
FEATURES = ("access", "audit", "sessions", "staff", "plans", "on_call", "notify", "programs", "crises", "follow_ups",
            "clients", "dashboard", "home", "outreach", "monitoring", "messaging")
INFRASTRUCTURE = ("http", "db")
# modules of server/ itself that anyone may import: they import no feature at run time
ROOT_LEAVES = {"server.settings", "server.errors", "server.app_keys", "server"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _import_nodes(tree: ast.AST):
    """Import statements run at import time: not those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _import_nodes(node)


@cache
def _imports(module: str) -> frozenset[str]:
    """The project modules ``module`` imports (a ``from package import name`` of a submodule counts as
    that submodule), and top-level names of anything else."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in _modules() else base)
    return frozenset(found)


def _project_imports(module: str) -> set[str]:
    """Project modules imported by ``module``, without its own parent packages (Python has initialised
    those before the module runs, so ``from . import name`` adds no edge)."""
    return {name for name in _imports(module) if name in _modules() and not module.startswith(name + ".")}


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "server" else None


def _is_handler(module: str) -> bool:
    last = module.rpartition(".")[2]
    return module.startswith("server.") and (last == "api" or last.endswith("_api"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    offenders = {m: sorted({n.split(".")[0] for n in _imports(m)} & FORBIDDEN[package])
                 for m in _modules() if m.split(".")[0] == package}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_handler_imports_another_handler():
    offenders = {m: sorted(n for n in _project_imports(m) if _is_handler(n) and n != m)
                 for m in _modules() if _is_handler(m)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_features_import_only_earlier_features_and_infrastructure_none():
    allowed = {feature: set(FEATURES[:i + 1]) | set(INFRASTRUCTURE) for i, feature in enumerate(FEATURES)}
    allowed |= {"http": {"http", "db"}, "db": {"db"}}
    offenders = {}
    for module in _modules():
        mine = _feature_of(module)
        if mine is None:
            continue
        assert mine in allowed, f"{module}: add the new package {mine!r} to FEATURES or INFRASTRUCTURE"
        bad = sorted(n for n in _project_imports(module) if n.startswith("server")
                     and ((_feature_of(n) or "") not in allowed[mine]) and n not in ROOT_LEAVES)
        if bad:
            offenders[module] = bad
    assert offenders == {}


def test_no_import_cycles_between_modules():
    graph = {m: _project_imports(m) - {m} for m in _modules()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checks_see_what_they_should():
    """The rules above are only as good as the graph: make sure it is the real one."""
    assert "server.crises.service" in _project_imports("server.crises.access")
    assert _is_handler("server.crises.api") and _is_handler("server.plans.consent_api")
    assert not _is_handler("server.crises.service")
    assert "server.crises.service" not in _project_imports("server.app_keys")  # type-checking only
    assert "signaling.errors" in _project_imports("signaling.namespace")  # relative imports resolved
