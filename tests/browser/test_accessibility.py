"""Every page passes an automated accessibility check (axe-core, from the npm registry, vendored by
`make vendor`) with no serious or critical findings, on a desktop and on a 390×844 phone: the pages a
client, a therapist, a support person, a responder and an on-call clinician meet, in the states they
meet them (a bad link, the device check, the waiting room, the call, a crisis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import (
    DESKTOP, PHONE, client_to_lobby, expect_in_call, pass_device_check, sign_in, start_crisis,
)
from tests.integration.home.helpers import standing_link
from tests.integration.plans.helpers import write_plan

pytestmark = pytest.mark.asyncio(loop_scope="module")
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
FINDINGS = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")) }));
}"""


async def findings(page: Page) -> list[dict]:
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.evaluate(AXE)
    return await page.evaluate(FINDINGS)


async def _context(browser, viewport):
    # axe is injected by evaluation: the pages' Content-Security-Policy (rightly) allows no foreign script
    context = await browser.new_context(ignore_https_errors=True, viewport=viewport, bypass_csp=True,
                                        permissions=["camera", "microphone"])
    return context, await context.new_page()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_pages_people_meet_have_no_serious_findings(world, browser, viewport):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    home = await standing_link(world, therapist, client_id)
    await world.session(therapist, kind="group")
    seen: dict[str, list[dict]] = {}
    context, page = await _context(browser, viewport)
    host_ctx, host = await _context(browser, DESKTOP)
    try:
        for name, path, ready in (
            ("landing", "/", "main"), ("bad join link", "/join#not-a-real-token-0123456789abcdef", "main"),
            ("responder link", "/responder#not-a-real-token", "main"), ("on-call page", "/on-call#x", "main"),
            ("api docs", "/api/docs", "main"), ("console sign-in", "/console", "#signin-form"),
            ("my Steadyline", f"/home#{home}", "#help-now"),
        ):
            await page.goto(world.base_url + path)
            await expect(page.locator(ready).first).to_be_visible()
            seen[name] = await findings(page)
        await sign_in(host, world.base_url, therapist)
        seen["console sessions"] = await findings(host)
        # a group's links to give, each with Copy and Send (issue 18, item 6)
        await host.get_by_role("button", name="Manage Group session").click()
        await host.get_by_label("Add a client").fill("Kim Lee")
        await host.get_by_role("button", name="Add and create link").click()
        await host.locator(".link-send summary").click()
        await expect(host.get_by_label("E-mail address")).to_be_visible()
        seen["console links"] = await findings(host)
        await client_to_lobby(page, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
        seen["waiting room"] = await findings(page)
        await host.get_by_role("button", name=f"Start call: {session['title']}").click()
        seen["therapist's device check"] = await findings(host)
        await pass_device_check(host)
        await host.get_by_role("button", name="Admit Jordan Example").click()
        await expect_in_call(page)
        seen["client in the call"] = await findings(page)
        await start_crisis(host)
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        seen["therapist in a crisis"] = await findings(host)
        seen["client in a crisis"] = await findings(page)
    finally:
        await context.close()
        await host_ctx.close()
    bad = {name: found for name, found in seen.items() if found}
    assert not bad, "\n".join(f"{name}: {f}" for name, found in bad.items() for f in found)


async def _tab_to(page: Page, name: str, presses: int = 40) -> None:
    """Press Tab until the focused element is the button or link called ``name``."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        label = await page.evaluate("() => document.activeElement && (document.activeElement.innerText || "
                                    "document.activeElement.getAttribute('aria-label') || '').trim()")
        if label == name:
            return
    raise AssertionError(f"{name!r} was not reached with the Tab key")


async def test_a_client_gets_help_with_the_keyboard_alone(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    await write_plan(world, therapist, client_id)
    home = await standing_link(world, therapist, client_id)
    await world.session(therapist, kind="group")
    context, page = await _context(browser, PHONE)
    try:
        await page.goto(f"{world.base_url}/home#{home}")
        await expect(page.get_by_role("button", name="I need help now")).to_be_visible()
        await _tab_to(page, "I need help now")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
        await expect(page.locator("#continue")).to_be_enabled()
        await _tab_to(page, await page.locator("#continue").inner_text())
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="Where are you right now?")).to_be_visible()
    finally:
        await context.close()
