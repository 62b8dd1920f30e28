"""Talking without speaking, in real browsers: a client who is not alone taps "I can't talk right now" and
the therapist's screen shows it at once (the chat opens itself, the word stands out); the therapist
answers privately; in a group a client raises a hand, the therapist sees it on the tile and lowers it."""

from __future__ import annotations

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
    wait_js,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_quiet_word_reaches_the_therapist_at_once(world, browser, shots):
    async with two_person_call(world, browser) as call:
        client, host = call.client, call.host
        await client.get_by_role("button", name="Chat").click()
        await client.get_by_role("button", name="I can't talk right now").click()
        panel = host.get_by_role("region", name="Chat")
        await expect(panel).to_be_visible()  # opened by itself
        await expect(panel.locator(".chat-quiet-item")).to_contain_text("I can't talk right now")
        await expect(panel.locator(".chat-quiet-item")).to_contain_text("Jordan Example (to the therapist only)")
        await host.locator("#chat-to").select_option(label="Only Jordan Example")
        await host.locator("#chat-text").fill("I understand. Type to me here, I'm listening.")
        await host.get_by_role("button", name="Send").click()
        mine = client.get_by_role("region", name="Chat")
        await expect(mine).to_contain_text("I understand. Type to me here, I'm listening.")
        await expect(mine).to_contain_text("(to you only)")
        await host.screenshot(path=str(shots / "chat-quiet-word-therapist.png"))


async def test_a_raised_hand_in_a_group(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    link = await world.add_client(therapist, session["id"], "Client A")
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1000})
    client_ctx, client = await new_page(browser, viewport=PHONE)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(client, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
        await admit(host, "Client A")
        await expect_in_call(client)
        hand = client.get_by_role("button", name="Raise hand")
        await expect(hand).to_be_visible()
        await hand.click()
        await expect(client.get_by_role("button", name="Lower hand")).to_be_visible()
        tile = host.locator(".tile[data-hand='up']")
        await expect(tile).to_have_count(1)
        await host.get_by_role("button", name="Chat").click()
        await host.get_by_role("button", name="Lower Client A's hand").click()
        await expect(tile).to_have_count(0)
        await expect(client.get_by_role("button", name="Raise hand")).to_be_visible()

        # the therapist enlarges the client's tile, and puts it back
        await host.get_by_role("region", name="Chat").get_by_role("button", name="Close").click()
        enlarge = host.get_by_role("button", name="Enlarge Client A")
        await enlarge.click()
        await expect(enlarge).to_have_attribute("aria-pressed", "true")
        await expect(host.locator(".tile-spotlit")).to_have_count(1)
        await enlarge.click()
        await expect(host.locator(".tile-spotlit")).to_have_count(0)
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_switching_the_microphone_and_the_volume_during_the_call(world, browser):
    async with two_person_call(world, browser) as call:
        client = call.client
        await client.get_by_role("button", name="Devices").click()
        panel = client.get_by_role("region", name="Camera, microphone and volume")
        microphones = panel.locator("#call-audioinput option")
        await expect(microphones.first).to_be_attached()
        labels = await microphones.all_text_contents()
        assert len(labels) >= 2, labels  # Chromium's fake devices give more than one microphone
        before = await client.evaluate("() => document.querySelector('.tile-self video').srcObject"
                                       ".getAudioTracks()[0].getSettings().deviceId")
        other = next(v for v in await microphones.evaluate_all("(os) => os.map((o) => o.value)") if v != before)
        await panel.locator("#call-audioinput").select_option(other)
        await expect(panel.get_by_role("status")).to_have_text("Microphone switched.")
        after = await client.evaluate("() => document.querySelector('.tile-self video').srcObject"
                                      ".getAudioTracks()[0].getSettings().deviceId")
        assert after == other and after != before
        sent = await client.evaluate("""async () => {
          const track = document.querySelector('.tile-self video').srcObject.getAudioTracks()[0];
          return track.readyState === 'live' && track.enabled;
        }""")
        assert sent  # the new microphone is live and on (it was on before)
        await panel.locator("#call-volume").fill("30")
        volumes = await client.evaluate(
            "() => [...document.querySelectorAll('.tile:not(.tile-self) video')].map((v) => v.volume)")
        assert volumes and all(abs(v - 0.3) < 0.01 for v in volumes), volumes
        await expect(call.host.locator(".tile:not(.tile-self)")).to_have_count(1)  # still in the call


async def test_the_therapist_shares_a_screen_and_stops(world, browser, shots):
    async with two_person_call(world, browser) as call:
        client, host = call.client, call.host
        remote = client.locator(".tile:not(.tile-self) video")
        await wait_js(client, "() => document.querySelector('.tile:not(.tile-self) video').videoWidth > 0")
        assert await remote.evaluate("(v) => v.videoWidth") != 1280  # the fake camera: not the screen's size
        await host.get_by_role("button", name="Share screen").click()
        await expect(host.get_by_role("button", name="Stop sharing")).to_be_visible()
        await wait_js(client, "() => document.querySelector('.tile:not(.tile-self) video').videoWidth === 1280")
        await client.screenshot(path=str(shots / "screen-share-client.png"))
        await host.get_by_role("button", name="Stop sharing").click()
        await expect(host.get_by_role("button", name="Share screen")).to_be_visible()
        await wait_js(client, "() => { const w = document.querySelector('.tile:not(.tile-self) video').videoWidth; "
                              "return w > 0 && w !== 1280; }")  # the camera is back
