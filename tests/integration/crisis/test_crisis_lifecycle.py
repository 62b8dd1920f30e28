"""A crisis through REST: opened by the session's therapist, moved along with version checks and role
rules, audited, broadcast to the room as ``crisis`` events, and holding the session open until closed."""

from __future__ import annotations

import asyncio

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis, step, walk_to_closed


async def test_lifecycle_with_version_conflict_and_role_refusal(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    assert (crisis["state"], crisis["version"], crisis["client_id"]) == ("active", 1, s.client.client_id)
    assert crisis["allowed_actions"] == ["dispatch_help", "stabilise"]
    assert [e["kind"] for e in crisis["timeline"]] == ["state_changed"]
    cid = crisis["crisis_id"]
    notice = await host.wait_for("crisis", lambda d: d["crisis_id"] == cid)
    assert notice["event"]["seq"] == 1 and notice["state"] == "active"

    status, body = await world.request("POST", f"/api/sessions/{s.session_id}/crisis", s.therapist.access_token)
    assert (status, body["code"]) == (409, "crisis_already_open")

    status, moved = await step(world, s.therapist.access_token, cid, "dispatch_help", 1)
    assert status == 200 and (moved["state"], moved["version"]) == ("help_on_the_way", 2), moved
    await host.wait_for("crisis", lambda d: d["version"] == 2 and d["event"]["action"] == "dispatch_help")

    status, stale = await step(world, s.therapist.access_token, cid, "help_arrived", 1)
    assert (status, stale["code"]) == (409, "crisis_version_conflict")
    status, illegal = await step(world, s.therapist.access_token, cid, "close", 2)
    assert (status, illegal["code"]) == (422, "crisis_illegal_transition")  # not closable while help is coming
    status, arrived = await step(world, s.therapist.access_token, cid, "help_arrived", 2)
    assert status == 200 and arrived["state"] == "help_arrived"
    status, illegal = await step(world, s.therapist.access_token, cid, "dispatch_help", 3)
    assert (status, illegal["code"]) == (422, "crisis_illegal_transition")

    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    status, refused = await step(world, admin.access_token, cid, "close", 3)
    assert (status, refused["code"]) == (403, "crisis_role_not_permitted")  # only clinicians close
    colleague = await world.therapist(program_id=s.therapist.program_id)
    status, refused = await step(world, colleague.access_token, cid, "stabilise", 3)
    assert (status, refused["code"]) == (403, "forbidden")
    stranger = await world.therapist(role=StaffRole.ADMIN)
    status, refused = await step(world, stranger.access_token, cid, "stabilise", 3)
    assert status == 404
    status, refused = await step(world, s.client.token, cid, "stabilise", 3)
    assert (status, refused["code"]) == (403, "staff_only")

    status, got = await world.request("GET", f"/api/crises/{cid}", admin.access_token)
    assert status == 200 and got["version"] == 3 and got["allowed_actions"] == ["stabilise", "reactivate"], got
    closed = await walk_to_closed(world, s, got)
    assert closed["state"] == "closed" and closed["closed_at"] and closed["allowed_actions"] == []
    status, after = await step(world, s.therapist.access_token, cid, "reactivate", closed["version"])
    assert (status, after["code"]) == (409, "crisis_closed")

    status, export = await world.request("GET", f"/api/crises/{cid}/timeline?after=2", s.therapist.access_token)
    assert status == 200 and [e["seq"] for e in export["events"]] == [3, 4, 5], export
    assert [e["to_state"] for e in export["events"]] == ["help_arrived", "stabilised", "closed"]
    status, bad = await world.request("GET", f"/api/crises/{cid}/timeline?after=x", s.therapist.access_token)
    assert status == 422

    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    assert status == 200, trail
    records = [(r["action"], r["outcome"]) for r in trail["records"] if r["target_id"] == cid]
    for expected in [("crisis.start", "success"), ("crisis.dispatch_help", "success"),
                     ("crisis.help_arrived", "failed"), ("crisis.close", "denied"), ("crisis.stabilise", "success"),
                     ("crisis.close", "success")]:
        assert expected in records, (expected, records)


async def test_concurrent_transitions_one_wins(world):
    s = await scene(world)
    crisis = await start_crisis(world, s)
    results = await asyncio.gather(*(step(world, s.therapist.access_token, crisis["crisis_id"], action, 1)
                                     for action in ("dispatch_help", "stabilise", "dispatch_help", "stabilise")))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409, 409, 409], results
    status, got = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", s.therapist.access_token)
    assert got["version"] == 2 and len(got["timeline"]) == 2


async def test_every_member_hears_the_crisis_and_the_session_is_held_open(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    client = await world.socket(s.client.token)
    assert (await client.call("join"))["ok"]
    await host.wait_for("lobby", lambda d: d["waiting"])
    assert (await host.call("admit", {"participant_id": s.client.participant_id}))["ok"]
    crisis = await start_crisis(world, s)
    heard = await client.wait_for("crisis", lambda d: d["crisis_id"] == crisis["crisis_id"])
    assert heard["state"] == "active" and heard["session_id"] == s.session_id

    status, refused = await world.request("POST", f"/api/sessions/{s.session_id}/end", s.therapist.access_token)
    assert (status, refused["code"]) == (409, "crisis_active")
    ack = await host.call("end_session")
    assert ack["ok"] is False and ack["error"]["code"] == "crisis_active", ack
    assert client.connected and not client.events.get("session_ended")
    colleague = await world.therapist(program_id=s.therapist.program_id)
    status, _ = await world.request("POST", f"/api/sessions/{s.session_id}/end", colleague.access_token)
    assert status == 403  # access is checked before the hold: others learn nothing

    await walk_to_closed(world, s, crisis)
    await client.wait_for("crisis", lambda d: d["state"] == "closed")
    status, ended = await world.request("POST", f"/api/sessions/{s.session_id}/end", s.therapist.access_token)
    assert status == 200 and ended["status"] == "ended"
    await client.wait_for("session_ended")


async def test_socket_end_works_after_the_crisis_is_closed(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    await walk_to_closed(world, s, crisis)
    ack = await host.call("end_session")
    assert ack["ok"], ack


async def test_a_crisis_needs_a_live_session_and_its_therapist(world):
    s = await scene(world)
    path = f"/api/sessions/{s.session_id}/crisis"
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    assert (await world.request("POST", path, admin.access_token))[0] == 403
    colleague = await world.therapist(program_id=s.therapist.program_id)
    assert (await world.request("POST", path, colleague.access_token))[0] == 403
    status, body = await world.request("POST", path, s.therapist.access_token, json={"client_id": "nobody"})
    assert status == 404, body
    await world.store.end_session(s.session_id)
    status, body = await world.request("POST", path, s.therapist.access_token)
    assert (status, body["code"]) == (409, "session_ended")
    status, body = await world.request("GET", "/api/crises/crisis_unknown", s.therapist.access_token)
    assert (status, body["code"]) == (404, "crisis_not_found")
