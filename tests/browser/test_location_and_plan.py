"""The client confirms where they are at the join (planned address + the browser's position, faked by
Playwright's geolocation emulation); a far-away device raises a flag the therapist sees in the call.
The client reads their own plan with one-tap phone links; the therapist edits it in the console."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from server.app_keys import DISCLOSURES
from tests.browser.pages import DESKTOP, new_context, sign_in, start_call
from tests.integration.plans.helpers import FAR_POINT, NEAR_POINT, write_plan

pytestmark = pytest.mark.asyncio(loop_scope="module")


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def client_page(browser, point: dict):
    context = await new_context(browser,
        viewport=DESKTOP, permissions=["camera", "microphone", "geolocation"],
        geolocation={"latitude": point["latitude"], "longitude": point["longitude"], "accuracy": point["accuracy_m"]})
    page = await context.new_page()
    page.on("pageerror", lambda error: print(f"[pageerror] {error}"))
    return context, page


async def to_location_step(page, url: str) -> None:
    await page.goto(url)
    await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
    await expect(page.locator("#continue")).to_be_enabled()
    await page.locator("#continue").click()
    await expect(page.get_by_role("heading", name="Where are you right now?")).to_be_visible()


async def test_a_far_away_device_is_flagged_to_the_therapist_in_the_call(world, browser, shots):
    therapist = await world.therapist()
    client = await enrol_unredeemed(world, therapist)
    host_ctx = await new_context(browser, viewport=DESKTOP, permissions=["camera", "microphone"])
    host = await host_ctx.new_page()
    client_ctx, page = await client_page(browser, FAR_POINT)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, client["session"]["title"])
        await to_location_step(page, local(world, client["link"]["join_url"]))
        await expect(page.get_by_label("At 12 Example Street, Exampleton, PA, 19000, US")).to_be_checked()
        await expect(page.get_by_label("Also share my device's location")).to_be_checked()
        await page.screenshot(path=str(shots / "join-location.png"), full_page=True)
        await page.get_by_role("button", name="Confirm and continue").click()
        await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()

        banner = host.get_by_text("may not be where they said")
        await expect(banner).to_be_visible(timeout=10000)
        await expect(banner).to_contain_text("about 111")
        latest = await world.app[DISCLOSURES].latest_location(client["client_id"])
        assert latest.flagged and latest.source == "planned_address"
        assert abs(latest.geolocation.latitude - FAR_POINT["latitude"]) < 1e-6
        assert latest.geolocation.accuracy_m == pytest.approx(FAR_POINT["accuracy_m"])
        # no altitude (not a satellite fix) and within 100 m: the browser says Wi-Fi (PIDF-LO method 802.11)
        assert latest.geolocation.method.value == "802.11"
        await host.screenshot(path=str(shots / "host-location-flag.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def enrol_unredeemed(world, therapist) -> dict:
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    return {"session": session, "link": link, "client_id": client_id}


async def test_a_typed_address_nearby_is_not_flagged_and_the_client_reads_their_plan(world, browser, shots):
    therapist = await world.therapist()
    client = await enrol_unredeemed(world, therapist)
    host = await world.host_in_room(therapist, client["session"]["id"])
    context, page = await client_page(browser, NEAR_POINT)
    try:
        await to_location_step(page, local(world, client["link"]["join_url"]))
        await page.get_by_label("Somewhere else").check()
        await page.get_by_label("Number").fill("40")
        await page.get_by_label("Street", exact=True).fill("Example")
        await page.get_by_label("City").fill("Exampleton")
        await page.get_by_role("button", name="Confirm and continue").click()
        await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
        latest = await world.app[DISCLOSURES].latest_location(client["client_id"])
        assert latest.source == "typed_address" and latest.confirmed.address.house_number == "40"
        assert latest.geolocation is not None and not latest.flagged
        assert host.events["location_flag"] == []

        await page.get_by_role("button", name="My safety plan").click()
        dialog = page.get_by_role("dialog", name="My safety plan")
        call_sam = dialog.get_by_role("link", name="Call (555) 010-0101")  # formatted for the program's country
        await expect(call_sam).to_have_attribute("href", "tel:+15550100101")
        await expect(dialog.get_by_role("link", name="988", exact=True)).to_have_attribute("href", "tel:988;phone-context=+1")
        await expect(dialog).to_contain_text("I stop answering messages")
        await page.screenshot(path=str(shots / "client-safety-plan.png"), full_page=True)
    finally:
        await context.close()


async def test_the_therapist_writes_a_new_version_and_records_consent_in_the_console(world, browser):
    therapist = await world.therapist()
    client = await enrol_unredeemed(world, therapist)
    context = await new_context(browser, viewport=DESKTOP)
    page = await context.new_page()
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Manage {client['session']['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        await expect(page.get_by_role("heading", name="Safety plan: Jordan Example")).to_be_visible()
        signs = page.get_by_label("Signs that things are getting hard for me (required)")
        await signs.fill("I stop answering messages\nI sleep all day")
        await page.get_by_label("What changed (optional)").fill("reviewed together")
        await page.get_by_role("button", name="Save as a new version").click()
        await expect(page.get_by_text("Version 2, saved")).to_be_visible()
        await expect(page.get_by_text("reviewed together")).to_be_visible()
        await page.get_by_label("With").select_option(label="Sam Example")
        await page.get_by_label("May we").select_option("phone")
        await page.get_by_role("button", name="Record consent").click()
        await expect(page.locator(".plan-consents")).to_contain_text("Sam Example: Phone them")
        status, plan = await world.request("GET", f"/api/clients/{client['client_id']}/safety-plan",
                                           therapist.access_token)
        assert [h["number"] for h in plan["history"]] == [1, 2]
        assert plan["version"]["sections"][0]["items"] == ["I stop answering messages", "I sleep all day"]
    finally:
        await context.close()
