"""The audit trail's keys, kept out of the database and apart from the token secret.

* The **chain key** seals every record (HMAC-SHA256): ``STEADYLINE_AUDIT_SECRET``, or the key file
  ``STEADYLINE_AUDIT_KEY_FILE`` (mode 0600) that ``steadyline init-dev`` / ``steadyline audit init-keys``
  write. There is no default: without one the server and the audit commands refuse to start.
* The **checkpoint key pair** (Ed25519): the private key (``STEADYLINE_AUDIT_SIGNING_KEY_FILE``, 0600)
  signs head checkpoints; verifying them needs only the public key (``STEADYLINE_AUDIT_PUBLIC_KEY_FILE``),
  so a verifier — and the database host — need not hold anything that can sign a checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.audit.chain import MIN_SECRET_BYTES


class AuditKeyMissing(RuntimeError):
    """A key the audit trail needs is not configured, or not usable."""


def write_private_file(path: Path, data: bytes) -> bool:
    """Create ``path`` with mode 0600 holding ``data``; False (untouched) if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def _write_public_file(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def _encode_key(key: bytes) -> bytes:
    return base64.urlsafe_b64encode(key).rstrip(b"=") + b"\n"


def legacy_chain_key(jwt_secret: str) -> bytes:
    """The chain key earlier versions derived from the token secret when no audit secret was set:
    only to keep a trail sealed with it verifiable (``steadyline audit init-keys --from-token-secret``)."""
    return hmac.new(jwt_secret.encode(), b"steadyline-audit-v1", hashlib.sha256).digest()


def init_audit_keys(key_file: Path, signing_key_file: Path, public_key_file: Path,
                    chain_key_bytes: bytes | None = None) -> list[Path]:
    """Create whichever of the three key files is missing (the chain key fresh and random unless
    given); the files written, in that order."""
    written = []
    if write_private_file(key_file, _encode_key(chain_key_bytes or secrets.token_bytes(32))):
        written.append(key_file)
    if not signing_key_file.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        if write_private_file(signing_key_file, pem):
            written.append(signing_key_file)
    public = load_signing_key(signing_key_file).public_key()
    if _write_public_file(public_key_file, public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)):
        written.append(public_key_file)
    return written


def chain_key(secret: str | None, key_file: Path) -> bytes:
    """The chain key: ``secret`` (the environment, as UTF-8) if given, else the key file's
    (base64url of the key's bytes)."""
    if secret is not None:
        key = secret.encode()
    elif key_file.exists():
        _refuse_loose_mode(key_file)
        key = _decode_key(key_file)
    else:
        raise AuditKeyMissing(
            f"No audit chain key: set STEADYLINE_AUDIT_SECRET or create {key_file} with "
            "`steadyline audit init-keys` (it is never derived from the token secret).")
    if len(key) < MIN_SECRET_BYTES:
        raise AuditKeyMissing(f"The audit chain key must be at least {MIN_SECRET_BYTES} bytes.")
    return key


def _decode_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise AuditKeyMissing(f"{path} does not hold a base64url audit chain key.") from None


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise AuditKeyMissing(
            f"No audit checkpoint signing key at {path}: create one with `steadyline audit init-keys`, "
            "or set STEADYLINE_AUDIT_CHECKPOINT_INTERVAL=0 to write no checkpoints from this process.")
    _refuse_loose_mode(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyMissing(f"{path} is not an Ed25519 private key.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    if not path.exists():
        raise AuditKeyMissing(f"No audit checkpoint public key at {path} (STEADYLINE_AUDIT_PUBLIC_KEY_FILE).")
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyMissing(f"{path} is not an Ed25519 public key.")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming the key pair in each checkpoint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _refuse_loose_mode(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        raise AuditKeyMissing(f"{path} is readable by others: `chmod 600 {path}`.")
