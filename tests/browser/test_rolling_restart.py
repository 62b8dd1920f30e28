"""A rolling restart of the node a client's browser is on: the node tells the page ``server_restarting``
as it stops; the page says it is reconnecting (never that the call ended) and, as soon as a node listens
again at the same address, comes back into the call by itself with its place kept — no click, no lobby."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import expect

from tests.browser.pages import expect_in_call, new_page, skip_location
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.world import World

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.redis, pytest.mark.postgres]

BACK_WITHIN_S = 3


async def test_the_page_rides_a_rolling_restart_back_into_the_call(browser, postgres_server, postgres_template,
                                                                   redis_server):
    url = await fresh_postgres_url(postgres_server, postgres_template)
    settings = make_settings(url, redis_url=redis_server.url, reconnect_window=30.0)
    async with World.two_nodes(settings) as (restarting, other):
        therapist = await other.therapist()
        session = await other.session(therapist)
        link = await other.add_client(therapist, session["id"], "Robin Example")
        host = await other.host_in_room(therapist, session["id"])
        context, page = await new_page(browser)
        try:
            await page.goto(restarting.base_url + "/join#" + link["join_url"].split("#", 1)[1])
            await page.locator("#continue").click()
            await skip_location(page)
            await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
            waiting = await host.wait_for("lobby", lambda d: bool(d["waiting"]))
            pid = waiting["waiting"][0]["participant_id"]
            assert (await host.call("admit", {"participant_id": pid}))["ok"]
            await expect_in_call(page)

            await restarting.stop()  # SIGTERM's staged shutdown: the page is told, then closed
            await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting")
            port = int(restarting.base_url.rsplit(":", 1)[1])
            async with World.start(settings, port=port):  # the node is back (a new process would be the same)
                started = time.monotonic()
                await expect_in_call(page)
                await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "joined",
                                    timeout=BACK_WITHIN_S + 2)
                assert time.monotonic() - started < BACK_WITHIN_S
                await expect(page.locator('[data-view="ended"]')).to_be_hidden()
        finally:
            await context.close()
