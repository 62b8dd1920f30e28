"""The SQL crisis store on SQLite and PostgreSQL: crises round-trip with their timelines,
``save_if_version`` is a compare-and-set (a stale or concurrent writer stores nothing), and the
timeline and responder packets are not stored in plaintext."""

from __future__ import annotations

import asyncio

import pytest

from handoff.crisis import Actor, start, transition
from handoff.crisis_state import Action, Role
from server.app_keys import CRISES
from server.db.tables import utcnow
from tests.conftest import make_settings
from tests.integration.crisis.helpers import scene, start_crisis, step
from tests.integration.plans.test_plans_at_rest import _rows
from tests.support.world import SEEN_SECRETS

SITUATION = "Quillfeather overdose disclosure near the Zanzibarine pier"  # distinctive synthetic content
REASON = ("Client described a Quillfeather overdose on video and went silent; responders must go to her "
          "address now and consent cannot be asked for.")


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def test_round_trip_and_compare_and_set(world):
    s = await scene(world)
    crises = world.app[CRISES]
    actor = Actor(actor_id=s.therapist.id, role=Role.THERAPIST)
    crisis, _ = start("crisis_store_1", client_id=s.client.client_id, program_id=s.therapist.program_id,
                      actor=actor, at=utcnow())
    bound = crises.for_session(s.session_id)
    assert await bound.save_if_version(crisis, 0)
    assert not await bound.save_if_version(crisis, 0)  # the id is taken
    assert await crises.load("crisis_store_1") == crisis
    assert (await crises.open_in_session(s.session_id)).crisis_id == "crisis_store_1"

    a, _ = transition(crisis, Action.DISPATCH_HELP, actor, utcnow(), expected_version=1)
    b, _ = transition(crisis, Action.STABILISE, actor, utcnow(), expected_version=1)
    results = await asyncio.gather(bound.save_if_version(a, 1), bound.save_if_version(b, 1))
    assert sorted(results) == [False, True]
    stored = await crises.load("crisis_store_1")
    assert stored in (a, b) and stored.version == 2 and len(stored.timeline) == 2
    assert not await bound.save_if_version(a, 1)  # stale
    closed, _ = transition(stored, Action.CLOSE if stored.state.value == "stabilised" else Action.STABILISE,
                           actor, utcnow(), expected_version=2)
    assert await bound.save_if_version(closed, 2)
    assert (await crises.load("crisis_store_1")).version == 3
    assert await crises.load("crisis_missing") is None


async def test_timeline_and_packets_are_encrypted_at_rest(world, database_url):
    s = await scene(world)
    status, _ = await world.request("POST", "/api/participant/location", s.client.token,
                                    json={"at_planned_address": True})
    assert status == 201
    crisis = await start_crisis(world, s)
    status, body = await step(world, s.therapist.access_token, crisis["crisis_id"], "dispatch_help", 1)
    assert status == 200, body
    status, made = await world.request("POST", f"/api/crises/{crisis['crisis_id']}/responder-packet",
                                       s.therapist.access_token, json={"situation": SITUATION,
                                                                       "override_reason": REASON})
    assert status == 201, made
    SEEN_SECRETS.add(made["token"])
    stored = await _rows(world, database_url)
    for needle in ("Quillfeather", "Zanzibarine", "from_state", "basis_ref", "retention_expiry", "Exampleton"):
        assert needle not in stored, needle
    assert "help_on_the_way" in stored  # the header's state is plaintext: it is queried


async def test_one_open_crisis_per_session_is_a_database_rule(world):
    """Two crises opened at once for one session (different ids, so no compare-and-set clash): the
    partial unique index lets one in; once it is closed, a new one may open."""
    s = await scene(world)
    crises = world.app[CRISES]
    bound = crises.for_session(s.session_id)
    therapist = Actor(actor_id=s.therapist.id, role=Role.THERAPIST)
    client = Actor(actor_id=s.client.client_id, role=Role.CLIENT)
    first, _ = start("crisis_race_a", client_id=s.client.client_id, program_id=s.therapist.program_id,
                     actor=therapist, at=utcnow())
    second, _ = start("crisis_race_b", client_id=s.client.client_id, program_id=s.therapist.program_id,
                      actor=client, at=utcnow())
    results = await asyncio.gather(bound.save_if_version(first, 0), bound.save_if_version(second, 0))
    assert sorted(results) == [False, True]
    winner = first if results[0] else second
    stabilised, _ = transition(winner, Action.STABILISE, therapist, utcnow(), expected_version=1)
    closed, _ = transition(stabilised, Action.CLOSE, therapist, utcnow(), expected_version=2)
    assert await bound.save_if_version(stabilised, 1) and await bound.save_if_version(closed, 2)
    third, _ = start("crisis_race_c", client_id=s.client.client_id, program_id=s.therapist.program_id,
                     actor=therapist, at=utcnow())
    assert await bound.save_if_version(third, 0)
