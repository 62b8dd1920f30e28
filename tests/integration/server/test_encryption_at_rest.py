"""Health information is encrypted at rest: no known value appears in the database files or tables,
tampered ciphertext is refused, and key rotation keeps every record readable."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from server.db.engine import make_engine, make_sessionmaker
from server.db.field_crypto import DecryptionError
from server.db.field_keys import KeySource, new_keyring, write_key_file
from server.db.tables import ParticipantRole, SessionKind, StaffRole, utcnow
from server.sessions.store import Store
from tests.conftest import TEST_FIELD_KEYS

KNOWN_NAME = "Quillon Marchetti-Vasquez"  # synthetic, distinctive


async def _store(url: str, keys: KeySource) -> tuple[Store, object]:
    engine = make_engine(url)
    return Store(make_sessionmaker(engine, keys)), engine


async def _seed(store: Store) -> tuple[str, str]:
    program = await store.create_program("P")
    client = await store.create_client(program_id=program.id, display_name=KNOWN_NAME)
    staff = await store.create_staff(program_id=program.id, email="t@example.test", display_name="T",
                                     role=StaffRole.THERAPIST, password_hash="x")
    session = await store.create_session(therapist=staff, kind=SessionKind.INDIVIDUAL, title="S",
                                         starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=1))
    participant = await store.add_participant(session_id=session.id, role=ParticipantRole.CLIENT,
                                              display_name=KNOWN_NAME, client_id=client.id)
    return client.id, participant.id


async def test_known_name_is_not_in_the_database_but_reads_back(database_url):
    keys = KeySource(TEST_FIELD_KEYS, Path("unused"))
    store, engine = await _store(database_url, keys)
    client_id, participant_id = await _seed(store)
    assert (await store.get_client(client_id)).display_name == KNOWN_NAME
    assert (await store.get_participant(participant_id)).display_name == KNOWN_NAME
    await engine.dispose()
    needle = KNOWN_NAME.encode()
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for file in Path(path).parent.glob(Path(path).name + "*"):
            assert needle not in file.read_bytes(), file
    else:
        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        for table in tables:
            rows = await conn.fetch(f'SELECT t::text AS row FROM "{table}" t')
            assert not any(KNOWN_NAME in r["row"] for r in rows), table
        await conn.close()


async def test_swapped_or_flipped_ciphertext_is_refused(sqlite_url):
    keys = KeySource(TEST_FIELD_KEYS, Path("unused"))
    store, engine = await _store(sqlite_url, keys)
    client_id, participant_id = await _seed(store)
    other = await store.create_client(program_id=(await store.get_client(client_id)).program_id, display_name="Other")
    path = sqlite_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        (token,) = conn.execute("SELECT display_name FROM clients WHERE id = ?", (client_id,)).fetchone()
        # the same ciphertext copied to another record, and to another table's field
        conn.execute("UPDATE clients SET display_name = ? WHERE id = ?", (token, other.id))
        conn.execute("UPDATE participants SET display_name = ? WHERE id = ?", (token, participant_id))
    with pytest.raises(DecryptionError):
        await store.get_client(other.id)
    with pytest.raises(DecryptionError):
        await store.get_participant(participant_id)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE clients SET display_name = ? WHERE id = ?", (flipped, client_id))
    with pytest.raises(DecryptionError):
        await store.get_client(client_id)
    await engine.dispose()


async def test_rotation_keeps_every_record_readable_and_running_servers_follow(tmp_path, sqlite_url):
    key_file = tmp_path / "field-keys.json"
    write_key_file(key_file, new_keyring())
    running = KeySource(None, key_file)  # a server started before the rotation
    store, engine = await _store(sqlite_url, running)
    ids = [await _seed(store)]
    old_kid = running.keyring.active.kid
    env = {**os.environ, "STEADYLINE_DATABASE_URL": sqlite_url, "STEADYLINE_JWT_SECRET": "r" * 40,
           "STEADYLINE_FIELD_KEYS_FILE": str(key_file)}
    rotate = subprocess.run([sys.executable, "-m", "server", "keys", "rotate"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert rotate.returncode == 0, rotate.stderr
    assert "Re-encrypted 3 values" in rotate.stdout  # client, client participant, therapist participant
    new_kid = KeySource(None, key_file).keyring.active.kid
    assert new_kid != old_kid
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        tokens = [r[0] for r in conn.execute("SELECT display_name FROM clients UNION ALL SELECT display_name FROM participants")]
    assert tokens and all(t.split(".")[1] == new_kid for t in tokens)
    client_id, participant_id = ids[0]
    assert (await store.get_client(client_id)).display_name == KNOWN_NAME  # learned the new key on the fly
    retire = subprocess.run([sys.executable, "-m", "server", "keys", "retire", old_kid], env=env,
                            capture_output=True, text=True, timeout=120)
    assert retire.returncode == 0, retire.stdout + retire.stderr
    assert old_kid not in KeySource(None, key_file).keyring.kids
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    await engine.dispose()
