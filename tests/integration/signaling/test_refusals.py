"""Who may connect and what they may touch: every refusal has a clear code."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import socketio

from tests.conftest import TEST_SECRET


async def _refused(world, auth) -> dict:
    sock = world.socket_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await sock.connect(None, auth=auth)
    return sock.refusal


def _forge(**claims) -> str:
    now = int(time.time())
    base = {"sub": "p", "ses": "s", "prg": "g", "rol": "therapist", "typ": "participant", "iss": "steadyline",
            "aud": "steadyline:participant", "iat": now, "nbf": now, "exp": now + 60, "jti": "j"}
    base.update(claims)
    return jwt.encode(base, TEST_SECRET, algorithm="HS256")


async def test_connection_without_token_is_refused(world):
    for auth in (None, {}, {"token": ""}, {"token": 5}, "token"):
        refusal = await _refused(world, auth)
        assert refusal["data"]["code"] == "auth_required", auth


async def test_forged_expired_and_misdirected_tokens_are_refused(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host_token = await world.host_token(therapist, session["id"])
    claims = jwt.decode(host_token, options={"verify_signature": False})
    unsigned = ".".join([
        base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode(),
        host_token.split(".")[1], "",
    ])
    cases = {
        "expired": _forge(**{**claims, "exp": int(time.time()) - 100, "iat": int(time.time()) - 200,
                             "nbf": int(time.time()) - 200}),
        "alg-none": unsigned,
        "wrong-audience": _forge(**{**claims, "aud": "steadyline:access"}),
        "access-token": therapist.access_token,
        "other-program": _forge(**{**claims, "prg": "another-program"}),
        "unknown-session": _forge(**{**claims, "ses": "no-such-session"}),
    }
    for name, token in cases.items():
        refusal = await _refused(world, {"token": token})
        assert refusal["data"]["code"] == "auth_failed", name


async def test_revoked_link_and_removed_participant_cannot_connect(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    redeemed = await world.redeem(link["join_url"])
    pid = redeemed["participant"]["id"]
    await world.request("DELETE", f"/api/sessions/{session['id']}/participants/{pid}/link", therapist.access_token)
    refusal = await _refused(world, {"token": redeemed["participant_token"]})
    assert refusal["data"]["code"] == "auth_failed"


async def test_client_cannot_moderate_or_admit_itself(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"])
    redeemed = await world.redeem(link["join_url"])
    client = await world.socket(redeemed["participant_token"])
    await client.call("join")
    me = redeemed["participant"]["id"]
    for event, payload in [("admit", {"participant_id": me}), ("lock", {"locked": True}),
                           ("remove", {"participant_id": me}), ("end_session", {})]:
        ack = await client.call(event, payload)
        assert ack == {"ok": False, "error": {"code": "not_permitted", "message": ack["error"]["message"]}}, event
    state = (await client.call("join"))["state"]
    assert state["you"]["status"] == "lobby"


async def test_lobby_client_cannot_signal_and_nobody_can_address_another_room(world):
    therapist = await world.therapist()
    first = await world.session(therapist)
    second = await world.session(therapist)
    host = await world.host_in_room(therapist, first["id"])
    waiting_link = await world.add_client(therapist, first["id"], "Wren Lobbyton")
    waiting = await world.socket((await world.redeem(waiting_link["join_url"]))["participant_token"])
    await waiting.call("join")
    host_pid = (await host.call("join"))["state"]["you"]["participant_id"]
    offer = {"type": "offer", "sdp": "v=0"}
    ack = await waiting.call("signal", {"to": host_pid, "description": offer})
    assert ack["error"]["code"] == "not_admitted"

    other_host = await world.host_in_room(therapist, second["id"])
    other_pid = (await other_host.call("join"))["state"]["you"]["participant_id"]
    ack = await host.call("signal", {"to": other_pid, "description": offer})
    assert ack["error"]["code"] == "unknown_participant"
    assert not other_host.events.get("signal")


async def test_events_before_join_and_unknown_events_are_refused(world):
    therapist = await world.therapist()
    session = await world.session(therapist)
    host = await world.socket(await world.host_token(therapist, session["id"]))
    assert (await host.call("lock", {"locked": True}))["error"]["code"] == "not_joined"
    assert (await host.call("format_disk", {}))["error"]["code"] == "unknown_event"
