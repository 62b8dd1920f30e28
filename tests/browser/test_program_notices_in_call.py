"""The console's program notices never cover or shrink a live call (issue 18, item 2).

A therapist in a call with an open crisis, past several polls of the program's open crises (the poll is
made quick for the test): the video tiles keep their size, the call's own crisis is not announced as
"Open crisis" and there is no "Go to the session" for the session they are in. A crisis in another
session of theirs still shows, as one line in the call bar, and still leaves the tiles as they were."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    admit,
    client_to_lobby,
    expect_in_call,
    expect_remote_videos,
    new_page,
    sign_in,
    start_call,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

POLL_MS = 300
TILES = """() => [...document.querySelectorAll('[data-view="call"] .tile')].map((t) => {
  const r = t.getBoundingClientRect();
  return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
})"""


async def _polls(page, count: int) -> None:
    """Wait for ``count`` more polls of the program's open crises (and the page's handling of them)."""
    for _ in range(count):
        async with page.expect_response(lambda r: r.url.endswith("/api/program/crises"), timeout=15000):
            pass
    await page.wait_for_timeout(200)


async def test_an_open_crisis_leaves_the_call_as_it_was(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 900})
    await host_ctx.add_init_script(f"globalThis.STEADYLINE_OPEN_CRISES_POLL_MS = {POLL_MS};")
    client_ctx, client = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(client, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
        await admit(host, "Jordan Example")
        await expect_in_call(client)
        await expect_remote_videos(host, 1)
        await _polls(host, 1)
        before = await host.evaluate(TILES)
        assert len(before) == 2, before

        await client.get_by_role("button", name="I need help now").click()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        await _polls(host, 3)
        assert await host.evaluate(TILES) == before
        await expect(host.get_by_role("button", name="Go to the session")).to_have_count(0)
        await expect(host.locator(".open-crises")).to_be_hidden()  # the call's crisis panel has this one
        await host.screenshot(path=str(shots / "call-with-open-crisis.png"))

        # a crisis in another session of theirs: one line in the call bar, the call untouched
        elsewhere = await world.session(therapist)
        other = await world.add_client(therapist, elsewhere["id"], "Robin Example")
        status, opened = await world.request("POST", f"/api/sessions/{elsewhere['id']}/crisis",
                                             therapist.access_token,
                                             json={"client_id": other["participant"]["client_id"]})
        assert status == 201, opened
        notice = host.locator(".call-bar .open-crises")
        await expect(notice).to_be_visible(timeout=10000)
        await expect(notice).to_contain_text("in another of your sessions")
        await _polls(host, 2)
        assert await host.evaluate(TILES) == before
        await expect(host.get_by_role("button", name="Go to the session")).to_have_count(0)
        await host.screenshot(path=str(shots / "call-with-crisis-elsewhere.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()
