"""In real browsers: during a crisis the client's banner never goes quiet when their therapist drops
(it says the connection dropped and that another clinician is joining, then that one is on the way),
and a support person's link opens a plain-words explanation, then goes straight into the call."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from server.db.tables import StaffRole
from tests.browser.pages import client_to_lobby, expect_in_call, new_page
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis
from tests.support.world import SEEN_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url, reconnect_window=30.0, on_call_grace=1.5)


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def _admit_from_socket(host, name_hint: str = "") -> str:
    lobby = await host.wait_for("lobby", lambda d: d["waiting"], timeout=20)
    pid = lobby["waiting"][0]["participant_id"]
    assert (await host.call("admit", {"participant_id": pid}))["ok"]
    return pid


async def test_the_client_is_told_help_is_still_coming_when_the_therapist_drops(world, browser):
    s = await scene(world)
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    cover = await world.therapist(program_id=s.therapist.program_id)
    shifts = [{"clinician_id": cover.id, "weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)]
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token,
                                       json={"timezone": "UTC", "shifts": shifts})
    assert status == 200, body
    host = await world.host_in_room(s.therapist, s.session_id)
    context, client = await new_page(browser)
    try:
        await client_to_lobby(client, local(world, s.client.link["join_url"]))
        await _admit_from_socket(host)
        await expect_in_call(client)
        await start_crisis(world, s)
        banner = client.locator("#crisis-banner")
        await expect(banner).to_have_text(
            "Your therapist has started the crisis protocol. Stay on the call — they are with you.")

        await host.disconnect()  # the therapist's connection drops
        await expect(banner).to_contain_text("Your therapist's connection dropped")
        await expect(banner).to_contain_text("another clinician from your care team is joining you")
        # after the grace the on-call clinician is paged: the client hears that they are coming
        await expect(banner).to_have_text(
            "Another clinician from your care team is joining you now. Please stay on the call.", timeout=15000)
        assert await client.locator(".crisis-live").get_attribute("aria-live") == "polite"

        await world.host_in_room(s.therapist, s.session_id)  # a clinician is back in the room
        await expect(banner).to_contain_text("crisis protocol")
    finally:
        await context.close()


async def test_a_support_persons_link_explains_the_call_then_goes_straight_in(world, browser):
    s = await scene(world)
    alex = s.contact("Alex Sample")
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "support_person", "contact_id": alex, "scope": "invite_to_video"})
    assert status == 201, grant
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    status, invited = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/support-persons",
                                          s.therapist.access_token, json={"contact_id": alex})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    context, page = await new_page(browser)
    try:
        await page.goto(local(world, invited["join_url"]))
        await expect(page.get_by_role("heading", name="You're invited to a private call")).to_be_visible()
        await expect(page.locator('[data-view="support"]')).to_contain_text("a private video call about someone "
                                                                             "you care about")
        await expect(page.locator('[data-view="support"]')).to_contain_text("Who invited you")
        await page.get_by_role("button", name="Join the call").click()
        await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
        await expect(page.locator("#continue")).to_have_text("Join the call")
        await page.locator("#continue").click()
        await expect_in_call(page)  # no location question, no waiting room
        await host.wait_for("presence", lambda d: d["role"] == "support" and d["state"] == "joined")
        assert "lobby" not in [await page.evaluate("document.body.dataset.screen")]
    finally:
        await context.close()
