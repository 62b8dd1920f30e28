"""A responder opens the link they were read or sent: the page shows, in plain text, where the person is
(the confirmed address and the device position with its accuracy), whom to call back, the situation and
the nearest local resources; the token stays in the fragment; an expired link says so plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect
from sqlalchemy import update

from server.app_keys import ENGINE
from server.crisis_models import ResponderLinkRecord
from server.models import StaffRole, utcnow
from tests.browser.pages import new_page
from tests.integration.crisis.test_responder_page import _packet
from tests.integration.crisis.test_responder_relay import SITUATION, _located_scene
from tests.integration.plans.test_plans_at_rest import CSV
from tests.support.world import SEEN_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_responder_reads_the_packet_as_text(world, browser, shots):
    s = await _located_scene(world)
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, _ = await world.request("POST", "/api/program/resources/import", admin.access_token, json={"csv": CSV})
    assert status == 200
    _, token = await _packet(world, s)
    requests: list[str] = []
    context, page = await new_page(browser)
    page.on("request", lambda r: requests.append(r.url))
    try:
        await page.goto(f"{world.base_url}/responder#{token}")
        await expect(page.get_by_role("heading", name="Person in crisis: where and what")).to_be_visible()
        lines = page.locator("#location-lines li")
        await expect(lines.first).to_contain_text("12 Example Street, Exampleton, PA, 19000, US")
        await expect(lines.nth(1)).to_contain_text("within 30 m")
        await expect(page.locator("#situation")).to_have_text(SITUATION)
        await expect(page.locator("#callbacks")).to_contain_text("Program crisis line")
        await expect(page.locator("#means")).to_contain_text("spare medication")
        await expect(page.locator("#resources li").first).to_contain_text("Near Emergency Department")
        await page.screenshot(path=str(shots / "responder-page.png"), full_page=True)
        assert all(token not in url for url in requests)  # the token never leaves in a URL
        assert all(url.startswith(world.base_url) for url in requests)  # no map tiles, no third party

        async with world.app[ENGINE].begin() as conn:
            await conn.execute(update(ResponderLinkRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
        await page.reload()
        await expect(page.get_by_role("heading", name="This responder link can't be used")).to_be_visible()
    finally:
        await context.close()


async def test_the_responder_joins_the_call_from_the_page(world, browser, shots):
    from tests.browser.pages import expect_in_call
    from tests.integration.crisis.test_responder_page import _joinable

    s = await _located_scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)  # the therapist is in the call (a socket)
    _, token = await _joinable(world, s, allow_join=True)
    context, page = await new_page(browser)
    try:
        await page.goto(f"{world.base_url}/responder#{token}")
        await page.get_by_role("button", name="Join the call").click()
        await page.wait_for_url(f"{world.base_url}/join")
        saved = await page.evaluate("() => JSON.parse(sessionStorage.getItem('steadyline.participant'))")
        SEEN_SECRETS.add(saved["participant_token"])
        await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
        await expect(page.locator("#continue")).to_be_enabled()
        await page.locator("#continue").click()
        await expect_in_call(page)  # straight in: the crisis is open
        await host.wait_for("presence", lambda d: d["role"] == "responder" and d["state"] == "joined")
    finally:
        await context.close()
