"""The client's "I need help now" in a real browser: one press during the call opens the crisis protocol,
the therapist's crisis panel shows it at once, the client is told in plain words that their therapist
knows, and the button gives way to the calm crisis banner."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import two_person_call

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_client_asks_for_help_and_the_therapist_sees_it(world, browser, shots):
    async with two_person_call(world, browser) as call:
        client, host = call.client, call.host
        help_button = client.get_by_role("button", name="I need help now")
        await expect(help_button).to_be_visible()
        await help_button.click()
        await expect(client.locator(".help-now-status")).to_have_text(
            "Your therapist has been told you need help now. Stay on the call — they are with you.")
        await expect(help_button).to_be_hidden()
        await expect(client.locator("#crisis-banner")).to_have_text(
            "Your therapist knows you need help now. Stay on the call — they are with you.")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        await client.screenshot(path=str(shots / "help-now-client.png"))

        status, crises = await world.request("GET", "/api/program/crises", call.therapist.access_token)
        assert status == 200 and [c["opened_by_role"] for c in crises["crises"]] == ["client"]
