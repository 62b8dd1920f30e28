"""The therapist console as a group's therapist meets it (issue 18, item 6), in Chromium: a group's client
links stay listed each with its own Copy until dismissed, and an ended session's dead links are not shown;
another session closes the previous client's safety plan; a link is sent by e-mail through the notifier
(a real SMTP server reads it); someone entering the waiting room knocks, counts on the heading and in the
tab's title, and "Admit all" lets everyone in; the group crisis panel is one picker, not two buttons per
client, and a crisis starts only once confirmed."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import client_to_lobby, expect_in_call, new_page, sign_in, start_call
from tests.conftest import make_settings
from tests.integration.plans.helpers import write_plan
from tests.support.smtp import Inbox, eventually, smtp_inbox
from tests.support.world import SEEN_SECRETS

from server.db.tables import StaffRole

pytestmark = pytest.mark.asyncio(loop_scope="module")

# counts the oscillators the page starts (the sounds are made in the page: no sound file)
COUNT_TONES = """() => {
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
}"""
HEALTH_WORDS = re.compile(r"crisis|safety plan|therap|mental|suicid|diagnos|help now", re.IGNORECASE)
CONSOLE = {"width": 1280, "height": 1100}


@pytest.fixture(scope="module")
def inbox():
    with smtp_inbox() as box:
        yield box


@pytest.fixture
def settings(sqlite_url, inbox):
    return make_settings(sqlite_url, reconnect_window=30.0, smtp_host="127.0.0.1", smtp_port=inbox.port,
                         smtp_from="links@example.test")


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def test_a_groups_links_stay_listed_and_an_ended_sessions_links_are_gone(world, browser):
    therapist = await world.therapist()
    first = await world.session(therapist, kind="group")
    sam = await world.add_client(therapist, first["id"], "Sam Sample")
    await write_plan(world, therapist, sam["participant"]["client_id"])
    context, host = await new_page(browser, viewport=CONSOLE)
    try:
        await sign_in(host, world.base_url, therapist)
        await host.get_by_role("button", name="Manage Group session").click()
        for name in ("Riley Example", "Alex Rivera", "Kim Lee"):
            await host.get_by_label("Add a client").fill(name)
            await host.get_by_role("button", name="Add and create link").click()
            made = host.get_by_role("textbox", name=f"Personal link for {name}")
            await expect(made).to_have_value(re.compile("/join#"))
        # every one is still there, each with its own Copy
        for name in ("Riley Example", "Alex Rivera", "Kim Lee"):
            await expect(host.get_by_role("textbox", name=f"Personal link for {name}")).to_be_visible()
            await expect(host.get_by_role("button", name=f"Copy link: {name}")).to_be_visible()
            SEEN_SECRETS.add((await host.get_by_role("textbox", name=f"Personal link for {name}").input_value())
                             .split("#", 1)[1])
        await host.get_by_role("button", name="Copy link: Alex Rivera").click()
        await host.get_by_role("button", name="Dismiss link: Alex Rivera").click()
        await expect(host.get_by_role("textbox", name="Personal link for Alex Rivera")).to_have_count(0)
        await expect(host.get_by_role("textbox", name="Personal link for Kim Lee")).to_be_visible()

        # Sam's safety plan is open; another session (made from the form) closes it
        await host.get_by_role("button", name="Safety plan: Sam Sample").click()
        plan = host.locator("#plan-panel")
        await expect(plan).to_be_visible()
        await expect(plan).to_contain_text("Sam Sample")
        await host.get_by_label("Title").fill("Wednesday check-in")
        await host.get_by_role("button", name="Create session").click()
        await expect(host.locator("#detail-title")).to_have_text("Wednesday check-in")
        await expect(plan).to_be_hidden()
        await expect(host.locator("#link-list .link-box")).to_have_count(0)  # not the group's links
        # back to the group: its links are still there; Manage of another session closes a plan too
        await host.get_by_role("button", name="Manage Group session").click()
        await expect(host.get_by_role("textbox", name="Personal link for Kim Lee")).to_be_visible()
        await host.get_by_role("button", name="Safety plan: Sam Sample").click()
        await expect(plan).to_be_visible()
        await host.get_by_role("button", name="Manage Wednesday check-in").click()
        await expect(plan).to_be_hidden()

        # the group ends: its links no longer work and are not offered to copy
        await host.get_by_role("button", name="Manage Group session").click()
        await host.locator("#detail-end").click()
        await host.get_by_role("dialog").get_by_role("button", name="End session").click()
        await expect(host.locator("#detail-status")).to_have_text("Ended")
        await expect(host.locator("#links")).to_be_hidden()
        await expect(host.get_by_role("button", name=re.compile("^Copy link"))).to_have_count(0)
    finally:
        await context.close()


async def test_a_link_is_sent_by_email_through_the_notifier(world, browser, inbox):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Jordan Example")
    client_id = link["participant"]["client_id"]
    status, body = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                       json={"email": "jordan@example.test"})
    assert status == 200, body
    context, host = await new_page(browser, viewport=CONSOLE)
    try:
        await sign_in(host, world.base_url, therapist)
        await host.get_by_role("button", name="Manage Individual session").click()
        await host.get_by_role("button", name="New link: Jordan Example").click()
        box = host.locator(".link-box", has_text="Personal link for Jordan Example")
        await box.get_by_text("Send by e-mail or text message").click()
        await expect(box.locator(".link-saved-contact")).to_have_text("Their saved contact: jordan@example.test.")
        await box.get_by_role("button", name="Send link to Jordan Example").click()  # their saved address
        await expect(box.get_by_role("status")).to_contain_text("Sent to jordan@example.test")
        shown = await box.get_by_role("textbox", name="Personal link for Jordan Example").input_value()
        SEEN_SECRETS.add(shown.split("#", 1)[1])

        async def mail():
            found = inbox.to("jordan@example.test")
            return found[-1] if found else None
        message = await eventually(mail, timeout=15)
        text = Inbox.text(message)
        assert message["Subject"] == "Your video session link"
        assert shown in text  # the link sent is the one shown (the one before no longer works)
        assert not HEALTH_WORDS.search(text + message["Subject"]), text

        # to an address typed in
        await box.get_by_text("Send by e-mail or text message").click()
        await box.get_by_label("E-mail address").fill("jordan.other@example.test")
        await box.get_by_role("button", name="Send link to Jordan Example").click()
        await expect(box.get_by_role("status")).to_contain_text("Sent to jordan.other@example.test")

        async def other():
            return inbox.to("jordan.other@example.test") or None
        await eventually(other, timeout=15)
        admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
        status, audit = await world.request("GET", f"/api/audit?session_id={session['id']}", admin.access_token)
        assert status == 200
        assert [r for r in audit["records"] if r.get("action") == "link.send"], audit
    finally:
        await context.close()


async def test_someone_waiting_knocks_and_counts_and_admit_all_lets_everyone_in(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    links = [await world.add_client(therapist, session["id"], name) for name in ("Riley Example", "Sam Sample")]
    host_ctx, host = await new_page(browser, viewport=CONSOLE)
    pages = [await new_page(browser) for _ in links]
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await host.evaluate(COUNT_TONES)
        title = await host.title()
        assert "waiting" not in title
        count = host.locator("#waiting-heading .count")
        await client_to_lobby(pages[0][1], local(world, links[0]["join_url"]))
        await expect(count).to_have_text("1")
        await expect(count).to_have_class(re.compile("count-alert"))
        assert await host.evaluate("() => window.__tones") >= 2  # the knock
        await expect(host).to_have_title(f"(1 waiting) {title}")
        await client_to_lobby(pages[1][1], local(world, links[1]["join_url"]))
        await expect(count).to_have_text("2")
        await expect(host).to_have_title(f"(2 waiting) {title}")
        assert await host.evaluate("() => window.__tones") >= 4
        await host.screenshot(path=str(shots / "console-lobby-alert.png"))

        await host.get_by_role("button", name="Admit all").click()
        for _, page in pages:
            await expect_in_call(page)
        await expect(count).to_have_text("0")
        await expect(host).to_have_title(title)
        await expect(host.get_by_role("button", name="Admit all")).to_be_hidden()
    finally:
        await host_ctx.close()
        for ctx, _ in pages:
            await ctx.close()


async def test_the_group_crisis_panel_is_one_picker_and_asks_before_a_crisis(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    names = [f"Client {n:02d}" for n in range(1, 12)]  # a full group: 11 clients and the therapist
    for name in names:
        await world.add_client(therapist, session["id"], name)
    context, host = await new_page(browser, viewport=CONSOLE)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        panel = host.locator(".crisis-panel")
        picker = panel.get_by_label("Start the crisis protocol for")
        await expect(picker.locator("option")).to_have_count(11)
        assert await panel.get_by_role("button").count() <= 2  # not 22
        # the waiting room sits right under it, within the first screen
        waiting = await host.locator("#waiting-heading").bounding_box()
        assert waiting and waiting["y"] < CONSOLE["height"] / 2, waiting

        await picker.select_option(label="Client 07")
        await panel.get_by_role("button", name="Start crisis protocol").click()
        dialog = host.get_by_role("dialog", name="Start the crisis protocol for Client 07?")
        await expect(dialog).to_be_visible()
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_have_count(0)
        await host.wait_for_timeout(500)
        await expect(host.locator("#crisis-state")).to_have_text("")  # nothing started

        await panel.get_by_role("button", name="Move to a private room").click()
        move = host.get_by_role("dialog", name="Move Client 07 to a private room?")
        await expect(move).to_contain_text("This starts the crisis protocol for them.")
        await move.get_by_role("button", name="Cancel").click()
        await expect(host.locator("#crisis-state")).to_have_text("")

        await panel.get_by_role("button", name="Start crisis protocol").click()
        await dialog.get_by_role("button", name="Start crisis protocol").click()
        await expect(host.locator("#crisis-state")).to_have_text("Crisis active. Stay with the client.")
        await expect(panel.locator(".crisis-about")).to_have_text("About Client 07")
    finally:
        await context.close()
