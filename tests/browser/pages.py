"""Drivers for the browser client's pages: what a person does, in the words they see."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.world import PASSWORD, Therapist

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# getUserMedia fails for the camera as if the person had said no; the microphone still works.
DENY_CAMERA = """
(() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (constraints && constraints.video) throw new DOMException("Permission denied", "NotAllowedError");
    return original(constraints);
  };
})();
"""

# Every remote video element shows frames: a size, and at least `frames` new frames within the time.
REMOTE_VIDEOS_PLAYING = """
async ({count, frames}) => {
  const videos = [...document.querySelectorAll('[data-view="call"]:not([hidden]) .tile:not(.tile-self) video')];
  if (videos.length !== count) return {ok: false, why: `${videos.length} remote tiles`};
  const counts = await Promise.all(videos.map((video) => new Promise((resolve) => {
    let seen = 0;
    const started = video.currentTime;
    const step = () => { seen += 1; if (seen < frames) video.requestVideoFrameCallback(step); else done(); };
    const done = () => resolve({seen, width: video.videoWidth, advanced: video.currentTime > started});
    video.requestVideoFrameCallback(step);
    setTimeout(done, 2500);
  })));
  const ok = counts.every((c) => c.seen >= frames && c.width > 0 && c.advanced);
  return {ok, counts};
}
"""

# where the control is, and what the browser hits at its centre and at four points around it
UNCOVERED = """(el) => {
  const r = el.getBoundingClientRect();
  const w = document.documentElement.clientWidth, h = window.innerHeight;
  const name = (n) => n ? `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''}.${[...n.classList].join('.')}`
    : 'nothing';
  const blocked = [];
  for (const [fx, fy] of [[0.5, 0.5], [0.25, 0.3], [0.75, 0.3], [0.25, 0.7], [0.75, 0.7]]) {
    const hit = document.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy);
    if (!hit || !(hit === el || el.contains(hit))) blocked.push(name(hit));
  }
  const inside = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= w + 0.5 && r.bottom <= h + 0.5;
  return {inside, blocked, box: [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)],
          viewport: [w, h], what: name(el)};
}"""


async def in_view_and_uncovered(page: Page, selector: str, *, scroll: bool = False) -> None:
    """The (first visible) element is wholly on screen and nothing lies over it."""
    locator = page.locator(f"{selector} >> visible=true").first
    await expect(locator).to_be_visible()
    if scroll:
        await locator.scroll_into_view_if_needed()
    seen = await locator.evaluate(UNCOVERED)
    assert seen["inside"], f"{selector} is not wholly on screen: {seen}"
    assert not seen["blocked"], f"{selector} is covered: {seen}"


async def new_context(browser: Browser, **options) -> BrowserContext:
    """A browser profile that has accepted the self-signed development certificate once, as the
    README tells a newcomer to do (the server is served over TLS as `make run` serves it)."""
    return await browser.new_context(ignore_https_errors=True, **options)


async def new_page(browser: Browser, *, viewport=DESKTOP, deny_camera: bool = False) -> tuple[BrowserContext, Page]:
    context = await new_context(browser, viewport=viewport, permissions=["camera", "microphone"])
    if deny_camera:
        await context.add_init_script(DENY_CAMERA)
    page = await context.new_page()
    page.on("pageerror", lambda error: print(f"[pageerror] {error}"))
    page.on("console", lambda msg: print(f"[console.{msg.type}] {msg.text}") if msg.type in ("error", "warning") else None)
    return context, page


async def sign_in(page: Page, base_url: str, therapist: Therapist) -> None:
    await page.goto(base_url + "/console")
    await page.get_by_label("Email").fill(therapist.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Today's sessions")).to_be_visible()


async def start_call(page: Page, title: str) -> None:
    await page.get_by_role("button", name=f"Start call: {title}").click()
    await pass_device_check(page)
    await expect(page.locator("#call-title")).to_have_text(title)


async def pass_device_check(page: Page) -> None:
    """The therapist's camera and microphone check before "Start call" enters the call."""
    check = page.get_by_role("dialog", name="Check your camera and microphone")
    enter = check.get_by_role("button", name="Enter the call")
    await expect(enter).to_be_enabled()
    await enter.click()


