"""A client's crisis in a group, in real browsers (issue 18, item 1): only the person in crisis (and
the staff) see it. The client who pressed "I need help now" sees their own banner; another client of
the group sees none of the crisis wording, keeps their own help button and, when the therapist takes
the first client to a private room, reads only "Your therapist stepped out for a moment." — and their
own help button still works."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    admit, client_to_lobby, expect_in_call, move_to_private_room, new_page, sign_in, start_call,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ASKED = "Your therapist knows you need help now. Stay on the call — they are with you."
# any of the words a client reads about a crisis (crisis/banner.js, crisis/help_button.js)
CRISIS_WORDING = re.compile(r"help is on the way|knows you need help|crisis protocol|Help has arrived|steadier now"
                            r"|another clinician|has been told you need help|private room", re.IGNORECASE)


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def _shows_no_crisis(page) -> None:
    text = await page.locator('[data-view="call"]').inner_text()
    assert not CRISIS_WORDING.search(text), text


async def test_a_clients_crisis_is_theirs_and_the_group_keeps_its_help_buttons(world, browser, shots):
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
        sam_help = sam_page.get_by_role("button", name="I need help now")
        await expect(sam_help).to_be_visible()

        # Riley presses help: Riley and the therapist see it
        await riley_page.get_by_role("button", name="I need help now").click()
        await expect(riley_page.locator("#crisis-banner")).to_have_text(ASKED)
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        # Sam sees nothing of it, and keeps a help button of their own
        await sam_page.wait_for_timeout(1500)  # let any event reach Sam's page
        await expect(sam_page.locator("#crisis-banner")).to_be_hidden()
        await _shows_no_crisis(sam_page)
        await expect(sam_help).to_be_visible()
        await expect(sam_help).to_be_enabled()
        await sam_page.screenshot(path=str(shots / "group-crisis-bystander.png"))

        # the therapist takes Riley to a private room and goes there: the group hears only a neutral word
        panel = host.locator(".crisis-panel")
        await move_to_private_room(host, "Riley Example", picked=False)
        await expect(riley_page.locator("#call-title")).to_have_text("Private room", timeout=15000)
        await panel.get_by_role("button", name="Open the private room").click()
        await expect(host.locator("#call-title")).to_have_text("Private room", timeout=15000)
        await expect(sam_page.locator("#crisis-banner")).to_have_text("Your therapist stepped out for a moment.")
        await _shows_no_crisis(sam_page)
        await expect(sam_help).to_be_visible()
        await sam_page.screenshot(path=str(shots / "group-crisis-stepped-out.png"))

        # and Sam's own button works: their press is their own
        await sam_help.click()
        await expect(sam_page.locator(".help-now-status")).to_contain_text("care team")
    finally:
        for ctx in (host_ctx, riley_ctx, sam_ctx):
            await ctx.close()
