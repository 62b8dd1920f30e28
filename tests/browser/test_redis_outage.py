"""Redis lost while a call is up: the page in the call says it is reconnecting (its socket stays up;
the node tells it ``live_state: unavailable``) and, once Redis is back — empty — says it is back in
the session by itself, still in the call, never in the lobby."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import expect_in_call, new_page, skip_location
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.services import RedisServer
from tests.support.world import World

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.redis, pytest.mark.postgres]


async def test_the_page_shows_reconnecting_while_redis_is_away_and_stays_in_the_call(browser, postgres_server,
                                                                                   postgres_template):
    redis = RedisServer()
    url = await fresh_postgres_url(postgres_server, postgres_template)
    try:
        async with World.start(make_settings(url, redis_url=redis.url, reconnect_window=30.0)) as world:
            therapist = await world.therapist()
            session = await world.session(therapist)
            link = await world.add_client(therapist, session["id"], "Robin Example")
            _host = await world.host_in_room(therapist, session["id"])  # a therapist in the room throughout
            context, page = await new_page(browser)
            try:
                # let in beforehand (durably), so the page goes straight into the call: this test is about the
                # outage; a lobby admission racing the page's first join is looked into on its own
                await world.store.set_admitted(link["participant"]["id"], True)
                await page.goto(world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
                await page.locator("#continue").click()
                await skip_location(page)
                await expect_in_call(page)

                redis.stop()
                banner = page.locator(".call-banner")
                await expect(banner).to_contain_text("Reconnecting…", timeout=5000)
                redis.start()  # empty
                await expect(banner).to_contain_text("You're back in the session", timeout=5000)
                await expect_in_call(page)
                await expect(page.locator('[data-view="lobby"]')).to_be_hidden()
            finally:
                await context.close()
    finally:
        redis.stop()
