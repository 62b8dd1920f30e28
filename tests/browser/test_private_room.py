"""The private crisis room and the emergency override in real browsers.

A group call: the therapist moves one client into a private room with one click; the client's page
leaves the group and shows the therapist's video in the private room, while the other client stays in
the group. Then, in a 1:1 crisis without consent, the panel explains it plainly and shares by an
emergency override with a written reason, shows the support person's link and what was sent, and
after closing shows the follow-up plan."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    admit, client_to_lobby, expect_in_call, expect_remote_videos, move_to_private_room, new_page, sign_in, start_call,
    start_crisis, tile_names, wait_js,
)
from tests.integration.plans.helpers import write_plan
from tests.support.world import SEEN_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")

REASON = "Client says she took pills and then stopped answering; there is no time to ask for consent."


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def test_the_client_moves_into_a_private_room_and_sees_the_therapist(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    riley = await world.add_client(therapist, session["id"], "Riley Example")
    sam = await world.add_client(therapist, session["id"], "Sam Sample")
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    riley_ctx, riley_page = await new_page(browser)
    sam_ctx, sam_page = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        for page, link, name in ((riley_page, riley, "Riley Example"), (sam_page, sam, "Sam Sample")):
            await client_to_lobby(page, local(world, link["join_url"]))
            await admit(host, name)
            await expect_in_call(page)
        await expect_remote_videos(riley_page, 2)

        panel = host.locator(".crisis-panel")
        await move_to_private_room(host, "Riley Example")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        # the client's page moves by itself: plain words, then the private room
        await expect(riley_page.locator(".call-banner")).to_contain_text("private room")
        await expect(riley_page.locator("#call-title")).to_have_text("Private room", timeout=15000)
        await expect(sam_page.locator("#call-title")).to_have_text(session["title"])
        await wait_js(sam_page, """() => ![...document.querySelectorAll('.tile:not(.tile-self) .tile-name')]
            .some((n) => n.textContent === 'Riley Example')""")

        await panel.get_by_role("button", name="Open the private room").click()
        await expect(host.locator("#call-title")).to_have_text("Private room", timeout=15000)
        await expect_remote_videos(riley_page, 1, timeout=45)
        await expect_remote_videos(host, 1, timeout=45)
        assert len(await tile_names(riley_page)) == 1
        await expect(sam_page.locator('[data-view="call"]')).to_be_visible()  # the group goes on
        # Riley's crisis is not shown to the group: only that the therapist stepped out
        await expect(sam_page.locator("#crisis-banner")).to_have_text("Your therapist stepped out for a moment.")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        await riley_page.screenshot(path=str(shots / "private-room-client.png"))

        # a reload of the client's page comes back to the private room, not the group's waiting room
        saved = await riley_page.evaluate("() => JSON.parse(sessionStorage.getItem('steadyline.participant'))")
        SEEN_SECRETS.add(saved["participant_token"])
        assert saved["session_id"] != session["id"]
        status, crisis = await world.request("GET", f"/api/sessions/{session['id']}", therapist.access_token)
        assert status == 200 and crisis["status"] == "scheduled"
    finally:
        for ctx in (host_ctx, riley_ctx, sam_ctx):
            await ctx.close()


async def test_override_with_a_written_reason_and_the_follow_up_plan(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    await write_plan(world, therapist, link["participant"]["client_id"])  # no consents recorded
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1400})
    client_ctx, client = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(client, local(world, link["join_url"]))
        await admit(host, "Jordan Example")
        await expect_in_call(client)
        panel = host.locator(".crisis-panel")
        await start_crisis(host)

        # inviting without consent: explained plainly; the override needs a written reason
        await panel.get_by_role("button", name="Invite Sam Example (no consent)").click()
        override = panel.locator(".crisis-override")
        await expect(override).to_contain_text("has not given consent to invite Sam Example")
        await panel.get_by_role("button", name="Invite with emergency override").click()
        await expect(host.locator(".crisis-panel .form-error")).to_contain_text("Write down why")
        await panel.get_by_label("Reason (required)").fill(REASON)
        await panel.get_by_role("button", name="Invite with emergency override").click()
        support_link = panel.get_by_role("textbox", name="Personal link for Sam Example")
        await expect(support_link).to_have_value(re.compile("/join#"))
        SEEN_SECRETS.add((await support_link.input_value()).split("#", 1)[1])
        await expect(panel.locator(".crisis-notice")).to_contain_text("Sam Example is invited (emergency override).")
        await expect(panel.locator(".crisis-notice")).to_contain_text("Nothing was sent to them: copy their link")
        await expect(override).to_have_count(0)

        # relaying without consent: the same override
        await panel.get_by_label("Situation (what responders need to know)").fill("Synthetic: drowsy after tablets.")
        await panel.get_by_role("button", name="Make a link for emergency services").click()
        await panel.get_by_label("Reason (required)").fill(REASON)
        await panel.get_by_role("button", name="Make the link with emergency override").click()
        responder_link = panel.get_by_role("textbox", name="Responder link")
        await expect(responder_link).to_have_value(re.compile("/responder#"))
        SEEN_SECRETS.add((await responder_link.input_value()).split("#", 1)[1])
        await panel.screenshot(path=str(shots / "crisis-panel-override.png"))

        # close with a family debrief: the follow-up plan is shown and items can be ticked off
        await panel.get_by_role("button", name="Mark as stabilised").click()
        await panel.get_by_label("When closing, plan a debrief with family or support persons").check()
        await panel.get_by_role("button", name="Close the crisis").click()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis protocol: Closed.")
        plan = panel.locator(".crisis-follow-up")
        await expect(plan.locator(".follow-up-item")).to_have_count(7)
        await expect(plan.locator('[data-kind="family_debrief"]')).to_have_count(1)
        await expect(plan.locator('[data-kind="individual_session"]')).to_have_count(1)
        await plan.get_by_role("button", name="Mark done").first.click()
        await expect(plan.locator(".follow-up-item.done")).to_have_count(1)
        await panel.screenshot(path=str(shots / "crisis-panel-follow-up.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()
