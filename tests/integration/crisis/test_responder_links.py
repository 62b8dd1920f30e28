"""Responder links (security issue, item 4): the token travels in a header, never in a URL; every
disclosure records who received it (name and agency, 42 CFR 2.51); a clinician can revoke a link and
links end a short grace after the crisis closes; misses are rate limited and audited once per address
and minute; joining the call is possible for ten minutes; substance-use packets carry the notice
against redisclosure."""

from __future__ import annotations

from datetime import timedelta

import pytest
import socketio
from sqlalchemy import text, update

from handoff.part2 import REDISCLOSURE_NOTICE
from server.app_keys import AUDIT, ENGINE
from server.db.crisis_tables import CrisisRecord, ResponderLinkRecord
from server.db.tables import utcnow
from tests.integration.crisis.helpers import RECIPIENT, RECIPIENT_HEADERS, responder_get, start_crisis, walk_to_closed
from tests.integration.crisis.test_responder_relay import SITUATION, _located_scene, schema  # noqa: F401 (fixture)
from tests.conftest import make_settings
from tests.support.world import SEEN_SECRETS


@pytest.fixture
def settings(database_url):
    """Every test here runs on SQLite and on PostgreSQL (the receipts and revocations are new SQL)."""
    return make_settings(database_url)


async def _made(world, s, **extra) -> tuple[dict, dict]:
    status, grant = await world.request("POST", f"/api/clients/{s.client.client_id}/consents", s.therapist.access_token,
                                        json={"party": "emergency_services", "scope": "share_location_and_situation"})
    assert status == 201, grant
    crisis = await start_crisis(world, s)
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token, json={"situation": SITUATION, **extra})
    assert status == 201, made
    SEEN_SECRETS.add(made["token"])
    return crisis, made


async def _links(world, s, crisis_id: str) -> list[dict]:
    status, listed = await world.request("GET", f"/api/crises/{crisis_id}/responder-links", s.therapist.access_token)
    assert status == 200, listed
    return listed["links"]


async def test_the_token_travels_in_a_header_and_the_recipient_is_recorded(world):
    s = await _located_scene(world)
    crisis, made = await _made(world, s)
    token = made["token"]
    assert all(token not in made[url] for url in ("responder_url", "pidf_url"))

    status, _ = await world.request("GET", f"/api/responder/{token}")
    assert status == 404  # no endpoint takes the token in its path
    status, _ = await world.request("GET", f"/api/responder/{token}/pidf")
    assert status == 404
    status, refused = await world.request("GET", "/api/responder/packet", headers=RECIPIENT_HEADERS)
    assert (status, refused["code"]) == (401, "responder_token_required")
    status, refused = await world.request("GET", "/api/responder/packet", token)
    assert (status, refused["code"]) == (422, "recipient_required") and SITUATION not in str(refused)
    status, packet = await world.request("GET", "/api/responder/packet", token, headers={
        "Steadyline-Recipient-Name": "Ren%C3%A9e%20Dispatcher", "Steadyline-Recipient-Agency": "Metro 911"})
    assert status == 200 and packet["situation"] == SITUATION
    status, document = await responder_get(world, "pidf", token)
    assert status == 200 and "geopriv" in document

    status, refused = await world.request("POST", "/api/responder/open", json={"token": token})
    assert status == 422  # the page must say who is reading
    status, view = await world.request("POST", "/api/responder/open", json={"token": token, **RECIPIENT})
    assert status == 200, view

    (link,) = await _links(world, s, crisis["crisis_id"])
    assert link["link_id"] == made["link_id"] and link["live"] is True
    assert [(r["via"], r["recipient_name"], r["recipient_agency"]) for r in link["receipts"]] == [
        ("json", "Renée Dispatcher", "Metro 911"), ("pidf", "Alex Medic", "County EMS"),
        ("page", "Alex Medic", "County EMS")]
    async with world.app[ENGINE].connect() as conn:  # stored encrypted, like names
        rows = (await conn.execute(text("SELECT recipient_name, recipient_agency FROM responder_receipts"))).all()
    assert len(rows) == 3 and not any(word in str(rows) for word in ("Alex", "Medic", "County", "Metro"))


