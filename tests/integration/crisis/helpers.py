"""Shared scenery of the crisis tests: a live session with a client who has a safety plan."""

from __future__ import annotations

from dataclasses import dataclass

from tests.integration.plans.helpers import Enrolled, enrol, write_plan
from tests.support.world import Therapist


@dataclass
class Scene:
    therapist: Therapist
    client: Enrolled
    plan: dict

    @property
    def session_id(self) -> str:
        return self.client.session["id"]

    def contact(self, name: str) -> str:
        return next(c["contact_id"] for s in self.plan["version"]["sections"] for c in s.get("contacts") or ()
                    if c["name"] == name)


async def scene(world, therapist: Therapist | None = None) -> Scene:
    therapist = therapist or await world.therapist()
    client = await enrol(world, therapist)
    return Scene(therapist=therapist, client=client, plan=await write_plan(world, therapist, client.client_id))


async def start_crisis(world, s: Scene) -> dict:
    status, body = await world.request("POST", f"/api/sessions/{s.session_id}/crisis", s.therapist.access_token)
    assert status == 201, body
    return body


async def step(world, token: str, crisis_id: str, action: str, version: int) -> tuple[int, dict]:
    return await world.request("POST", f"/api/crises/{crisis_id}/transitions", token,
                               json={"action": action, "expected_version": version})


async def walk_to_closed(world, s: Scene, crisis: dict) -> dict:
    body = crisis
    for action in ("stabilise", "close"):
        status, body = await step(world, s.therapist.access_token, crisis["crisis_id"], action, body["version"])
        assert status == 200, body
    return body


RECIPIENT = {"recipient_name": "Alex Medic", "recipient_agency": "County EMS"}
RECIPIENT_HEADERS = {"Steadyline-Recipient-Name": "Alex Medic", "Steadyline-Recipient-Agency": "County EMS"}


async def responder_get(world, what: str, token: str) -> tuple[int, dict | str]:
    """A system reading a responder link: ``what`` is ``packet`` or ``pidf``; the token travels in the
    Authorization header, the recipient in the recipient headers."""
    return await world.request("GET", f"/api/responder/{what}", token, headers=RECIPIENT_HEADERS)
