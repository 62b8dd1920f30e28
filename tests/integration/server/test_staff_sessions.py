"""Staff sign-ins: sign-out ends them at once (and the call they host), idling ends them, a live
call keeps them alive."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import socketio
from sqlalchemy import update

from server.app_keys import ENGINE, SIGNALING
from server.db.tables import StaffSession, utcnow
from tests.conftest import make_settings
from tests.support.world import World


async def _age_sign_ins(world, seconds: int) -> None:
    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(seconds=seconds)))


async def test_sign_out_ends_the_token_and_disconnects_the_hosted_call_at_once(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host_token = await world.host_token(therapist, session["id"])
    host = await world.socket(host_token)
    await host.call("join")
    status, _ = await world.request("POST", "/api/auth/logout", therapist.access_token)
    assert status == 200
    await host.wait_for("signed_out")
    for _ in range(50):
        if not host.connected:
            break
        await asyncio.sleep(0.05)
    assert not host.connected
    status, body = await world.request("GET", "/api/sessions", therapist.access_token)
    assert status == 401 and body["code"] == "signed_out"
    again = world.socket_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(host_token)
    assert again.refusal["data"]["code"] == "auth_failed"  # the same host token cannot reconnect


async def test_an_idle_sign_in_ends(world):
    therapist = await world.therapist()
    assert (await world.request("GET", "/api/me", therapist.access_token))[0] == 200
    await _age_sign_ins(world, world.settings.staff_idle_timeout + 5)
    status, body = await world.request("GET", "/api/me", therapist.access_token)
    assert status == 401 and body["code"] == "idle_timeout"
    status, _ = await world.request("GET", "/api/me", therapist.access_token)
    assert status == 401


async def test_a_live_call_keeps_the_sign_in_alive(sqlite_url):
    settings = make_settings(sqlite_url, staff_idle_timeout=60)
    async with World.start(settings) as world:
        therapist = await world.therapist()
        session = await world.session(therapist)
        host = await world.host_in_room(therapist, session["id"])
        await _age_sign_ins(world, 120)  # long idle in the console…
        await world.app[SIGNALING].keepalive.tick()  # …but in a call the whole time
        assert host.connected
        assert (await world.request("GET", "/api/me", therapist.access_token))[0] == 200
