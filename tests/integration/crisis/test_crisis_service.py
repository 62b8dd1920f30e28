"""The one way a crisis changes (``server/crises/service.py``), against the real app's store and audit
trail: every change is saved, then audited, then told to the session — in that order, once; a refused
step is audited and told to nobody; a change whose audit record fails is kept but the call fails."""

from __future__ import annotations

import pytest

from handoff.crisis import Actor
from handoff.crisis_state import Action, Role
from handoff.errors import IllegalTransition, RoleNotPermitted
from server.app_keys import AUDIT, CRISES, CRISIS_SERVICE
from server.crises.service import Caller
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


class Room:
    """Stands in for signalling: keeps what the session is told, and how many audit records existed then."""

    def __init__(self, audit) -> None:
        self._audit = audit
        self.told: list[tuple[str, str, str, int, int]] = []

    async def _keep(self, to: str, session_id: str, payload: dict) -> None:
        self.told.append((to, session_id, payload["event"]["kind"], payload["version"],
                          len(await self._audit.entries())))

    async def notify_crisis(self, session_id: str, event: str, payload: dict, *, about) -> None:
        await self._keep("room", session_id, payload)

    async def notify_hosts(self, session_id: str, event: str, payload: dict) -> None:
        await self._keep("hosts", session_id, payload)


def _caller(s, role: Role = Role.THERAPIST) -> Caller:
    return Caller(actor=Actor(actor_id=s.therapist.id, role=role), audit_id=s.therapist.id,
                  audit_role="therapist", program_id=s.therapist.program_id, remote_addr="192.0.2.7")


async def _actions(world) -> list[tuple[str, str, str | None]]:
    return [(e.entry.action, e.entry.outcome.value, e.entry.target_id) for e in await world.app[AUDIT].entries()]


async def test_a_change_is_saved_then_audited_then_told_once(world):
    s = await scene(world)
    service, room = world.app[CRISIS_SERVICE], Room(world.app[AUDIT])
    service.signaling = room
    before = len(await world.app[AUDIT].entries())
    crisis = await service.start(s.session_id, _caller(s), client_id=s.client.client_id,
                                 program_id=s.therapist.program_id)
    assert await world.app[CRISES].load(crisis.crisis_id) == crisis
    assert (await _actions(world))[before:] == [("crisis.start", "success", crisis.crisis_id)]
    assert room.told == [("room", s.session_id, "state_changed", 1, before + 1)]  # the audit record was there first

    moved = await service.transition(s.session_id, crisis.crisis_id, Action.STABILISE, _caller(s), expected_version=1)
    assert moved.version == 2 and (await world.app[CRISES].load(crisis.crisis_id)).version == 2
    assert (await _actions(world))[-1] == ("crisis.stabilise", "success", crisis.crisis_id)
    assert [t[2:4] for t in room.told] == [("state_changed", 1), ("state_changed", 2)]


async def test_a_refused_step_is_audited_and_told_to_nobody(world):
    s = await scene(world)
    service, room = world.app[CRISIS_SERVICE], Room(world.app[AUDIT])
    service.signaling = room
    crisis = await service.start(s.session_id, _caller(s), client_id=s.client.client_id,
                                 program_id=s.therapist.program_id)
    with pytest.raises(RoleNotPermitted):
        await service.transition(s.session_id, crisis.crisis_id, Action.CLOSE, _caller(s, Role.CLIENT),
                                 expected_version=1)
    with pytest.raises(IllegalTransition):
        await service.transition(s.session_id, crisis.crisis_id, Action.CLOSE, _caller(s), expected_version=1)
    assert (await _actions(world))[-2:] == [("crisis.close", "denied", crisis.crisis_id),
                                            ("crisis.close", "failed", crisis.crisis_id)]
    assert (await world.app[CRISES].load(crisis.crisis_id)).version == 1
    assert len(room.told) == 1  # only the start


async def test_a_failed_audit_record_fails_the_call_but_keeps_the_change(world, monkeypatch):
    s = await scene(world)
    service, room = world.app[CRISIS_SERVICE], Room(world.app[AUDIT])
    service.signaling = room

    async def broken(event):
        raise OSError("audit store unreachable")

    monkeypatch.setattr(world.app[AUDIT], "record", broken)
    with pytest.raises(OSError):
        await service.start(s.session_id, _caller(s), client_id=s.client.client_id,
                            program_id=s.therapist.program_id)
    place = await world.app[CRISES].open_in_session(s.session_id)
    assert place is not None  # saved: the timeline is the record of what happened
    assert room.told == []  # but nobody was told of a change the trail does not have
