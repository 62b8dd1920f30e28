"""A dead node is noticed: a real ``steadyline serve`` process holding a client's socket is killed
(SIGKILL: no clean shutdown, nothing handed over); the surviving node sees its heartbeat lapse and runs
the normal drop path for that socket — the host sees ``reconnecting`` then ``left``, the drop is on the
open crisis's timeline and the lost-contact steps arm — while the host on the survivor stays."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from server.app_keys import CRISIS_WATCH
from tests.conftest import fresh_postgres_url, make_settings
from tests.integration.crisis.helpers import scene, start_crisis
from tests.support.services import free_port
from tests.support.steadyline_cli import serve
from tests.support.world import SocketClient, World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WINDOW = 3.0
STEPS = dict(lost_contact_notify_support_after=60, lost_contact_prompt_emergency_after=90)


async def test_a_killed_node_s_sockets_are_dropped_by_a_survivor(tmp_path, postgres_server, postgres_template,
                                                                 redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    process_port = free_port()
    process = await serve(tmp_path, url, redis_server.url, process_port, reconnect_window=str(WINDOW),
                          **{name: str(value) for name, value in STEPS.items()})
    client = SocketClient(f"https://localhost:{process_port}")
    try:
        settings = make_settings(url, redis_url=redis_server.url, reconnect_window=WINDOW, **STEPS)
        async with World.start(settings, port=free_port()) as world:
            s = await scene(world)
            host = await world.host_in_room(s.therapist, s.session_id)
            host_pid = (await host.call("join"))["state"]["you"]["participant_id"]

            redeemed = await world.redeem(s.client.link["join_url"])
            pid = redeemed["participant"]["id"]
            await client.connect(redeemed["participant_token"])  # on the process node
            ack = await client.call("join")
            assert ack["ok"], ack
            if ack["state"]["you"]["status"] == "lobby":
                await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]))
                assert (await host.call("admit", {"participant_id": pid}))["ok"]
                await client.wait_for("admitted")
                assert (await client.call("join"))["state"]["you"]["status"] == "admitted"
            await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined")
            crisis = await start_crisis(world, s)
            cid = crisis["crisis_id"]

            killed = time.monotonic()
            process.send_signal(signal.SIGKILL)
            await process.wait()
            reconnecting = await host.wait_for(
                "presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting", timeout=WINDOW + 10)
            noticed = time.monotonic() - killed
            print(f"kill -9 to 'reconnecting' at the host: {noticed:.2f} s")
            assert reconnecting["role"] == "client" and noticed < WINDOW + 10
            watch = world.app[CRISIS_WATCH]
            for _ in range(50):  # the presence hook runs just after the broadcast
                if await watch.pending(s.session_id, pid):
                    break
                await asyncio.sleep(0.1)
            assert await watch.pending(s.session_id, pid)  # the lost-contact steps are armed, on the survivor

            await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left",
                                timeout=WINDOW + 5)
            status, body = await world.request("GET", f"/api/crises/{cid}/timeline", s.therapist.access_token)
            assert status == 200, body
            kinds = [(e["kind"], e.get("participant_id")) for e in body["events"]]
            assert ("left", pid) in kinds  # the drop, recorded by the survivor as by a live node

            # the survivor itself is never swept: its host is still here and connected
            assert host.connected
            assert not [p for p in host.events["presence"] if p["participant_id"] == host_pid]
            state = (await host.call("join"))["state"]
            assert state["you"]["connected"] and state["you"]["status"] == "admitted"
            assert pid not in {m["participant_id"] for m in state["members"]}
    finally:
        await client.close()
        if process.returncode is None:
            process.kill()
            await process.wait()
