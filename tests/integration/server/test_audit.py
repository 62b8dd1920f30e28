"""The audit trail of a scripted session, its export, and tampering caught by `steadyline audit verify`."""

from __future__ import annotations

import asyncio
import sqlite3

from server.app_keys import AUDIT
from server.db.tables import StaffRole
from tests.conftest import TEST_AUDIT_SECRET, TEST_SECRET
from tests.support.steadyline_cli import cli_env, steadyline


async def _scripted_session(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host = await world.host_in_room(therapist, session["id"])
    link = await world.add_client(therapist, session["id"], "Client A")
    client, pid = await world.admitted_client(host, link["join_url"])
    assert (await host.call("remove", {"participant_id": pid}))["ok"]
    await world.request("POST", "/api/auth/login", json={"email": therapist.email, "password": "wrong"})
    await world.request("POST", "/api/join", json={"token": "B" * 43})
    return therapist, session, pid


async def test_a_scripted_session_produces_the_expected_records(world):
    therapist, session, pid = await _scripted_session(world)
    entries = [s.entry for s in await world.app[AUDIT].entries()]
    actions = [(e.action, e.outcome.value) for e in entries]
    expected = [
        ("auth.sign_in", "success"), ("session.create", "success"), ("room.join", "success"),
        ("participant.add", "success"), ("link.redeem", "success"), ("room.wait", "success"),
        ("room.admit", "success"), ("room.join", "success"), ("room.remove", "success"),
        ("auth.sign_in", "failed"), ("link.redeem", "failed"),
    ]
    remaining = iter(actions)
    assert all(item in remaining for item in expected), actions  # all present, in the order they happened
    admit = next(e for e in entries if e.action == "room.admit")
    assert admit.target_id == pid and admit.details["session_id"] == session["id"]
    assert all(e.remote_addr in (None, "127.0.0.1") for e in entries)
    assert "Client A" not in repr(entries)  # who and what, never the name
    assert (await world.app[AUDIT].verify()).ok


async def test_admins_export_a_sessions_trail_and_others_cannot(world):
    therapist, session, pid = await _scripted_session(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    status, body = await world.request("GET", f"/api/audit?session_id={session['id']}", admin.access_token)
    assert status == 200
    assert {"room.admit", "room.remove", "participant.add"} <= {r["action"] for r in body["records"]}
    assert all(r["program_id"] == therapist.program_id for r in body["records"])
    status, _ = await world.request("GET", f"/api/audit?session_id={session['id']}", therapist.access_token)
    assert status == 403
    outsider = await world.therapist(role=StaffRole.ADMIN)
    status, _ = await world.request("GET", f"/api/audit?session_id={session['id']}", outsider.access_token)
    assert status == 404
    status, _ = await world.request("GET", "/api/audit", admin.access_token)
    assert status == 422


async def _audit_command(action: str, db_path, checkpoint_file) -> tuple[int, str]:
    """``steadyline audit <action>`` in its own process; its exit code and what it printed. The
    checkpoint key pair lives beside the checkpoint file (made by `steadyline audit init-keys`)."""
    keys = checkpoint_file.parent
    env = cli_env(database_url=f"sqlite+aiosqlite:///{db_path}", jwt_secret=TEST_SECRET,
                  audit_secret=TEST_AUDIT_SECRET, audit_checkpoint_file=str(checkpoint_file),
                  audit_key_file=str(keys / "audit-key"), audit_signing_key_file=str(keys / "signing.pem"),
                  audit_public_key_file=str(keys / "public.pem"))
    if not (keys / "signing.pem").exists():
        assert (await steadyline("audit", "init-keys", env=env, cwd=keys))[0] == 0
    return await steadyline("audit", action, env=env, cwd=keys)


TAMPERING = {
    "edit": ("UPDATE audit_records SET actor_id = 'someone-else' WHERE sequence = 4", "index 3"),
    "delete": ("DELETE FROM audit_records WHERE sequence = 5", "index 4"),
    "reorder": ("UPDATE audit_records SET sequence = -1 WHERE sequence = 6; UPDATE audit_records SET sequence = 6"
                " WHERE sequence = 7; UPDATE audit_records SET sequence = 7 WHERE sequence = -1", "index 5"),
    "truncate": ("DELETE FROM audit_records WHERE sequence > 8", "index 8"),
}


async def test_tampering_is_named_at_the_first_broken_record(world, tmp_path):
    await _scripted_session(world)
    db_path = world.settings.database_url.split("///", 1)[1]
    checkpoint_file = tmp_path / "checkpoints.jsonl"
    assert (await _audit_command("checkpoint", db_path, checkpoint_file))[0] == 0
    code, output = await _audit_command("verify", db_path, checkpoint_file)
    assert code == 0 and "intact" in output, output

    # Each kind of tampering on its own copy of the trail, verified side by side.
    copies = {}
    for name, (tamper, _) in TAMPERING.items():
        copies[name] = tmp_path / f"{name}.db"
        with sqlite3.connect(db_path) as source, sqlite3.connect(copies[name]) as copy:
            source.backup(copy)
            copy.executescript(tamper)
    results = await asyncio.gather(*(_audit_command("verify", path, checkpoint_file) for path in copies.values()))
    for (name, (_, where)), (code, output) in zip(TAMPERING.items(), results):
        assert code == 1 and f"BROKEN at record {where}" in output, (name, output)
