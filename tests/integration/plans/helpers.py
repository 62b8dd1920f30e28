"""Shared scenery of the plan tests: synthetic drafts (555 numbers, Example Street) and a client in a
session with a redeemed link."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.support.world import SEEN_SECRETS, Therapist

HOME = {"country": "US", "region": "PA", "city": "Exampleton", "street": "Example", "street_suffix": "Street",
        "house_number": "12", "postal_code": "19000"}
HOME_POINT = {"latitude": 40.0, "longitude": -75.0, "accuracy_m": 20.0}
FAR_POINT = {"latitude": 41.0, "longitude": -75.0, "accuracy_m": 30.0, "method": "802.11"}  # ~111 km north
NEAR_POINT = {"latitude": 40.001, "longitude": -75.0, "accuracy_m": 30.0, "method": "GPS"}  # ~111 m


def draft(**changes: Any) -> dict[str, Any]:
    base = {
        "warning_signs": ["I stop answering messages", "I skip meals"],
        "coping_on_my_own": ["Walk to the end of Example Street", "Cold water on my face"],
        "distraction_people_places": ["The library on Example Street"],
        "people_to_ask": [
            {"name": "Sam Example", "relationship": "sister", "phone": "+1 555 0100 101"},
            {"name": "Alex Sample", "relationship": "friend", "phone": "+1-555-0100-102", "email": "alex@example.org"},
        ],
        "professionals_and_services": [
            {"name": "Program crisis line", "relationship": "program", "phone": "+1 555 0100 110"},
            {"name": "988 Suicide & Crisis Lifeline", "phone": "988"},
        ],
        "safer_surroundings": ["Sam keeps the spare medication at her place"],
        "what_matters": "My dog and finishing my course.",
        "crisis_protocol": ["Call my sister first"],
    }
    base.update(copy.deepcopy(changes))
    return base


def plan_body(sections: dict | None = None, *, planned: bool = True, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"sections": sections if sections is not None else draft(), **extra}
    if planned:
        body["planned_location"] = {"address": HOME, "coordinates": HOME_POINT}
    return body


@dataclass
class Enrolled:
    session: dict
    link: dict
    participant_id: str
    client_id: str
    token: str


async def enrol(world, therapist: Therapist, name: str = "Jordan Example") -> Enrolled:
    """A live individual session of ``therapist`` with one client whose link is redeemed."""
    session = await world.session(therapist)
    link = await world.add_client(therapist, session["id"], name)
    redeemed = await world.redeem(link["join_url"])
    SEEN_SECRETS.add(redeemed["participant_token"])
    return Enrolled(session=session, link=link, participant_id=redeemed["participant"]["id"],
                    client_id=link["participant"]["client_id"], token=redeemed["participant_token"])


async def write_plan(world, therapist: Therapist, client_id: str, body: dict | None = None) -> dict:
    status, saved = await world.request("PUT", f"/api/clients/{client_id}/safety-plan", therapist.access_token,
                                        json=body or plan_body())
    assert status == 200, saved
    return saved
