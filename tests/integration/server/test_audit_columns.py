"""Every column of an audit record is covered by its seal: editing any one of them in the database
(moving a record to another session included) is named by `steadyline audit verify`, and the
per-session export goes by what is sealed, not by the editable index column."""

from __future__ import annotations

import asyncio
import shutil
import uuid

import pytest
from sqlalchemy import insert, select, update

from server.app_keys import AUDIT, ENGINE
from server.db.engine import make_engine
from server.db.tables import AuditRecord, StaffRole
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.steadyline_cli import cli_env, steadyline

COLUMNS = [column.key for column in AuditRecord.__table__.columns]


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


def _edits(row: dict, other_session: str) -> dict[str, dict]:
    """One edit per column of ``row`` (a record of a session), plus moving it out of every session."""
    edits = {
        "sequence": {"sequence": row["sequence"] + 1000},
        "occurred_at": {"occurred_at": "2020-01-01T00:00:00.000000Z"},
        "actor_id": {"actor_id": "someone-else"},
        "actor_role": {"actor_role": "admin" if row["actor_role"] != "admin" else "client"},
        "action": {"action": "room.leave" if row["action"] != "room.leave" else "room.join"},
        "outcome": {"outcome": "denied" if row["outcome"] != "denied" else "success"},
        "target_type": {"target_type": "client" if row["target_type"] != "client" else "session"},
        "target_id": {"target_id": "another-target"},
        "program_id": {"program_id": str(uuid.uuid4())},
        "session_id": {"session_id": other_session},  # moved to another session
        "remote_addr": {"remote_addr": "203.0.113.9"},
        "details": {"details": '{"session_id": "%s"}' % other_session},
        "previous_hmac": {"previous_hmac": "f" * 64},
        "hmac": {"hmac": "e" * 64},
    }
    assert sorted(edits) == sorted(COLUMNS), "a new audit column needs its edit here (and a seal)"
    return edits | {"session_id_cleared": {"session_id": None}}  # taken out of its session


async def _copy_trail(request, tmp_path, rows: list[dict]) -> str:
    """A fresh migrated database holding exactly ``rows`` as its audit trail."""
    if request.node.callspec.params["database_url"] == "sqlite":
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = await fresh_postgres_url(request.getfixturevalue("postgres_server"),
                                       request.getfixturevalue("postgres_template"))
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(insert(AuditRecord.__table__), rows)
    await engine.dispose()
    return url


async def _edit(url: str, sequence: int, values: dict) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(update(AuditRecord.__table__).where(AuditRecord.sequence == sequence).values(values))
    await engine.dispose()


def _verify_env(world, url: str) -> dict[str, str]:
    settings = world.settings
    extra = {"audit_secret": settings.audit_secret.get_secret_value()} if settings.audit_secret else {}
    return cli_env(database_url=url, jwt_secret=settings.jwt_secret.get_secret_value(), **extra)


async def _trail_of_two_sessions(world):
    therapist = await world.therapist()
    first, second = await world.session(therapist), await world.session(therapist)
    await world.host_in_room(therapist, first["id"])
    await world.add_client(therapist, first["id"], "Client A")
    await world.host_in_room(therapist, second["id"])
    async with world.app[ENGINE].connect() as conn:
        rows = [dict(r) for r in (await conn.execute(
            select(AuditRecord.__table__).order_by(AuditRecord.sequence))).mappings()]
    return therapist, first["id"], second["id"], rows


async def test_editing_any_audit_column_is_named_by_audit_verify(world, request, tmp_path):
    _, first, second, rows = await _trail_of_two_sessions(world)
    index, row = next((i, r) for i, r in enumerate(rows) if r["session_id"] == first and r["action"] == "room.join")
    edits = _edits(row, second)
    copies = {name: await _copy_trail(request, tmp_path, rows) for name in ["untouched", *edits]}
    for name, values in edits.items():
        await _edit(copies[name], row["sequence"], values)

    limit = asyncio.Semaphore(4)

    async def verify(url: str) -> tuple[int, str]:
        async with limit:
            return await steadyline("audit", "verify", env=_verify_env(world, url), cwd=tmp_path)

    results = dict(zip(copies, await asyncio.gather(*(verify(url) for url in copies.values()))))
    code, output = results.pop("untouched")
    assert code == 0 and "intact" in output, output
    for name, (code, output) in results.items():
        assert code == 1 and f"BROKEN at record index {index} " in output, (name, output)


async def test_a_record_moved_to_another_session_stays_in_its_own_sessions_export(world):
    therapist, first, second, rows = await _trail_of_two_sessions(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    moved = next(r for r in rows if r["session_id"] == first and r["action"] == "participant.add")
    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(AuditRecord.__table__).where(AuditRecord.sequence == moved["sequence"])
                           .values(session_id=second))
    status, body = await world.request("GET", f"/api/audit?session_id={second}", admin.access_token)
    assert status == 200
    assert moved["sequence"] not in [r["sequence"] for r in body["records"]]
    assert all(r["details"].get("session_id") == second for r in body["records"])
    status, body = await world.request("GET", f"/api/audit?session_id={first}", admin.access_token)
    assert status == 200 and moved["sequence"] in [r["sequence"] for r in body["records"]]  # still in its own
    assert not (await world.app[AUDIT].verify()).ok
