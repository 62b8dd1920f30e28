"""A responder opens the link they were read or sent: the page first asks who is reading (name and agency,
recorded with the disclosure), then shows, in plain text, where the person is (the confirmed address and
the device position with its accuracy), whom to call back, the situation and the nearest local
resources; the token stays in the fragment; an expired or revoked link says so plainly."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect
from sqlalchemy import update

from server.app_keys import ENGINE
from server.db.crisis_tables import ResponderLinkRecord
from server.db.tables import StaffRole, utcnow
from tests.browser.pages import new_page, start_crisis
from tests.integration.crisis.test_responder_page import _packet
from tests.integration.crisis.test_responder_relay import SITUATION, _located_scene
from tests.integration.plans.test_plans_at_rest import CSV
from tests.support.world import SEEN_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def tell_who(page, name: str = "Alex Medic", agency: str = "County EMS") -> None:
    """The responder page's first step: who is reading."""
    await expect(page.get_by_role("heading", name="Who is reading this?")).to_be_visible()
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Your agency or service").fill(agency)
    await page.get_by_role("button", name="Show the information").click()


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
        await tell_who(page)
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
        await expect(page.get_by_label("Your name")).to_have_value("Alex Medic")  # remembered in this tab
        await page.get_by_role("button", name="Show the information").click()
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
        await tell_who(page)
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


async def test_the_responder_says_who_they_are_and_the_clinician_revokes_the_link(world, browser, shots):
    """The name-and-agency step, the 42 CFR Part 2 notice, and revoking from the crisis panel: the
    clinician sees who opened the link, revokes it, and the responder's page stops working."""
    from tests.browser.pages import two_person_call

    async with two_person_call(world, browser) as call:
        client_id = call.link["participant"]["client_id"]
        status, grant = await world.request("POST", f"/api/clients/{client_id}/consents", call.therapist.access_token,
                                            json={"party": "emergency_services",
                                                  "scope": "share_location_and_situation"})
        assert status == 201, grant
        panel = call.host.locator(".crisis-panel")
        await start_crisis(call.host)
        await expect(call.host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        # the panel has what it loads after a start (the client's contacts) before the clinician types
        await expect(panel.get_by_text("The client's safety plan names no support person to invite.")).to_be_visible()
        situation = panel.get_by_label("Situation (what responders need to know)")
        await situation.fill(SITUATION)
        await expect(situation).to_have_value(SITUATION)
        await panel.get_by_label(re.compile("This includes substance-use information")).check()
        await panel.get_by_role("button", name="Make a link for emergency services").click()
        link_field = panel.get_by_role("textbox", name="Responder link")
        await expect(link_field).to_have_value(re.compile("/responder#"))
        token = (await link_field.input_value()).split("#", 1)[1]
        SEEN_SECRETS.add(token)
        await expect(panel.locator(".responder-link")).to_have_count(1)
        await expect(panel.locator(".responder-link")).to_contain_text("Responder link 1: works until")

        context, page = await new_page(browser)
        try:
            await page.goto(f"{world.base_url}/responder#{token}")
            await expect(page.get_by_role("heading", name="Who is reading this?")).to_be_visible()
            await expect(page.locator("#situation")).to_be_hidden()  # nothing is shown before the answer
            await page.get_by_role("button", name="Show the information").click()
            await expect(page.locator("#recipient-error")).to_have_text("Write your name and your agency or service.")
            await tell_who(page, "Renée Medic", "County EMS")
            await expect(page.locator("#situation")).to_have_text(SITUATION)
            await expect(page.locator("#received-by")).to_have_text("Received by Renée Medic (County EMS).")
            await expect(page.get_by_role("heading", name="Notice against redisclosure")).to_be_visible()
            await expect(page.locator("#redisclosure")).to_contain_text("42 CFR part 2")
            await page.screenshot(path=str(shots / "responder-page-notice.png"), full_page=True)

            await panel.get_by_role("button", name="Check who has opened them").click()
            await expect(panel.locator(".responder-receipt")).to_contain_text(
                "Renée Medic (County EMS) read it on the responder page")
            await panel.get_by_role("button", name="Revoke responder link 1").click()
            await expect(panel.locator(".responder-link")).to_contain_text("Responder link 1: revoked at")
            await expect(panel.get_by_role("button", name="Revoke responder link 1")).to_have_count(0)
            await panel.screenshot(path=str(shots / "crisis-panel-responder-links.png"))

            await page.reload()
            await page.get_by_role("button", name="Show the information").click()
            await expect(page.get_by_role("heading", name="This responder link can't be used")).to_be_visible()
        finally:
            await context.close()
