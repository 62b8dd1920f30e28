"""A group: a therapist and three clients in four browsers; every page shows every other
participant's video (full mesh)."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    admit, client_to_lobby, expect_in_call, expect_remote_videos, new_page, sign_in, start_call, tile_names,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENTS = ["Avery Chen", "Morgan Diaz", "Taylor Brooks"]


async def test_group_of_three_clients_and_therapist_all_see_each_other(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    links = [await world.add_client(therapist, session["id"], name) for name in CLIENTS]
    host_ctx, host = await new_page(browser)
    clients = [await new_page(browser) for _ in CLIENTS]
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await asyncio.gather(*(
            client_to_lobby(page, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
            for (_, page), link in zip(clients, links)
        ))
        for name in CLIENTS:
            await expect(host.get_by_role("button", name=f"Admit {name}")).to_be_visible()
        await host.screenshot(path=str(shots / "console-call-three-waiting.png"))
        for (_, page), name in zip(clients, CLIENTS):
            await admit(host, name)
            await expect_in_call(page)

        _, me = await world.request("GET", "/api/me", therapist.access_token)
        everyone = {me["display_name"], *CLIENTS}
        await asyncio.gather(
            expect_remote_videos(host, 3, timeout=45),
            *(expect_remote_videos(page, 3, timeout=45) for _, page in clients),
        )
        assert await tile_names(host) == set(CLIENTS)
        for (_, page), name in zip(clients, CLIENTS):
            assert await tile_names(page) == everyone - {name}
        await host.screenshot(path=str(shots / "call-group-therapist.png"))
        await clients[0][1].screenshot(path=str(shots / "call-group-client.png"))
    finally:
        for context, _ in [(host_ctx, host), *clients]:
            await context.close()
