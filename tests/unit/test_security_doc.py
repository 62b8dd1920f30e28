"""docs/security.md names the test behind each claim: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def _references() -> list[tuple[str, str | None]]:
    """(file, test name or None) for every `tests/….py[::name]` and every `::name` (same file as the
    reference before it)."""
    found, current = [], None
    for path, name in REFERENCE.findall((ROOT / "docs" / "security.md").read_text()):
        if not path and not name:
            continue
        current = path or current
        assert current, f"`::{name}` with no file before it"
        found.append((current, name or None))
    return found


def test_every_test_named_in_the_security_doc_exists():
    references = _references()
    assert len(references) > 20
    missing = []
    for path, name in references:
        file = ROOT / path
        if not file.exists() or (name and not re.search(rf"^(async )?def {name}\(", file.read_text(), re.M)):
            missing.append(f"{path}::{name}" if name else path)
    assert missing == []
