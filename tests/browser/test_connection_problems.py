"""Nobody is left staring at a frozen page: when the signalling connection cannot be made or is
refused, the client and the therapist are told in plain words within 5 s and can try again; and a
page from another origin cannot open the signalling socket (cross-site WebSocket hijacking)."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from playwright.async_api import expect

from tests.browser.conftest import served_world
from tests.browser.pages import new_context, new_page, pass_device_check, sign_in, skip_location
from tests.conftest import make_settings
from tests.support.services import free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOLD_WITHIN_MS = 5000


def local(world, join_url: str) -> str:
    return world.base_url + "/join#" + join_url.split("#", 1)[1]


async def test_a_refused_connection_is_explained_to_the_client_with_a_retry(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Sam Example")
    context, page = await new_page(browser)
    blocked = True

    async def gate(ws):
        if blocked:
            await ws.close()  # the network (or a proxy) refuses the signalling connection
        else:
            ws.connect_to_server()

    await page.route_web_socket("**/socket.io/**", gate)
    try:
        await page.goto(local(world, link["join_url"]))
        await page.locator("#continue").click()
        await skip_location(page)
        started = time.monotonic()
        heading = page.get_by_role("heading", name="We can't connect you to your session right now")
        await expect(heading).to_be_visible(timeout=TOLD_WITHIN_MS)
        assert (time.monotonic() - started) * 1000 < TOLD_WITHIN_MS
        await expect(page.locator('[data-view="unreachable"]').get_by_text("If you are in danger, call")).to_be_visible()

        # Still refused: trying again says so and keeps the person on the explanation.
        await page.get_by_role("button", name="Try again now").click()
        await expect(page.locator("#unreachable-status")).to_have_text("Trying again…")
        await expect(page.locator("#unreachable-status")).to_have_text(
            "Still not connected. We keep trying by ourselves.", timeout=8000)

        # The connection works again: "Try again now" takes the client on to the waiting room.
        blocked = False
        await page.get_by_role("button", name="Try again now").click()
        await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible(timeout=10000)
    finally:
        await context.close()


async def test_the_console_says_the_call_could_not_start(world, browser):
    therapist = await world.therapist()
    session = await world.session(therapist)
    context, page = await new_page(browser)
    await page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
    try:
        await sign_in(page, world.base_url, therapist)
        await page.get_by_role("button", name=f"Start call: {session['title']}").click()
        await pass_device_check(page)
        started = time.monotonic()
        banner = page.locator(".call-banner")
        await expect(banner).to_contain_text("The call could not start", timeout=TOLD_WITHIN_MS)
        assert (time.monotonic() - started) * 1000 < TOLD_WITHIN_MS
        await expect(banner.get_by_role("button", name="Try again")).to_be_visible()
        await banner.get_by_role("button", name="Back to sessions").click()
        await expect(page.get_by_role("heading", name="Today's sessions")).to_be_visible()
        await expect(page.locator("#sessions-error")).to_contain_text("The call could not start")
    finally:
        await context.close()


async def test_a_server_refusing_the_page_origin_is_explained_to_both(browser, sqlite_url):
    # The app is configured for another public address: a page served at https://localhost:PORT is a
    # foreign origin to it, so the server itself refuses the socket (as it refused every newcomer's
    # browser while its origins were wrong).
    settings = make_settings(sqlite_url, public_url="https://care.steadyline.invalid")
    async with served_world(settings) as world:
        await _both_told(world, browser)


async def _both_told(world, browser) -> None:
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Sam Example")
    host_ctx, host = await new_page(browser)
    client_ctx, client = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await host.get_by_role("button", name=f"Start call: {session['title']}").click()
        await pass_device_check(host)
        await expect(host.locator(".call-banner")).to_contain_text("The call could not start",
                                                                   timeout=TOLD_WITHIN_MS)
        await client.goto(local(world, link["join_url"]))
        await client.locator("#continue").click()
        await skip_location(client)
        await expect(client.get_by_role("heading", name="We can't connect you to your session right now")) \
            .to_be_visible(timeout=TOLD_WITHIN_MS)
    finally:
        await host_ctx.close()
        await client_ctx.close()


# A page of another site that tries to open the signalling socket of the app in the visitor's browser.
HIJACK_PAGE = """<!doctype html><title>elsewhere</title><script>
window.result = new Promise((resolve) => {
  const ws = new WebSocket("%s".replace("https", "wss") + "/socket.io/?EIO=4&transport=websocket");
  ws.onopen = () => resolve("open");
  ws.onerror = () => resolve("refused");
});
</script>"""


async def _socket_from_page_of(browser, origin_port: int, app_url: str) -> str:
    async def page_handler(request):
        return web.Response(text=HIJACK_PAGE % app_url, content_type="text/html")

    site_app = web.Application()
    site_app.router.add_get("/", page_handler)
    runner = web.AppRunner(site_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", origin_port).start()
    context = await new_context(browser)
    try:
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{origin_port}/")
        return await asyncio.wait_for(page.evaluate("() => window.result"), 10)
    finally:
        await context.close()
        await runner.cleanup()


async def test_pages_of_other_origins_cannot_open_the_socket(browser, sqlite_url):
    listed = free_port()
    settings = make_settings(sqlite_url, allowed_origins=[f"http://127.0.0.1:{listed}"])
    async with served_world(settings) as world:
        assert await _socket_from_page_of(browser, free_port(), world.base_url) == "refused"
        # An origin the deployment lists in STEADYLINE_ALLOWED_ORIGINS is accepted.
        assert await _socket_from_page_of(browser, listed, world.base_url) == "open"
