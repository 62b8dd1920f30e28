"""Shared scenery of the monitoring tests: a client with their own page open, and their care team."""

from __future__ import annotations

from dataclasses import dataclass

from tests.integration.home.helpers import open_home, standing_link
from tests.support.world import Therapist

from server.db.tables import StaffRole

PHQ9_ZERO = {f"q{n}": 0 for n in range(1, 10)}
GAD7_ZERO = {f"q{n}": 0 for n in range(1, 8)}


@dataclass
class Cast:
    therapist: Therapist
    admin: Therapist
    client_id: str
    home: str


async def enrolled(world) -> Cast:
    therapist = await world.therapist()
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client A")
    client_id = link["participant"]["client_id"]
    status, _ = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                    json={"therapist_id": therapist.id})
    assert status == 200
    home = await open_home(world, await standing_link(world, therapist, client_id))
    return Cast(therapist, admin, client_id, home)


async def check_in(world, home: str, mood: int = 6, note: str | None = None, **extra) -> dict:
    body = {"mood": mood, "sleep_hours": 7, "cravings": 2} | extra
    if note is not None:
        body["note"] = note
    status, answer = await world.request("POST", "/api/home/check-ins", home, json=body)
    assert status == 201, answer
    return answer


async def alerts(world, staff: Therapist) -> list[dict]:
    status, answer = await world.request("GET", "/api/alerts", staff.access_token)
    assert status == 200, answer
    return [a for a in answer["alerts"] if a["kind"] == "monitoring"]