async def client_to_lobby(page: Page, join_url: str, shot: Path | None = None) -> None:
    await page.goto(join_url)
    await expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
    await expect(page.locator("#continue")).to_be_enabled()
    if shot:
        await wait_js(page, "() => document.querySelector('#preview-video').videoWidth > 0")
        await page.screenshot(path=str(shot))
    await page.locator("#continue").click()
    await skip_location(page)
    await expect(page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()


async def skip_location(page: Page) -> None:
    """The join page asks where the client is; these tests are not about that."""
    await expect(page.get_by_role("heading", name="Where are you right now?")).to_be_visible()
    await page.locator("#location-skip").click()


async def wait_js(page: Page, expression: str, arg=None, timeout: float = 15.0) -> None:
    """Poll a JS function until it returns a truthy value. (Playwright's wait_for_function evaluates
    strings in the page, which our Content-Security-Policy rightly forbids.)"""
    end = time.monotonic() + timeout
    while True:
        if await page.evaluate(expression, arg):
            return
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {expression.strip()[:200]} on {page.url}")
        await asyncio.sleep(0.2)


async def admit(host: Page, name: str) -> None:
    await host.get_by_role("button", name=f"Admit {name}").click()


async def start_crisis(host: Page, client_name: str | None = None) -> None:
    """The therapist starts the crisis protocol from the panel (in a group: for the client picked) and
    confirms it."""
    panel = host.locator(".crisis-panel")
    if client_name:
        await panel.get_by_label("Start the crisis protocol for").select_option(label=client_name)
    await panel.get_by_role("button", name="Start crisis protocol").click()
    await host.get_by_role("dialog").get_by_role("button", name="Start crisis protocol").click()


async def move_to_private_room(host: Page, client_name: str, *, picked: bool = True) -> None:
    """In a group: take a client to a private crisis room (picked in the panel before a crisis is open;
    during one, the button names the client) and confirm it."""
    panel = host.locator(".crisis-panel")
    if picked:
        await panel.get_by_label("Start the crisis protocol for").select_option(label=client_name)
        await panel.get_by_role("button", name="Move to a private room").click()
    else:
        await panel.get_by_role("button", name=f"Move {client_name} to a private room").click()
    await host.get_by_role("dialog", name=f"Move {client_name} to a private room?").get_by_role(
        "button", name="Move to a private room").click()


async def expect_in_call(page: Page) -> None:
    await expect(page.locator('[data-view="call"]')).to_be_visible(timeout=15000)


async def expect_remote_videos(page: Page, count: int, frames: int = 5, timeout: float = 30.0) -> None:
    """Wait until `count` remote videos are on the page and each one shows new frames."""
    last = None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        last = await page.evaluate(REMOTE_VIDEOS_PLAYING, {"count": count, "frames": frames})
        if last["ok"]:
            return
        await asyncio.sleep(0.3)
    detail = await page.evaluate("""() => [...document.querySelectorAll('[data-view="call"] video')].map(v => ({
        tracks: v.srcObject ? v.srcObject.getTracks().map(t => `${t.kind}:${t.readyState}:${t.muted}`) : null,
        width: v.videoWidth, paused: v.paused}))""")
    raise AssertionError(f"remote videos not playing on {page.url}: {last}; videos: {detail}")


async def tile_names(page: Page) -> set[str]:
    names = await page.locator('[data-view="call"] .tile:not(.tile-self) .tile-name').all_text_contents()
    return set(names)


@dataclass
class TwoPersonCall:
    therapist: Therapist
    session: dict
    link: dict
    host: Page  # the therapist's console, in the call
    client: Page  # the client's join page, in the call
    client_context: BrowserContext


@contextlib.asynccontextmanager
async def two_person_call(world, browser: Browser, client_name: str = "Jordan Example") -> AsyncIterator[TwoPersonCall]:
    """A therapist (signed in, hosting from the console, the whole crisis panel in view) and a client
    who followed their link and was admitted: an individual session in progress."""
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], client_name)
    host_ctx, host = await new_page(browser, viewport={"width": 1280, "height": 1100})
    client_ctx, client = await new_page(browser)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await client_to_lobby(client, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
        await admit(host, client_name)
        await expect_in_call(client)
        yield TwoPersonCall(therapist=therapist, session=session, link=link, host=host, client=client,
                            client_context=client_ctx)
    finally:
        await host_ctx.close()
        await client_ctx.close()
