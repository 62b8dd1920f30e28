"""While Redis (the shared live state) is down, nothing answers as a bug: readiness says 503, requests
that need it answer 503 ``live_state_unavailable`` with Retry-After, socket events answer the same code
and new sockets are refused with it; when Redis is back, the same node serves again."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import make_settings
from tests.support.services import RedisServer
from tests.support.world import PASSWORD, World

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_to_stop():
    server = RedisServer()
    yield server
    server.stop()


async def _ready_within(world: World, seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        status, _ = await world.request("GET", "/readyz")
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not ready again")


async def test_a_redis_outage_answers_unavailable_and_passes(sqlite_url, redis_to_stop):
    async with World.start(make_settings(sqlite_url, redis_url=redis_to_stop.url)) as world:
        therapist = await world.therapist()
        session = await world.session(therapist)
        host = await world.host_in_room(therapist, session["id"])
        assert (await world.request("GET", "/readyz"))[0] == 200
        another_token = await world.host_token(therapist, session["id"])

        redis_to_stop.stop()
        status, body = await world.request("GET", "/readyz")
        assert (status, body["code"]) == (503, "live_state_unavailable")
        async with world.http.post(world.base_url + "/api/auth/login",
                                   json={"email": therapist.email, "password": PASSWORD}) as response:
            body = await response.json(content_type=None)
            assert (response.status, body["code"]) == (503, "live_state_unavailable"), body
            assert response.headers["Retry-After"] == "5"
            assert "try again" in body["title"]
        ack = await host.call("lock", {"locked": True})
        assert ack["ok"] is False and ack["error"]["code"] == "live_state_unavailable", ack
        late = world.socket_client()
        with pytest.raises(Exception):
            await late.connect(another_token)
        assert late.refusal["data"]["code"] == "live_state_unavailable", late.refusal

        redis_to_stop.start()
        await _ready_within(world, 5)
        assert await world.login(therapist.email)
