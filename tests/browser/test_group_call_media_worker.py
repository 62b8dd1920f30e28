"""A group call in three browsers whose media runs in a media worker process (STEADYLINE_MEDIA_WORKERS):
the worker is killed (SIGKILL) mid-call; the browsers are told ``media_reset``, start new peer
connections and offer, and everyone sees everyone again through the room rebuilt on the other worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from server.app_keys import SIGNALING
from signaling.media_workers import RemoteRoom
from tests.browser.pages import admit, client_to_lobby, expect_in_call, expect_remote_videos, new_page, sign_in, start_call
from tests.conftest import make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENTS = ["Avery Chen", "Morgan Diaz"]


@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url, reconnect_window=30.0, media_workers=2)


async def test_browsers_see_each_other_again_after_the_media_worker_is_killed(world, browser):
    media = world.app[SIGNALING].media
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    links = [await world.add_client(therapist, session["id"], name) for name in CLIENTS]
    host_ctx, host = await new_page(browser)
    clients = [await new_page(browser) for _ in CLIENTS]
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await asyncio.gather(*(
            client_to_lobby(page, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
            for (_, page), link in zip(clients, links)
        ))
        for (_, page), name in zip(clients, CLIENTS):
            await admit(host, name)
            await expect_in_call(page)
        pages = [host, *(page for _, page in clients)]
        await asyncio.gather(*(expect_remote_videos(page, 2, timeout=45) for page in pages))
        room = media._rooms[session["id"]]
        assert isinstance(room, RemoteRoom) and len(room.participants) == 3
        victim = room.worker.pid

        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        deadline = killed + 30
        while not ((rebuilt := media._rooms.get(session["id"])) is not None and rebuilt is not room
                   and len(rebuilt.participants) == 3):
            assert time.monotonic() < deadline, "the room was not rebuilt with all three browsers"
            await asyncio.sleep(0.1)
        assert rebuilt.worker.pid != victim
        await asyncio.gather(*(expect_remote_videos(page, 2, timeout=30) for page in pages))
        print(f"browsers see each other again {time.monotonic() - killed:.2f} s after kill -9 of the media worker")
    finally:
        for context, _ in [(host_ctx, host), *clients]:
            await context.close()
