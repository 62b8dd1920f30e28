"""Every client page on a phone, 360×640 and 390×844 (issue 18, item 5): nothing a client needs is off
screen or under something else. The device check's Continue is in view without scrolling; in the call
(1:1, group, the private crisis room with its messages stacked above the videos, and the urgent help
room opened from the client's own page) Mute and Leave stay on screen; the "My safety plan" button
never covers "Need urgent help?", the help button, the call controls or a form field; the help status
text keeps its margins.

"Covered" is measured: the control's box lies inside the viewport, and the element the browser hits at
its centre (and four points around it) is the control or inside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import (
    admit, expect_in_call, in_view_and_uncovered, move_to_private_room, new_page, sign_in, skip_location, start_call,
)
from tests.integration.home.helpers import all_week, standing_link
from tests.integration.plans.helpers import write_plan

from server.db.tables import StaffRole

pytestmark = pytest.mark.asyncio(loop_scope="module")

PHONES = [{"width": 360, "height": 640}, {"width": 390, "height": 844}]
PHONE_IDS = ["360x640", "390x844"]
HOST_VIEW = {"width": 1280, "height": 1100}

def local(world, url: str, path: str = "/join") -> str:
    return world.base_url + path + "#" + url.split("#", 1)[1]


async def fits_the_width(page: Page) -> None:
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page runs off the side of the phone: {widths}"


async def has_margins(page: Page, selector: str) -> None:
    """Text is not glued to the edges of the screen."""
    box = await page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    assert box and box["x"] >= 8 and box["x"] + box["width"] <= width - 8, (selector, box, width)


async def call_controls_in_view(page: Page, *, help_button: bool) -> None:
    for selector in (".controls .ctl:first-child", ".controls .ctl-leave", ".call-help summary", "#my-plan"):
        await in_view_and_uncovered(page, selector)
    if help_button:
        await in_view_and_uncovered(page, ".help-now-box .help-now")
    await fits_the_width(page)


async def device_check_then_lobby(page: Page, shot: Path | None = None) -> None:
    await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
    await expect(page.locator("#continue")).to_be_enabled()
    await in_view_and_uncovered(page, "#continue")  # no scrolling to find the way on
    if shot:
        await page.screenshot(path=str(shot))
    await in_view_and_uncovered(page, "#my-plan")
    await fits_the_width(page)
    await page.locator("#continue").click()
    await expect(page.get_by_role("heading", name="Where are you right now?")).to_be_visible()
    for field in ("#loc-other", "#location-submit", "#location-skip"):
        await in_view_and_uncovered(page, field, scroll=True)
    await page.locator("#loc-other").check()
    await in_view_and_uncovered(page, "#location-fields input", scroll=True)
    await in_view_and_uncovered(page, "#location-skip", scroll=True)
    await page.locator("#location-skip").click()


@pytest.mark.parametrize("phone", PHONES, ids=PHONE_IDS)
async def test_a_one_to_one_call_on_a_phone_keeps_its_controls_in_view(world, browser, shots, phone):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    await write_plan(world, therapist, link["participant"]["client_id"])
    host_ctx, host = await new_page(browser, viewport=HOST_VIEW)
    client_ctx, client = await new_page(browser, viewport=phone)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client.goto(local(world, link["join_url"]))
        await device_check_then_lobby(client, shots / "join-device-check-phone.png" if phone["width"] == 390 else None)
        await expect(client.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
        await in_view_and_uncovered(client, "#lobby-help .help-now")
        await in_view_and_uncovered(client, "#my-plan")
        await fits_the_width(client)

        await admit(host, "Jordan Example")
        await expect_in_call(client)
        await call_controls_in_view(client, help_button=True)

        # the client asks for help: a banner and the status text stack above the videos
        await client.get_by_role("button", name="I need help now").click()
        await expect(client.locator(".help-now-status")).to_contain_text("Your therapist has been told")
        await expect(client.locator("#crisis-banner")).to_be_visible()
        await has_margins(client, ".help-now-status")
        await call_controls_in_view(client, help_button=False)
        # the chat panel opens above the controls, never over them
        await client.locator(".controls").get_by_role("button", name="Chat").click()
        await expect(client.locator(".chat-panel")).to_be_visible()
        await in_view_and_uncovered(client, ".controls .ctl-leave")
        await in_view_and_uncovered(client, ".controls .ctl:first-child")
        await in_view_and_uncovered(client, ".chat-panel input")
        panel = await client.locator(".chat-panel").bounding_box()
        button = await client.locator(".controls .ctl-leave").bounding_box()
        assert panel["y"] + panel["height"] <= button["y"], (panel, button)  # not even the edge of a button
        await client.locator(".chat-panel").get_by_role("button", name="Close").click()
        # so does the camera / microphone / volume switcher
        await client.locator(".controls").get_by_role("button", name="Devices").click()
        await expect(client.locator(".devices-panel")).to_be_visible()
        await in_view_and_uncovered(client, ".controls .ctl-leave")
        panel = await client.locator(".devices-panel").bounding_box()
        assert panel["y"] + panel["height"] <= button["y"], (panel, button)
        await client.locator(".controls").get_by_role("button", name="Devices").click()
        await expect(client.locator(".devices-panel")).to_be_hidden()
        await client.locator(".call-help summary").click()  # "Need urgent help?" opens in view
        await in_view_and_uncovered(client, ".call-help-text")
        await in_view_and_uncovered(client, ".controls .ctl-leave")
        if phone["width"] == 390:
            await client.screenshot(path=str(shots / "call-phone.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()


@pytest.mark.parametrize("phone", PHONES, ids=PHONE_IDS)
async def test_a_group_and_the_private_room_on_a_phone_keep_mute_and_leave_in_view(world, browser, shots, phone):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    riley = await world.add_client(therapist, session["id"], "Riley Example")
    sam = await world.add_client(therapist, session["id"], "Sam Sample")
    host_ctx, host = await new_page(browser, viewport=HOST_VIEW)
    riley_ctx, riley_page = await new_page(browser, viewport=phone)
    sam_ctx, sam_page = await new_page(browser, viewport=phone)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        for page, link, name in ((riley_page, riley, "Riley Example"), (sam_page, sam, "Sam Sample")):
            await page.goto(local(world, link["join_url"]))
            await expect(page.locator("#continue")).to_be_enabled()
            await page.locator("#continue").click()
            await skip_location(page)
            await admit(host, name)
            await expect_in_call(page)
        await expect(riley_page.locator(".tile")).to_have_count(3)
        await call_controls_in_view(riley_page, help_button=True)

        # Riley asks for help and is taken to a private room: messages stack above the videos
        await riley_page.get_by_role("button", name="I need help now").click()
        await expect(riley_page.locator(".help-now-status")).to_contain_text("Your therapist has been told")
        await move_to_private_room(host, "Riley Example", picked=False)
        await expect(riley_page.locator("#call-title")).to_have_text("Private room", timeout=30000)
        await expect(riley_page.locator("#crisis-banner")).to_be_visible()
        await has_margins(riley_page, ".help-now-status")
        await call_controls_in_view(riley_page, help_button=False)
        # the group goes on, with its controls and its own help button in view
        await expect(sam_page.locator("#crisis-banner")).to_have_text("Your therapist stepped out for a moment.")
        await call_controls_in_view(sam_page, help_button=True)
        if phone["width"] == 390:
            await riley_page.screenshot(path=str(shots / "private-room-phone.png"))
    finally:
        for ctx in (host_ctx, riley_ctx, sam_ctx):
            await ctx.close()


@pytest.mark.parametrize("phone", PHONES, ids=PHONE_IDS)
async def test_the_urgent_room_from_the_home_page_fits_a_phone(world, browser, phone):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    token = await standing_link(world, therapist, client_id)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=therapist.program_id)
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token, json={
        "timezone": "America/Chicago", "shifts": all_week(on_call.id, "primary")})
    assert status == 200, body
    context, page = await new_page(browser, viewport=phone)
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        await in_view_and_uncovered(page, ".home-help-button")
        await fits_the_width(page)
        await page.get_by_role("button", name="I need help now").click()
        await device_check_then_lobby(page)
        await expect_in_call(page)
        strip = page.locator(".help-progress")
        await expect(strip.locator(".help-progress-headline")).to_have_text("We are reaching the on-call clinician now")
        await in_view_and_uncovered(page, ".help-progress")
        await has_margins(page, ".help-progress")
        await call_controls_in_view(page, help_button=False)
    finally:
        await context.close()
