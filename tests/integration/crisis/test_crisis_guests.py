"""Crisis guests (support persons, responders) have a place only while the crisis lasts: closing it
ends every guest's place at once — the socket is closed with a plain-words reason, the token is
refused, the link is dead — unless the clinician keeps a support person for the rest of the
session, which is audited. A guest who left during the crisis cannot come back with the old token."""

from __future__ import annotations

import pytest

from server.db.tables import StaffRole
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis
from tests.integration.crisis.test_responder_page import RECIPIENT
from tests.integration.crisis.test_responder_relay import SITUATION
from tests.integration.signaling.test_revocation import closed, drop, refused
from tests.support.world import SEEN_SECRETS, World


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def _invite(world, s, crisis_id: str, name: str = "Alex Sample") -> dict:
    contact = s.contact(name)
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "support_person", "contact_id": contact,
                                              "scope": "invite_to_video"})
    assert status == 201, grant
    status, invited = await world.request("POST", f"/api/crises/{crisis_id}/support-persons", s.therapist.access_token,
                                          json={"contact_id": contact})
    assert status == 201, invited
    SEEN_SECRETS.add(invited["join_url"].split("#", 1)[1])
    return invited


async def _support_in_call(world, s, crisis_id: str):
    invited = await _invite(world, s, crisis_id)
    redeemed = await world.redeem(invited["join_url"])
    support = await world.socket(redeemed["participant_token"])
    assert (await support.call("join"))["state"]["you"]["status"] == "admitted"
    return invited, redeemed, support


async def _responder_token(world, s, crisis_id: str) -> dict:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    status, made = await world.request("POST", f"/api/crises/{crisis_id}/responder-packet", s.therapist.access_token,
                                       json={"situation": SITUATION, "allow_join": True})
    assert status == 201, made
    link = made["token"]
    SEEN_SECRETS.add(link)
    status, joined = await world.request("POST", "/api/responder/join", json={"token": link, **RECIPIENT})
    assert status == 200, joined
    SEEN_SECRETS.add(joined["participant_token"])
    return {**joined, "link": link}


async def _close(world, s, crisis_id: str, **extra) -> tuple[int, dict]:
    """Stabilise and close on the current version (presence events move it on: a conflict is retried)."""
    for action in ("stabilise", "close"):
        for _ in range(5):
            status, current = await world.request("GET", f"/api/crises/{crisis_id}", s.therapist.access_token)
            status, body = await world.request(
                "POST", f"/api/crises/{crisis_id}/transitions", s.therapist.access_token,
                json={"action": action, "expected_version": current["version"], **(extra if action == "close" else {})})
            if status != 409 or body["code"] != "crisis_version_conflict":
                break
        if status != 200:
            return status, body
    return status, body


async def test_closing_the_crisis_ends_a_support_persons_place_at_once(world):
    s = await scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    invited, redeemed, support = await _support_in_call(world, s, crisis["crisis_id"])
    pid = redeemed["participant"]["id"]

    status, body = await _close(world, s, crisis["crisis_id"])
    assert status == 200 and body["state"] == "closed", body
    notice = await support.wait_for("removed")
    assert notice["reason"] == "crisis_closed" and "crisis call has ended" in notice["message"]
    await closed(support)
    await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")
    assert (await refused(world, redeemed["participant_token"]))["data"]["code"] == "auth_failed"
    status, answer = await world.request("POST", "/api/join", json={"token": invited["join_url"].split("#", 1)[1]})
    assert (status, answer["code"]) == (410, "link_invalid")
    session = (await world.request("GET", f"/api/sessions/{s.session_id}", s.therapist.access_token))[1]
    assert next(p for p in session["participants"] if p["id"] == pid)["removed"] is True


