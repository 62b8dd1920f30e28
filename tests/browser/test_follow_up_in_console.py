"""After a crisis is closed, its follow-up plan is where the care team looks for the client: the console's
view of the client shows the open follow-up items, and ticking one off sticks."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import new_page, sign_in
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_follow_up_plan_shows_with_the_clients_plan(world, browser, shots):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    await walk_to_closed(world, s, crisis)
    context, page = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await sign_in(page, world.base_url, s.therapist)
        await page.get_by_role("button", name=f"Manage {s.client.session['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        follow_ups = page.get_by_role("region", name="Follow-up after a crisis")
        items = follow_ups.locator(".follow-up-item")
        await expect(items).to_have_count(6)  # five check-ins and the next-day session
        await expect(follow_ups).to_contain_text("Individual session")
        await items.first.get_by_role("button", name="Mark done").click()
        await expect(follow_ups.locator(".follow-up-item.done")).to_have_count(1)
        await follow_ups.screenshot(path=str(shots / "console-follow-ups.png"))
    finally:
        await context.close()
    status, plans = await world.request("GET", f"/api/clients/{s.client.client_id}/follow-ups", s.therapist.access_token)
    assert status == 200 and sum(bool(i["done_at"]) for i in plans["plans"][0]["items"]) == 1
