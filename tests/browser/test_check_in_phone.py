"""A client on a 390×844 phone does their daily check-in and a PHQ-9 from their own page: calm words,
nothing runs off the side, no serious accessibility finding (axe-core), and the care team sees the
check-in and the score; an answer to item 9 above 0 points the client to "I need help now" and leaves an
urgent alert for a person to review. A program's own screener asks a follow-up question only after the
answer that opens it. The care team asks for daily check-ins from the console."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, new_page, sign_in
from tests.browser.test_accessibility import findings
from tests.integration.home.helpers import standing_link

from server.db.tables import StaffRole

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _no_sideways_scroll(page) -> None:
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


async def test_a_check_in_and_a_phq9_on_a_phone(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    token = await standing_link(world, therapist, client_id)
    # axe is injected by evaluation: bypass the page's Content-Security-Policy for the test only
    context = await browser.new_context(ignore_https_errors=True, viewport=PHONE, bypass_csp=True)
    page = await context.new_page()
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        card = page.locator("#home-check-in")
        await expect(card.get_by_role("heading", name="How are you today?")).to_be_visible()
        await card.get_by_label("Mood today").fill("3")
        await expect(page.locator("#check-in-mood-value")).to_have_text("3")
        await card.get_by_label("How well did you sleep?").select_option(label="Poorly")
        await card.get_by_label("Cravings or urges today").fill("6")
        await card.get_by_label("Anything you want to add (optional)").fill("A long day, walked in the evening.")
        await _no_sideways_scroll(page)
        assert await findings(page) == []  # axe-core: no serious or critical finding
        await card.scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / "home-check-in-phone.png"), full_page=False)
        await card.get_by_role("button", name="Send my check-in").click()
        await expect(page.locator("#check-in-result")).to_contain_text("Thank you")

        await card.get_by_role("button", name="PHQ-9").click()
        form = page.locator("form[data-screener=phq9]")
        await expect(form.get_by_text("Over the last 2 weeks, how often have you been bothered")).to_be_visible()
        items = form.locator(".screener-item")
        await expect(items).to_have_count(10)
        for n in range(10):
            answer = "Several days" if n in (0, 1, 8) else "Not at all"
            if n == 9:
                answer = "Somewhat difficult"
            await items.nth(n).get_by_label(answer).check()
        await _no_sideways_scroll(page)
        assert await findings(page) == []
        await items.nth(8).scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / "home-phq9-phone.png"), full_page=False)
        await form.get_by_role("button", name="Send my answers").click()
        result = page.locator("#screener-result")
        await expect(result).to_contain_text("press “I need help now” or call 988")
        await expect(result.get_by_role("link", name="Go to “I need help now”")).to_be_visible()
        await page.reload()
        await expect(page.locator("#check-in-lead")).to_contain_text("You checked in today at")

        status, history = await world.request("GET", f"/api/clients/{client_id}/check-ins", therapist.access_token)
        assert status == 200
        assert [(c["mood"], c["sleep_quality"], c["cravings"]) for c in history["check_ins"]] == [(3, 1, 6)]
        assert [(s["instrument"], s["total"], s["band"]) for s in history["screeners"]] == [("phq9", 3, "minimal")]
        status, listed = await world.request("GET", "/api/alerts", therapist.access_token)
        assert [(a["rule"], a["urgency"]) for a in listed["alerts"] if a["kind"] == "monitoring"] == [
            ("phq9_item9", "urgent")]
    finally:
        await context.close()


async def test_the_care_team_schedules_daily_check_ins_from_the_console(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    context, page = await new_page(browser, viewport={"width": 1280, "height": 1400})
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Manage {session['title']}").click()
        await page.get_by_role("button", name="Safety plan: Jordan Example").click()
        status = page.locator("#check-in-schedule-status")
        await expect(status).to_have_text("No daily check-ins are scheduled.")
        await page.get_by_label("For how many days").fill("7")
        await page.get_by_label("At (program time)").fill("09:30")
        await page.get_by_role("button", name="Schedule check-ins").click()
        await expect(status).to_contain_text("Scheduled. Daily check-in at 09:30")
        await expect(status).to_contain_text("for 7 days")
        await page.locator(".check-in-schedule").screenshot(path=str(shots / "console-check-in-schedule.png"))
    finally:
        await context.close()
    answer = await world.request("GET", f"/api/clients/{client_id}/check-in-schedule", therapist.access_token)
    assert answer[0] == 200 and answer[1]["schedule"]["time"] == "09:30" and answer[1]["schedule"]["days"] == 7


async def test_a_follow_up_question_shows_only_after_the_answer_that_asks_it(world, browser):
    therapist = await world.therapist()
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    yes_no = [{"label": "No", "points": 0}, {"label": "Yes", "points": 1}]
    status, _ = await world.request("PUT", "/api/program/screeners/branching", admin.access_token, json={
        "title": "Our screener", "preamble": "Placeholder text for the test.",
        "items": [{"key": "q1", "text": "First question", "options": yes_no},
                  {"key": "q2", "text": "Follow-up question", "options": yes_no,
                   "ask_if": {"item": "q1", "at_least": 1}}],
        "bands": [{"low": 0, "high": 0, "label": "none"}, {"low": 1, "high": 2, "label": "positive"}]})
    assert status == 200
    token = await standing_link(world, therapist, client_id)
    context = await browser.new_context(ignore_https_errors=True, viewport=PHONE)
    page = await context.new_page()
    try:
        await page.goto(f"{world.base_url}/home#{token}")
        await page.locator("#home-check-in").get_by_role("button", name="Our screener").click()
        form = page.locator("form[data-screener=branching]")
        follow_up = form.locator("[data-item=q2]")
        await expect(follow_up).to_be_hidden()
        await form.locator("[data-item=q1]").get_by_label("Yes").check()
        await expect(follow_up).to_be_visible()
        await form.locator("[data-item=q1]").get_by_label("No").check()
        await expect(follow_up).to_be_hidden()
        await form.get_by_role("button", name="Send my answers").click()
        await expect(page.locator("#screener-result")).to_contain_text("Thank you")
    finally:
        await context.close()
    status, history = await world.request("GET", f"/api/clients/{client_id}/check-ins", therapist.access_token)
    assert [(s["instrument"], s["answers"]) for s in history["screeners"]] == [("branching", {"q1": 0})]