async def test_guests_who_left_during_the_crisis_cannot_come_back_after_it_closed(world):
    s = await scene(world)
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    _, redeemed, support = await _support_in_call(world, s, crisis["crisis_id"])
    responder_place = await _responder_token(world, s, crisis["crisis_id"])
    responder = await world.socket(responder_place["participant_token"])
    assert (await responder.call("join"))["state"]["you"]["status"] == "admitted"
    for guest in (support, responder):
        assert (await guest.call("leave"))["ok"]
        await guest.disconnect()

    status, _ = await _close(world, s, crisis["crisis_id"])
    assert status == 200
    for token in (redeemed["participant_token"], responder_place["participant_token"]):
        assert (await refused(world, token))["data"]["code"] == "auth_failed"  # no way back into the call
    status, answer = await world.request("POST", "/api/responder/join", json={"token": responder_place["link"], **RECIPIENT})
    assert status == 410, answer


async def test_a_responder_in_the_call_is_disconnected_when_the_crisis_closes(world):
    s = await scene(world)
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    place = await _responder_token(world, s, crisis["crisis_id"])
    responder = await world.socket(place["participant_token"])
    assert (await responder.call("join"))["state"]["you"]["status"] == "admitted"

    assert (await _close(world, s, crisis["crisis_id"]))[0] == 200
    assert (await responder.wait_for("removed"))["reason"] == "crisis_closed"
    await closed(responder)
    assert (await refused(world, place["participant_token"]))["data"]["code"] == "auth_failed"


async def test_a_responder_cannot_be_kept_and_a_refused_choice_changes_nothing(world):
    s = await scene(world)
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    _, _, support = await _support_in_call(world, s, crisis["crisis_id"])
    responder_pid = (await _responder_token(world, s, crisis["crisis_id"]))["participant"]["id"]

    status, refusal = await _close(world, s, crisis["crisis_id"], keep_support_persons=[responder_pid])
    assert (status, refusal["code"]) == (422, "crisis_guest_not_keepable")  # responders always leave
    status, body = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", s.therapist.access_token)
    assert body["state"] == "stabilised"  # the refused choice changed nothing …
    assert (await support.call("media_state", {"audio": True, "video": True}))["ok"]  # … and nobody left
    status, refusal = await world.request(
        "POST", f"/api/crises/{crisis['crisis_id']}/transitions", s.therapist.access_token,
        json={"action": "reactivate", "expected_version": body["version"], "keep_support_persons": ["anyone"]})
    assert (status, refusal["code"]) == (422, "crisis_guest_not_keepable")  # keeping belongs to closing


async def test_a_kept_support_person_stays_connected_and_the_choice_is_audited(world):
    s = await scene(world)
    await world.host_in_room(s.therapist, s.session_id)
    crisis = await start_crisis(world, s)
    _, redeemed, support = await _support_in_call(world, s, crisis["crisis_id"])
    pid = redeemed["participant"]["id"]

    status, body = await _close(world, s, crisis["crisis_id"], keep_support_persons=[pid])
    assert status == 200 and body["state"] == "closed", body
    ack = await support.call("media_state", {"audio": True, "video": False})
    assert ack["ok"] and support.connected and not support.events["removed"]
    again = await world.socket(redeemed["participant_token"])  # their token still works for this session
    assert (await again.call("join"))["state"]["you"]["status"] == "admitted"

    admin = await world.therapist(s.therapist.program_id, role=StaffRole.ADMIN)
    status, trail = await world.request("GET", f"/api/audit?session_id={s.session_id}", admin.access_token)
    kept = [r for r in trail["records"] if r["action"] == "crisis.keep_support_person"]
    assert [(r["actor_id"], r["target_id"]) for r in kept] == [(s.therapist.id, pid)]


async def test_a_guest_who_dropped_loses_the_kept_place_when_the_crisis_closes_not_when_the_window_ends(
        sqlite_url):
    async with World.start(make_settings(sqlite_url, reconnect_window=300)) as world:
        s = await scene(world)
        host = await world.host_in_room(s.therapist, s.session_id)
        crisis = await start_crisis(world, s)
        _, redeemed, support = await _support_in_call(world, s, crisis["crisis_id"])
        pid = redeemed["participant"]["id"]
        await drop(support)  # their connection broke …
        await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "reconnecting",
                            timeout=30)  # noticed at once, or at the latest when pings stop

        assert (await _close(world, s, crisis["crisis_id"]))[0] == 200  # … the place is kept for five minutes …
        await host.wait_for("presence", lambda d: d["participant_id"] == pid and d["state"] == "left")  # … until now
