"""Shared scenery of the messaging tests: a client with their own page open, their own therapist, a
colleague of the same program who is not on their care team, and an admin."""

from __future__ import annotations

from dataclasses import dataclass

from tests.integration.home.helpers import open_home, standing_link
from tests.support.world import SEEN_SECRETS, Therapist

from server.db.tables import StaffRole

CLIENT_EMAIL = "robin.client@example.test"


@dataclass
class Team:
    therapist: Therapist
    colleague: Therapist
    admin: Therapist
    client_id: str
    home: str


async def enrolled(world, *, email: str | None = CLIENT_EMAIL) -> Team:
    therapist = await world.therapist()
    colleague = await world.therapist(program_id=therapist.program_id)
    admin = await world.therapist(program_id=therapist.program_id, role=StaffRole.ADMIN)
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], "Client A")
    client_id = link["participant"]["client_id"]
    status, answer = await world.request("PUT", f"/api/clients/{client_id}/profile", therapist.access_token,
                                         json={"therapist_id": therapist.id, "email": email})
    assert status == 200, answer
    home = await open_home(world, await standing_link(world, therapist, client_id))
    return Team(therapist, colleague, admin, client_id, home)


def secret(text: str) -> str:
    """A message text the log check (tests/conftest.py) must never find in a log line."""
    SEEN_SECRETS.add(text)
    return text


async def client_writes(world, home: str, text: str, urgent: bool = False) -> dict:
    status, answer = await world.request("POST", "/api/home/messages", home, json={"text": secret(text),
                                                                                   "urgent": urgent})
    assert status == 201, answer
    return answer


async def staff_writes(world, staff: Therapist, client_id: str, text: str) -> dict:
    status, answer = await world.request("POST", f"/api/clients/{client_id}/messages", staff.access_token,
                                         json={"text": secret(text)})
    assert status == 201, answer
    return answer


async def staff_reads(world, staff: Therapist, client_id: str) -> dict:
    status, answer = await world.request("GET", f"/api/clients/{client_id}/messages", staff.access_token)
    assert status == 200, answer
    return answer


async def client_reads(world, home: str) -> dict:
    status, answer = await world.request("GET", "/api/home/messages", home)
    assert status == 200, answer
    return answer


async def message_alerts(world, staff: Therapist) -> list[dict]:
    status, answer = await world.request("GET", "/api/alerts", staff.access_token)
    assert status == 200, answer
    return [a for a in answer["alerts"] if a["kind"] == "message"]
