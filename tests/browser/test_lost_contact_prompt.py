"""In the therapist's call view: when the client of an open crisis drops and does not come back, the crisis
panel says so in an alert — first that no consented support person could be told, then that it is time
to call emergency services."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import start_crisis, two_person_call
from tests.conftest import make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url, reconnect_window=0.5, lost_contact_notify_support_after=1.0,
                         lost_contact_prompt_emergency_after=2.0)


async def test_the_therapist_is_prompted_when_the_client_does_not_come_back(world, browser, shots):
    async with two_person_call(world, browser) as call:
        host = call.host
        await start_crisis(host)
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")

        await call.client_context.close()  # the client's laptop goes away
        alerts = host.locator(".crisis-panel .crisis-urgent")
        await expect(alerts.first).to_have_text(
            "Jordan Example has not come back, and there is no support person they agreed we may contact.",
            timeout=15000)
        await expect(alerts.nth(1)).to_contain_text("Call emergency services now", timeout=15000)
        assert await alerts.nth(1).get_attribute("role") == "alert"
        await host.locator(".crisis-panel").screenshot(path=str(shots / "crisis-panel-lost-contact.png"))
