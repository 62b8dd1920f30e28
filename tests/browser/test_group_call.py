"""A group: a therapist and three clients in four browsers; every page shows every other
participant's video, forwarded by the server's SFU (one peer connection per browser)."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Page, expect

from server.app_keys import SIGNALING

from tests.browser.pages import (
    admit, client_to_lobby, expect_in_call, expect_remote_videos, new_page, sign_in, start_call, tile_names,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENTS = ["Avery Chen", "Morgan Diaz", "Taylor Brooks"]

# Counts the page's peer connections that are not closed.
COUNT_PEER_CONNECTIONS = """
(() => {
  const Original = window.RTCPeerConnection;
  const open = new Set();
  window.__steadylinePeerConnections = () => [...open].filter((pc) => pc.connectionState !== "closed").length;
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args);
    open.add(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Original);
})();
"""


async def open_peer_connections(page: Page) -> int:
    return await page.evaluate("() => window.__steadylinePeerConnections()")


async def media_through_sfu(world, session_id: str, participants: int) -> None:
    """The server's media room has everyone, receives everyone's audio and VP8 video and
    forwards every publication to every other participant."""
    room = world.app[SIGNALING].rooms._media._rooms.get(session_id)
    assert room is not None, "no SFU room: the browsers did not send media through the server"
    assert len(room.participants) == participants
    end = asyncio.get_running_loop().time() + 15
    while True:
        stats = room.stats()
        publications = {(p.publisher_id, p.kind): p for p in stats.publications}
        forwarded = {(s.subscriber_id, s.publisher_id, s.kind): s.forwarded for s in stats.subscriptions}
        ok = (
            len(publications) == 2 * participants
            and all(p.frames_received > 0 and p.codec.lower() in ("vp8", "opus") for p in publications.values())
            and len(forwarded) == 2 * participants * (participants - 1)
            and all(count > 0 for count in forwarded.values())
        )
        if ok:
            return
        if asyncio.get_running_loop().time() > end:
            raise AssertionError(f"SFU not forwarding everything: {stats}")
        await asyncio.sleep(0.3)


def video_forwarded_to(world, session_id: str) -> dict[str, int]:
    room = world.app[SIGNALING].rooms._media._rooms[session_id]
    totals: dict[str, int] = {}
    for s in room.stats().subscriptions:
        if s.kind == "video":
            totals[s.subscriber_id] = totals.get(s.subscriber_id, 0) + s.forwarded
    return totals


async def video_to(world, session_id: str, subscriber: str, flowing: bool, timeout: float = 15) -> None:
    """Video forwarded to ``subscriber`` stops (or flows again) while others keep receiving it."""
    end = asyncio.get_running_loop().time() + timeout
    while True:
        before = video_forwarded_to(world, session_id)
        await asyncio.sleep(1.0)
        after = video_forwarded_to(world, session_id)
        mine = after[subscriber] > before[subscriber]
        others = all(after[pid] > before[pid] for pid in after if pid != subscriber)
        if mine == flowing and others:
            return
        if asyncio.get_running_loop().time() > end:
            raise AssertionError(f"video to {subscriber} flowing={mine}, wanted {flowing}: {before} -> {after}")


async def test_group_of_three_clients_and_therapist_all_see_each_other(world, browser, shots):
    therapist = await world.therapist()
    session = await world.session(therapist, kind="group")
    links = [await world.add_client(therapist, session["id"], name) for name in CLIENTS]
    host_ctx, host = await new_page(browser)
    clients = [await new_page(browser) for _ in CLIENTS]
    for _, page in [(host_ctx, host), *clients]:
        await page.add_init_script(COUNT_PEER_CONNECTIONS)
    try:
        await sign_in(host, world.base_url, therapist)
        await start_call(host, session["title"])
        await asyncio.gather(*(
            client_to_lobby(page, world.base_url + "/join#" + link["join_url"].split("#", 1)[1])
            for (_, page), link in zip(clients, links)
        ))
        for name in CLIENTS:
            await expect(host.get_by_role("button", name=f"Admit {name}")).to_be_visible()
        await host.screenshot(path=str(shots / "console-call-three-waiting.png"))
        for (_, page), name in zip(clients, CLIENTS):
            await admit(host, name)
            await expect_in_call(page)

        _, me = await world.request("GET", "/api/me", therapist.access_token)
        everyone = {me["display_name"], *CLIENTS}
        await asyncio.gather(
            expect_remote_videos(host, 3, timeout=45),
            *(expect_remote_videos(page, 3, timeout=45) for _, page in clients),
        )
        await media_through_sfu(world, session["id"], participants=4)
        for page in [host, *(page for _, page in clients)]:
            assert await open_peer_connections(page) == 1, "group media goes through one connection with the server"
        assert await tile_names(host) == set(CLIENTS)
        for (_, page), name in zip(clients, CLIENTS):
            assert await tile_names(page) == everyone - {name}
        await host.screenshot(path=str(shots / "call-group-therapist.png"))
        await clients[0][1].screenshot(path=str(shots / "call-group-client.png"))

        # "Audio only" on a weak network: the server stops sending that browser anyone's video.
        members = await world.app[SIGNALING].rooms._live.members(session["id"])
        first = next(m.participant_id for m in members if m.display_name == CLIENTS[0])
        audio_only = clients[0][1].get_by_role("button", name="Audio only")
        await audio_only.click()
        await video_to(world, session["id"], first, flowing=False)
        await audio_only.click()
        await video_to(world, session["id"], first, flowing=True)
    finally:
        for context, _ in [(host_ctx, host), *clients]:
            await context.close()
