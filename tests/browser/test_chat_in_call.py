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
