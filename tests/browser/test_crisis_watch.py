"""A colleague signed in to the console sees that a crisis is open in the program — led by whom and since
when, with no client name — and the notice goes away once the crisis is closed."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import new_page, sign_in
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_colleague_sees_an_open_crisis_in_the_console(world, browser, shots):
    s = await scene(world)
    colleague = await world.therapist(program_id=s.therapist.program_id)
    crisis = await start_crisis(world, s)
    context, page = await new_page(browser)
    try:
        await sign_in(page, world.base_url, colleague)
        watch = page.get_by_role("alert", name="Open crises")
        await expect(watch).to_be_visible()
        await expect(watch).to_contain_text("A crisis protocol started at")
        await expect(watch).to_contain_text("(now: active)")
        await expect(watch).not_to_contain_text("Jordan")
        await expect(watch.get_by_role("button", name="Go to the session")).to_have_count(0)  # not theirs
        await page.screenshot(path=str(shots / "console-crisis-watch.png"))
        status, current = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", s.therapist.access_token)
        await walk_to_closed(world, s, current)
        await expect(watch).to_be_hidden(timeout=15000)
    finally:
        await context.close()
