"""Browser fixtures: Debian's chromium driven by Playwright (one browser per test module) against
the real app on a loopback port.

The tests of a module share one event loop (``loop_scope="module"``) so that the browser, which
belongs to that loop, can be shared; ``world`` is redefined here on that loop (same helpers as
tests/conftest.py, served with aiohttp's TestServer)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.conftest import make_settings
from tests.support.world import World

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--auto-select-desktop-capture-source=Entire screen",  # a therapist's "Share screen" picks the screen
    "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
    # Real host candidates instead of mDNS names: two headless browsers on one machine.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.browser)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium with `apt-get install -y chromium` (as root). "
            "Never run `playwright install`.", pytrace=False,
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def settings(sqlite_url):
    # A reload must land back in the call: keep the place longer than the default test window.
    return make_settings(sqlite_url, reconnect_window=30.0)


def served_world(settings):
    """The app served as ``steadyline serve`` serves it, on the module's loop."""
    return World.start(settings)


@pytest_asyncio.fixture(loop_scope="module")
async def world(settings) -> AsyncIterator[World]:
    async with served_world(settings) as running:
        yield running


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
