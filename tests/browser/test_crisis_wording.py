"""Wording that holds up in a crisis (issue 18, item 4), in real browsers:

* the waiting room names the therapist ("Dr Rivera will let you in shortly.");
* the crisis panel shows what to read out on a phone call to emergency services — the client's name, the
  address they confirmed at this join, and callback numbers formatted for the program's country;
* "Make a link for emergency services" says it contacts nobody (it used to read "Relay to emergency services");
* the client hears "help is on the way" only once the therapist has marked help as called for;
* a support person gets words of their own, not the client's."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from server.app_keys import STORE
from server.db.tables import StaffRole
from tests.browser.pages import PHONE, admit, expect_in_call, new_context, new_page, sign_in, start_call
from tests.integration.crisis.helpers import scene, start_crisis
from tests.integration.plans.helpers import NEAR_POINT, write_plan
from tests.support.world import PASSWORD_HASH, SEEN_SECRETS, Therapist

pytestmark = pytest.mark.asyncio(loop_scope="module")

PLANNED = "12 Example Street, Exampleton, PA, 19000, US"


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def dr_rivera(world) -> Therapist:
    program = await world.app[STORE].create_program("Rivera program")
    email = "rivera@example.test"
    await world.app[STORE].create_staff(program_id=program.id, email=email, display_name="Dr Rivera",
                                        role=StaffRole.THERAPIST, password_hash=PASSWORD_HASH)
    staff = await world.app[STORE].staff_by_email(email)
    return Therapist(id=staff.id, program_id=program.id, email=email, access_token=await world.login(email))


async def test_the_panel_shows_what_to_read_out_and_the_words_promise_nothing_unsent(world, browser, shots):
    therapist = await dr_rivera(world)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    status, _ = await world.request("POST", f"/api/clients/{client_id}/consents", therapist.access_token,
                                    json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    near = {"latitude": NEAR_POINT["latitude"], "longitude": NEAR_POINT["longitude"],
            "accuracy": NEAR_POINT["accuracy_m"]}
    client_ctx = await new_context(browser, viewport=PHONE, permissions=["camera", "microphone", "geolocation"],
                                   geolocation=near)
    client = await client_ctx.new_page()
    try:
        # the client confirms their planned address and waits: the waiting room names their therapist
        await client.goto(local(world, link["join_url"]))
        await expect(client.locator("#continue")).to_be_enabled()
        await client.locator("#continue").click()
        await expect(client.get_by_label(f"At {PLANNED}")).to_be_checked()
        await client.get_by_role("button", name="Confirm and continue").click()
        await expect(client.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
        await expect(client.locator("#lobby-lead")).to_have_text("Dr Rivera will let you in shortly.")
        await expect(client.locator("#host-name")).to_have_text("Dr Rivera")

        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await admit(host, "Jordan Example")
        await expect_in_call(client)
        await client.get_by_role("button", name="I need help now").click()
        banner = client.locator("#crisis-banner")
        await expect(banner).to_have_text(
            "Your therapist knows you need help now. Stay on the call — they are with you.")

        # what to read out on the phone, at the top of the crisis panel
        panel = host.locator(".crisis-panel")
        read_out = panel.get_by_role("group", name="To read out to emergency services")
        await expect(read_out).to_be_visible()
        rows = await read_out.locator("dl").evaluate(
            "(dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, "
            "dt.nextElementSibling.textContent]))")
        assert rows["Name"] == "Jordan Example"
        assert re.fullmatch(re.escape(PLANNED) + r" \(confirmed at \d{1,2}:\d\d [AP]M\)", rows["Address"]), rows
        assert rows["Device position"].startswith("latitude 40.00100, longitude -75.00000, within 30 m"), rows
        assert rows["Program crisis line"] == "555-0100"
        await expect(read_out.get_by_role("link", name="555-0100")).to_have_attribute("href", "tel:+15550100")
        await expect(read_out).to_contain_text(
            "The client consented to sharing their location with emergency services.")

        # the button says what it does: it makes a link, it contacts nobody
        make = panel.get_by_role("button", name="Make a link for emergency services")
        await expect(make).to_have_accessible_description(
            "This contacts nobody. It makes a private link to the client's location and your notes, to copy and give "
            "to emergency services (read it out, or send it, on your call with them). To get help, call emergency "
            "services yourself.")
        await expect(panel.get_by_role("button", name="Relay to emergency services")).to_have_count(0)
        await panel.get_by_label("Situation (what responders need to know)").fill("Client feels unsafe at home.")
        await panel.get_by_label("Number to call the client back on (optional)").fill("+1 555 555 0142")
        await make.click()
        responder_link = panel.get_by_role("textbox", name="Responder link (give it to emergency services)")
        await expect(responder_link).to_have_value(re.compile("/responder#"))
        SEEN_SECRETS.add((await responder_link.input_value()).split("#", 1)[1])
        # the number just given is there to read out, as people write it
        given = read_out.get_by_role("link", name="(555) 555-0142")
        await expect(given).to_have_attribute("href", "tel:+15555550142")
        # a link was made, nothing was sent: the client is still not promised help on the way
        await expect(banner).not_to_contain_text("on the way")
        await host.locator(".host-panel").evaluate("(node) => { node.scrollTop = 0; }")
        await host.screenshot(path=str(shots / "crisis-panel-read-out.png"))

        # once the therapist has called for help, the client is told
        await panel.get_by_role("button", name="Help is on the way (I have called for it)").click()
        await expect(banner).to_have_text("Help is on the way. Stay on the call with your therapist.")

        # every read of the address is audited
        admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
        status, trail = await world.request("GET", f"/api/audit?session_id={session['id']}", admin.access_token)
        reads = [r for r in trail["records"] if r["action"] == "crisis.location_read"]
        assert status == 200 and reads and {r["actor_id"] for r in reads} == {therapist.id}
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_a_support_person_gets_their_own_words(world, browser):
    s = await scene(world)
    alex = s.contact("Alex Sample")
    status, _ = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                    json={"party": "support_person", "contact_id": alex, "scope": "invite_to_video"})
    assert status == 201
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    status, invited = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/support-persons",
                                          s.therapist.access_token, json={"contact_id": alex})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    context, page = await new_page(browser, viewport=PHONE)
    try:
        await page.goto(local(world, invited["join_url"]))
        await page.get_by_role("button", name="Join the call").click()
        await page.locator("#continue").click()
        await expect_in_call(page)
        banner = page.locator("#crisis-banner")
        await expect(banner).to_have_text("You're in this call to support someone you care about. Their clinician "
                                          "leads the call: staying with them and listening helps.")
        await expect(banner).not_to_contain_text("Your therapist")
        await expect(page.get_by_role("button", name="I need help now")).to_have_count(0)
    finally:
        await context.close()
