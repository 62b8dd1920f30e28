"""Secure messages on a 390×844 phone: the client writes from their own page, the therapist opens the thread in
the console's "Between sessions" (the client's message shows as unread first) and answers, and the client sees
the answer and "Read" on their own message — nothing runs off the side, no serious accessibility finding. After
hours an urgent message is answered on the phone with the crisis lines and the help button, and the paged
on-call clinician finds it in the console (today's "Urgent help" session, the client's plan, Messages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, new_page, sign_in
from tests.browser.test_accessibility import findings
from tests.integration.home.helpers import open_home, standing_link
from tests.integration.messaging.helpers import secret
from tests.support.smtp import eventually

from server.db.tables import StaffRole, utcnow

pytestmark = pytest.mark.asyncio(loop_scope="module")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


async def _no_sideways_scroll(page) -> None:
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


async def _client(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    status, _ = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                    json={"therapist_id": therapist.id})
    assert status == 200
    return therapist, session, client_id, await standing_link(world, therapist, client_id)


async def test_client_writes_the_therapist_answers_and_each_sees_it_read(world, browser, shots):
    therapist, session, client_id, token = await _client(world)
    question = secret("Can we move Thursday's session to the afternoon? Work changed this week.")
    answer = secret("Yes: Thursday at 15:00 works. See you then.")
    phone = await browser.new_context(ignore_https_errors=True, viewport=PHONE, bypass_csp=True)
    page = await phone.new_page()
    console, desk = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        card = page.locator("#home-messages")
        await expect(card.get_by_role("heading", name="Messages")).to_be_visible()
        await expect(card).to_contain_text("For anything urgent after hours, use “I need help now” or call 988.")
        await card.get_by_label("Write to your care team").fill(question)
        await card.get_by_role("button", name="Send").click()
        await expect(page.locator("#message-answer")).to_contain_text("Sent.")
        mine = card.locator(".message-mine").last
        await expect(mine).to_contain_text(question)
        await expect(mine.locator(".message-receipt")).to_have_text("Sent")
        await _no_sideways_scroll(page)
        assert await findings(page) == []

        await sign_in(desk, world.base_url, therapist)
        await desk.get_by_role("button", name=f"Manage {session['title']}").click()
        await desk.get_by_role("button", name="Safety plan: Jordan Example").click()
        await expect(desk.locator("#messages-unread")).to_have_text("1 unread")
        await desk.get_by_role("button", name="Open messages").click()
        await expect(desk.locator("#console-message-list")).to_contain_text(question)
        await desk.get_by_label("Write to the client").fill(answer)
        await desk.locator("#console-message-send").click()
        await expect(desk.locator("#console-message-list .message-mine").last).to_contain_text("Not read yet")

        await page.reload()
        await expect(card.locator(".message-theirs").last).to_contain_text(answer)
        await expect(card.locator(".message-mine").last.locator(".message-receipt")).to_have_text("Read")
        await _no_sideways_scroll(page)
        await card.scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / "home-messages-phone.png"), full_page=False)

        await desk.get_by_role("button", name="Refresh messages").click()
        await expect(desk.locator("#console-message-list .message-mine").last).to_contain_text("Read by the client")
        await desk.locator(".console-messages").screenshot(path=str(shots / "console-messages.png"))
    finally:
        await phone.close()
        await console.close()


async def test_an_urgent_message_after_hours_shows_the_crisis_lines_and_the_help_button(world, browser, shots):
    therapist, _, client_id, token = await _client(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    other_day = DAYS[(utcnow() + timedelta(days=3)).weekday()]  # office hours on another day: closed now
    status, _ = await world.request("PUT", "/api/program/settings", admin.access_token,
                                    json={"timezone": "UTC", "office_hours": f"{other_day} 09:00-17:00"})
    assert status == 200
    phone = await browser.new_context(ignore_https_errors=True, viewport=PHONE)
    page = await phone.new_page()
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        card = page.locator("#home-messages")
        await card.get_by_label("Write to your care team").fill(secret("I can't cope tonight, please call me"))
        await card.get_by_label("Urgent").check()
        await card.get_by_role("button", name="Send").click()
        answer = page.locator("#message-answer")
        await expect(answer).to_contain_text("Your care team is not in now")
        await expect(answer).to_contain_text("paged the on-call clinician")
        await expect(answer.get_by_role("link", name="988")).to_be_visible()
        await expect(answer.get_by_role("link", name="911")).to_be_visible()
        await expect(answer.get_by_role("button", name="I need help now — go to my video room")).to_be_visible()
        await expect(card.locator(".message-mine .message-urgent").last).to_have_text("Urgent")
        await expect(page.locator("#help-now")).to_have_text("Go back to my video room")  # the page's own button
        await _no_sideways_scroll(page)
        await answer.scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / "home-message-after-hours-phone.png"), full_page=False)
    finally:
        await phone.close()
    status, thread = await world.request("GET", f"/api/clients/{client_id}/messages", therapist.access_token)
    assert status == 200 and thread["messages"][-1]["urgent"]


async def test_the_paged_on_call_clinician_finds_the_urgent_message_in_the_console(world, browser):
    therapist, _, client_id, token = await _client(world)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    on_call = await world.therapist(program_id=therapist.program_id)
    other_day = DAYS[(utcnow() + timedelta(days=3)).weekday()]
    status, _ = await world.request("PUT", "/api/program/settings", admin.access_token,
                                    json={"timezone": "UTC", "office_hours": f"{other_day} 09:00-17:00"})
    assert status == 200
    shifts = [{"clinician_id": on_call.id, "weekday": d, "start": "00:00", "end": "00:00", "coverage": "primary"}
              for d in range(7)]
    status, _ = await world.request("PUT", "/api/program/on-call", admin.access_token,
                                    json={"timezone": "UTC", "shifts": shifts})
    assert status == 200
    home = await open_home(world, token)
    words = secret("Panic tonight, the breathing steps are not working")
    status, sent = await world.request("POST", "/api/home/messages", home, json={"text": words, "urgent": True})
    assert status == 201 and sent["after_hours"], sent

    async def paged():  # the page (a durable step) puts the on-call clinician in the help room
        status, _ = await world.request("GET", f"/api/clients/{client_id}/messages/unread",
                                             on_call.access_token)
        return status == 200
    await eventually(paged, timeout=15)
    context, desk = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await sign_in(desk, world.base_url, on_call)
        await desk.get_by_role("button", name="Manage Urgent help").click()
        await desk.get_by_role("button", name="Safety plan: Jordan Example").click()
        await expect(desk.locator("#messages-unread")).to_have_text("1 unread")
        await desk.get_by_role("button", name="Open messages").click()
        message = desk.locator("#console-message-list .message-theirs").last
        await expect(message).to_contain_text(words)
        await expect(message.locator(".message-urgent")).to_have_text("Urgent")
    finally:
        await context.close()


async def test_a_new_message_shows_on_the_signed_in_therapists_dashboard_without_a_refresh(world, browser, shots):
    """The therapist is signed in; their client writes from the phone: "Unread messages" in Needs attention
    names the client (never the text) without a refresh; the name opens the thread, and reading it takes the
    client off the list."""
    therapist, _, client_id, token = await _client(world)
    words = secret("Running ten minutes late on Thursday, sorry")
    context, desk = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await sign_in(desk, world.base_url, therapist)
        await expect(desk.locator("#attention-live")).to_have_text("Live")
        await expect(desk.locator("#attention-messages-block")).to_be_hidden()
        home = await open_home(world, token)
        status, _ = await world.request("POST", "/api/home/messages", home, json={"text": words})
        assert status == 201
        waiting = desk.locator("#attention-messages li", has_text="Jordan Example")
        await expect(waiting).to_contain_text("1 unread message", timeout=3000)
        assert words not in await desk.locator("#attention").inner_text()
        await desk.locator("#attention-messages-block").screenshot(path=str(shots / "console-unread-messages.png"))
        await waiting.get_by_role("button", name="Jordan Example").click()
        await desk.get_by_role("button", name="Open messages").click()
        await expect(desk.locator("#console-message-list")).to_contain_text(words)
        await expect(desk.locator("#attention-messages-block")).to_be_hidden()
    finally:
        await context.close()
