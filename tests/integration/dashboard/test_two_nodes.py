"""The live dashboard on two nodes (PostgreSQL and Redis): an alert raised on one node reaches the clinician
whose console is connected to the other, and nobody outside the client's care team or program; signing out
on one node ends the socket held by the other."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import fresh_postgres_url, make_settings
from tests.integration.dashboard.helpers import scene, staff_socket, urgent_check_in
from tests.support.world import World

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
QUIET = 0.5


def _about(client_id: str):
    return lambda data: data["alert"]["client_id"] == client_id


async def test_two_nodes_push_to_the_node_the_clinician_is_on(postgres_server, postgres_template, redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    settings = make_settings(url, redis_url=redis_server.url, dashboard_sweep_interval=0.5)
    async with World.two_nodes(settings) as (first, second):
        await asyncio.sleep(0.5)  # both nodes subscribed to Redis
        cast = await scene(first, other=second)
        own = await staff_socket(second, cast.therapist.access_token)
        other = await staff_socket(second, cast.other_admin.access_token)
        colleague = await staff_socket(second, cast.colleague.access_token)
        await urgent_check_in(first, cast.home)  # raised on the first node
        await own.wait_for("alert", _about(cast.client_id), timeout=2)
        await asyncio.sleep(QUIET)
        assert other.events["alert"] == [] and colleague.events["alert"] == []

        # signing out on the first node: pushes stop at once, the second node's socket is told and closed
        status, _ = await first.request("POST", "/api/auth/logout", cast.therapist.access_token)
        assert status == 200
        await own.wait_for("signed_out", timeout=2)
        await own.wait_disconnected(timeout=3)  # closed by the second node's own sweep, not by the client

        # the program's admin, on the second node, still receives the next alert raised on the first
        admin = await staff_socket(second, cast.admin.access_token)
        await urgent_check_in(first, cast.home)
        await admin.wait_for("alert", _about(cast.client_id), timeout=2)
