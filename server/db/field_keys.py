"""Where field-encryption keys come from (an environment variable or a key file, never the
database), and how the running server picks up a rotated key file without restarting."""

from __future__ import annotations

import os
from pathlib import Path

from server.db.field_crypto import FieldKey, Keyring


class KeysMissing(RuntimeError):
    pass


class KeySource:
    """The current keyring; ``reload()`` re-reads the key file after ``steadyline keys rotate``."""

    def __init__(self, env_text: str | None, path: Path) -> None:
        self._env_text = env_text
        self._path = path
        self._keyring = self._load()

    def __repr__(self) -> str:
        return f"KeySource(path={str(self._path)!r}, kids={self._keyring.kids})"

    def _load(self) -> Keyring:
        if self._env_text:
            return Keyring.from_text(self._env_text)
        if not self._path.exists():
            raise KeysMissing(f"No field-encryption keys: set STEADYLINE_FIELD_KEYS or create {self._path} "
                              "with `steadyline keys init`.")
        return Keyring.from_file(self._path)

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    def reload(self) -> bool:
        """Re-read the keys; True if a key appeared that was not known before."""
        fresh = self._load()
        learned = set(fresh.kids) - set(self._keyring.kids)
        self._keyring = fresh
        return bool(learned)


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Write atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
    os.replace(temporary, path)


def new_keyring() -> Keyring:
    key = FieldKey.generate()
    return Keyring([key], active=key.kid)


def init_key_file(path: Path) -> bool:
    if path.exists():
        return False
    write_key_file(path, new_keyring())
    return True
