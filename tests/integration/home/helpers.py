"""Shared scenery of the home tests: a client with a standing link, opened into a home token."""

from __future__ import annotations

from tests.support.world import SEEN_SECRETS, Therapist


async def standing_link(world, staff: Therapist, client_id: str) -> str:
    status, issued = await world.request("POST", f"/api/clients/{client_id}/home-link", staff.access_token)
    assert status == 201, issued
    token = issued["url"].split("/home#", 1)[1]
    SEEN_SECRETS.add(token)
    return token


async def open_home(world, token: str) -> str:
    status, opened = await world.request("POST", "/api/home/open", json={"token": token})
    assert status == 200, opened
    SEEN_SECRETS.add(opened["home_token"])
    return opened["home_token"]


def all_week(clinician_id: str, coverage: str) -> list[dict]:
    return [{"clinician_id": clinician_id, "weekday": d, "start": "00:00", "end": "00:00", "coverage": coverage}
            for d in range(7)]
