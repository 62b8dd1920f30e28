"""The client's own page ("my Steadyline") in a real browser, on a 390×844 phone and a desktop: their
coping steps first, numbers to call one tap away, their session with a Join button, and "I need help now"
in view without scrolling. Pressed, it takes them into their urgent help room, where a strip says
truthfully that the on-call clinician is being reached; the clinician joins from the console, the strip
says so, and what the clinician shows from the plan appears on the client's phone."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import DESKTOP, PHONE, expect_in_call, in_view_and_uncovered, new_page, sign_in, skip_location
from tests.conftest import make_settings
from tests.integration.home.helpers import all_week, standing_link
from tests.integration.plans.helpers import write_plan
from tests.support.smtp import Inbox, eventually, smtp_inbox
from tests.support.world import PASSWORD

from server.db.tables import StaffRole

pytestmark = pytest.mark.asyncio(loop_scope="module")
COPING = "What I can do by myself to get through it"
PAGE = "A client in your program needs you in a crisis session now"


@pytest.fixture(scope="module")
def inbox():
    with smtp_inbox() as box:
        yield box


@pytest.fixture
def settings(sqlite_url, inbox):
    return make_settings(sqlite_url, reconnect_window=30.0, smtp_host="127.0.0.1", smtp_port=inbox.port,
                         smtp_from="pages@example.test")


async def _client_with_link(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    return therapist, session, client_id, await standing_link(world, therapist, client_id)


async def _page_to(inbox: Inbox, address: str):
    async def paged():
        found = [m for m in inbox.to(address) if m["Subject"] == PAGE]
        return found[-1] if found else None
    return await eventually(paged, timeout=15)


async def _fully_in_view(page, locator) -> None:
    box = await locator.bounding_box()
    size = page.viewport_size
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_the_home_page_shows_the_plan_the_numbers_and_the_session(world, browser, shots, viewport):
    therapist, session, client_id, token = await _client_with_link(world)
    context, page = await new_page(browser, viewport=viewport)
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        await expect(page.get_by_role("heading", name="Hello, Jordan Example")).to_be_visible()
        assert "#" not in page.url  # the link left the address bar
        help_button = page.get_by_role("button", name="I need help now")
        await expect(help_button).to_be_visible()
        await _fully_in_view(page, help_button)  # no scrolling to find it
        await expect(page.locator(".home-plan-section h3").first).to_have_text(COPING)
        await expect(page.locator("#home-lines a[href^='tel:988']")).to_be_visible()
        await expect(page.locator("#home-plan a[href^='tel:']").first).to_be_visible()
        item = page.locator(".session-item", has_text=session["title"])
        await expect(item.get_by_role("button", name="Join")).to_be_visible()
        widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths  # nothing runs off the side of a phone
        name = "phone" if viewport is PHONE else "desktop"
        await page.screenshot(path=str(shots / f"home-{name}.png"), full_page=True)

        await item.get_by_role("button", name="Join").click()  # straight to the device check of that session
        await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()

        # a reload keeps the page (this tab); a revoked link stops it at once
        await page.goto(f"{world.base_url}/home")
        await expect(page.get_by_role("heading", name="Hello, Jordan Example")).to_be_visible()
        status, _ = await world.request("DELETE", f"/api/clients/{client_id}/home-link", therapist.access_token)
        assert status == 200
        await page.reload()
        await expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
    finally:
        await context.close()


async def test_help_from_the_home_page_reaches_the_on_call_clinician(world, browser, shots, inbox):
    therapist, _, client_id, token = await _client_with_link(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=therapist.program_id)
    status, body = await world.request("PUT", "/api/program/on-call", admin.access_token, json={
        "timezone": "America/Chicago", "shifts": all_week(on_call.id, "primary")})
    assert status == 200, body
    client_ctx, client = await new_page(browser, viewport=PHONE)
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    try:
        await client.goto(f"{world.base_url}/home#{token}")
        await client.get_by_role("button", name="I need help now").click()
        await expect(client.get_by_role("heading", name="Before you join")).to_be_visible()
        await client.locator("#continue").click()
        await skip_location(client)
        await expect_in_call(client)
        strip = client.locator(".help-progress")
        await expect(strip.locator(".help-progress-headline")).to_have_text("We are reaching the on-call clinician now")
        await expect(strip.locator("a[href^='tel:911']")).to_be_visible()
        await _fully_in_view(client, strip)  # at the top, in view
        await expect(client.get_by_text("Your therapist's connection dropped")).to_be_hidden()  # nobody dropped
        await client.screenshot(path=str(shots / "home-help-waiting-phone.png"))

        # the page reaches the on-call clinician; its link opens the console: sign in, straight into the call
        page_mail = await _page_to(inbox, on_call.email)
        await host.goto(f"{world.base_url}/console{Inbox.page_link(page_mail).replace('#', '#page=')}")
        await expect(host.locator("#signin-paged")).to_contain_text("You were paged")
        assert "#" not in host.url  # the link left the address bar
        await host.get_by_label("Email").fill(on_call.email)
        await host.get_by_label("Password").fill(PASSWORD)
        await host.get_by_role("button", name="Sign in").click()
        await expect(host.locator("#call-title")).to_have_text("Urgent help")
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        brief = host.locator(".client-brief")
        await expect(brief).to_contain_text("About Jordan Example")
        await expect(brief).to_contain_text("Cold water on my face")  # their plan, for someone who never met them
        named = (await world.store.get_staff(on_call.id)).display_name
        await expect(strip.locator(".help-progress-headline")).to_have_text(f"{named} is with you", timeout=10000)
        await host.screenshot(path=str(shots / "home-help-on-call-console.png"))

        # they put the client's own coping steps on the client's screen
        share = host.locator(".crisis-share")
        await share.get_by_role("button", name=COPING).click()
        await expect(share.get_by_role("status")).to_have_text(f"Shown on their screen: {COPING}.")
        card = client.locator(".shared-card")
        await expect(card.get_by_role("heading", name=COPING)).to_be_visible()
        await expect(card).to_contain_text("Cold water on my face")
        await in_view_and_uncovered(client, ".controls .ctl-leave")  # it never covers the call's controls
        await in_view_and_uncovered(client, ".controls .ctl:first-child")
        await client.screenshot(path=str(shots / "home-shared-phone.png"))
        await card.get_by_role("button", name="Close").click()
        await expect(card).to_be_hidden()
    finally:
        await client_ctx.close()
        await host_ctx.close()


async def test_the_clients_own_therapist_reads_the_story_in_the_console(world, browser, shots, inbox):
    therapist, session, client_id, token = await _client_with_link(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=therapist.program_id)
    status, _ = await world.request("PUT", "/api/program/on-call", admin.access_token, json={
        "timezone": "UTC", "shifts": all_week(on_call.id, "primary")})
    assert status == 200
    status, _ = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                    json={"therapist_id": therapist.id, "email": "client.story@example.test"})
    assert status == 200
    status, opened = await world.request("POST", "/api/home/open", json={"token": token})
    status, helped = await world.request("POST", "/api/home/help", opened["home_token"], json={})
    assert status == 201, helped

    redeemed = await world.redeem(Inbox.page_link(await _page_to(inbox, on_call.email)))
    clinician = await world.socket(redeemed["participant_token"])
    assert (await clinician.call("join"))["ok"]
    cid = helped["crisis_id"]
    version = (await world.request("GET", f"/api/crises/{cid}", on_call.access_token))[1]["version"]
    for action in ("stabilise", "close"):
        status, crisis = await world.request("POST", f"/api/crises/{cid}/transitions", on_call.access_token,
                                             json={"action": action, "expected_version": version})
        assert status == 200, crisis
        version = crisis["version"]
    await clinician.disconnect()

    context, page = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Manage {session['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        follow_ups = page.get_by_role("region", name="Follow-up after a crisis")
        await expect(follow_ups.locator(".follow-up-item[data-kind='check_in']")).to_have_count(7)  # daily
        await expect(follow_ups).to_contain_text("its join link was sent to the client")
        story = follow_ups.locator(".crisis-story")
        await story.locator("summary").click()
        await expect(story).to_contain_text("The client pressed \u201cI need help now\u201d")
        named = (await world.store.get_staff(on_call.id)).display_name
        await expect(story).to_contain_text(f"{named} was paged and made responsible")
        await expect(story).to_contain_text(f"Crisis closed by {named}")
        between = page.locator(".client-between")
        await expect(between.get_by_label("Their own therapist")).to_have_value(therapist.id)
        await expect(between).to_contain_text("last opened")
        await follow_ups.screenshot(path=str(shots / "console-crisis-story.png"))
    finally:
        await context.close()


async def test_the_care_team_sees_a_clients_trends_at_a_glance(world, browser, shots):
    therapist, session, client_id, token = await _client_with_link(world)
    status, opened = await world.request("POST", "/api/home/open", json={"token": token})
    home = opened["home_token"]
    for mood, cravings in ((6, 2), (4, 5), (3, 7)):
        status, body = await world.request("POST", "/api/home/check-ins", home,
                                           json={"mood": mood, "sleep_hours": 6, "cravings": cravings})
        assert status == 201, body
    status, body = await world.request("POST", "/api/home/screeners/phq9", home,
                                       json={"answers": {f"q{i}": 1 for i in range(1, 10)}})
    assert status == 201, body
    context, page = await new_page(browser, viewport={"width": 1280, "height": 1600})
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Manage {session['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        check_ins = page.locator("figure.trend", has_text="Check-ins")
        await expect(check_ins.locator("circle.trend-mood")).to_have_count(3)
        await expect(check_ins.locator(".trend-legend")).to_contain_text("Mood: 3")
        await expect(check_ins.locator(".trend-legend")).to_contain_text("Cravings: 7")
        questionnaires = page.locator("figure.trend", has_text="Questionnaires")
        await expect(questionnaires.locator(".trend-legend")).to_contain_text("PHQ-9: 9")
        await page.locator(".trends").screenshot(path=str(shots / "console-trends.png"))
    finally:
        await context.close()
