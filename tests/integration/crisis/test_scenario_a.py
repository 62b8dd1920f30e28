"""Scenario A (from the seed document): a client in active suicidal ideation on a live video session.

The therapist starts the crisis protocol, invites the consented support person, who joins by link and
lands straight in the call; relays the client's location to responders, whose link serves the packet;
the client's network drops and comes back (same participant token: straight back in, no lobby); the
session stays open throughout and cannot be ended; the therapist records that help arrived. Real aiortc
peers for all three people: every party receives every other party's video before and after the drop,
and the exported timeline tells the whole story in order."""

from __future__ import annotations

import asyncio

from tests.integration.crisis.helpers import responder_get, scene, start_crisis, step
from tests.integration.plans.helpers import NEAR_POINT
from tests.support.rtc_peer import RtcPeer
from tests.support.world import SEEN_SECRETS

SITUATION = "Client says she has thought about ending her life tonight and has pills at home; she is on video."


async def _consent(world, s, **body) -> None:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents",
                                        s.therapist.access_token, json=body)
    assert status == 201, grant


async def _all_see_all(peers: dict[str, RtcPeer]) -> None:
    await asyncio.gather(*(peer.wait_frames([o for o in peers if o != pid], timeout=60)
                           for pid, peer in peers.items()))


async def test_scenario_a_crisis_on_a_live_individual_session(world):
    s = await scene(world)
    alex = s.contact("Alex Sample")
    await _consent(world, s, party="support_person", contact_id=alex, scope="invite_to_video")
    await _consent(world, s, party="emergency_services", scope="share_location_and_situation")
    status, located = await world.request("POST", "/api/participant/location", s.client.token,
                                          json={"at_planned_address": True, "geolocation": NEAR_POINT})
    assert status == 201, located

    # a live session: therapist and client on video
    host = await world.host_in_room(s.therapist, s.session_id)
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    client = await world.socket(s.client.token)
    assert (await client.call("join"))["state"]["you"]["status"] == "lobby"
    assert (await host.call("admit", {"participant_id": s.client.participant_id}))["ok"]
    await client.wait_for("admitted")
    assert (await client.call("join"))["state"]["you"]["status"] == "admitted"
    client_pid = s.client.participant_id
    peers = {host_pid: RtcPeer(host, host_pid), client_pid: RtcPeer(client, client_pid)}
    try:
        await peers[client_pid].offer_to(host_pid)
        await _all_see_all(peers)

        # the therapist starts the crisis protocol; the client is told
        crisis = await start_crisis(world, s)
        cid = crisis["crisis_id"]
        await client.wait_for("crisis", lambda d: d["crisis_id"] == cid and d["state"] == "active")

        # the consented support person is invited and joins by link, straight into the call
        status, invited = await world.request("POST", f"/api/crises/{cid}/support-persons", s.therapist.access_token,
                                              json={"contact_id": alex})
        assert status == 201 and invited["basis"] == "consent", invited
        SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
        redeemed = await world.redeem(invited["join_url"])
        support_pid = redeemed["participant"]["id"]
        support = await world.socket(redeemed["participant_token"])
        joined = await support.call("join")
        assert joined["state"]["you"]["status"] == "admitted", joined  # no lobby during a crisis
        assert joined["state"]["crisis"]["crisis_id"] == cid
        peers[support_pid] = RtcPeer(support, support_pid)
        for member in joined["state"]["members"]:
            if member["participant_id"] != support_pid:
                await peers[support_pid].offer_to(member["participant_id"])
        await _all_see_all(peers)

        # location and situation relayed to responders; their link serves the packet
        status, made = await world.request("POST", f"/api/crises/{cid}/responder-packet", s.therapist.access_token,
                                           json={"situation": SITUATION})
        assert status == 201, made
        token = made["token"]
        SEEN_SECRETS.add(token)
        status, packet = await responder_get(world, "packet", token)
        assert status == 200 and packet["civic"]["address"]["street"] == "Example", packet
        assert packet["geolocation"]["latitude"] == NEAR_POINT["latitude"]
        status, got = await world.request("GET", f"/api/crises/{cid}", s.therapist.access_token)
        status, moving = await step(world, s.therapist.access_token, cid, "dispatch_help", got["version"])
        assert status == 200 and moving["state"] == "help_on_the_way", moving

        # the client's network drops: the session holds, nobody can end it
        await client.disconnect()
        await peers.pop(client_pid).close()
        await host.wait_for("presence", lambda d: d["participant_id"] == client_pid and d["state"] == "reconnecting")
        for peer in peers.values():
            await peer.forget(client_pid)
        ended = await host.call("end_session")
        assert ended["ok"] is False and ended["error"]["code"] == "crisis_active", ended
        status, got = await world.request("GET", f"/api/crises/{cid}", s.therapist.access_token)
        assert got["state"] == "help_on_the_way"

        # ... and comes back with the same token: straight back in, media to and from everyone again
        client = await world.socket(s.client.token)
        back = await client.call("join")
        assert back["state"]["you"]["status"] == "admitted" and back["state"]["crisis"]["crisis_id"] == cid, back
        peers[client_pid] = RtcPeer(client, client_pid)
        for member in back["state"]["members"]:
            if member["participant_id"] != client_pid:
                await peers[client_pid].offer_to(member["participant_id"])
        await _all_see_all(peers)

        # help arrives: the therapist records it; only now could the crisis be stabilised and closed
        status, got = await world.request("GET", f"/api/crises/{cid}", s.therapist.access_token)
        status, arrived = await step(world, s.therapist.access_token, cid, "help_arrived", got["version"])
        assert status == 200 and arrived["state"] == "help_arrived", arrived
        await client.wait_for("crisis", lambda d: d["state"] == "help_arrived")
        await support.wait_for("crisis", lambda d: d["state"] == "help_arrived")

        status, export = await world.request("GET", f"/api/crises/{cid}/timeline", s.therapist.access_token)
        assert status == 200
        events = export["events"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        story = [(e["kind"], e.get("action") or e.get("participant_id") or e.get("recipient", {}).get("kind"))
                 for e in events]
        expected = [("state_changed", "start"), ("joined", support_pid), ("disclosure", "emergency_services"),
                    ("state_changed", "dispatch_help"), ("left", client_pid), ("joined", client_pid),
                    ("state_changed", "help_arrived")]
        positions = [story.index(item) for item in expected]
        assert positions == sorted(positions), story  # each happened, in this order
        disclosure = events[positions[2]]
        assert disclosure["basis_kind"] == "consent" and "location" in disclosure["categories"]
    finally:
        await asyncio.gather(*(peer.close() for peer in peers.values()))

