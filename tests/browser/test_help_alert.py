"""A client's "I need help now" cannot be missed by the therapist and stays until acknowledged (issue 18,
item 3): a toast that does not time out, a short alarm made with WebAudio, the client's tile marked, the
crisis panel's notice kept once the crisis is read — in a 1:1 call and in a group. A client still in the
waiting room can press it too (on a phone): the therapist sees it in the waiting-room list and can let
them in from the alert, and the other clients of the group learn nothing of it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    PHONE,
    admit,
    client_to_lobby,
    expect_in_call,
    new_page,
    sign_in,
    start_call,
    two_person_call,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


# counts the oscillators the page starts (the alarm is made in the page: no sound file)
COUNT_TONES = """() => {
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
}"""
CRISIS_WORDING = re.compile(r"help is on the way|knows you need help|crisis protocol|has been told you need help"
                            r"|needs help", re.IGNORECASE)


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def test_a_help_press_stays_in_front_of_the_therapist_until_acknowledged(world, browser, shots):
    async with two_person_call(world, browser) as call:
        host, client = call.host, call.client
        await host.evaluate(COUNT_TONES)
        await client.get_by_role("button", name="I need help now").click()

        alert = host.get_by_role("alertdialog", name="Jordan Example pressed “I need help now”")
        await expect(alert).to_be_visible()
        await expect(alert).to_contain_text("In the call")
        tile = host.locator('.tile[data-alert="help"]')
        await expect(tile).to_have_count(1)
        await expect(tile.locator(".tile-alert")).to_have_text("Needs help now")
        assert await tile.locator(".tile-name").inner_text() == "Jordan Example"
        assert await host.evaluate("() => window.__tones") >= 3  # the alarm sounded
        # once the crisis is read, the panel still says who pressed it (it used to be wiped)
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        await expect(host.locator(".crisis-panel .crisis-urgent")).to_have_text(
            "Jordan Example pressed “I need help now”. The crisis protocol is open.")
        panel_box = await host.locator(".crisis-panel").bounding_box()
        assert panel_box and panel_box["y"] < 844  # the crisis panel is in view, at the top of the controls
        # nothing takes it away but the therapist
        await host.wait_for_timeout(1000)
        await expect(alert).to_be_visible()
        await host.screenshot(path=str(shots / "help-alert.png"))

        # a reload of the console does not lose it: the alert, the alarm and the mark come back
        await host.context.add_init_script(script=f"({COUNT_TONES})()")
        await host.reload()
        await expect(alert).to_be_visible(timeout=15000)
        await expect(tile).to_have_count(1, timeout=15000)
        assert await host.evaluate("() => window.__tones") >= 3

        await alert.get_by_role("button", name="I've seen it: Jordan Example").click()
        await expect(alert).to_be_hidden()
        await expect(tile).to_have_count(0)
        # acknowledged is acknowledged, also after a reload
        await host.reload()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.", timeout=15000)
        await expect(alert).to_have_count(0)


async def test_a_client_in_the_waiting_room_can_ask_for_help_and_the_group_learns_nothing(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    riley = await world.add_client(therapist, session["id"], "Riley Example")
    sam = await world.add_client(therapist, session["id"], "Sam Sample")
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    sam_ctx, sam_page = await new_page(browser)
    riley_ctx, riley_page = await new_page(browser, viewport=PHONE)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(sam_page, local(world, sam["join_url"]))
        await admit(host, "Sam Sample")
        await expect_in_call(sam_page)
        await host.evaluate(COUNT_TONES)

        # Riley, not let in yet, presses help in the waiting room on a phone
        await client_to_lobby(riley_page, local(world, riley["join_url"]))
        help_button = riley_page.get_by_role("button", name="I need help now")
        await expect(help_button).to_be_visible()
        assert (await help_button.bounding_box())["y"] + 40 < PHONE["height"]  # on screen without scrolling
        await help_button.click()
        await expect(riley_page.locator(".help-now-status")).to_have_text(
            "Your therapist has been told you need help now. Stay on this page — they will be with you as soon "
            "as they can.")
        await riley_page.screenshot(path=str(shots / "help-now-waiting-room-phone.png"))

        # the therapist: the alert, the alarm, and Riley marked in the waiting room
        alert = host.get_by_role("alertdialog", name="Riley Example pressed “I need help now”")
        await expect(alert).to_be_visible()
        await expect(alert).to_contain_text("In the waiting room")
        waiting = host.locator('.host-panel .person[data-pid]').filter(has_text="Riley Example")
        await expect(waiting.locator(".person-alert")).to_have_text("Pressed “I need help now”")
        assert await host.evaluate("() => window.__tones") >= 3
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")

        # Sam, in the group, sees nothing of it
        await sam_page.wait_for_timeout(800)
        text = await sam_page.locator('[data-view="call"]').inner_text()
        assert not CRISIS_WORDING.search(text), text
        await expect(sam_page.get_by_role("button", name="I need help now")).to_be_visible()
        await expect(sam_page.locator(".help-alert, .tile-alert:visible")).to_have_count(0)

        # let in from the alert: Riley's tile is marked until the therapist acknowledges
        await alert.get_by_role("button", name="Let Riley Example in now").click()
        await expect_in_call(riley_page)
        await expect(alert).to_contain_text("In the call")
        tile = host.locator('.tile[data-alert="help"]')
        await expect(tile.locator(".tile-name")).to_have_text("Riley Example")
        await alert.get_by_role("button", name="I've seen it: Riley Example").click()
        await expect(alert).to_be_hidden()
        await expect(tile).to_have_count(0)
        await expect(sam_page.locator(".tile-alert:visible")).to_have_count(0)
    finally:
        for ctx in (host_ctx, sam_ctx, riley_ctx):
            await ctx.close()


async def test_in_a_group_of_twelve_the_one_client_who_pressed_is_marked(world, browser, shots):
    """Twelve in the call (the therapist, ten clients connected without media, and Riley in a browser): the
    alert names Riley, only Riley's tile is marked, and the crisis panel is in view at the top."""
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 900})
    riley_ctx, riley_page = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        for n in range(1, 11):
            link = await world.add_client(therapist, session["id"], f"Member {n}")
            sock = await world.socket((await world.redeem(link["join_url"]))["participant_token"])
            assert (await sock.call("join"))["ok"]
            await admit(host, f"Member {n}")
            await sock.wait_for("admitted")
            assert (await sock.call("join"))["state"]["you"]["status"] == "admitted"
        riley = await world.add_client(therapist, session["id"], "Riley Example")
        await client_to_lobby(riley_page, local(world, riley["join_url"]))
        await admit(host, "Riley Example")
        await expect_in_call(riley_page)
        await expect(host.locator('[data-view="call"] .tile')).to_have_count(12)

        await riley_page.get_by_role("button", name="I need help now").click()
        alert = host.get_by_role("alertdialog", name="Riley Example pressed “I need help now”")
        await expect(alert).to_be_visible()
        marked = host.locator('.tile[data-alert="help"]')
        await expect(marked).to_have_count(1)
        await expect(marked.locator(".tile-name")).to_have_text("Riley Example")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        heading = await host.locator("#crisis-heading").bounding_box()
        assert heading and 0 <= heading["y"] < 900, heading  # the crisis panel is on screen
        await host.screenshot(path=str(shots / "help-alert-group-of-twelve.png"))
    finally:
        await host_ctx.close()
        await riley_ctx.close()
