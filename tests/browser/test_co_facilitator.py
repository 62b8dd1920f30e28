"""The lead adds a co-facilitator from the session's details; the colleague finds the session in their own
console and enters the call as a host."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import new_page, sign_in, start_call

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_lead_adds_a_co_facilitator_who_can_host(world, browser, shots):
    lead = await world.therapist()
    colleague = await world.therapist(program_id=lead.program_id)
    session = await world.session(lead, kind="group")
    name = (await world.request("GET", "/api/me", colleague.access_token))[1]["display_name"]
    lead_ctx, page = await new_page(browser)
    co_ctx, co_page = await new_page(browser)
    try:
        await sign_in(page, world.base_url, lead)
        await page.get_by_role("button", name=f"Manage {session['title']}").click()
        therapists = page.get_by_role("list", name="Therapists in this session")
        await expect(therapists).to_contain_text("leads the session")
        await page.get_by_label("Add a co-facilitator").select_option(label=name)
        await page.get_by_role("button", name="Add co-facilitator").click()
        await expect(therapists).to_contain_text(f"{name}co-facilitator")
        await page.screenshot(path=str(shots / "console-co-facilitator.png"))

        await sign_in(co_page, world.base_url, colleague)
        await start_call(co_page, session["title"])  # the session is in their list; they host the call
    finally:
        await lead_ctx.close()
        await co_ctx.close()
