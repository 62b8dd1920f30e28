"""Envelope encryption of health-information fields stored at rest.

Each value is sealed with AES-256-GCM under a named key from a :class:`Keyring`,
with a fresh random 96-bit nonce, and becomes a self-describing text token::

    v1.<kid>.<nonce, base64url>.<ciphertext+tag, base64url>

The associated data binds the token to its place — (table, record id, field) —
and to its own header (version and key id), so a token copied into another
record or another column, or relabelled with another key id, fails to decrypt.

Errors never carry the plaintext or key material, not even as a chained cause.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
DEFAULT_ENV_VAR = "STEADYLINE_FIELD_KEYS"

RecordId = str | int | UUID

# At most 32 characters: a key pasted into the id slot (43+ characters) is
# refused by this rule without its text being echoed in an error.
_KID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_AAD_DOMAIN = "steadyline.field"


# --- errors -----------------------------------------------------------------


class FieldCryptoError(Exception):
    """Base class of every error raised by this module."""


class KeyringError(FieldCryptoError):
    """A key or key set is invalid (bad id, wrong length, unparsable key file)."""


class DecryptionError(FieldCryptoError):
    """A token could not be opened: wrong place, wrong key, or tampered."""


class UnknownKeyError(DecryptionError):
    """A token names a key id that the keyring does not hold."""


class MalformedCiphertextError(DecryptionError):
    """A token is not a well-formed ``v1`` token."""


class FieldContextError(FieldCryptoError, ValueError):
    """The (table, record id, field) a value is bound to is missing or invalid."""


class PlaintextError(FieldCryptoError, ValueError):
    """A plaintext cannot be encrypted (not a str, or not encodable as UTF-8)."""


# --- keys -------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class FieldKey:
    """One named 256-bit key. Its material never appears in repr or str."""

    kid: str
    material: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.kid, str) or not _KID_RE.fullmatch(self.kid):
            raise KeyringError("key id must be 1-32 characters of [A-Za-z0-9_-]")
        if not isinstance(self.material, bytes) or len(self.material) != KEY_BYTES:
            raise KeyringError(f"key {self.kid!r} must be exactly {KEY_BYTES} bytes")

    @classmethod
    def generate(cls, kid: str | None = None) -> FieldKey:
        return cls(kid or _new_kid(), AESGCM.generate_key(bit_length=KEY_BYTES * 8))

    @classmethod
    def from_base64(cls, kid: str, encoded: str) -> FieldKey:
        return cls(kid, _decode_key(kid, encoded))

    def to_base64(self) -> str:
        """The material as standard base64, for writing a key file only."""
        return base64.b64encode(self.material).decode("ascii")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldKey):
            return NotImplemented
        return self.kid == other.kid and secrets.compare_digest(self.material, other.material)

    def __hash__(self) -> int:
        return hash(self.kid)

    def __repr__(self) -> str:
        return f"FieldKey(kid={self.kid!r})"

    __str__ = __repr__


def _new_kid() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    return f"k{stamp}-{secrets.token_hex(3)}"


def _decode_key(kid: str, encoded: str) -> bytes:
    text = encoded.strip().replace("-", "+").replace("_", "/")
    try:
        material = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        material = None
    if material is None:  # raised outside the except block: no chained cause
        raise KeyringError(f"key {kid!r} is not valid base64")
    return material


class Keyring:
    """An immutable set of named keys with one active key for new encryptions.

    Rotation returns a new keyring rather than changing this one, so a keyring
    shared by a running server never changes under an in-flight request.
    """

    __slots__ = ("_keys", "_active")

    def __init__(self, keys: Iterable[FieldKey], active: str) -> None:
        by_kid: dict[str, FieldKey] = {}
        for key in keys:
            if key.kid in by_kid:
                raise KeyringError(f"duplicate key id {key.kid!r}")
            by_kid[key.kid] = key
        if active not in by_kid:
            raise KeyringError(f"active key id {active!r} is not in the keyring")
        self._keys = by_kid
        self._active = by_kid[active]

    # construction

    @classmethod
    def from_text(cls, text: str, *, active: str | None = None) -> Keyring:
        """Parse a JSON key document or ``kid:base64key`` lines.

        JSON: ``{"active": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"}}``.
        Lines (newline- or comma-separated, ``#`` comments allowed): the last
        key listed is active unless ``active`` says otherwise.
        """
        stripped = text.strip()
        if stripped.startswith("{"):
            keys, listed_active = _parse_json(stripped)
        else:
            keys, listed_active = _parse_lines(stripped)
        if not keys:
            raise KeyringError("no keys found")
        return cls(keys, active or listed_active)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, active: str | None = None) -> Keyring:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            message = f"cannot read key file {os.fspath(path)!r}: {exc.strerror}"
            raise KeyringError(message) from None
        return cls.from_text(text, active=active)

    @classmethod
    def from_env(
        cls,
        name: str = DEFAULT_ENV_VAR,
        *,
        environ: Mapping[str, str] | None = None,
        active: str | None = None,
    ) -> Keyring:
        env = os.environ if environ is None else environ
        value = env.get(name)
        if not value:
            raise KeyringError(f"environment variable {name} is not set")
        return cls.from_text(value, active=active)

    # queries

    @property
    def active(self) -> FieldKey:
        return self._active

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def get(self, kid: str) -> FieldKey:
        try:
            return self._keys[kid]
        except KeyError:
            pass
        raise UnknownKeyError(f"no key with id {kid!r} in the keyring")

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"Keyring(kids={list(self._keys)!r}, active={self._active.kid!r})"

    __str__ = __repr__

    # rotation

    def generate_key(self, kid: str | None = None) -> Keyring:
        """A new keyring holding every current key plus a fresh active key."""
        return self.with_key(FieldKey.generate(kid))

    def with_key(self, key: FieldKey) -> Keyring:
        """A new keyring with ``key`` added and made active."""
        return Keyring([*self._keys.values(), key], key.kid)

    def retire(self, kid: str) -> Keyring:
        """A new keyring without ``kid``; the active key cannot be retired."""
        if kid == self._active.kid:
            raise KeyringError(f"cannot retire the active key {kid!r}")
        self.get(kid)
        return Keyring([k for k in self._keys.values() if k.kid != kid], self._active.kid)

    def to_json(self) -> str:
        """Key-file text. Contains key material: write it only to a protected file."""
        keys = {kid: key.to_base64() for kid, key in self._keys.items()}
        return json.dumps({"active": self._active.kid, "keys": keys}, indent=2) + "\n"


def _parse_json(text: str) -> tuple[list[FieldKey], str]:
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), dict):
        raise KeyringError('key document must be a JSON object with a "keys" object')
    entries = doc["keys"]
    if not all(isinstance(v, str) for v in entries.values()):
        raise KeyringError("every key in the key document must be a base64 string")
    keys = [FieldKey.from_base64(str(kid), value) for kid, value in entries.items()]
    active = doc.get("active")
    if active is None and keys:
        active = keys[-1].kid
    if not isinstance(active, str):
        raise KeyringError('"active" must be a key id string')
    return keys, active


def _parse_lines(text: str) -> tuple[list[FieldKey], str]:
    keys: list[FieldKey] = []
    for number, raw in enumerate(re.split(r"[\n,]", text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kid, sep, encoded = line.partition(":")
        if not sep:
            raise KeyringError(f"key entry {number} is not of the form kid:base64key")
        keys.append(FieldKey.from_base64(kid.strip(), encoded))
    return keys, keys[-1].kid if keys else ""


# --- tokens -----------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kid: str
    nonce: bytes
    ciphertext: bytes


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes | None:
    if not _B64URL_RE.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64e(data) == text else None  # one spelling per value


def _parse_token(token: str) -> _Token:
    if not isinstance(token, str):
        raise MalformedCiphertextError("token must be a str")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != TOKEN_VERSION:
        raise MalformedCiphertextError(f"token is not a {TOKEN_VERSION} field token")
    _, kid, nonce_text, ct_text = parts
    if not _KID_RE.fullmatch(kid):
        raise MalformedCiphertextError("token has an invalid key id")
    nonce, ciphertext = _b64d(nonce_text), _b64d(ct_text)
    if nonce is None or len(nonce) != NONCE_BYTES:
        raise MalformedCiphertextError("token has an invalid nonce")
    if ciphertext is None or len(ciphertext) < TAG_BYTES:
        raise MalformedCiphertextError("token has an invalid ciphertext")
    return _Token(kid, nonce, ciphertext)


def _associated_data(kid: str, table: str, record_id: RecordId, field_name: str) -> bytes:
    for label, value in (("table", table), ("field", field_name)):
        if not isinstance(value, str) or not value:
            raise FieldContextError(f"{label} must be a non-empty str")
    valid_id = isinstance(record_id, (str, int, UUID)) and not isinstance(record_id, bool)
    record = str(record_id) if valid_id else ""
    if not record:
        raise FieldContextError("record_id must be a non-empty str, an int or a UUID")
    parts = [_AAD_DOMAIN, TOKEN_VERSION, kid, table, record, field_name]
    return json.dumps(parts, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _encode_plaintext(plaintext: str) -> bytes:
    if not isinstance(plaintext, str):
        raise PlaintextError("plaintext must be a str")
    try:
        return plaintext.encode("utf-8")
    except UnicodeEncodeError:
        pass
    raise PlaintextError("plaintext is not encodable as UTF-8 (lone surrogate?)")


# --- public operations ------------------------------------------------------


def encrypt(
    keyring: Keyring, plaintext: str, *, table: str, record_id: RecordId, field: str
) -> str:
    """Seal ``plaintext`` under the active key, bound to (table, record_id, field)."""
    key = keyring.active
    aad = _associated_data(key.kid, table, record_id, field)
    data = _encode_plaintext(plaintext)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key.material).encrypt(nonce, data, aad)
    return ".".join((TOKEN_VERSION, key.kid, _b64e(nonce), _b64e(ciphertext)))


def decrypt(
    keyring: Keyring, token: str, *, table: str, record_id: RecordId, field: str
) -> str:
    """Open a token sealed for exactly this (table, record_id, field)."""
    parsed = _parse_token(token)
    key = keyring.get(parsed.kid)
    aad = _associated_data(parsed.kid, table, record_id, field)
    try:
        data = AESGCM(key.material).decrypt(parsed.nonce, parsed.ciphertext, aad)
    except InvalidTag:
        data = None
    if data is None:  # raised outside the except block: no chained cause
        raise DecryptionError(
            f"cannot decrypt {table}.{field} with key {parsed.kid!r}: "
            "wrong record or field, or the value was altered"
        )
    return data.decode("utf-8")


def key_id_of(token: str) -> str:
    """The key id a token was sealed with (the token is checked for form only)."""
    return _parse_token(token).kid


def needs_rotation(token: str, keyring: Keyring) -> bool:
    """True when the token was sealed with a key other than the active one."""
    return key_id_of(token) != keyring.active.kid


def reencrypt(
    token: str, keyring: Keyring, *, table: str, record_id: RecordId, field: str
) -> str | None:
    """The token re-sealed under the active key, or None if it already is."""
    if not needs_rotation(token, keyring):
        return None
    place = {"table": table, "record_id": record_id, "field": field}
    return encrypt(keyring, decrypt(keyring, token, **place), **place)
