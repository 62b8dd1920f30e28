"""A client and a therapist in real browsers: personal link, device check, lobby, admission, call,
reload, a refused camera, and links that no longer work."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    PHONE, admit, client_to_lobby, expect_in_call, expect_remote_videos, new_page, sign_in, skip_location,
    start_call, tile_names, wait_js,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def local(world, join_url: str) -> str:
    """Links carry the configured public URL; the test server listens on its own port."""
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def host_and_client_in_call(world, browser, name="Jordan Lee", **client_options):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], name)
    host_ctx, host = await new_page(browser)
    client_ctx, client = await new_page(browser, **client_options)
    await sign_in(host, world.base_url, therapist)
    await start_call(host, session["title"])
    await client_to_lobby(client, local(world, link["join_url"]))
    await admit(host, name)
    await expect_in_call(client)
    return (host_ctx, host), (client_ctx, client)


async def test_client_link_lobby_admit_and_both_see_video(world, browser, shots):
    therapist = await world.therapist()
    host_ctx, host = await new_page(browser)
    client_ctx, client = await new_page(browser)
    try:
        # The therapist signs in, creates the session and the client's personal link in the console.
        await sign_in(host, world.base_url, therapist)
        await host.get_by_label("Title").fill("Tuesday check-in")
        await host.get_by_role("button", name="Create session").click()
        await expect(host.locator("#detail-title")).to_have_text("Tuesday check-in")
        await host.get_by_label("Add a client").fill("Alex Rivera")
        await host.get_by_role("button", name="Add and create link").click()
        link_out = host.get_by_role("textbox", name="Personal link for Alex Rivera")
        await expect(link_out).to_be_visible()
        join_url = await link_out.input_value()
        assert "/join#" in join_url
        await host.screenshot(path=str(shots / "console-sessions.png"))

        # The client opens the link: the token leaves the address bar; device check; lobby.
        await client_to_lobby(client, local(world, join_url), shot=shots / "join-device-check.png")
        assert client.url == world.base_url + "/join"
        await expect(client.locator("#host-status")).to_have_text("Not here yet")
        await expect(client.locator("#em-hotline")).to_have_text("988")
        await expect(client.locator("#em-emergency")).to_have_text("911")

        # The therapist enters the call and sees the client waiting; the client sees them arrive.
        await start_call(host, "Tuesday check-in")
        await expect(client.locator("#host-status")).to_have_text("Here, and will let you in soon")
        await expect(host.get_by_role("button", name="Admit Alex Rivera")).to_be_visible()
        await client.screenshot(path=str(shots / "lobby.png"))
        await host.screenshot(path=str(shots / "console-call-waiting.png"))
        await admit(host, "Alex Rivera")

        await expect_in_call(client)
        await expect_remote_videos(client, 1)
        await expect_remote_videos(host, 1)
        _, me = await world.request("GET", "/api/me", therapist.access_token)
        assert await tile_names(client) == {me["display_name"]}
        assert await tile_names(host) == {"Alex Rivera"}
        await client.wait_for_timeout(2500)  # let the connection-quality indicator read its first stats
        await expect(client.locator(".tile:not(.tile-self) .tile-quality")).to_have_attribute("data-level", "good")
        await client.screenshot(path=str(shots / "call-client.png"))
        await host.screenshot(path=str(shots / "call-therapist.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_reload_mid_call_rejoins_without_the_link(world, browser):
    (host_ctx, host), (client_ctx, client) = await host_and_client_in_call(world, browser)
    try:
        await expect_remote_videos(client, 1)
        await expect_remote_videos(host, 1)
        await client.reload()
        # Straight back into the call: no link in the URL, no device check, no second admission.
        await expect_in_call(client)
        assert client.url.endswith("/join")
        await expect_remote_videos(client, 1)
        await expect_remote_videos(host, 1)
        assert await tile_names(host) == {"Jordan Lee"}
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_refused_camera_explains_and_joins_with_sound_only(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Sam Okafor")
    host_ctx, host = await new_page(browser)
    client_ctx, client = await new_page(browser, viewport=PHONE, deny_camera=True)
    try:
        await client.goto(local(world, link["join_url"]))
        problems = client.locator("#device-problems")
        await expect(problems).to_contain_text("not allowing Steadyline to use your camera")
        await expect(problems).to_contain_text("You can still join with sound only")
        await expect(client.locator("#continue")).to_have_text("Continue with sound only")
        await client.screenshot(path=str(shots / "join-camera-refused-phone.png"), full_page=True)
        await client.locator("#continue").click()
        await skip_location(client)
        await expect(client.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
        await client.screenshot(path=str(shots / "lobby-phone.png"), full_page=True)

        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await admit(host, "Sam Okafor")
        await expect_in_call(client)
        # The client still sees the therapist, and the therapist hears the client (no picture).
        await expect_remote_videos(client, 1)
        tile = host.locator('.tile:not(.tile-self)')
        await expect(tile).to_have_attribute("data-video", "off")
        await expect(tile.locator(".tile-avatar")).to_have_text("SO")
        await wait_js(
            host, """() => {
                const v = document.querySelector('.tile:not(.tile-self) video');
                const track = v && v.srcObject && v.srcObject.getAudioTracks()[0];
                if (!track || track.readyState !== 'live') return false;
                window.__t0 = window.__t0 ?? v.currentTime;
                return v.currentTime > window.__t0 + 0.5;
            }""",
        )
        await expect(client.get_by_role("button", name="Start video")).to_be_disabled()
        await client.screenshot(path=str(shots / "call-audio-only-phone.png"))
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_invalid_and_revoked_links_show_a_helpful_page(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Riley")
    pid = link["participant"]["id"]
    status, _ = await world.request(
        "DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link", therapist.access_token)
    assert status == 200
    context, page = await new_page(browser)
    try:
        for url in (world.base_url + "/join#not-a-real-token-0123456789abcdef", local(world, link["join_url"])):
            page = await context.new_page()
            await page.goto(url)
            await expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
            await expect(page.get_by_text("ask for a new link")).to_be_visible()
            body = await page.locator("body").inner_text()
            for leak in ("Traceback", "link_invalid", "410", "undefined", "Error:"):
                assert leak not in body
            assert "#" not in page.url
        await page.screenshot(path=str(shots / "join-link-invalid.png"))
        await page.goto(world.base_url + "/join")
        await expect(page.get_by_role("heading", name="Open your personal link")).to_be_visible()
    finally:
        await context.close()


async def test_network_drop_shows_reconnecting_and_recovers(world, browser):
    (host_ctx, host), (client_ctx, client) = await host_and_client_in_call(world, browser)
    try:
        await expect_remote_videos(client, 1)
        await client_ctx.set_offline(True)
        banner = client.locator(".call-banner")
        await expect(banner).to_contain_text("Reconnecting…", timeout=20000)
        await client_ctx.set_offline(False)
        await expect(banner).to_contain_text("You're back in the session", timeout=20000)
        await expect_remote_videos(client, 1)
        await expect_remote_videos(host, 1)
    finally:
        await host_ctx.close()
        await client_ctx.close()


async def test_landing_and_api_docs_render_under_the_csp(world, browser):
    context, page = await new_page(browser)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        await page.goto(world.base_url + "/")
        await expect(page.get_by_role("link", name="Open the therapist console")).to_be_visible()
        await expect(page.get_by_text("personal link")).to_be_visible()
        await page.goto(world.base_url + "/api/docs")
        await expect(page.locator("#docs-status")).to_contain_text("endpoints")
        await expect(page.get_by_role("heading", name="POST /api/join")).to_be_visible()
        await expect(page.locator("#schema-RedeemRequest")).to_contain_text("token")
        assert problems == []
    finally:
        await context.close()
