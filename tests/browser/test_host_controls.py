"""The therapist's controls in a real browser: ask to mute, send back to the waiting room, lock,
remove, end the session — and what the client sees each time."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import admit, expect_in_call
from tests.browser.test_call_flow import host_and_client_in_call

pytestmark = pytest.mark.asyncio(loop_scope="module")
NAME = "Jordan Lee"


async def test_moderation_controls_reach_the_client(world, browser, shots):
    (host_ctx, host), (client_ctx, client) = await host_and_client_in_call(world, browser, name=NAME)
    try:
        # Ask to mute: the client is asked, in words, and can mute with one tap.
        await host.get_by_role("button", name=f"Ask to mute: {NAME}").click()
        await expect(client.get_by_text("Your therapist asked you to mute your microphone.").first).to_be_visible()
        await client.get_by_role("button", name="Mute now").click()

        # Back to the waiting room, then a locked room refuses admission until unlocked.
        await host.get_by_role("button", name=f"To waiting room: {NAME}").click()
        await expect(client.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
        await expect(client.locator("#lobby-note")).to_contain_text("moved you back to the waiting room")
        await host.get_by_label("Lock the room").check()
        await host.get_by_role("button", name=f"Admit {NAME}").click()
        await expect(host.get_by_text("The session is locked").first).to_be_visible()
        await host.screenshot(path=str(shots / "console-room-locked.png"))
        await host.get_by_label("Lock the room").uncheck()
        await admit(host, NAME)
        await expect_in_call(client)

        # Remove (confirmed): the client is told, and their link no longer works.
        await host.get_by_role("button", name=f"Remove {NAME}").click()
        await host.get_by_role("button", name="Remove", exact=True).click()
        await expect(client.get_by_text("Your therapist removed you from this session.")).to_be_visible()

        # End the session for everyone (confirmed).
        await host.get_by_role("button", name="End session for everyone").click()
        await host.get_by_role("button", name="End session", exact=True).click()
        await expect(host.get_by_text("ended").first).to_be_visible()
    finally:
        await host_ctx.close()
        await client_ctx.close()
