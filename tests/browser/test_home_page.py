"""The client's own page ("my Steadyline") in a real browser, on a 390×844 phone and a desktop: their
coping steps first, numbers to call one tap away, their session with a Join button, and "I need help now"
in view without scrolling. Pressed, it takes them into their urgent help room, where a strip says
truthfully that the on-call clinician is being reached; the clinician joins from the console, the strip
says so, and what the clinician shows from the plan appears on the client's phone."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import DESKTOP, PHONE, expect_in_call, new_page, sign_in, skip_location, start_call
from tests.integration.home.helpers import all_week, standing_link
from tests.integration.plans.helpers import write_plan

from server.db.tables import StaffRole

pytestmark = pytest.mark.asyncio(loop_scope="module")
COPING = "What I can do by myself to get through it"


async def _client_with_link(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    return therapist, session, client_id, await standing_link(world, therapist, client_id)


async def _fully_in_view(page, locator) -> None:
    box = await locator.bounding_box()
    size = page.viewport_size
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_the_home_page_shows_the_plan_the_numbers_and_the_session(world, browser, shots, viewport):
    therapist, session, client_id, token = await _client_with_link(world)
    context, page = await new_page(browser, viewport=viewport)
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        await expect(page.get_by_role("heading", name="Hello, Jordan Example")).to_be_visible()
        assert "#" not in page.url  # the link left the address bar
        help_button = page.get_by_role("button", name="I need help now")
        await expect(help_button).to_be_visible()
        await _fully_in_view(page, help_button)  # no scrolling to find it
        await expect(page.locator(".home-plan-section h3").first).to_have_text(COPING)
        await expect(page.locator("#home-lines a[href^='tel:988']")).to_be_visible()
        await expect(page.locator("#home-plan a[href^='tel:']").first).to_be_visible()
        item = page.locator(".session-item", has_text=session["title"])
        await expect(item.get_by_role("button", name="Join")).to_be_visible()
        widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths  # nothing runs off the side of a phone
        name = "phone" if viewport is PHONE else "desktop"
        await page.screenshot(path=str(shots / f"home-{name}.png"), full_page=True)

        await item.get_by_role("button", name="Join").click()  # straight to the device check of that session
        await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()

        # a reload keeps the page (this tab); a revoked link stops it at once
        await page.goto(f"{world.base_url}/home")
        await expect(page.get_by_role("heading", name="Hello, Jordan Example")).to_be_visible()
        status, _ = await world.request("DELETE", f"/api/clients/{client_id}/home-link", therapist.access_token)
        assert status == 200
        await page.reload()
        await expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
    finally:
        await context.close()


async def test_help_from_the_home_page_reaches_the_on_call_clinician(world, browser, shots):
    therapist, _, client_id, token = await _client_with_link(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=therapist.program_id)
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token, json={
        "timezone": "America/Chicago", "shifts": all_week(on_call.id, "primary")})
    assert status == 200, body
    client_ctx, client = await new_page(browser, viewport=PHONE)
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    try:
        await client.goto(f"{world.base_url}/home#{token}")
        await client.get_by_role("button", name="I need help now").click()
        await expect(client.get_by_role("heading", name="Before you join")).to_be_visible()
        await client.locator("#continue").click()
        await skip_location(client)
        await expect_in_call(client)
        strip = client.locator(".help-progress")
        await expect(strip.locator(".help-progress-headline")).to_have_text("We are reaching the on-call clinician now")
        await expect(strip.locator("a[href^='tel:911']")).to_be_visible()
        await _fully_in_view(client, strip)  # at the top, in view
        await expect(client.get_by_text("Your therapist's connection dropped")).to_be_hidden()  # nobody dropped
        await client.screenshot(path=str(shots / "home-help-waiting-phone.png"))

        # the on-call clinician opens the urgent room from their console and is with the client
        await sign_in(host, world.base_url, on_call)
        await start_call(host, "Urgent help")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        named = (await world.store.get_staff(on_call.id)).display_name
        await expect(strip.locator(".help-progress-headline")).to_have_text(f"{named} is with you", timeout=10000)

        # they put the client's own coping steps on the client's screen
        share = host.locator(".crisis-share")
        await share.get_by_role("button", name=COPING).click()
        await expect(share.get_by_role("status")).to_have_text(f"Shown on their screen: {COPING}.")
        card = client.locator(".shared-card")
        await expect(card.get_by_role("heading", name=COPING)).to_be_visible()
        await expect(card).to_contain_text("Cold water on my face")
        await client.screenshot(path=str(shots / "home-shared-phone.png"))
        await card.get_by_role("button", name="Close").click()
        await expect(card).to_be_hidden()
    finally:
        await client_ctx.close()
        await host_ctx.close()
