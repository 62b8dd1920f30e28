"""The crisis protocol in real browsers: in a 1:1 call the therapist starts it from the host panel, the
client sees a calm banner, the therapist invites a consented support person and relays the situation
to emergency services (each gives a link to copy), then moves the crisis along and closes it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import admit, client_to_lobby, expect_in_call, new_page, sign_in, start_call, start_crisis
from tests.integration.crisis.helpers import responder_get
from tests.integration.plans.helpers import write_plan
from tests.support.world import SEEN_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")

SITUATION = "Client says they took extra tablets twenty minutes ago and feels drowsy."


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def consent(world, therapist, client_id: str, **body) -> None:
    status, grant = await world.request("POST", f"/api/clients/{client_id}/consents", therapist.access_token, json=body)
    assert status == 201, grant


async def test_the_therapist_works_a_crisis_from_the_call_and_the_client_is_kept_informed(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    plan = await write_plan(world, therapist, client_id)
    alex = next(c["contact_id"] for s in plan["version"]["sections"] for c in s.get("contacts") or ()
                if c["name"] == "Alex Sample")
    await consent(world, therapist, client_id, party="support_person", contact_id=alex, scope="invite_to_video")
    await consent(world, therapist, client_id, party="emergency_services", scope="share_location_and_situation")

    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})  # the whole panel in view
    client_ctx, client = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(client, local(world, link["join_url"]))
        await admit(host, "Jordan Example")
        await expect_in_call(client)

        panel = host.locator(".crisis-panel")
        state = host.locator("#crisis-state")
        banner = client.locator("#crisis-banner")
        await expect(banner).to_be_hidden()

        # One obvious button starts the protocol; the client is told calmly in a live region.
        await start_crisis(host)
        await expect(state).to_have_text("Crisis active. Stay with the client.")
        await expect(banner).to_have_text(
            "Your therapist has started the crisis protocol. Stay on the call — they are with you.")
        assert await client.locator(".crisis-live").get_attribute("aria-live") == "polite"
        await expect(panel.get_by_role("button", name="Help is on the way")).to_be_visible()
        await expect(panel.get_by_role("button", name="Mark as stabilised")).to_be_visible()
        await expect(panel.get_by_role("button", name="Close the crisis")).to_have_count(0)

        # The consented support person: a personal, single-use link to copy.
        await panel.get_by_role("button", name="Invite Alex Sample").click()
        support_link = panel.get_by_role("textbox", name="Personal link for Alex Sample")
        await expect(support_link).to_have_value(re.compile("/join#"))
        SEEN_SECRETS.add((await support_link.input_value()).split("#", 1)[1])

        # Relay to emergency services: the responder link serves the packet.
        await panel.get_by_label("Situation (what responders need to know)").fill(SITUATION)
        await panel.get_by_role("button", name="Make a link for emergency services").click()
        responder_link = panel.get_by_role("textbox", name="Responder link")
        await expect(responder_link).to_have_value(re.compile("/responder#"))
        responder_token = (await responder_link.input_value()).split("#", 1)[1]
        SEEN_SECRETS.add(responder_token)
        status, packet = await responder_get(world, "packet", responder_token)
        assert status == 200, packet
        assert packet["situation"] == SITUATION and "situation" in packet["included"]
        await expect(state).to_have_text("Crisis active. Stay with the client.")
        await panel.screenshot(path=str(shots / "crisis-panel-therapist.png"))
        await host.screenshot(path=str(shots / "crisis-call-therapist.png"))

        # A reload on either side shows the crisis at once (the room state carries it).
        await client.reload()
        await expect_in_call(client)
        await expect(banner).to_contain_text("crisis protocol")
        await host.reload()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.",
                                                                  timeout=15000)

        # Move it along with the buttons; the client sees each step.
        await panel.get_by_role("button", name="Help is on the way").click()
        await expect(state).to_have_text("Help is on the way.")
        await expect(banner).to_contain_text("Help is on the way")
        await panel.get_by_role("button", name="Help has arrived").click()
        await expect(state).to_have_text("Help has arrived.")
        await expect(banner).to_have_text("Help has arrived.")
        await client.screenshot(path=str(shots / "crisis-call-client.png"))
        await panel.get_by_role("button", name="Close the crisis").click()
        await expect(state).to_have_text("Crisis protocol: Closed.")
        await expect(banner).to_be_hidden()
        await expect(host.get_by_role("button", name="Start crisis protocol")).to_be_visible()

        crisis_id = packet["crisis_id"]
        status, crisis = await world.request("GET", f"/api/crises/{crisis_id}", therapist.access_token)
        assert status == 200 and crisis["state"] == "closed"
        kinds = [e["kind"] for e in crisis["timeline"]]
        assert "disclosure" in kinds
    finally:
        await host_ctx.close()
        await client_ctx.close()

