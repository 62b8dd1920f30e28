"""The small things of issue 18, item 7, as people meet them in real browsers: no literal "null" in the plan
editor; phone numbers written as people in the program's country write them; no lone radio button when
there is no planned address; the client's plan dialog keeps its Close button in view on a phone; plain
words for how a support person's link went out; the responder page names the person and writes every
time one way; Leave asks first during an open crisis; the therapist checks camera and microphone first."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, new_page, sign_in, two_person_call
from tests.browser.test_responder_page import tell_who
from tests.integration.crisis.test_responder_page import _packet
from tests.integration.crisis.test_responder_relay import _located_scene
from tests.integration.plans.helpers import write_plan

pytestmark = pytest.mark.asyncio(loop_scope="module")


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def test_the_plan_editor_shows_no_null(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    await write_plan(world, therapist, link["participant"]["client_id"])
    context, page = await new_page(browser)
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Manage {session['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        await expect(page.get_by_role("button", name="Save as a new version")).to_be_visible()
        text = await page.locator("#plan-panel").inner_text()
        assert not re.search(r"\bnull\b", text), text
        # a contact's number is spaced for reading (and saves back unchanged)
        await expect(page.get_by_role("textbox", name="Phone").first).to_have_value("+1 555-010-0101")
    finally:
        await context.close()


async def test_on_a_phone_the_plan_dialog_keeps_close_in_view_and_numbers_read_well(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    await write_plan(world, therapist, link["participant"]["client_id"])
    context, page = await new_page(browser, viewport=PHONE)
    try:
        await page.goto(local(world, link["join_url"]))
        await page.get_by_role("button", name="My safety plan").click()
        dialog = page.get_by_role("dialog", name="My safety plan")
        call_sam = dialog.get_by_role("link", name="Call (555) 010-0101")
        await expect(call_sam).to_have_attribute("href", "tel:+15550100101")
        await expect(dialog.get_by_role("link", name="555-0100", exact=True)).to_be_visible()  # the program's line
        assert "+15550100" not in await dialog.inner_text()  # nothing squashed
        close = dialog.get_by_role("button", name="Close")
        box = await close.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box  # in view, no scrolling
        await close.click()
        await expect(dialog).to_have_count(0)
    finally:
        await context.close()


async def test_without_a_planned_address_the_location_form_has_no_lone_radio(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Riley Example")  # no plan, so no planned address
    context, page = await new_page(browser, viewport=PHONE)
    try:
        await page.goto(local(world, link["join_url"]))
        await expect(page.locator("#continue")).to_be_enabled()
        await page.locator("#continue").click()
        await expect(page.get_by_role("heading", name="Where are you right now?")).to_be_visible()
        await expect(page.get_by_role("radio")).to_have_count(0)
        await expect(page.get_by_label("Street", exact=True)).to_be_visible()
        await page.get_by_label("Street", exact=True).fill("Example")
        await page.get_by_label("City").fill("Exampleton")
        await page.get_by_label("Also share my device's location").uncheck()
        await page.get_by_role("button", name="Confirm and continue").click()
        await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
    finally:
        await context.close()


async def test_the_responder_page_names_the_person_and_writes_times_one_way(world, browser):
    s = await _located_scene(world)
    _, token = await _packet(world, s)
    context, page = await new_page(browser, viewport=PHONE)
    try:
        await page.goto(f"{world.base_url}/responder#{token}")
        await tell_who(page)
        await expect(page.locator("#person-name")).to_have_text("Name: Jordan Example")
        text = await page.locator('[data-view="packet"]').inner_text()
        one_way = re.compile(r"\d\d:\d\d UTC on \d\d [A-Z][a-z]{2} \d{4}")
        assert len(one_way.findall(text)) >= 3, text  # shared at, stops at, the address's confirmation
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{2,4}|\b[AP]M\b", text), text  # no second format
        await expect(page.locator("#callbacks")).to_contain_text("Program crisis line: 555-0100")
    finally:
        await context.close()


async def test_leave_asks_first_during_an_open_crisis(world, browser):
    async with two_person_call(world, browser) as call:
        client, host = call.client, call.host
        await client.get_by_role("button", name="I need help now").click()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")

        await client.get_by_role("button", name="Leave").click()
        asked = client.get_by_role("dialog", name="Leave the call?")
        await expect(asked).to_contain_text("Your therapist is with you right now.")
        await asked.get_by_role("button", name="Cancel").click()
        await expect(asked).to_have_count(0)
        await expect(client.locator('[data-view="call"]')).to_be_visible()

        await host.get_by_role("button", name="Leave", exact=True).click()
        host_asked = host.get_by_role("dialog", name="Leave while the crisis is open?")
        await expect(host_asked).to_contain_text("The crisis stays open")
        await host_asked.get_by_role("button", name="Cancel").click()
        await expect(host.locator("#call-title")).to_be_visible()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")


async def test_the_therapist_checks_camera_and_microphone_before_entering(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    context, page = await new_page(browser)
    try:
        await sign_in(page, world.base_url, therapist)
        start = page.get_by_role("button", name=f"Start call: {session['title']}")
        await start.click()
        check = page.get_by_role("dialog", name="Check your camera and microphone")
        await expect(check).to_be_visible()
        await expect(check.get_by_label("Camera")).to_be_enabled()
        await expect(check.get_by_label("Microphone", exact=True)).to_be_enabled()
        await expect(check.get_by_label("Microphone level")).to_be_visible()
        assert await check.locator("video").evaluate("(v) => new Promise((ok) => { const t = () => v.videoWidth > 0 "
                                                     "? ok(true) : setTimeout(t, 100); t(); })")
        await page.screenshot(path=str(shots / "console-device-check.png"))
        # Cancel: back on the sessions, not in the call
        await check.get_by_role("button", name="Cancel").click()
        await expect(check).to_have_count(0)
        await expect(page.get_by_role("heading", name="Today's sessions")).to_be_visible()
        await expect(page.locator("#call-title")).to_be_hidden()
        # and Enter the call goes in
        await start.click()
        await check.get_by_role("button", name="Enter the call").click()
        await expect(page.locator("#call-title")).to_have_text(session["title"])
    finally:
        await context.close()