async def test_a_revoked_link_stops_at_once_and_its_responder_leaves_the_call(world):
    s = await _located_scene(world)
    host = await world.host_in_room(s.therapist, s.session_id)
    crisis, made = await _made(world, s, allow_join=True)
    token = made["token"]
    status, joined = await world.request("POST", "/api/responder/join", json={"token": token, **RECIPIENT})
    assert status == 200, joined
    SEEN_SECRETS.add(joined["participant_token"])
    assert joined["participant"]["display_name"] == "Alex Medic (County EMS)"
    responder = await world.socket(joined["participant_token"])
    assert (await responder.call("join"))["state"]["you"]["status"] == "admitted"

    path = f"/api/crises/{crisis['crisis_id']}/responder-links/{made['link_id']}/revoke"
    status, revoked = await world.request("POST", path, s.therapist.access_token)
    assert status == 200 and revoked["live"] is False and revoked["revoked_at"], revoked
    await responder.wait_for("removed")
    for request in (("POST", "/api/responder/open"), ("POST", "/api/responder/open/pidf"),
                    ("POST", "/api/responder/join")):
        status, gone = await world.request(*request, json={"token": token, **RECIPIENT})
        assert (status, gone["code"]) == (410, "responder_link_invalid"), (request, gone)
        assert SITUATION not in str(gone)
    status, gone = await responder_get(world, "packet", token)
    assert (status, gone["code"]) == (410, "responder_link_invalid")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await world.socket(joined["participant_token"])  # the place is gone: its token cannot reconnect
    status, missing = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-links/nope/revoke",
                                          s.therapist.access_token)
    assert (status, missing["code"]) == (404, "responder_link_not_found")
    await host.disconnect()


async def test_links_end_a_short_grace_after_the_crisis_is_closed(world):
    s = await _located_scene(world)
    crisis, made = await _made(world, s)
    status, current = await world.request("GET", f"/api/crises/{crisis['crisis_id']}", s.therapist.access_token)
    await walk_to_closed(world, s, current)
    status, view = await world.request("POST", "/api/responder/open", json={"token": made["token"], **RECIPIENT})
    assert status == 200, view  # within the grace: a crew on its way can finish reading
    grace = timedelta(seconds=world.settings.responder_link_grace)
    assert world.settings.responder_link_grace <= 900
    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(CrisisRecord).where(CrisisRecord.id == crisis["crisis_id"])
                           .values(closed_at=utcnow() - grace - timedelta(seconds=1)))
    status, gone = await world.request("POST", "/api/responder/open", json={"token": made["token"], **RECIPIENT})
    assert (status, gone["code"]) == (410, "responder_link_invalid")
    (link,) = await _links(world, s, crisis["crisis_id"])
    assert link["live"] is False


async def test_misses_are_rate_limited_and_audited_once_per_address_and_minute(world):
    s = await _located_scene(world)
    _, made = await _made(world, s)
    before = len(await world.app[AUDIT].entries())
    for i in range(10):
        status, gone = await world.request("POST", "/api/responder/open", json={"token": f"{i:0>43}", **RECIPIENT})
        assert (status, gone["code"]) == (410, "responder_link_invalid")
    for _ in range(5):
        status, limited = await world.request("POST", "/api/responder/open", json={"token": "B" * 43, **RECIPIENT})
        assert (status, limited["code"]) == (429, "rate_limited")
    status, limited = await responder_get(world, "packet", made["token"])
    assert status == 429  # this address guessed too much: even a real token waits
    written = [e.entry for e in (await world.app[AUDIT].entries())[before:]]
    assert [(e.action, e.outcome.value) for e in written] == [("responder.page", "failed"),
                                                              ("responder.rate_limited", "denied")]


async def test_joining_is_possible_for_ten_minutes(world):
    s = await _located_scene(world)
    _, made = await _made(world, s, allow_join=True)
    assert world.settings.support_link_ttl == 600
    async with world.app[ENGINE].begin() as conn:
        await conn.execute(update(ResponderLinkRecord).values(created_at=utcnow() - timedelta(seconds=601)))
    status, late = await world.request("POST", "/api/responder/join", json={"token": made["token"], **RECIPIENT})
    assert (status, late["code"]) == (410, "responder_join_expired"), late
    status, view = await world.request("POST", "/api/responder/open", json={"token": made["token"], **RECIPIENT})
    assert status == 200  # the information itself stays readable for the link's life


async def test_substance_use_information_carries_the_notice_against_redisclosure(world, schema):  # noqa: F811
    s = await _located_scene(world)
    _, made = await _made(world, s, substance_use=True)
    assert made["packet"]["redisclosure_notice"] == REDISCLOSURE_NOTICE
    status, view = await world.request("POST", "/api/responder/open", json={"token": made["token"], **RECIPIENT})
    assert view["packet"]["redisclosure_notice"] == REDISCLOSURE_NOTICE
    status, document = await responder_get(world, "pidf", made["token"])
    assert "Notice against redisclosure (42 CFR part 2)" in document
    schema.validate(document)
    status, packet = await responder_get(world, "packet", made["token"])
    assert packet["redisclosure_notice"] == REDISCLOSURE_NOTICE
    for part in ("42 CFR part 2", "civil, criminal, administrative or legislative proceeding",
                 "written consent", "general authorisation", "not enough"):
        assert part in REDISCLOSURE_NOTICE

    other = await _located_scene(world)
    _, plain = await _made(world, other)
    assert "redisclosure_notice" not in plain["packet"] or plain["packet"]["redisclosure_notice"] is None
