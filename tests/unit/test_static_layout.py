"""The browser code keeps its house rules (docs/architecture.md): REST paths only in a feature's
``requests.js``, storage only through ``lib/storage.js``, every import resolves to a file, the HTML loads
its pages from ``pages/``, and no module grows past ~400 lines."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
JS = STATIC / "js"
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']""", re.M)


def _modules() -> list[Path]:
    modules = sorted(JS.rglob("*.js"))
    assert len(modules) > 30  # the walk found the code
    return modules


def _name(path: Path) -> str:
    return str(path.relative_to(JS))


def test_rest_paths_live_in_requests_modules():
    allowed = {"lib/api.js"}  # the OpenAPI document for the docs page
    offenders = [_name(p) for p in _modules()
                 if '"/api/' in p.read_text() and p.name != "requests.js" and _name(p) not in allowed]
    assert offenders == []


def test_only_the_storage_module_touches_browser_storage():
    offenders = [_name(p) for p in _modules()
                 if re.search(r"\b(sessionStorage|localStorage)\b", p.read_text()) and _name(p) != "lib/storage.js"]
    assert offenders == []


def test_every_import_resolves_to_a_file():
    missing = []
    for module in _modules():
        for target in IMPORT.findall(module.read_text()):
            resolved = STATIC.parent / target.lstrip("/") if target.startswith("/") else module.parent / target
            if not resolved.resolve().is_file():
                missing.append(f"{_name(module)} -> {target}")
    assert missing == []


def test_pages_load_their_entry_point_from_pages():
    scripts = {html.name: re.findall(r'<script type="module" src="([^"]+)"', html.read_text())
               for html in STATIC.glob("*.html")}
    loaded = [src for sources in scripts.values() for src in sources]
    assert loaded and all(src.startswith("/static/js/pages/") for src in loaded), scripts
    assert all((STATIC.parent / src.lstrip("/")).is_file() for src in loaded)


def test_no_module_past_four_hundred_lines():
    assert {_name(p): n for p in _modules() if (n := len(p.read_text().splitlines())) > 400} == {}
