"""The audit trail's keys: a chain key of its own (never derived from the token secret), checkpoints
signed with an Ed25519 key that the verifier and the database host do not need (the public key checks
them), and the files that hold keys, the database and checkpoints created mode 0600.

Everything runs through the real `steadyline` command in a temporary directory."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from server.audit.chain import _canonical, append
from server.audit.log import AuditEvent, AuditLog, to_sealed
from server.db.engine import make_engine, make_sessionmaker
from server.db.tables import AuditRecord
from tests.conftest import TEST_AUDIT_SECRET, TEST_SECRET
from tests.support.steadyline_cli import cli_env, steadyline


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


async def test_init_dev_writes_its_own_audit_keys_and_everything_private_is_0600(tmp_path):
    env = cli_env()  # nothing but what init-dev writes
    code, output = await steadyline("init-dev", env=env, cwd=tmp_path)
    assert code == 0, output
    dot_env = _env_file(tmp_path / ".env")
    assert "STEADYLINE_AUDIT_SECRET" not in dot_env  # a key of its own, in its own file
    key_file, signing, public = (tmp_path / "certs" / name for name in
                                 ("audit-key", "audit-signing-key.pem", "audit-public-key.pem"))
    chain_key = base64.urlsafe_b64decode(key_file.read_text().strip() + "==")
    derived = hmac.new(dot_env["STEADYLINE_JWT_SECRET"].encode(), b"steadyline-audit-v1", hashlib.sha256).digest()
    assert len(chain_key) >= 32 and chain_key != derived
    assert isinstance(serialization.load_pem_public_key(public.read_bytes()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw), bytes)

    for command in (["migrate"], ["audit", "checkpoint"], ["audit", "verify"]):
        code, output = await steadyline(*command, env=env, cwd=tmp_path)
        assert code == 0, (command, output)
    assert "intact" in output and "1 signed checkpoint" in output, output
    private = [tmp_path / ".env", key_file, signing, tmp_path / "certs" / "field-keys.json",
               tmp_path / "certs" / "dev-key.pem", tmp_path / "steadyline.db", tmp_path / "audit-checkpoints.jsonl"]
    private += [p for p in tmp_path.glob("steadyline.db-*")]  # journal / WAL, if any is left
    assert {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in private} == {
        str(p.relative_to(tmp_path)): oct(0o600) for p in private}


async def test_there_is_no_audit_key_derived_from_the_token_secret(tmp_path):
    env = cli_env(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", jwt_secret=TEST_SECRET)
    code, output = await steadyline("audit", "verify", env=env, cwd=tmp_path)
    assert code != 0 and "No audit chain key" in output, output


def _write_key_pair(directory: Path) -> tuple[Path, Path]:
    directory.mkdir()
    key = Ed25519PrivateKey.generate()
    private, public = directory / "signing.pem", directory / "public.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    private.chmod(0o600)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


async def _record(database_url: str, count: int) -> None:
    engine = make_engine(database_url)
    audit = AuditLog(make_sessionmaker(engine), TEST_AUDIT_SECRET.encode())
    for n in range(count):
        await audit.record(AuditEvent(actor_id=f"staff-{n}", actor_role="therapist", action="room.join",
                                      session_id=f"session-{n % 2}", remote_addr="127.0.0.1"))
    await engine.dispose()


async def _rewrite_and_reseal(database_url: str, sequence: int) -> str:
    """What the database host can do with the chain key: edit a record and re-seal every record after
    it, so the chain itself is consistent again. Returns the new head seal."""
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        rows = (await conn.execute(select(AuditRecord.__table__).order_by(AuditRecord.sequence))).mappings().all()
        previous = None
        for row in rows:
            sealed = to_sealed(AuditRecord(**row))
            entry = sealed.entry
            if row["sequence"] == sequence:
                entry = dataclasses.replace(entry, actor_id="someone-else")
            if row["sequence"] >= sequence:
                sealed = append(TEST_AUDIT_SECRET.encode(), previous, entry)
                await conn.execute(update(AuditRecord.__table__).where(AuditRecord.sequence == row["sequence"])
                                   .values(actor_id=entry.actor_id, previous_hmac=sealed.previous_hmac,
                                           hmac=sealed.hmac))
            previous = sealed
    await engine.dispose()
    return previous.hmac


def _checkpoint_signed_with_the_chain_key(sequence: int, head_hmac: str) -> str:
    """A checkpoint line as the database host could sign one: with the chain key (the HMAC format)."""
    body = {"sequence": sequence, "head_hmac": head_hmac, "signed_at": "2026-12-01T00:00:00.000000Z"}
    signature = hmac.new(TEST_AUDIT_SECRET.encode(), b"steadyline.audit.checkpoint.v1\x00" + _canonical(body),
                         hashlib.sha256).hexdigest()
    return json.dumps(body | {"signature": signature}, sort_keys=True) + "\n"


async def test_a_resealed_rewrite_fails_verify_with_only_the_public_key(database_url, tmp_path):
    signing_key, public_key = _write_key_pair(tmp_path / "signer")  # never on the database host
    checkpoints = tmp_path / "checkpoints.jsonl"
    common = dict(database_url=database_url, jwt_secret=TEST_SECRET, audit_secret=TEST_AUDIT_SECRET,
                  audit_checkpoint_file=str(checkpoints))
    signer = cli_env(**common, audit_signing_key_file=str(signing_key))
    verifier = cli_env(**common, audit_signing_key_file=str(tmp_path / "absent.pem"),
                       audit_public_key_file=str(public_key))
    await _record(database_url, 5)
    code, output = await steadyline("audit", "checkpoint", env=signer, cwd=tmp_path)
    assert code == 0, output
    code, output = await steadyline("audit", "verify", env=verifier, cwd=tmp_path)
    assert code == 0 and "intact" in output, output

    head = await _rewrite_and_reseal(database_url, sequence=2)
    with checkpoints.open("a") as handle:
        handle.write(_checkpoint_signed_with_the_chain_key(5, head))
    code, output = await steadyline("audit", "verify", env=verifier, cwd=tmp_path)
    assert code == 1 and "BROKEN at record index 4 (sequence 5): checkpoint_mismatch" in output, output
    assert "1 checkpoint(s) in the old HMAC format were not checked" in output, output
    assert _mode(checkpoints) == 0o600


@pytest.mark.parametrize("what", ["another key", "no public key"])
async def test_checkpoints_that_the_public_key_does_not_check_are_not_trusted(sqlite_url, tmp_path, what):
    signing_key, public_key = _write_key_pair(tmp_path / "signer")
    _, other_public = _write_key_pair(tmp_path / "other")
    common = dict(database_url=sqlite_url, jwt_secret=TEST_SECRET, audit_secret=TEST_AUDIT_SECRET,
                  audit_checkpoint_file=str(tmp_path / "checkpoints.jsonl"))
    await _record(sqlite_url, 2)
    assert (await steadyline("audit", "checkpoint", env=cli_env(**common, audit_signing_key_file=str(signing_key)),
                             cwd=tmp_path))[0] == 0
    verify_with = str(other_public) if what == "another key" else str(tmp_path / "absent.pem")
    code, output = await steadyline("audit", "verify", env=cli_env(**common, audit_public_key_file=verify_with),
                                    cwd=tmp_path)
    assert code == 1 and "NOT TRUSTED" in output, output


async def test_a_trail_sealed_with_the_old_derived_key_stays_verifiable(sqlite_url, tmp_path):
    """Upgrading: `audit init-keys --from-token-secret` writes the key earlier versions derived, once."""
    derived = hmac.new(TEST_SECRET.encode(), b"steadyline-audit-v1", hashlib.sha256).digest()
    engine = make_engine(sqlite_url)
    audit = AuditLog(make_sessionmaker(engine), derived)
    for n in range(3):
        await audit.record(AuditEvent(actor_id=f"staff-{n}", actor_role="therapist", action="room.join"))
    await engine.dispose()
    key_file = tmp_path / "certs" / "audit-key"
    env = cli_env(database_url=sqlite_url, jwt_secret=TEST_SECRET, audit_key_file=str(key_file))
    code, output = await steadyline("audit", "init-keys", "--from-token-secret", env=env, cwd=tmp_path)
    assert code == 0 and _mode(key_file) == 0o600, output
    for command in (["audit", "checkpoint"], ["audit", "verify"]):
        code, output = await steadyline(*command, env=env, cwd=tmp_path)
        assert code == 0, (command, output)
    assert "Audit trail intact: 3 records" in output, output
    code, output = await steadyline("audit", "init-keys", "--from-token-secret", env=env, cwd=tmp_path)
    assert code != 0 and "not replaced" in output, output


async def test_the_server_signs_its_checkpoints_and_will_not_start_without_the_key(sqlite_url,
                                                                                   tmp_path):
    from server.app import create_app
    from server.audit.keys import AuditKeyMissing
    from tests.conftest import make_settings
    from tests.support.world import World

    with pytest.raises(AuditKeyMissing):
        create_app(make_settings(sqlite_url, audit_checkpoint_interval=0.2,
                                 audit_signing_key_file=tmp_path / "absent.pem"))
    with pytest.raises(AuditKeyMissing):
        create_app(make_settings(sqlite_url, audit_secret=None, audit_key_file=tmp_path / "absent"))

    signing_key, public_key = _write_key_pair(tmp_path / "signer")
    checkpoints = tmp_path / "checkpoints.jsonl"
    settings = make_settings(sqlite_url, audit_checkpoint_interval=0.2, audit_signing_key_file=signing_key,
                             audit_checkpoint_file=checkpoints)
    async with World.start(settings) as world:
        await world.therapist()  # a sign-in: one audit record
        for _ in range(100):
            if checkpoints.exists() and '"sequence": 1' in checkpoints.read_text():
                break
            await asyncio.sleep(0.1)
    assert _mode(checkpoints) == 0o600
    env = cli_env(database_url=sqlite_url, jwt_secret=TEST_SECRET, audit_secret=TEST_AUDIT_SECRET,
                  audit_checkpoint_file=str(checkpoints),
                  audit_public_key_file=str(public_key))
    code, output = await steadyline("audit", "verify", env=env, cwd=tmp_path)
    assert code == 0 and "signed checkpoint(s) up to record 1" in output, output
